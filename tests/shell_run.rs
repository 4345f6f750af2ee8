//! `r` on a lesson's code block: the commands shown first, then typed into the shell pane
//! each with Enter; without a shell the API fallback; a mesh YAML block into the editor.

mod common;

use common::shell::{open_lesson, with_shell, writes};
use common::{key, lab, model, send};
use crossterm::event::KeyCode;
use istio_lab::app::model::Overlay;
use istio_lab::app::{Effect, Model, Msg};
use istio_lab::features::shell::{ShellEffect, ShellMsg};
use istio_lab::features::traffic::msg::TrafficEffect;
use istio_lab::ui::layout::Pane;

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
    assert!(typed.starts_with(b"export INGRESS_HOST="));
    assert_eq!(typed.iter().filter(|&&b| b == b'\r').count(), 3);
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
    // Ctrl-S replaces the cluster's VirtualService with the lesson's: v1 0, v2 100.
    let effects = common::ctrl(&mut m, 's');
    let [Effect::Traffic(TrafficEffect::ReplaceObject { name, object, .. })] = effects.as_slice()
    else {
        panic!(
            "one replace: {effects:?} {:?}",
            m.editor.as_ref().map(|e| &e.problems)
        );
    };
    assert_eq!(name, "reviews");
    let weights: Vec<(String, u64)> = object["spec"]["http"][0]["route"]
        .as_array()
        .expect("a route")
        .iter()
        .map(|d| {
            let subset = d["destination"]["subset"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (subset, d["weight"].as_u64().unwrap_or(0))
        })
        .collect();
    assert_eq!(weights, [("v1".to_string(), 0), ("v2".to_string(), 100)]);
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
