//! The app against the demo cluster through the fault proxy: start-up, the app loop, the
//! pod churn written straight into the sim's store, slider keys, and the comparison of the
//! app's tables with what the sim holds.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use istio_lab::app::{Effect, Model};
use istio_lab::features::cluster::{ConnectionState, PodRow, client_from_config};
use istio_lab::features::traffic::msg::TrafficEffect;
use istio_lab::sim::SimStore;
use k8s_openapi::api::core::v1::Pod;
use serde_json::{Value, json};

use crate::fault_proxy::FaultProxy;

#[path = "../../tests/common/harness.rs"]
pub mod harness;
pub use harness::{NAMESPACE, SimLab};

/// Pace of the sim's pod start-up: Bookinfo is ready in well under a second.
const SPEED: f64 = 50.0;
/// How long Bookinfo and the 80/20 split may take to show up before the run gives up.
const SETUP_LIMIT: Duration = Duration::from_secs(30);

/// Weights by subset, zero weights left out (a route may list a subset at 0 or omit it).
pub type Weights = BTreeMap<String, u64>;

/// Pods of the lab namespace by name, with their ready and total containers.
pub type PodTable = BTreeMap<String, (u32, u32)>;

/// The lab, and the proxy its client goes through.
pub struct FaultLab {
    pub lab: SimLab,
    pub proxy: FaultProxy,
    pub churn: Churn,
    /// Patches the app handed to its client.
    pub patches_sent: usize,
}

impl FaultLab {
    /// The demo cluster with Bookinfo, the guide's DestinationRule and the 80/20
    /// VirtualService (written by a direct client), and the app watching it through the proxy.
    pub async fn start() -> Result<FaultLab, String> {
        let sim = harness::guide_cluster(SPEED).await?;
        let churn = Churn::new(sim.store())?;
        let proxy = FaultProxy::start(sim.addr())
            .await
            .map_err(|e| format!("proxy: {e}"))?;
        // The app's own client, timeouts included, as the runtime builds it for the demo cluster.
        let client = client_from_config(proxy.kube_config(sim.kube_config()))
            .map_err(|e| format!("client through the proxy: {e}"))?;
        let mut lab = FaultLab {
            lab: SimLab::attach(sim, client),
            proxy,
            churn,
            patches_sent: 0,
        };
        let ready = lab
            .drive(Instant::now() + SETUP_LIMIT, |l| {
                l.lab.model.traffic.sliders.weights().len() == 3
                    && connected(&l.lab.model)
                    && bookinfo_ready(&l.lab.model)
                    && l.tables_match()
            })
            .await;
        if !ready {
            return Err(format!(
                "Bookinfo and the 80/20 split did not show up within {SETUP_LIMIT:?} (connection {:?})",
                lab.lab.model.cluster.connection
            ));
        }
        lab.lab.model.traffic.sliders.selected = 0;
        Ok(lab)
    }

    /// Runs the app loop until `done` holds or `deadline` passes; returns whether `done` held.
    pub async fn drive(&mut self, deadline: Instant, done: impl Fn(&FaultLab) -> bool) -> bool {
        loop {
            if done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            self.step(deadline).await;
        }
    }

    /// Applies the next batch of messages, or returns at `until` if none comes by then.
    pub async fn step(&mut self, until: Instant) {
        tokio::select! {
            effects = self.lab.batch() => self.run_effects(effects),
            () = tokio::time::sleep_until(until.into()) => {}
        }
    }

