//! The shell pane in update: focus (F4, Tab, the escape key), keys and pastes becoming bytes
//! for the pty, sizes the pty is told, and `r` typing a lesson's commands into the shell.

mod common;

use common::{ctrl, key, lab, lesson_index, model, send};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use istio_lab::app::model::Overlay;
use istio_lab::app::{Effect, Model, Msg};
use istio_lab::features::shell::{self, ShellEffect, ShellMsg, ShellSpec, ShellState};
use istio_lab::ui::layout::Pane;

fn spec() -> ShellSpec {
    ShellSpec {
        program: "/bin/sh".into(),
        args: Vec::new(),
        env: vec![("KUBECONFIG".into(), "/tmp/k".into())],
        path_prepend: Vec::new(),
        cwd: None,
    }
}

/// The app with a shell started, as `main` starts it; returns the start's effects.
fn with_shell(width: u16, height: u16) -> (Model, Vec<Effect>) {
    let mut m = model(width, height);
    let mut effects = Vec::new();
    shell::update::start(&mut m.shell, spec(), &mut effects);
    (m, effects)
}

fn writes(effects: &[Effect]) -> Vec<Vec<u8>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Shell(ShellEffect::Write(bytes)) => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

fn open_lesson(m: &mut Model, id: &str) {
    for _ in 0..lesson_index(m, id) {
        key(m, KeyCode::Right);
    }
}

#[test]
fn the_shell_starts_at_its_pane_size_and_follows_resizes() {
    let (mut m, effects) = with_shell(120, 40);
    let pane = m.layout.shell.expect("all four panes show at 120x40");
    let (rows, cols) = (pane.height - 2, pane.width - 2);
    assert_eq!(
        effects,
        vec![Effect::Shell(ShellEffect::Spawn {
            session: 1,
            spec: spec(),
            rows,
            cols
        })]
    );
    let effects = send(
        &mut m,
        Msg::Resize {
            width: 200,
            height: 50,
        },
    );
    let pane = m.layout.shell.expect("shown at 200x50");
    let resized = ShellEffect::Resize {
        rows: pane.height - 2,
        cols: pane.width - 2,
    };
    assert_eq!(effects, vec![Effect::Shell(resized)]);
    assert_eq!(m.shell.screen().size(), (pane.height - 2, pane.width - 2));
    // z is typed into the shell while it has the keys; zoom is kept across F-keys, so z in
    // another pane and then F4 shows the shell alone, and the pty hears the new size once.
    key(&mut m, KeyCode::F(4));
    let effects = key(&mut m, KeyCode::Char('z'));
    assert_eq!(writes(&effects), vec![b"z".to_vec()]);
    assert!(!m.zoomed);
    key(&mut m, KeyCode::F(1));
    // A hidden shell already takes the size it has alone on screen.
    let mut effects = key(&mut m, KeyCode::Char('z'));
    effects.extend(key(&mut m, KeyCode::F(4)));
    assert_eq!(
        m.layout.shell,
        Some(ratatui::layout::Rect::new(0, 1, 200, 48))
    );
    assert_eq!(
        effects,
        vec![Effect::Shell(ShellEffect::Resize {
            rows: 46,
            cols: 198
        })]
    );
    assert!(
        send(
            &mut m,
            Msg::Resize {
                width: 200,
                height: 50
            }
        )
        .is_empty()
    );
}

#[test]
fn tab_cycles_through_four_panes_and_the_shell_keeps_tab() {
    let (mut m, _) = with_shell(120, 40);
    assert_eq!(m.focus, Pane::Lesson);
    for expected in [Pane::Cluster, Pane::Traffic, Pane::Shell] {
        key(&mut m, KeyCode::Tab);
        assert_eq!(m.focus, expected);
    }
    // Completion needs Tab: in the shell it is a key for the shell, not for the app.
    let effects = key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Shell);
    assert_eq!(writes(&effects), vec![b"\t".to_vec()]);
    key(&mut m, KeyCode::F(1));
    key(&mut m, KeyCode::BackTab);
    assert_eq!(m.focus, Pane::Shell);
}

#[test]
fn keys_go_to_the_shell_and_the_escape_key_returns_focus() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(2));
    key(&mut m, KeyCode::F(4));
    assert_eq!(m.focus, Pane::Shell);
    let mut typed = Vec::new();
    for c in "q한".chars() {
        typed.extend(writes(&key(&mut m, KeyCode::Char(c))));
    }
    typed.extend(writes(&key(&mut m, KeyCode::Enter)));
    typed.extend(writes(&ctrl(&mut m, 'c')));
    typed.extend(writes(&ctrl(&mut m, 'z')));
    assert_eq!(typed.concat(), "q한\r\x03\x1a".as_bytes());
    assert!(!m.quit, "q and Ctrl-C belong to the shell");
    // Ctrl-] goes back to the pane the learner came from.
    let effects = ctrl(&mut m, ']');
    assert!(writes(&effects).is_empty());
    assert_eq!(m.focus, Pane::Cluster);
    // Legacy terminals report Ctrl-] as Ctrl-5.
    key(&mut m, KeyCode::F(4));
    ctrl(&mut m, '5');
    assert_eq!(m.focus, Pane::Cluster);
}

