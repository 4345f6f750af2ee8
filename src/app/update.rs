//! The pure update: one message in, the model changed, effects out. No I/O, no async.

use std::time::Duration;

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::cluster_view::Applied;
use super::model::{Input, Model, Overlay, Pane, Toast, ToastLevel};
use super::msg::{Effect, Msg, TimerMsg};
use super::{cluster_keys, editor_keys, lesson_nav, traffic_keys};
use crate::cluster::{ClusterEvent, ConnectionState};
use crate::ui::layout::{self, Arrangement};
use crate::ui::traffic_layout;

const TOAST_TIME: Duration = Duration::from_secs(4);

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) => {
            // Windows and kitty's protocol report releases too; act on presses and repeats only.
            if key.kind != KeyEventKind::Release {
                on_key(model, key, &mut effects);
            }
        }
        Msg::Mouse(mouse) => on_mouse(model, mouse, &mut effects),
        Msg::Resize { width, height } => {
            relayout(model, Rect::new(0, 0, width, height));
            model.dirty = true;
        }
        Msg::Terminate => model.quit = true,
        Msg::ToastExpired(id) => {
            if model.toast.as_ref().is_some_and(|t| t.id == id) {
                model.toast = None;
                model.dirty = true;
            }
        }
        Msg::Cluster { generation, event } => on_cluster(model, generation, event, &mut effects),
        Msg::SendWeightsDue => traffic_keys::on_send_due(model, &mut effects),
        Msg::WeightsSent(result) => traffic_keys::on_sent(model, result, &mut effects),
        Msg::EditorSaved(result) => editor_keys::on_saved(model, result),
        Msg::Paste(text) => {
            if let Some(state) = model.editor.as_mut() {
                super::editor::on_paste(state, &text);
                model.dirty = true;
            }
        }
        Msg::ManifestApplied(result) => traffic_keys::on_created(model, result, &mut effects),
        Msg::ProbeResponse {
            generation,
            via,
            result,
        } => {
            traffic_keys::on_probe_response(model, generation, via, result);
        }
        Msg::Tick(now) => {
            model.cluster.now = now;
            // Step checks read whole tables, so they run once a second rather than per event.
            if lesson_nav::refresh_steps(model) {
                model.dirty = true;
            }
            // Ages and countdowns only matter where the cluster pane is on screen.
            if model.layout.cluster.is_some() {
                model.dirty = true;
            }
        }
        Msg::ProgressSaved(Ok(())) => {}
        Msg::ProgressSaved(Err(reason)) => {
            toast(
                model,
                &mut effects,
                ToastLevel::Warning,
                format!("진행 상태를 저장하지 못했습니다: {reason}"),
            );
        }
    }
    effects
}

/// Recomputes pane geometry and re-renders the lesson when its text width changed.
pub fn relayout(model: &mut Model, area: Rect) {
    model.layout = layout::compute(area, model.focus, model.zoomed);
    if let Some(pane) = model.layout.lesson {
        let text = layout::pane_text_area(pane);
        lesson_nav::set_viewport(model, text.width, text.height);
    }
}

fn on_cluster(model: &mut Model, generation: u64, event: ClusterEvent, effects: &mut Vec<Effect>) {
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
    if applied != Applied::Unchanged {
        model.dirty = true;
    }
    // Only changes the traffic lab reads trigger its re-sync: any Istio object, and pods
    // events in the lab namespace that change which label sets exist or which have a ready
    // pod (a restart count or one more replica leaves its checks as they were).
    if mesh || (lab_pods && applied == Applied::PodsReshaped) {
        let namespace = model.target.namespace.clone();
        model.traffic.sync(&model.cluster, &namespace);
    }
    if reconnected {
        traffic_keys::on_reconnected(model, effects);
    }
}

pub fn toast(model: &mut Model, effects: &mut Vec<Effect>, level: ToastLevel, text: String) {
    model.next_toast_id += 1;
    let id = model.next_toast_id;
    model.toast = Some(Toast { text, level, id });
    model.dirty = true;
    effects.push(Effect::Timer {
        after: TOAST_TIME,
        msg: TimerMsg::ToastExpired(id),
    });
}

fn on_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C'))
    {
        model.quit = true;
        return;
    }
    if model.editor.is_some() {
        editor_keys::on_key(model, key, effects);
        return;
    }
    if model.layout.arrangement() == Arrangement::TooSmall {
        if key.code == KeyCode::Char('q') {
            model.quit = true;
        }
        return;
    }
    match model.input {
        Input::Search(_) => {
            lesson_nav::on_search_key(model, key, effects);
            model.dirty = true;
            return;
        }
        Input::Filter(_) | Input::Namespace(_) => {
            cluster_keys::on_input_key(model, key, effects);
            model.dirty = true;
            return;
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
            model.dirty = true;
            return;
        }
        Some(Overlay::Toc(_)) => {
            lesson_nav::on_toc_key(model, key, effects);
            model.dirty = true;
            return;
        }
        None => {}
    }
    let handled = match key.code {
        KeyCode::Char('q') => {
            model.quit = true;
            true
        }
        KeyCode::Tab => focus(model, model.focus.next()),
        KeyCode::BackTab => focus(model, model.focus.previous()),
        KeyCode::F(n @ 1..=3) => focus(model, Pane::ALL[usize::from(n) - 1]),
        KeyCode::Char('z') => {
            model.zoomed = !model.zoomed;
            focus(model, model.focus)
        }
        KeyCode::Char('?') => {
            model.overlay = Some(Overlay::Help(0));
            true
        }
        _ => false,
    };
    if handled {
        model.dirty = true;
        return;
    }
    match model.focus {
        Pane::Lesson => lesson_nav::on_key(model, key, effects),
        Pane::Cluster => cluster_keys::on_key(model, key),
        Pane::Traffic => traffic_keys::on_key(model, key, effects),
    }
}

fn focus(model: &mut Model, pane: Pane) -> bool {
    model.focus = pane;
    // In single-pane mode the focus decides what is on screen.
    let area = model.layout.area;
    relayout(model, area);
    true
}

const WHEEL_LINES: usize = 3;

fn on_mouse(model: &mut Model, mouse: MouseEvent, effects: &mut Vec<Effect>) {
    if let Some(state) = model.editor.as_mut() {
        super::editor::on_mouse(state, mouse);
        model.dirty = true;
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
                model.dirty = true;
            }
            if let Some(traffic) = model.layout.traffic {
                let subsets = model.traffic.sliders.subsets.len();
                if let Some((index, weight)) = traffic_layout::hit(traffic, subsets, column, row) {
                    traffic_keys::drag_to(model, index, weight, effects);
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
            if model.layout.pane_at(column, row) == Some(Pane::Lesson) =>
        {
            let lines = WHEEL_LINES as isize;
            let delta = if mouse.kind == MouseEventKind::ScrollDown {
                lines
            } else {
                -lines
            };
            lesson_nav::scroll_by(model, delta, effects);
        }
        _ => {}
    }
}