    fn run_effects(&mut self, effects: Vec<Effect>) {
        self.patches_sent += effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Traffic(TrafficEffect::PatchVirtualService { .. })
                )
            })
            .count();
        self.lab.runner.run_all(effects);
    }

    /// Presses a key as the terminal would deliver it and runs what it asks for.
    pub fn key(&mut self, code: KeyCode) {
        let effects = self.lab.press(code);
        self.run_effects(effects);
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

    /// The reviews VirtualService's weights as the sim holds them.
    pub fn stored_weights(&self) -> Option<Weights> {
        self.lab
            .sim
            .store()
            .get_object(
                "networking.istio.io/v1",
                "VirtualService",
                NAMESPACE,
                "reviews",
            )
            .map(|vs| route_weights(&vs))
    }

    /// The pods table of the lab namespace as the app shows it.
    pub fn shown_pods(&self) -> PodTable {
        self.lab
            .model
            .cluster
            .pods
            .get(NAMESPACE)
            .map(|rows| {
                rows.values()
                    .map(|row| (row.name.clone(), row.ready))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The same table made from the sim's pods with the app's own row conversion.
    pub fn stored_pods(&self) -> PodTable {
        self.lab
            .sim
            .store()
            .list_objects("v1", "Pod", NAMESPACE)
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Pod>(value).ok())
            .map(|pod| {
                let row = PodRow::from(&pod);
                (row.name, row.ready)
            })
            .collect()
    }

    pub fn tables_match(&self) -> bool {
        self.shown_pods() == self.stored_pods()
    }
}

pub fn connected(model: &Model) -> bool {
    matches!(model.cluster.connection, ConnectionState::Connected { .. })
}

fn bookinfo_ready(model: &Model) -> bool {
    model.cluster.pods.get(NAMESPACE).is_some_and(|pods| {
        pods.len() >= 6
            && pods
                .values()
                .all(|p| p.ready.0 == p.ready.1 && p.status == "Running")
    })
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

/// Pods that come and go in the lab namespace, written straight into the sim's store as
/// another client would: each step creates a pod that is not ready yet, makes the newest
/// ready, or deletes the oldest, in turn.
pub struct Churn {
    store: SimStore,
    /// The store's index of pods, for `delete_now` (the sim keeps its resource table private).
    pods: usize,
    live: Vec<String>,
    step: usize,
    pub writes: usize,
}

/// How many churned pods stay at least, so deletes always have one to take.
const CHURN_KEEP: usize = 3;

impl Churn {
    fn new(store: SimStore) -> Result<Churn, String> {
        let probe = "fault-churn-probe";
        store
            .put(churn_pod(probe, false))
            .map_err(|e| format!("writing a pod: {e:?}"))?;
        // The store's lookups take the resource's index; find the one that holds the probe.
        let pods = (0..64)
            .find(|&index| {
                store
                    .get(index, NAMESPACE, probe)
                    .is_some_and(|pod| pod["kind"] == "Pod")
            })
            .ok_or("the sim's store has no index for pods")?;
        store
            .delete_now(pods, NAMESPACE, probe)
            .map_err(|e| format!("deleting a pod: {e:?}"))?;
        Ok(Churn {
            store,
            pods,
            live: Vec::new(),
            step: 0,
            writes: 0,
        })
    }

    pub fn step(&mut self) -> Result<(), String> {
        let step = self.step;
        self.step += 1;
        match step % 3 {
            0 => {
                let name = format!("churn-{step:04}");
                self.put(churn_pod(&name, false))?;
                self.live.push(name);
            }
            1 => {
                if let Some(name) = self.live.last().cloned() {
                    self.put(churn_pod(&name, true))?;
                }
            }
            _ => {
                if self.live.len() > CHURN_KEEP {
                    let name = self.live.remove(0);
                    self.store
                        .delete_now(self.pods, NAMESPACE, &name)
                        .map_err(|e| format!("deleting {name}: {e:?}"))?;
                    self.writes += 1;
                }
            }
        }
        Ok(())
    }

    fn put(&mut self, pod: Value) -> Result<(), String> {
        self.store
            .put(pod)
            .map_err(|e| format!("writing a pod: {e:?}"))?;
        self.writes += 1;
        Ok(())
    }
}

/// A scheduled pod with one container, running, ready or not.
fn churn_pod(name: &str, ready: bool) -> Value {
    let ready_text = if ready { "True" } else { "False" };
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {"app": "churn"}},
        "spec": {"nodeName": "istio-lab-worker", "containers": [{"name": "app", "image": "busybox:1.36"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": ready_text}],
            "containerStatuses": [{"name": "app", "image": "busybox:1.36", "imageID": "", "ready": ready,
                "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}})
}