#[test]
fn function_keys_work_from_the_shell() {
    let (mut m, _) = with_shell(80, 24);
    key(&mut m, KeyCode::F(4));
    assert_eq!(m.focus, Pane::Shell);
    assert!(m.layout.shell.is_some(), "alone on a small screen");
    for (n, pane) in [(1, Pane::Lesson), (4, Pane::Shell), (3, Pane::Traffic)] {
        let effects = key(&mut m, KeyCode::F(n));
        assert_eq!(m.focus, pane);
        assert!(writes(&effects).is_empty());
    }
}

#[test]
fn paste_is_bracketed_when_the_shell_asked_for_it() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(4));
    let plain = send(&mut m, Msg::Paste("ls\nid".into()));
    assert_eq!(writes(&plain), vec![b"ls\rid".to_vec()]);
    let output = ShellMsg::Output {
        session: 1,
        bytes: b"\x1b[?2004h$ ".to_vec(),
    };
    send(&mut m, Msg::Shell(output));
    let bracketed = send(&mut m, Msg::Paste("ls\nid".into()));
    assert_eq!(
        writes(&bracketed),
        vec![b"\x1b[200~ls\rid\x1b[201~".to_vec()]
    );
}

#[test]
fn the_mouse_wheel_scrolls_the_shell_back() {
    let (mut m, _) = with_shell(120, 40);
    let lines: String = (0..100).map(|i| format!("line {i}\r\n")).collect();
    let output = ShellMsg::Output {
        session: 1,
        bytes: lines.into_bytes(),
    };
    send(&mut m, Msg::Shell(output));
    let pane = m.layout.shell.expect("shown");
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: pane.x + 3,
            row: pane.y + 3,
            modifiers: KeyModifiers::NONE,
        })
    };
    send(&mut m, wheel(MouseEventKind::ScrollUp));
    send(&mut m, wheel(MouseEventKind::ScrollUp));
    assert_eq!(m.shell.screen().scrollback(), 6);
    send(&mut m, wheel(MouseEventKind::ScrollDown));
    assert_eq!(m.shell.screen().scrollback(), 3);
}

#[test]
fn an_ended_shell_is_reported_and_enter_starts_a_new_one() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(4));
    let exited = ShellMsg::Exited {
        session: 1,
        code: 3,
        signal: None,
    };
    send(&mut m, Msg::Shell(exited));
    assert_eq!(
        m.shell.state,
        ShellState::Exited {
            code: 3,
            signal: None
        }
    );
    let rows = common::screen_rows(&m);
    assert!(
        rows.iter()
            .any(|r| r.contains("셸이 끝났습니다 (종료 코드 3). Enter: 새 셸 시작")),
        "{rows:#?}"
    );
    assert!(
        key(&mut m, KeyCode::Char('x')).is_empty(),
        "no shell to type into"
    );
    // Without a shell the pane takes the app's keys: Tab moves on, F4 comes back.
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Lesson);
    key(&mut m, KeyCode::F(4));
    let effects = key(&mut m, KeyCode::Enter);
    assert!(matches!(
        effects.as_slice(),
        [Effect::Shell(ShellEffect::Spawn { session: 2, .. })]
    ));
    assert!(m.shell.running());
    // The escape key works whether a shell runs or not.
    send(
        &mut m,
        Msg::Shell(ShellMsg::Exited {
            session: 2,
            code: 0,
            signal: None,
        }),
    );
    ctrl(&mut m, ']');
    assert_eq!(m.focus, Pane::Lesson);
}

#[test]
fn r_shows_the_commands_then_types_them_into_the_shell() {
    let (mut m, _) = with_shell(120, 40);
    open_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char('c'));
    assert!(
        key(&mut m, KeyCode::Char('r')).is_empty(),
        "nothing runs before Enter"
    );
    let Some(Overlay::Confirm(confirmation)) = &m.overlay else {
        panic!("r asks first: {:?}", m.overlay);
    };
    assert_eq!(confirmation.title, "셸에서 실행할까요?");
    assert_eq!(
        confirmation.lines[0],
        "$ kubectl apply -f samples/bookinfo/networking/destination-rule-reviews.yaml"
    );
    assert_eq!(m.focus, Pane::Lesson);
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::Shell(ShellEffect::Write(
            b"kubectl apply -f samples/bookinfo/networking/destination-rule-reviews.yaml\r"
                .to_vec()
        ))]
    );
    assert_eq!(m.focus, Pane::Shell);
    assert_eq!(m.overlay, None);
    // Esc instead leaves the shell alone.
    key(&mut m, KeyCode::F(1));
    key(&mut m, KeyCode::Char('r'));
    assert!(writes(&key(&mut m, KeyCode::Esc)).is_empty());
    assert_eq!(m.focus, Pane::Lesson);
}

