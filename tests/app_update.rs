//! The pure update function, driven with key and mouse messages, without a runtime or terminal.

mod common;

use common::{chars, key, lesson_index, model, model_with_progress, send};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use istio_lab::app::model::{Input, Overlay};
use istio_lab::app::{Effect, Msg};
use istio_lab::features::lesson::msg::LessonEffect;
use istio_lab::features::lesson::progress::Progress;
use istio_lab::ui::layout::Arrangement;
use istio_lab::ui::layout::Pane;

fn saved(effects: &[Effect]) -> Option<&Progress> {
    effects.iter().find_map(|e| match e {
        Effect::Lesson(LessonEffect::SaveProgress(p)) => Some(p),
        _ => None,
    })
}

#[test]
fn arrows_and_n_p_move_between_lessons_and_save_progress() {
    let mut m = model(120, 40);
    assert_eq!(m.lesson.index, 0);
    let effects = key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 1);
    assert_eq!(
        saved(&effects).map(|p| p.lesson.as_str()),
        Some(m.lessons[1].id.as_str())
    );
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(m.lesson.index, 2);
    key(&mut m, KeyCode::Char('p'));
    key(&mut m, KeyCode::Left);
    assert_eq!(m.lesson.index, 0);
    // Bounds hold at both ends.
    let effects = key(&mut m, KeyCode::Left);
    assert_eq!(m.lesson.index, 0);
    assert!(saved(&effects).is_none());
    for _ in 0..20 {
        key(&mut m, KeyCode::Right);
    }
    assert_eq!(m.lesson.index, m.lessons.len() - 1);
}

#[test]
fn scrolling_is_bounded_by_the_rendered_length() {
    let mut m = model(80, 24);
    let max = m.lesson.max_scroll();
    assert!(max > 0, "lesson 1 is longer than one screen at 80x24");
    key(&mut m, KeyCode::Down);
    key(&mut m, KeyCode::Char('j'));
    assert_eq!(m.lesson.scroll, 2);
    key(&mut m, KeyCode::Char('k'));
    assert_eq!(m.lesson.scroll, 1);
    key(&mut m, KeyCode::PageDown);
    assert_eq!(
        m.lesson.scroll,
        (1 + usize::from(m.lesson.height) - 1).min(max)
    );
    let effects = key(&mut m, KeyCode::End);
    assert_eq!(m.lesson.scroll, max);
    assert_eq!(saved(&effects).map(|p| p.scroll), Some(max));
    key(&mut m, KeyCode::Down);
    assert_eq!(m.lesson.scroll, max);
    key(&mut m, KeyCode::Home);
    assert_eq!(m.lesson.scroll, 0);
    key(&mut m, KeyCode::Up);
    assert_eq!(m.lesson.scroll, 0);
}

#[test]
fn mouse_wheel_scrolls_the_lesson_and_a_click_focuses_a_pane() {
    let mut m = model(120, 40);
    let lesson = m.layout.lesson.unwrap();
    let wheel = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(
        &mut m,
        wheel(MouseEventKind::ScrollDown, lesson.x + 3, lesson.y + 3),
    );
    assert_eq!(m.lesson.scroll, 3);
    send(
        &mut m,
        wheel(MouseEventKind::ScrollUp, lesson.x + 3, lesson.y + 3),
    );
    assert_eq!(m.lesson.scroll, 0);
    let traffic = m.layout.traffic.unwrap();
    send(
        &mut m,
        wheel(
            MouseEventKind::Down(MouseButton::Left),
            traffic.x + 2,
            traffic.y + 2,
        ),
    );
    assert_eq!(m.focus, Pane::Traffic);
    // The wheel over another pane does not scroll the lesson.
    send(
        &mut m,
        wheel(MouseEventKind::ScrollDown, traffic.x + 2, traffic.y + 2),
    );
    assert_eq!(m.lesson.scroll, 0);
}

#[test]
fn focus_cycles_with_tab_and_jumps_with_function_keys() {
    let mut m = model(80, 24);
    assert_eq!(m.layout.arrangement(), Arrangement::Single);
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Cluster);
    assert!(m.layout.lesson.is_none() && m.layout.cluster.is_some());
    key(&mut m, KeyCode::BackTab);
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Traffic);
    key(&mut m, KeyCode::F(1));
    assert_eq!(m.focus, Pane::Lesson);
    assert!(m.layout.lesson.is_some());
    // Clicking a header tab switches panes in single-pane mode.
    let tab = m.layout.tabs[1];
    send(
        &mut m,
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: tab.x + 1,
            row: tab.y,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(m.focus, Pane::Cluster);
    // Lesson keys do nothing while another pane has the focus.
    key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 0);
}

