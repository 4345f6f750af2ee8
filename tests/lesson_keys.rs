//! The lesson pane's keys through the pure update: search, code blocks and the table of contents.

mod common;

use common::{chars, ctrl, key, lesson_index, model};
use crossterm::event::KeyCode;
use istio_lab::app::Effect;
use istio_lab::app::model::{Input, Overlay};

#[test]
fn search_finds_lines_and_n_cycles_matches_until_escape() {
    let mut m = model(80, 24);
    let index = lesson_index(&m, "bookinfo");
    m.lesson.index = 0;
    for _ in 0..index {
        key(&mut m, KeyCode::Right);
    }
    key(&mut m, KeyCode::Char('/'));
    assert_eq!(m.input, Input::Search("".into()));
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
fn control_keys_in_the_search_prompt_edit_instead_of_typing_letters() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::Char('/'));
    chars(&mut m, "kube");
    for c in ['a', 'w', 'a'] {
        ctrl(&mut m, c);
    }
    let Input::Search(query) = &m.input else {
        panic!("still searching: {:?}", m.input);
    };
    assert_eq!(
        query.split(),
        ("", "kube"),
        "Ctrl-A, Ctrl-W, Ctrl-A typed no letters"
    );
    ctrl(&mut m, 'e');
    chars(&mut m, " get pods");
    ctrl(&mut m, 'w');
    assert_eq!(m.input, Input::Search("kube get ".into()));
}
