//! Helpers for the traffic lab's update tests: slider weights, the patches among effects, and
//! firing the pacing timers they ask for.
#![allow(dead_code)]

use istio_lab::app::msg::TimerMsg;
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::cluster::mesh::Weight;
use istio_lab::features::traffic::msg::{TrafficEffect, TrafficMsg};
use serde_json::Value;

use super::T0;

pub fn weights(m: &Model) -> Vec<(String, Weight)> {
    m.traffic.sliders.weights()
}

pub fn w(pairs: &[(&str, Weight)]) -> Vec<(String, Weight)> {
    pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

pub fn patches(effects: &[Effect]) -> Vec<&Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Traffic(TrafficEffect::PatchVirtualService { body, .. }) => Some(body),
            _ => None,
        })
        .collect()
}

pub fn fire_due_timers(m: &mut Model, effects: &[Effect]) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in effects {
        if let Effect::Timer {
            after,
            msg: TimerMsg::SendWeights,
        } = effect
        {
            // `common::key` pressed the key at T0.
            out.extend(update(m, Msg::Traffic(TrafficMsg::SendDue), T0 + *after));
        }
    }
    out
}