#[test]
fn z_zooms_the_focused_pane_and_tabs_switch_what_fills_the_screen() {
    let mut m = model(200, 60);
    assert_eq!(m.layout.arrangement(), Arrangement::SideBySide);
    key(&mut m, KeyCode::F(2));
    key(&mut m, KeyCode::Char('z'));
    assert_eq!(m.layout.arrangement(), Arrangement::Single);
    assert_eq!(
        m.layout.cluster.map(|r| (r.width, r.height)),
        Some((200, 58))
    );
    assert!(m.layout.lesson.is_none() && m.layout.traffic.is_none());
    // Zoomed, the focus keys choose which pane fills the screen.
    key(&mut m, KeyCode::F(1));
    assert!(m.layout.lesson.is_some() && m.layout.cluster.is_none());
    key(&mut m, KeyCode::Char('z'));
    assert_eq!(m.layout.arrangement(), Arrangement::SideBySide);
    assert!(m.layout.cluster.is_some() && m.layout.traffic.is_some());
    // The lesson re-wraps to the pane it has now.
    assert_eq!(m.focus, Pane::Lesson);
}

#[test]
fn search_finds_lines_and_n_cycles_matches_until_escape() {
    let mut m = model(80, 24);
    let index = lesson_index(&m, "bookinfo");
    m.lesson.index = 0;
    for _ in 0..index {
        key(&mut m, KeyCode::Right);
    }
    key(&mut m, KeyCode::Char('/'));
    assert_eq!(m.input, Input::Search(String::new()));
    chars(&mut m, "KUBECTL");
    assert_eq!(m.input, Input::Search("KUBECTL".into()));
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.input, Input::Normal);
    let search = m.lesson.search.clone().expect("search active");
    assert!(
        search.matches.len() >= 2,
        "case-insensitive matches: {:?}",
        search.matches
    );
    for &line in &search.matches {
        assert!(
            m.lesson.rendered.lines[line]
                .plain()
                .to_lowercase()
                .contains("kubectl")
        );
    }
    let first = search.matches[0];
    assert!(first >= m.lesson.scroll && first < m.lesson.scroll + usize::from(m.lesson.height));
    // While a search is active, n/N move between matches instead of lessons.
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(m.lesson.search.as_ref().unwrap().current, 1);
    assert_eq!(m.lesson.index, index);
    key(&mut m, KeyCode::Char('N'));
    key(&mut m, KeyCode::Char('N'));
    assert_eq!(
        m.lesson.search.as_ref().unwrap().current,
        search.matches.len() - 1
    );
    let last = *search.matches.last().unwrap();
    assert!(last >= m.lesson.scroll && last < m.lesson.scroll + usize::from(m.lesson.height));
    key(&mut m, KeyCode::Esc);
    assert!(m.lesson.search.is_none());
    key(&mut m, KeyCode::Char('n'));
    assert_eq!(m.lesson.index, index + 1);
}

#[test]
fn a_search_without_matches_says_so_and_backspace_edits() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('/'));
    chars(&mut m, "없는낱말x");
    key(&mut m, KeyCode::Backspace);
    assert_eq!(m.input, Input::Search("없는낱말".into()));
    key(&mut m, KeyCode::Enter);
    assert!(m.lesson.search.is_none());
    assert!(m.toast.as_ref().unwrap().text.contains("없는낱말"));
    // Esc while typing cancels without searching.
    key(&mut m, KeyCode::Char('/'));
    chars(&mut m, "istio");
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.input, Input::Normal);
    assert!(m.lesson.search.is_none());
}

#[test]
fn code_blocks_are_selected_in_turn_and_copied_as_commands() {
    let mut m = model(120, 40);
    let index = lesson_index(&m, "install");
    for _ in 0..index {
        key(&mut m, KeyCode::Right);
    }
    let blocks = m.lesson.rendered.code_blocks.clone();
    assert!(blocks.len() >= 2);
    let effects = key(&mut m, KeyCode::Char('y'));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CopyToClipboard(_)))
    );
    key(&mut m, KeyCode::Char('c'));
    assert_eq!(m.lesson.selected_code, Some(0));
    key(&mut m, KeyCode::Char('c'));
    assert_eq!(m.lesson.selected_code, Some(1));
    let effects = key(&mut m, KeyCode::Char('y'));
    let copied = effects.iter().find_map(|e| match e {
        Effect::CopyToClipboard(text) => Some(text.clone()),
        _ => None,
    });
    let expected = if blocks[1].commands.is_empty() {
        blocks[1].text.trim_end().to_string()
    } else {
        blocks[1].commands.join("\n")
    };
    assert_eq!(copied, Some(expected.clone()));
    assert!(
        !expected.starts_with("$ "),
        "the prompt is not copied: {expected}"
    );
    assert!(m.toast.as_ref().unwrap().text.contains("복사"));
    // C goes backwards and wraps around.
    key(&mut m, KeyCode::Char('C'));
    key(&mut m, KeyCode::Char('C'));
    assert_eq!(m.lesson.selected_code, Some(blocks.len() - 1));
    let block = &m.lesson.rendered.code_blocks[blocks.len() - 1];
    let top = m.lesson.scroll;
    assert!(block.first_line >= top && block.first_line < top + usize::from(m.lesson.height));
}

