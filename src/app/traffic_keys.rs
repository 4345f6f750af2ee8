//! Traffic-pane behaviour: moving sliders, pacing patches to the cluster, the probe, and results.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::editor_keys;
use super::model::{Model, ToastLevel};
use super::msg::{Effect, TimerMsg};
use super::traffic_view::{
    MAX_PROBE_RATE, SendError, SendState, VIRTUAL_SERVICE, has_virtual_service, virtual_service,
};
use super::update::toast;
use crate::cluster::MeshKind;
use crate::traffic::probe::version_in_pod_name;
use crate::traffic::{Served, classify_response, merge_patch};

/// The guide's VirtualService, offered when the lab namespace has none.
pub const GUIDE_VIRTUAL_SERVICE: &str =
    include_str!("../../assets/bookinfo/virtual-service-reviews-80-20.yaml");
pub const GUIDE_DESTINATION_RULE: &str =
    include_str!("../../assets/bookinfo/destination-rule-reviews.yaml");

pub fn on_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    if model.traffic.number_input.is_some() {
        on_number_key(model, key, effects);
        model.dirty = true;
        return;
    }
    let traffic = &mut model.traffic;
    let selected = traffic.sliders.selected;
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let moved = match key.code {
        KeyCode::Up | KeyCode::Char('k') => {
            traffic.sliders.select_previous();
            false
        }
        KeyCode::Down | KeyCode::Char('j') => {
            traffic.sliders.select_next();
            false
        }
        KeyCode::Left => nudge(model, selected, if shift { -10 } else { -1 }),
        KeyCode::Right => nudge(model, selected, if shift { 10 } else { 1 }),
        KeyCode::PageDown => nudge(model, selected, -10),
        KeyCode::PageUp => nudge(model, selected, 10),
        KeyCode::Char(digit @ '0'..='5') => {
            let applied = model.traffic.sliders.preset(digit as u8 - b'0');
            if !applied {
                toast(
                    model,
                    effects,
                    ToastLevel::Warning,
                    "잠긴 슬라이더 때문에 이 비율을 맞출 수 없습니다".into(),
                );
            }
            applied
        }
        KeyCode::Char('=') | KeyCode::Enter => {
            model.traffic.number_input = Some(String::new());
            false
        }
        KeyCode::Char('l') => {
            model.traffic.sliders.toggle_lock(selected);
            false
        }
        KeyCode::Char('p') => {
            toggle_probe(model, effects);
            false
        }
        KeyCode::Char('+') => {
            set_probe_rate(model, model.traffic.probe.rate + 1, effects);
            false
        }
        KeyCode::Char('-') => {
            set_probe_rate(
                model,
                model.traffic.probe.rate.saturating_sub(1).max(1),
                effects,
            );
            false
        }
        KeyCode::Char('e') => {
            editor_keys::open(model, MeshKind::VirtualService, effects);
            false
        }
        KeyCode::Char('d') => {
            editor_keys::open(model, MeshKind::DestinationRule, effects);
            false
        }
        KeyCode::Char('g') => {
            editor_keys::open(model, MeshKind::Gateway, effects);
            false
        }
        KeyCode::Char('a') => {
            create_guide_resources(model, effects);
            false
        }
        _ => return,
    };
    if moved {
        sliders_changed(model, effects);
    }
    model.dirty = true;
}

fn nudge(model: &mut Model, index: usize, delta: i32) -> bool {
    let before = model.traffic.sliders.weights();
    model.traffic.sliders.nudge(index, delta);
    before != model.traffic.sliders.weights()
}

fn on_number_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(text) = model.traffic.number_input.as_mut() else {
        return;
    };
    match key.code {
        KeyCode::Char(c @ '0'..='9') if text.len() < 3 => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Esc => model.traffic.number_input = None,
        KeyCode::Enter => {
            let value = text.parse::<i32>().ok();
            model.traffic.number_input = None;
            if let Some(value) = value {
                let index = model.traffic.sliders.selected;
                let before = model.traffic.sliders.weights();
                model.traffic.sliders.set(index, value);
                if before != model.traffic.sliders.weights() {
                    sliders_changed(model, effects);
                }
            }
        }
        _ => {}
    }
}

/// Sets the selected slider from a mouse position on its bar (0 at the left end, 100 at the right).
pub fn drag_to(model: &mut Model, index: usize, weight: i32, effects: &mut Vec<Effect>) {
    model.traffic.sliders.selected = index;
    let before = model.traffic.sliders.weights();
    model.traffic.sliders.set(index, weight);
    if before != model.traffic.sliders.weights() {
        sliders_changed(model, effects);
    }
    model.dirty = true;
}

/// A slider moved: re-check, and let the pacing decide when the patch goes out.
fn sliders_changed(model: &mut Model, effects: &mut Vec<Effect>) {
    model.traffic.local_changes = true;
    let namespace = model.target.namespace.clone();
    model.traffic.refresh_findings(&model.cluster, &namespace);
    schedule_send(model, effects);
}

fn schedule_send(model: &mut Model, effects: &mut Vec<Effect>) {
    if let Some(deadline) = model.traffic.debouncer.on_change(model.clock) {
        effects.push(Effect::Timer {
            after: deadline.saturating_duration_since(model.clock),
            msg: TimerMsg::SendWeights,
        });
    }
}