#[test]
fn r_on_a_block_of_several_commands_types_each_with_enter() {
    let (mut m, _) = with_shell(120, 40);
    open_lesson(&mut m, "ingress-address");
    let index = m
        .lesson
        .rendered
        .code_blocks
        .iter()
        .position(|b| b.commands.len() == 3)
        .expect("lesson 5 sets three variables in one block");
    m.lesson.selected_code = Some(index);
    let commands = m.lesson.rendered.code_blocks[index].commands.clone();
    key(&mut m, KeyCode::Char('r'));
    let typed = writes(&key(&mut m, KeyCode::Enter)).concat();
    let expected: String = commands.iter().map(|c| format!("{c}\r")).collect();
    assert_eq!(typed, expected.into_bytes());
    assert!(expected_starts_with_export(&typed));
}

fn expected_starts_with_export(typed: &[u8]) -> bool {
    typed.starts_with(b"export INGRESS_HOST=")
}

#[test]
fn r_after_the_shell_ended_starts_one_and_then_types() {
    let (mut m, _) = with_shell(120, 40);
    let exited = ShellMsg::Exited {
        session: 1,
        code: 0,
        signal: None,
    };
    send(&mut m, Msg::Shell(exited));
    open_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char('c'));
    key(&mut m, KeyCode::Char('r'));
    let effects = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(
            effects.as_slice(),
            [
                Effect::Shell(ShellEffect::Spawn { session: 2, .. }),
                Effect::Shell(ShellEffect::Write(_))
            ]
        ),
        "{effects:?}"
    );
}

#[test]
fn without_a_shell_r_falls_back_to_the_api_and_says_so() {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    open_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char('c'));
    key(&mut m, KeyCode::Char('r'));
    let Some(Overlay::Confirm(confirmation)) = &m.overlay else {
        panic!("the API path still asks: {:?}", m.overlay);
    };
    assert_eq!(confirmation.title, "클러스터에 적용할까요?");
    assert!(
        confirmation.lines[0].starts_with("셸을 쓸 수 없어 앱이 API로 적용합니다"),
        "{:?}",
        confirmation.lines
    );
    let effects = key(&mut m, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Lesson(_)]),
        "{effects:?}"
    );
    assert_eq!(m.focus, Pane::Lesson);
}

#[test]
fn r_on_the_lessons_virtual_service_opens_the_editor_with_it() {
    let mut m = lab();
    key(&mut m, KeyCode::F(1));
    open_lesson(&mut m, "traffic-shifting");
    let index = m
        .lesson
        .rendered
        .code_blocks
        .iter()
        .position(|b| b.lang == "yaml")
        .expect("lesson 7 shows the edited VirtualService");
    m.lesson.selected_code = Some(index);
    let yaml = m.lesson.rendered.code_blocks[index].text.clone();
    key(&mut m, KeyCode::Char('r'));
    let editor = m.editor.as_ref().expect("the editor opens");
    assert_eq!(editor.name, "reviews");
    assert_eq!(editor.text().trim_end(), yaml.trim_end());
    assert!(editor.is_modified(), "saving applies the lesson's weights");
    assert!(yaml.contains("weight: 100"));
}

#[test]
fn the_status_bar_names_r_when_a_runnable_block_is_highlighted() {
    let (mut m, _) = with_shell(120, 40);
    let status = |m: &Model| common::screen_rows(m).last().cloned().unwrap_or_default();
    assert!(!status(&m).contains("r 실행"));
    open_lesson(&mut m, "traffic-shifting");
    key(&mut m, KeyCode::Char('c'));
    assert!(status(&m).contains("r 실행"), "{}", status(&m));
    key(&mut m, KeyCode::F(4));
    assert!(status(&m).contains("Ctrl-] 나가기"), "{}", status(&m));
}

#[test]
fn shift_page_keys_scroll_and_are_not_typed() {
    let (mut m, _) = with_shell(120, 40);
    key(&mut m, KeyCode::F(4));
    let lines: String = (0..100).map(|i| format!("{i}\r\n")).collect();
    send(
        &mut m,
        Msg::Shell(ShellMsg::Output {
            session: 1,
            bytes: lines.into_bytes(),
        }),
    );
    let shift_up = Msg::Key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::SHIFT));
    assert!(send(&mut m, shift_up).is_empty());
    assert!(m.shell.screen().scrollback() > 0);
    let page_up = key(&mut m, KeyCode::PageUp);
    assert_eq!(writes(&page_up), vec![b"\x1b[5~".to_vec()]);
    assert_eq!(
        m.shell.screen().scrollback(),
        0,
        "typing returns to the prompt"
    );
}
