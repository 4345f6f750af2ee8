//! The pure update: one message in, the model changed, effects out. No I/O, no clock reads:
//! `now` comes in with every message, from the runtime's one clock.
//!
//! This file only dispatches: keys and clicks that belong to the whole screen are handled here,
//! everything else goes to the feature it belongs to.

use crate::features::class::learner;
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
use crate::features::shell::ShellEffect;
use crate::features::shell::keys::is_escape_key;
use crate::features::traffic::editor;
use crate::features::{cluster, lesson, shell, traffic};
use crate::ui::layout::{self, Arrangement, Pane};

pub fn update(model: &mut Model, msg: Msg, now: Timestamp) -> Vec<Effect> {
    let mut effects = Vec::new();
    let activity = matches!(msg, Msg::Key(_) | Msg::Mouse(_));
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
            } else if shell_has_keys(model) {
                shell::update::on_paste(&mut model.shell, &text, &mut effects);
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
            lesson::step_update::on_tick(model, now, &mut effects);
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
        Msg::Shell(msg) => shell::update::on_msg(&mut model.shell, msg),
        Msg::Workshop(msg) => {
            if let Some(text) = learner::on_msg(model, msg) {
                effects.push(model.toast(ToastLevel::Warning, text));
            }
        }
    }
    // Another lesson may be about another live pane; on a two-pane screen that one comes in.
    if model.layout.live_for != Some(model.lesson.index) {
        let area = model.layout.area;
        relayout(model, area);
    }
    // Whatever changed the shell pane's size (a resize, zoom, focus), the pty hears it once.
    shell::update::sync_pty_size(&mut model.shell, &mut effects);
    if let Some(effect) = learner::after_update(model, activity, now) {
        effects.push(Effect::Workshop(effect));
    }
    if let Some(position) = presenter::notes_position(model, now) {
        effects.push(Effect::Notes(position));
    }
    effects
}

/// Recomputes pane geometry and re-renders the lesson when its text width changed.
pub fn relayout(model: &mut Model, area: Rect) {
    let index = model.lesson.index;
    let live = if model.focus != Pane::Lesson {
        model.focus
    } else if model.layout.live_for == Some(index) {
        model.layout.live
    } else {
        model
            .current_lesson()
            .and_then(|l| l.pane)
            .unwrap_or_default()
    };
    model.layout = layout::compute(area, model.focus, model.zoomed, live);
    model.layout.live_for = Some(index);
    presenter::carve(model);
    if let Some(pane) = model.layout.lesson {
        let text = layout::pane_text_area(pane);
        lesson::update::set_viewport(model, text.width, text.height);
    }
    // A hidden shell keeps the size it would have alone on screen, so it starts at that size.
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    );
    let text = shell::view::text_area(model.layout.shell.unwrap_or(body));
    if text.width > 0 && text.height > 0 {
        shell::update::resize(&mut model.shell, text.height, text.width);
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
    // The shell takes every key (Ctrl-C, Tab and q included) but its escape key and F1–F4.
    if shell_has_keys(model) && !matches!(key.code, KeyCode::F(1..=4)) {
        return shell_key(model, key, effects);
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
        Some(Overlay::Solution(_)) => {
            model.overlay = None;
            return;
        }
        Some(Overlay::Confirm(_)) => return on_confirm_key(model, key, effects),
        None => {}
    }
    match presenter::on_key(model, key, effects) {
        KeyOutcome::Ignored => {}
        KeyOutcome::Done => return,
        KeyOutcome::Relayout => return focus(model, model.focus),
    }
    match key.code {
        KeyCode::Char('q') => model.quit = !lesson::reset_view::ask_before_quit(model),
        // Following the instructor: to their lesson, only when asked.
        KeyCode::Char('L') => {
            if let Some(index) = learner::lead_index(model) {
                lesson::update::goto_lesson(model, index, effects);
            }
        }
        KeyCode::Tab => focus(model, model.focus.next()),
        KeyCode::BackTab => focus(model, model.focus.previous()),
        KeyCode::F(n @ 1..=4) => focus(model, Pane::ALL[usize::from(n) - 1]),
        KeyCode::Char('z') => {
            model.zoomed = !model.zoomed;
            focus(model, model.focus);
        }
        KeyCode::Char('?') => model.overlay = Some(Overlay::Help(0)),
        _ => match model.focus {
            Pane::Lesson => lesson::update::on_key(model, key, effects),
            Pane::Cluster => cluster::update::on_key(model, key),
            Pane::Traffic => traffic::keys::on_key(model, key, now, effects),
            // No shell runs: Enter starts one, Shift-PgUp/PgDn scroll what the last one wrote.
            Pane::Shell => shell_key(model, key, effects),
        },
    }
}

/// A key for the shell pane: the escape key goes back to the pane the learner came from.
fn shell_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    if is_escape_key(&key) {
        let back = model.shell.return_to.take().unwrap_or(Pane::Lesson);
        focus(model, back);
    } else {
        shell::update::on_key(&mut model.shell, &key, effects);
    }
}

/// Enter (or y) carries the confirmed change out, Esc (or n) drops it; other keys wait.
fn on_confirm_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    match key.code {
        KeyCode::Enter | KeyCode::Char('y' | 'Y') => {
            if let Some(Overlay::Confirm(confirmation)) = model.overlay.take() {
                model.quit |= confirmation.effects.contains(&Effect::Quit);
                // Commands typed into the shell are watched there.
                let typed = confirmation
                    .effects
                    .iter()
                    .any(|e| matches!(e, Effect::Shell(ShellEffect::Write(_))));
                // A shell that ended is started again; the pty keeps what is typed until it reads.
                if typed && !model.shell.running() {
                    shell::update::spawn(&mut model.shell, effects);
                }
                effects.extend(confirmation.effects);
                if typed {
                    focus(model, Pane::Shell);
                }
            }
        }
        KeyCode::Esc | KeyCode::Char('n' | 'N' | 'q') => {
            model.overlay = None;
            effects.push(model.toast(ToastLevel::Info, "취소했습니다. 클러스터는 그대로입니다"));
        }
        _ => {}
    }
}

/// Whether keys go to the shell: one runs, its pane has focus and is on screen, and nothing is
/// open over it. Without a running shell the pane takes the app's keys as the others do.
fn shell_has_keys(model: &Model) -> bool {
    model.focus == Pane::Shell
        && model.shell.running()
        && model.layout.shell.is_some()
        && model.overlay.is_none()
        && model.input == Input::Normal
}

fn focus(model: &mut Model, pane: Pane) {
    if pane == Pane::Shell && model.focus != Pane::Shell {
        model.shell.return_to = Some(model.focus);
    }
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
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
            if model.layout.pane_at(column, row) == Some(Pane::Shell) =>
        {
            let up = mouse.kind == MouseEventKind::ScrollUp;
            let rows = shell::update::WHEEL_ROWS;
            shell::update::scroll(&mut model.shell, if up { rows } else { -rows });
        }
        _ => {}
    }
}
