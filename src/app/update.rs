//! The pure update: one message in, the model changed, effects out. No I/O, no clock reads:
//! `now` comes in with every message, from the runtime's one clock.
//!
//! This file only dispatches: keys and clicks that belong to the whole screen are handled here,
//! everything else goes to the feature it belongs to.

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use jiff::Timestamp;
use ratatui::layout::Rect;

use super::model::{Input, Model, Overlay, ToastLevel};
use super::msg::{Effect, Msg};
use super::presenter::{self, KeyOutcome};
use crate::features::cluster::model::Applied;
use crate::features::cluster::msg::ClusterMsg;
use crate::features::cluster::{ClusterEvent, ConnectionState};
use crate::features::traffic::editor;
use crate::features::{cluster, lesson, traffic};
use crate::ui::layout::{self, Arrangement, Pane};

pub fn update(model: &mut Model, msg: Msg, now: Timestamp) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => {
            // Windows and kitty's protocol report releases too; act on presses and repeats only.
            if key.kind != KeyEventKind::Release {
                on_key(model, key, now, &mut effects);
            }
        }
        Msg::Mouse(mouse) => on_mouse(model, mouse, now, &mut effects),
        Msg::Resize { width, height } => relayout(model, Rect::new(0, 0, width, height)),
        Msg::Paste(text) => {
            if let Some(state) = model.editor.as_mut() {
                editor::on_paste(state, &text);
            }
        }
        Msg::Signal(signal) => match signal.exit_code() {
            Some(code) => {
                model.quit = true;
                model.exit_code = code;
            }
            None => effects.push(Effect::Suspend),
        },
        Msg::Tick => {
            model.cluster.now = now;
            // Step checks read whole tables, so they run once a second rather than per event.
            lesson::update::refresh_steps(model);
        }
        Msg::ToastExpired(id) => {
            if model.toast.as_ref().is_some_and(|t| t.id == id) {
                model.toast = None;
            }
        }
        Msg::ProgressSaved(Ok(())) => {}
        Msg::ProgressSaved(Err(reason)) => effects.push(model.toast(
            ToastLevel::Warning,
            format!("진행 상태를 저장하지 못했습니다: {reason}"),
        )),
        Msg::Lesson(msg) => lesson::update::on_msg(model, msg, &mut effects),
        Msg::Cluster(ClusterMsg::Event { generation, event }) => {
            on_cluster(model, generation, event, now, &mut effects);
        }
        Msg::Cluster(ClusterMsg::Auth(notice)) => {
            // A new problem is said once; while it holds, the cluster pane keeps it.
            let before = model.cluster.auth.as_ref().and_then(|a| a.problem.clone());
            if let Some(problem) = notice
                .problem
                .clone()
                .filter(|p| Some(p) != before.as_ref())
            {
                effects.push(model.toast(ToastLevel::Warning, problem));
            }
            model.cluster.auth = Some(notice);
        }
        Msg::Cluster(ClusterMsg::NamespaceMissing {
            generation,
            namespace,
        }) => {
            if generation == model.cluster.generation {
                let text = format!(
                    "네임스페이스 '{namespace}'이(가) 클러스터에 없습니다. : 키로 다른 네임스페이스를 고르세요"
                );
                effects.push(model.toast(ToastLevel::Warning, text));
            }
        }
        Msg::Traffic(msg) => traffic::update::on_msg(model, msg, now, &mut effects),
    }
    effects
}

/// Recomputes pane geometry and re-renders the lesson when its text width changed.
pub fn relayout(model: &mut Model, area: Rect) {
    model.layout = layout::compute(area, model.focus, model.zoomed);
    presenter::carve(model);
    if let Some(pane) = model.layout.lesson {
        let text = layout::pane_text_area(pane);
        lesson::update::set_viewport(model, text.width, text.height);
    }
}

fn on_cluster(
    model: &mut Model,
    generation: u64,
    event: ClusterEvent,
    now: Timestamp,
    effects: &mut Vec<Effect>,
) {
    if generation != model.cluster.generation {
        return;
    }
    let lab_pods = matches!(&event, ClusterEvent::Pods { namespace, .. } if *namespace == model.target.namespace);
    let mesh = matches!(&event, ClusterEvent::Mesh { .. });
    let reconnected = matches!(
        &event,
        ClusterEvent::Connection(ConnectionState::Connected { .. })
    );
    let applied = model.cluster.apply(event);
    // Only changes the traffic lab reads trigger its re-sync: any Istio object, and pods
    // events in the lab namespace that change which label sets exist or which have a ready
    // pod (a restart count or one more replica leaves its checks as they were).
    if mesh || (lab_pods && applied == Applied::PodsReshaped) {
        let namespace = model.target.namespace.clone();
        model.traffic.sync(&model.cluster, &namespace);
    }
    if reconnected {
        traffic::update::on_reconnected(model, now, effects);
    }
}

