//! The traffic lab's messages: the pacing timer, the results of patches, of the editor's save
//! and of the guide's resources, the probe's responses, and a connection that came back.

use jiff::Timestamp;

use super::debounce::until;
use super::keys::schedule_send;
use super::model::{SendError, SendState, VIRTUAL_SERVICE, virtual_service};
use super::msg::{TrafficEffect, TrafficMsg};
use super::probe::version_in_pod_name;
use super::{Served, classify_response, editor, kiali, merge_patch};
use crate::app::model::{Model, ToastLevel};
use crate::app::msg::{Effect, TimerMsg};
use crate::features::cluster::MeshKind;

pub fn on_msg(model: &mut Model, msg: TrafficMsg, now: Timestamp, effects: &mut Vec<Effect>) {
    match msg {
        TrafficMsg::SendDue => on_send_due(model, now, effects),
        TrafficMsg::WeightsSent(result) => on_sent(model, result, now, effects),
        TrafficMsg::GuideApplied(result) => on_guide_applied(model, result, effects),
        TrafficMsg::EditorSaved(result) => editor::keys::on_saved(model, result),
        TrafficMsg::ProbeResponse {
            generation,
            via,
            result,
        } => on_probe_response(model, generation, via, result),
        TrafficMsg::KialiPortFound(port) => kiali::on_port_found(model, port),
        TrafficMsg::KialiForwarded(result) => kiali::on_forwarded(model, result),
    }
}

/// The pacing timer fired: send the newest weights as a merge patch built from the latest watched object.
fn on_send_due(model: &mut Model, now: Timestamp, effects: &mut Vec<Effect>) {
    if !model.traffic.debouncer.on_timer(now) {
        return;
    }
    if !model.cluster.listed(MeshKind::VirtualService) {
        // Not "missing" yet: kept, and sent once the watch has listed (on the next connect).
        model.traffic.debouncer.cancel();
        model.traffic.send = SendState::Failed(SendError {
            code: None,
            message: "클러스터의 VirtualService 목록을 아직 읽는 중입니다".into(),
        });
        return;
    }
    let Some(vs) = virtual_service(&model.cluster) else {
        model.traffic.debouncer.cancel();
        model.traffic.send = SendState::Failed(SendError {
            code: Some(404),
            message: format!(
                "{VIRTUAL_SERVICE} VirtualService가 없습니다. a 키로 가이드의 것을 만들 수 있습니다."
            ),
        });
        return;
    };
    let Some(route) = model.traffic.route.clone() else {
        model.traffic.debouncer.cancel();
        model.traffic.send = SendState::Failed(SendError {
            code: None,
            message:
                "reviews로 가는 가중치 경로가 VirtualService에 없습니다. e 키로 YAML을 고치세요."
                    .into(),
        });
        return;
    };
    let body = merge_patch(vs, route.http_index, &model.traffic.sliders.weights());
    model.traffic.debouncer.on_sent(now);
    model.traffic.send = SendState::Applying;
    effects.push(Effect::Traffic(TrafficEffect::PatchVirtualService {
        namespace: model.target.namespace.clone(),
        name: VIRTUAL_SERVICE.to_string(),
        body,
    }));
}

fn on_sent(
    model: &mut Model,
    result: Result<(String, u64), SendError>,
    now: Timestamp,
    effects: &mut Vec<Effect>,
) {
    let next = model.traffic.debouncer.on_result(now);
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
            after: until(deadline, now),
            msg: TimerMsg::SendWeights,
        });
    }
}

/// The connection came back: values that failed to go out are sent again.
pub fn on_reconnected(model: &mut Model, now: Timestamp, effects: &mut Vec<Effect>) {
    let failed = matches!(
        model.traffic.send,
        SendState::Failed(SendError { code: None, .. })
    );
    if model.traffic.local_changes && failed {
        schedule_send(model, now, effects);
    }
}

/// The guide's DestinationRule and VirtualService (`a`) were applied, or why not.
fn on_guide_applied(model: &mut Model, result: Result<(), SendError>, effects: &mut Vec<Effect>) {
    let toast = match result {
        Ok(()) => model.toast(ToastLevel::Info, "클러스터에 적용했습니다"),
        Err(e) => {
            let text = e.failed_to_apply(&model.target.server);
            model.toast(ToastLevel::Error, text)
        }
    };
    effects.push(toast);
}

fn on_probe_response(
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
}
