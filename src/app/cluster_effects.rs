//! Effects that talk to the cluster: watchers, weight patches, manifests, the probe.
//! Each runs in its own task and reports back as a `Msg`.

use std::time::Duration;

use kube::Client;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::msg::Msg;
use crate::cluster::apply::{Writer, apply_manifest};
use crate::cluster::probe::{choose_route, fetch, gateway_url};
use kube::runtime::reflector::ObjectRef;

const ISTIO_SYSTEM: &str = "istio-system";
const INGRESS_GATEWAY: &str = "istio-ingressgateway";
use crate::cluster::{MeshKind, WatchHandle, spawn_watchers};

pub struct ClusterEffects {
    tx: UnboundedSender<Msg>,
    client: Option<Client>,
    /// False on the demo cluster: its load balancer address is not reachable from here.
    try_gateway: bool,
    writer: Writer,
    watchers: Option<WatchHandle>,
    probe: Option<JoinHandle<()>>,
}

impl ClusterEffects {
    pub fn new(
        tx: UnboundedSender<Msg>,
        client: Option<Client>,
        try_gateway: bool,
    ) -> ClusterEffects {
        ClusterEffects {
            tx,
            client,
            try_gateway,
            writer: Writer::default(),
            watchers: None,
            probe: None,
        }
    }

    /// Replaces the running watchers; their events come back tagged with `generation`.
    pub fn watch(&mut self, namespace: &str, generation: u64) {
        self.stop();
        let Some(client) = self.client.clone() else {
            return;
        };
        let (cluster_tx, mut cluster_rx) = unbounded_channel();
        self.watchers = Some(spawn_watchers(client, namespace, cluster_tx));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(event) = cluster_rx.recv().await {
                if tx.send(Msg::Cluster { generation, event }).is_err() {
                    break;
                }
            }
        });
    }

    pub fn stop(&mut self) {
        if let Some(handle) = self.watchers.take() {
            handle.stop();
        }
    }

    pub fn patch_virtual_service(&self, namespace: String, name: String, body: serde_json::Value) {
        let Some(client) = self.client.clone() else {
            let _ = self.tx.send(Msg::WeightsSent(Err(no_cluster())));
            return;
        };
        let (tx, writer) = (self.tx.clone(), self.writer.clone());
        tokio::spawn(async move {
            let result = writer
                .merge_patch_virtual_service(&client, &namespace, &name, &body)
                .await;
            let _ = tx.send(Msg::WeightsSent(result));
        });
    }

    pub fn replace_object(
        &self,
        kind: MeshKind,
        namespace: String,
        name: String,
        object: serde_json::Value,
    ) {
        let Some(client) = self.client.clone() else {
            let _ = self.tx.send(Msg::EditorSaved(Err(no_cluster())));
            return;
        };
        let (tx, writer) = (self.tx.clone(), self.writer.clone());
        tokio::spawn(async move {
            let result = writer
                .replace(&client, kind, &namespace, &name, object)
                .await;
            let _ = tx.send(Msg::EditorSaved(result));
        });
    }

    pub fn apply_manifest(&self, namespace: String, yaml: String) {
        let Some(client) = self.client.clone() else {
            let _ = self.tx.send(Msg::ManifestApplied(Err(no_cluster())));
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = apply_manifest(&client, &namespace, &yaml).await;
            let _ = tx.send(Msg::ManifestApplied(result));
        });
    }

    /// Starts the probe at `rate` requests a second, replacing a running one; 0 stops it.
    pub fn probe(&mut self, namespace: String, rate: u32, generation: u64) {
        if let Some(task) = self.probe.take() {
            task.abort();
        }
        let Some(client) = self.client.clone().filter(|_| rate > 0) else {
            return;
        };
        // GATEWAY_URL from the watched ingress gateway Service: no extra request.
        let gateway = self
            .watchers
            .as_ref()
            .filter(|_| self.try_gateway)
            .and_then(|w| w.services(ISTIO_SYSTEM))
            .and_then(|store| store.get(&ObjectRef::new(INGRESS_GATEWAY).within(ISTIO_SYSTEM)))
            .and_then(|service| gateway_url(&service));
        let tx = self.tx.clone();
        self.probe = Some(tokio::spawn(async move {
            let route = choose_route(gateway).await;
            let via = route.describe();
            let mut interval = tokio::time::interval(Duration::from_secs(1) / rate);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                // Requests overlap when the mesh is slow, as a browser's reloads would.
                let (client, tx, namespace, route, via) = (
                    client.clone(),
                    tx.clone(),
                    namespace.clone(),
                    route.clone(),
                    via.clone(),
                );
                tokio::spawn(async move {
                    let result = fetch(&client, &namespace, &route).await;
                    let _ = tx.send(Msg::ProbeResponse {
                        generation,
                        via,
                        result,
                    });
                });
            }
        }));
    }
}

impl Drop for ClusterEffects {
    fn drop(&mut self) {
        self.stop();
        if let Some(task) = self.probe.take() {
            task.abort();
        }
    }
}

fn no_cluster() -> crate::cluster::apply::WriteError {
    crate::cluster::apply::WriteError {
        code: None,
        message: "클러스터에 연결되어 있지 않습니다".into(),
    }
}