#[test]
fn table_of_contents_jumps_to_a_lesson_and_help_closes_on_any_key() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('t'));
    let Some(Overlay::Toc(toc)) = m.overlay.clone() else {
        panic!("toc open");
    };
    let lesson_entries = toc.entries.iter().filter(|e| e.heading.is_none()).count();
    assert_eq!(lesson_entries, m.lessons.len());
    assert!(
        toc.entries.len() > m.lessons.len(),
        "sections are listed too"
    );
    key(&mut m, KeyCode::End);
    key(&mut m, KeyCode::Up);
    key(&mut m, KeyCode::Enter);
    assert!(m.overlay.is_none());
    let target = &toc.entries[toc.entries.len() - 2];
    assert_eq!(m.lesson.index, target.lesson);
    if let Some(h) = target.heading {
        let line = m.lesson.rendered.headings[h].line;
        assert_eq!(m.lesson.scroll, line.min(m.lesson.max_scroll()));
    }
    key(&mut m, KeyCode::Char('?'));
    assert_eq!(m.overlay, Some(Overlay::Help(0)));
    key(&mut m, KeyCode::Down);
    assert_eq!(m.overlay, Some(Overlay::Help(1)));
    key(&mut m, KeyCode::Char('x'));
    assert!(m.overlay.is_none());
    assert!(!m.quit);
}

#[test]
fn small_terminals_show_a_notice_and_only_quit_works() {
    let mut m = model(120, 40);
    send(
        &mut m,
        Msg::Resize {
            width: 59,
            height: 20,
        },
    );
    assert_eq!(m.layout.arrangement(), Arrangement::TooSmall);
    key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 0);
    send(
        &mut m,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    key(&mut m, KeyCode::Right);
    assert_eq!(m.lesson.index, 1);
    send(
        &mut m,
        Msg::Resize {
            width: 30,
            height: 5,
        },
    );
    key(&mut m, KeyCode::Char('q'));
    assert!(m.quit);
}

#[test]
fn resizing_reflows_the_lesson_for_the_new_width() {
    let mut m = model(200, 60);
    let wide = m.lesson.rendered.lines.len();
    send(
        &mut m,
        Msg::Resize {
            width: 60,
            height: 20,
        },
    );
    let narrow = m.lesson.rendered.lines.len();
    assert!(
        narrow > wide,
        "{narrow} lines at 60 columns vs {wide} at 200"
    );
    let text_width = usize::from(m.lesson.width);
    for line in &m.lesson.rendered.lines {
        assert!(unicode_width::UnicodeWidthStr::width(line.plain().as_str()) <= text_width);
    }
}

#[test]
fn ctrl_c_and_terminate_quit() {
    let mut m = model(80, 24);
    send(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(m.quit);
    let mut m = model(80, 24);
    send(&mut m, Msg::Terminate);
    assert!(m.quit);
}

#[test]
fn remembered_progress_reopens_the_same_lesson_and_scroll() {
    let progress = Progress {
        source: "builtin:ko".into(),
        lesson: "bookinfo".into(),
        scroll: 5,
    };
    let m = model_with_progress(80, 24, Some(progress.clone()));
    assert_eq!(m.lessons[m.lesson.index].id, "bookinfo");
    assert_eq!(m.lesson.scroll, 5);
    // Progress of another lesson source, or of a lesson that no longer exists, is ignored.
    let other = Progress {
        source: "guide:/x.md".into(),
        ..progress.clone()
    };
    assert_eq!(model_with_progress(80, 24, Some(other)).lesson.index, 0);
    let gone = Progress {
        lesson: "removed".into(),
        ..progress
    };
    assert_eq!(model_with_progress(80, 24, Some(gone)).lesson.index, 0);
}

#[test]
fn toasts_expire_only_by_their_own_timer() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('y'));
    let first = m.toast.as_ref().unwrap().id;
    key(&mut m, KeyCode::Char('y'));
    let second = m.toast.as_ref().unwrap().id;
    send(&mut m, Msg::ToastExpired(first));
    assert!(m.toast.is_some());
    send(&mut m, Msg::ToastExpired(second));
    assert!(m.toast.is_none());
}