fn on_key(model: &mut Model, key: KeyEvent, now: Timestamp, effects: &mut Vec<Effect>) {
    // The editor takes every key, Ctrl-C included: it asks before dropping unsaved changes.
    if model.editor.is_some() {
        editor::keys::on_key(model, key, effects);
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C'))
    {
        model.quit = true;
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('z' | 'Z'))
    {
        // Raw mode turns the shell's Ctrl-Z into a key; do what the shell would.
        effects.push(Effect::Suspend);
        return;
    }
    if model.layout.arrangement() == Arrangement::TooSmall {
        if key.code == KeyCode::Char('q') {
            model.quit = true;
        }
        return;
    }
    match model.input {
        Input::Search(_) => return lesson::update::on_search_key(model, key, effects),
        Input::Filter(_) | Input::Namespace(_) => {
            return cluster::update::on_input_key(model, key, effects);
        }
        Input::Normal => {}
    }
    match &model.overlay {
        Some(Overlay::Help(scroll)) => {
            // Scroll keys move the list; any other key closes it.
            let scroll = *scroll;
            model.overlay = match key.code {
                KeyCode::Down | KeyCode::Char('j') => Some(Overlay::Help(scroll.saturating_add(1))),
                KeyCode::Up | KeyCode::Char('k') => Some(Overlay::Help(scroll.saturating_sub(1))),
                KeyCode::PageDown => Some(Overlay::Help(scroll.saturating_add(10))),
                KeyCode::PageUp => Some(Overlay::Help(scroll.saturating_sub(10))),
                _ => None,
            };
            return;
        }
        Some(Overlay::Toc(_)) => return lesson::update::on_toc_key(model, key, effects),
        Some(Overlay::Confirm(_)) => return on_confirm_key(model, key, effects),
        None => {}
    }
    match presenter::on_key(model, key, effects) {
        KeyOutcome::Ignored => {}
        KeyOutcome::Done => return,
        KeyOutcome::Relayout => return focus(model, model.focus),
    }
    match key.code {
        KeyCode::Char('q') => model.quit = true,
        KeyCode::Tab => focus(model, model.focus.next()),
        KeyCode::BackTab => focus(model, model.focus.previous()),
        KeyCode::F(n @ 1..=3) => focus(model, Pane::ALL[usize::from(n) - 1]),
        KeyCode::Char('z') => {
            model.zoomed = !model.zoomed;
            focus(model, model.focus);
        }
        KeyCode::Char('?') => model.overlay = Some(Overlay::Help(0)),
        _ => match model.focus {
            Pane::Lesson => lesson::update::on_key(model, key, effects),
            Pane::Cluster => cluster::update::on_key(model, key),
            Pane::Traffic => traffic::keys::on_key(model, key, now, effects),
        },
    }
}

/// Enter (or y) carries the confirmed change out, Esc (or n) drops it; other keys wait.
fn on_confirm_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Enter | KeyCode::Char('y' | 'Y') => {
            if let Some(Overlay::Confirm(confirmation)) = model.overlay.take() {
                effects.extend(confirmation.effects);
            }
        }
        KeyCode::Esc | KeyCode::Char('n' | 'N' | 'q') => {
            model.overlay = None;
            effects.push(model.toast(ToastLevel::Info, "취소했습니다. 클러스터는 그대로입니다"));
        }
        _ => {}
    }
}

fn focus(model: &mut Model, pane: Pane) {
    model.focus = pane;
    // In single-pane mode the focus decides what is on screen.
    let area = model.layout.area;
    relayout(model, area);
}

const WHEEL_LINES: isize = 3;

fn on_mouse(model: &mut Model, mouse: MouseEvent, now: Timestamp, effects: &mut Vec<Effect>) {
    if let Some(state) = model.editor.as_mut() {
        editor::on_mouse(state, mouse);
        return;
    }
    if model.overlay.is_some() || model.layout.arrangement() == Arrangement::TooSmall {
        return;
    }
    let (column, row) = (mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) | MouseEventKind::Drag(MouseButton::Left) => {
            let dragging = matches!(mouse.kind, MouseEventKind::Drag(_));
            let clicked = model
                .layout
                .tab_at(column, row)
                .or_else(|| model.layout.pane_at(column, row));
            if let Some(pane) = clicked.filter(|&p| p != model.focus && !dragging) {
                focus(model, pane);
            }
            if let Some(area) = model.layout.traffic {
                let subsets = model.traffic.sliders.subsets.len();
                if let Some((index, weight)) = traffic::layout::hit(area, subsets, column, row) {
                    traffic::keys::drag_to(model, index, weight, now, effects);
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
            if model.layout.pane_at(column, row) == Some(Pane::Lesson) =>
        {
            let delta = if mouse.kind == MouseEventKind::ScrollDown {
                WHEEL_LINES
            } else {
                -WHEEL_LINES
            };
            lesson::position::scroll_by(model, delta, effects);
        }
        _ => {}
    }
}
