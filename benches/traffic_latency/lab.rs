//! The headless app against the demo cluster: start-up, the app loop, key presses, and the
//! store observer that timestamps each change of the reviews VirtualService.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use istio_lab::app::{Effect, Model};
use istio_lab::features::traffic::msg::TrafficEffect;
use istio_lab::sim::SimStore;
use serde_json::Value;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

#[path = "../../tests/common/harness.rs"]
pub mod harness;
use harness::SimLab;

/// How long a change may take to reach the sim before the run stops with an error.
pub const GIVE_UP: Duration = Duration::from_secs(5);

/// Weights by subset, zero weights left out (a route may list a subset at 0 or omit it).
pub type Weights = BTreeMap<String, u64>;

/// One change of the reviews VirtualService in the sim's store, stamped when the store made it.
pub struct Change {
    pub at: Instant,
    pub weights: Weights,
}

pub struct Bench {
    pub lab: SimLab,
    change_rx: UnboundedReceiver<Change>,
    pub changes: Vec<Change>,
    /// When the app handed each patch to its client.
    pub sends: Vec<Instant>,
}

impl Bench {
    pub async fn start() -> Result<Bench, String> {
        let lab = SimLab::start(50.0).await?;
        let (change_tx, change_rx) = unbounded_channel();
        observe_virtual_service(&lab.sim.store(), change_tx);
        let mut bench = Bench {
            lab,
            change_rx,
            changes: Vec::new(),
            sends: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        // Pod start-up churn would otherwise share the sim with the first samples.
        let ready = bench
            .drive(deadline, |b| {
                b.lab.model.traffic.sliders.weights().len() == 3 && bookinfo_ready(&b.lab.model)
            })
            .await;
        if !ready {
            return Err("Bookinfo and the 80/20 split did not show up within 30 s".into());
        }
        Ok(bench)
    }

    /// Runs the app loop (batches, effects, store changes) until `done` holds or `deadline`
    /// passes; returns whether `done` held.
    pub async fn drive(&mut self, deadline: Instant, done: impl Fn(&Bench) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::select! {
                effects = self.lab.batch() => self.run_effects(effects),
                Some(change) = self.change_rx.recv() => self.changes.push(change),
                () = tokio::time::sleep_until(deadline.into()) => {}
            }
        }
    }

    pub fn run_effects(&mut self, effects: Vec<Effect>) {
        let patches = effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Traffic(TrafficEffect::PatchVirtualService { .. })
                )
            })
            .count();
        let now = Instant::now();
        self.sends.extend(std::iter::repeat_n(now, patches));
        self.lab.runner.run_all(effects);
    }

    /// Presses a key as the terminal would deliver it; returns when.
    pub fn key(&mut self, code: KeyCode) -> Instant {
        let pressed = Instant::now();
        let effects = self.lab.press(code);
        self.run_effects(effects);
        pressed
    }

    pub fn slider_weights(&self) -> Weights {
        self.lab
            .model
            .traffic
            .sliders
            .weights()
            .into_iter()
            .filter(|(_, w)| *w > 0)
            .map(|(subset, w)| (subset, u64::from(w)))
            .collect()
    }

    /// The first store change at or after `since` that holds `weights`.
    pub fn arrival(&self, since: Instant, weights: &Weights) -> Option<Instant> {
        self.changes
            .iter()
            .find(|c| c.at >= since && &c.weights == weights)
            .map(|c| c.at)
    }

    pub fn pacing_idle(&self) -> bool {
        let pacing = &self.lab.model.traffic.debouncer;
        !pacing.in_flight() && !pacing.pending()
    }

    /// Waits until `at` and until the pacing has nothing pending or in flight.
    pub async fn settle(&mut self, at: Instant) -> Result<(), String> {
        self.drive(at, |_| false).await;
        if self.drive(at + GIVE_UP, Bench::pacing_idle).await {
            Ok(())
        } else {
            Err("the pacing never became idle".into())
        }
    }
}

fn bookinfo_ready(model: &Model) -> bool {
    model.cluster.pods.get("default").is_some_and(|pods| {
        pods.len() >= 6
            && pods
                .values()
                .all(|p| p.ready.0 == p.ready.1 && p.status == "Running")
    })
}

/// Forwards every change of default/reviews from the store, timestamped on a plain thread
/// that the store's broadcast wakes directly, so the app's busy runtime cannot delay the stamp.
fn observe_virtual_service(store: &SimStore, changes: UnboundedSender<Change>) {
    let mut events = store.subscribe();
    std::thread::spawn(move || {
        loop {
            let event = match events.blocking_recv() {
                Ok(event) => event,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            };
            let at = Instant::now();
            let ours = event.namespace == "default" && event.name == "reviews";
            let object = if ours {
                event.object.value()
            } else {
                serde_json::Value::Null
            };
            let ours = ours && object["kind"] == "VirtualService";
            if ours
                && changes
                    .send(Change {
                        at,
                        weights: route_weights(&object),
                    })
                    .is_err()
            {
                return;
            }
        }
    });
}

pub fn route_weights(vs: &Value) -> Weights {
    vs["spec"]["http"][0]["route"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let subset = d["destination"]["subset"].as_str()?.to_string();
            let weight = d["weight"].as_u64().unwrap_or(0);
            (weight > 0).then_some((subset, weight))
        })
        .collect()
}
