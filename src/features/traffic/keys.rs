//! The traffic pane's keys: moving sliders (and pacing their patches), presets, locks, typed
//! weights, the probe, the editor, the guide's resources and the Kiali forward (`K`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use crate::app::model::{Model, ToastLevel};
use crate::app::msg::{Effect, TimerMsg};
use crate::features::cluster::MeshKind;
use crate::features::cluster::mesh::{Weight, weight_from};
use crate::features::traffic::debounce::until;
use crate::features::traffic::editor::keys as editor_keys;
use crate::features::traffic::kiali;
use crate::features::traffic::model::{MAX_PROBE_RATE, has_virtual_service};
use crate::features::traffic::msg::TrafficEffect;

/// The guide's VirtualService, offered when the lab namespace has none.
pub const GUIDE_VIRTUAL_SERVICE: &str =
    include_str!("../../../assets/bookinfo/virtual-service-reviews-80-20.yaml");
pub const GUIDE_DESTINATION_RULE: &str =
    include_str!("../../../assets/bookinfo/destination-rule-reviews.yaml");

pub fn on_key(model: &mut Model, key: KeyEvent, now: Timestamp, effects: &mut Vec<Effect>) {
    if model.traffic.number_input.is_some() {
        on_number_key(model, key, now, effects);
        return;
    }
    if kiali::on_prompt_key(model, key, effects) {
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
                effects.push(model.toast(
                    ToastLevel::Warning,
                    "잠긴 슬라이더 때문에 이 비율을 맞출 수 없습니다",
                ));
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
        KeyCode::Char('K') => {
            kiali::open(model, effects);
            false
        }
        _ => return,
    };
    if moved {
        sliders_changed(model, now, effects);
    }
}

fn nudge(model: &mut Model, index: usize, delta: i32) -> bool {
    let before = model.traffic.sliders.weights();
    model.traffic.sliders.nudge(index, delta);
    before != model.traffic.sliders.weights()
}

fn on_number_key(model: &mut Model, key: KeyEvent, now: Timestamp, effects: &mut Vec<Effect>) {
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
            // At most three digits: 0–999, read as 0–100.
            let value = text.parse::<i64>().ok().map(weight_from);
            model.traffic.number_input = None;
            if let Some(value) = value {
                let index = model.traffic.sliders.selected;
                let limit = model.traffic.sliders.limit(index);
                if value > limit {
                    let locked: Vec<String> = model
                        .traffic
                        .sliders
                        .subsets
                        .iter()
                        .filter(|s| s.locked)
                        .map(|s| format!("{} {}", s.name, s.weight))
                        .collect();
                    let text = format!(
                        "잠긴 subset({})이 있어 {value} 대신 {limit}(으)로 맞췄습니다. l 키로 잠금을 풀 수 있습니다",
                        locked.join(", ")
                    );
                    effects.push(model.toast(ToastLevel::Warning, text));
                }
                let before = model.traffic.sliders.weights();
                model.traffic.sliders.set(index, value);
                if before != model.traffic.sliders.weights() {
                    sliders_changed(model, now, effects);
                }
            }
        }
        _ => {}
    }
}

/// Sets the selected slider from a mouse position on its bar (0 at the left end, 100 at the right).
pub fn drag_to(
    model: &mut Model,
    index: usize,
    weight: Weight,
    now: Timestamp,
    effects: &mut Vec<Effect>,
) {
    model.traffic.sliders.selected = index;
    let before = model.traffic.sliders.weights();
    model.traffic.sliders.set(index, weight);
    if before != model.traffic.sliders.weights() {
        sliders_changed(model, now, effects);
    }
}

/// A slider moved: re-check, and let the pacing decide when the patch goes out.
fn sliders_changed(model: &mut Model, now: Timestamp, effects: &mut Vec<Effect>) {
    model.traffic.local_changes = true;
    let namespace = model.target.namespace.clone();
    model.traffic.refresh_findings(&model.cluster, &namespace);
    schedule_send(model, now, effects);
}

pub fn schedule_send(model: &mut Model, now: Timestamp, effects: &mut Vec<Effect>) {
    if let Some(deadline) = model.traffic.debouncer.on_change(now) {
        effects.push(Effect::Timer {
            after: until(deadline, now),
            msg: TimerMsg::SendWeights,
        });
    }
}

fn create_guide_resources(model: &mut Model, effects: &mut Vec<Effect>) {
    if !model.cluster.listed(MeshKind::VirtualService) {
        let text =
            "아직 클러스터의 VirtualService 목록을 읽는 중입니다. 목록이 오면 다시 눌러 주세요";
        effects.push(model.toast(ToastLevel::Info, text));
        return;
    }
    if has_virtual_service(&model.cluster) {
        effects.push(model.toast(ToastLevel::Info, "reviews VirtualService가 이미 있습니다"));
        return;
    }
    // The DestinationRule goes first, so the routed subsets exist before any request uses them.
    let yaml = format!("{GUIDE_DESTINATION_RULE}\n---\n{GUIDE_VIRTUAL_SERVICE}");
    effects.push(Effect::Traffic(TrafficEffect::ApplyGuide {
        namespace: model.target.namespace.clone(),
        yaml,
    }));
    effects.push(model.toast(
        ToastLevel::Info,
        "DestinationRule과 80/20 VirtualService를 적용합니다…",
    ));
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
    effects.push(Effect::Traffic(TrafficEffect::Probe {
        namespace: model.target.namespace.clone(),
        rate: if probe.on { probe.rate } else { 0 },
        generation: probe.generation,
    }));
}