/// The pacing timer fired: send the newest weights as a merge patch built from the latest watched object.
pub fn on_send_due(model: &mut Model, effects: &mut Vec<Effect>) {
    if !model.traffic.debouncer.on_timer(model.clock) {
        return;
    }
    let Some(vs) = virtual_service(&model.cluster) else {
        model.traffic.send = SendState::Failed(SendError {
            code: Some(404),
            message: format!(
                "{VIRTUAL_SERVICE} VirtualService가 없습니다. a 키로 가이드의 것을 만들 수 있습니다."
            ),
        });
        model.dirty = true;
        return;
    };
    let Some(route) = model.traffic.route.clone() else {
        model.traffic.send = SendState::Failed(SendError {
            code: None,
            message:
                "reviews로 가는 가중치 경로가 VirtualService에 없습니다. e 키로 YAML을 고치세요."
                    .into(),
        });
        model.dirty = true;
        return;
    };
    let body = merge_patch(&vs, route.http_index, &model.traffic.sliders.weights());
    model.traffic.debouncer.on_sent(model.clock);
    model.traffic.sent_at = Some(model.clock);
    model.traffic.send = SendState::Applying;
    model.dirty = true;
    effects.push(Effect::PatchVirtualService {
        namespace: model.target.namespace.clone(),
        name: VIRTUAL_SERVICE.to_string(),
        body,
    });
}

pub fn on_sent(
    model: &mut Model,
    result: Result<(String, u64), SendError>,
    effects: &mut Vec<Effect>,
) {
    let next = model.traffic.debouncer.on_result(model.clock);
    match result {
        Ok((resource_version, millis)) => {
            model.traffic.send = SendState::Applied {
                millis,
                resource_version,
            };
            if next.is_none() {
                model.traffic.local_changes = false;
            }
            // Samples from the previous split would read as a mismatch.
            model.traffic.observed.clear();
        }
        // Network trouble: keep the learner's values and send again once the watch is back.
        Err(error) => model.traffic.send = SendState::Failed(error),
    }
    if let Some(deadline) = next {
        effects.push(Effect::Timer {
            after: deadline.saturating_duration_since(model.clock),
            msg: TimerMsg::SendWeights,
        });
    }
    model.dirty = true;
}

/// The connection came back: values that failed to go out are sent again.
pub fn on_reconnected(model: &mut Model, effects: &mut Vec<Effect>) {
    let failed = matches!(
        model.traffic.send,
        SendState::Failed(SendError { code: None, .. })
    );
    if model.traffic.local_changes && failed {
        schedule_send(model, effects);
    }
}

fn create_guide_resources(model: &mut Model, effects: &mut Vec<Effect>) {
    if has_virtual_service(&model.cluster) {
        toast(
            model,
            effects,
            ToastLevel::Info,
            "reviews VirtualService가 이미 있습니다".into(),
        );
        return;
    }
    // The DestinationRule goes first, so the routed subsets exist before any request uses them.
    let yaml = format!("{GUIDE_DESTINATION_RULE}\n---\n{GUIDE_VIRTUAL_SERVICE}");
    effects.push(Effect::ApplyManifest {
        namespace: model.target.namespace.clone(),
        yaml,
    });
    toast(
        model,
        effects,
        ToastLevel::Info,
        "DestinationRule과 80/20 VirtualService를 적용합니다…".into(),
    );
}

pub fn on_created(model: &mut Model, result: Result<(), SendError>, effects: &mut Vec<Effect>) {
    match result {
        Ok(()) => toast(
            model,
            effects,
            ToastLevel::Info,
            "클러스터에 적용했습니다".into(),
        ),
        Err(e) => {
            let code = e.code.map(|c| format!(" ({c})")).unwrap_or_default();
            toast(
                model,
                effects,
                ToastLevel::Error,
                format!("적용하지 못했습니다{code}: {}", e.message),
            );
        }
    }
}

fn toggle_probe(model: &mut Model, effects: &mut Vec<Effect>) {
    let probe = &mut model.traffic.probe;
    probe.on = !probe.on;
    probe.generation += 1;
    probe.last_error = None;
    model.traffic.observed.clear();
    push_probe(model, effects);
}

fn set_probe_rate(model: &mut Model, rate: u32, effects: &mut Vec<Effect>) {
    model.traffic.probe.rate = rate.clamp(1, MAX_PROBE_RATE);
    if model.traffic.probe.on {
        model.traffic.probe.generation += 1;
        push_probe(model, effects);
    }
}

fn push_probe(model: &Model, effects: &mut Vec<Effect>) {
    let probe = &model.traffic.probe;
    effects.push(Effect::Probe {
        namespace: model.target.namespace.clone(),
        rate: if probe.on { probe.rate } else { 0 },
        generation: probe.generation,
    });
}

pub fn on_probe_response(
    model: &mut Model,
    generation: u64,
    via: String,
    result: Result<(u16, String), String>,
) {
    if generation != model.traffic.probe.generation || !model.traffic.probe.on {
        return;
    }
    let namespace = model.target.namespace.clone();
    let served = match result {
        Ok((status, body)) => {
            model.traffic.probe.last_error = None;
            let pods = model.cluster.pods.get(&namespace);
            let version_of = |pod: &str| {
                pods.and_then(|p| p.get(pod))
                    .and_then(|row| row.labels.get("version").cloned())
                    .or_else(|| version_in_pod_name(pod))
            };
            classify_response(status, &body, &version_of)
        }
        Err(error) => {
            model.traffic.probe.last_error = Some(error);
            Served::Unknown
        }
    };
    model.traffic.probe.via = Some(via);
    let second = u64::try_from(model.cluster.now.as_second()).unwrap_or_default();
    if served != Served::Unknown {
        model.traffic.observed.record(second, served);
    }
    model.dirty = true;
}
