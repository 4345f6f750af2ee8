//! The traffic lab's effects: weight patches, the editor's replace, the guide's resources and
//! the productpage probe and the Kiali forward, each in its own task, reporting back as
//! `Msg::Traffic`.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use kube::runtime::reflector::ObjectRef;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::kiali_forward::{first_free_port, forward_kiali};
use super::msg::{TrafficEffect, TrafficMsg};
use super::probe_route::{RouteChoice, choose_route, fetch, gateway_url};
use crate::app::Msg;
use crate::features::cluster::apply::{WriteError, Writer, apply_manifest};
use crate::features::cluster::effects::ClusterEffects;

const ISTIO_SYSTEM: &str = "istio-system";
const INGRESS_GATEWAY: &str = "istio-ingressgateway";

pub struct TrafficEffects {
    tx: UnboundedSender<Msg>,
    client: Option<Client>,
    /// False on the demo cluster: its load balancer address is not reachable from here.
    try_gateway: bool,
    writer: Writer,
    probe: Option<JoinHandle<()>>,
    /// The Kiali forward's task: it holds the `ForwardHandle` while the app runs.
    kiali: Option<JoinHandle<()>>,
}

impl TrafficEffects {
    pub fn new(tx: UnboundedSender<Msg>, client: Option<Client>, try_gateway: bool) -> Self {
        TrafficEffects {
            tx,
            client,
            try_gateway,
            writer: Writer::default(),
            probe: None,
            kiali: None,
        }
    }

    /// Performs one effect; `cluster` lends the watched Services for GATEWAY_URL.
    pub fn run(&mut self, effect: TrafficEffect, cluster: &ClusterEffects) {
        match effect {
            TrafficEffect::PatchVirtualService {
                namespace,
                name,
                body,
            } => {
                let writer = self.writer.clone();
                self.spawn(TrafficMsg::WeightsSent, move |client| async move {
                    writer
                        .merge_patch_virtual_service(&client, &namespace, &name, &body)
                        .await
                });
            }
            TrafficEffect::ReplaceObject {
                kind,
                namespace,
                name,
                object,
            } => {
                let writer = self.writer.clone();
                self.spawn(TrafficMsg::EditorSaved, move |client| async move {
                    writer
                        .replace(&client, kind, &namespace, &name, object)
                        .await
                });
            }
            TrafficEffect::ApplyGuide { namespace, yaml } => {
                self.spawn(TrafficMsg::GuideApplied, move |client| async move {
                    apply_manifest(&client, &namespace, &yaml).await
                });
            }
            TrafficEffect::Probe {
                namespace,
                rate,
                generation,
            } => self.probe(cluster, namespace, rate, generation),
            TrafficEffect::FindKialiPort { first, last } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let port = first_free_port(first, last).await;
                    let _ = tx.send(Msg::Traffic(TrafficMsg::KialiPortFound(port)));
                });
            }
            TrafficEffect::ForwardKiali { port } => self.forward_kiali(port),
        }
    }

    /// Runs one request in its own task and sends its result back as `wrap(result)`.
    fn spawn<T, F, Fut>(&self, wrap: fn(Result<T, WriteError>) -> TrafficMsg, request: F)
    where
        T: Send + 'static,
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, WriteError>> + Send + 'static,
    {
        let tx = self.tx.clone();
        let Some(client) = self.client.clone() else {
            let _ = tx.send(Msg::Traffic(wrap(Err(WriteError::no_cluster()))));
            return;
        };
        tokio::spawn(async move {
            let result = request(client).await;
            let _ = tx.send(Msg::Traffic(wrap(result)));
        });
    }

    /// Starts the probe at `rate` requests a second, replacing a running one; 0 stops it.
    fn probe(&mut self, cluster: &ClusterEffects, namespace: String, rate: u32, generation: u64) {
        if let Some(task) = self.probe.take() {
            task.abort();
        }
        let Some(client) = self.client.clone().filter(|_| rate > 0) else {
            return;
        };
        // GATEWAY_URL from the watched ingress gateway Service: no extra request.
        let gateway = Some(())
            .filter(|_| self.try_gateway)
            .and_then(|_| cluster.services(ISTIO_SYSTEM))
            .and_then(|store| store.get(&ObjectRef::new(INGRESS_GATEWAY).within(ISTIO_SYSTEM)))
            .and_then(|service| gateway_url(&service));
        let tx = self.tx.clone();
        self.probe = Some(tokio::spawn(async move {
            let choice = Arc::new(RouteChoice::new(choose_route(gateway).await));
            let mut interval = tokio::time::interval(Duration::from_secs(1) / rate);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                // Requests overlap when the mesh is slow, as a browser's reloads would.
                let (client, tx, namespace, choice) = (
                    client.clone(),
                    tx.clone(),
                    namespace.clone(),
                    choice.clone(),
                );
                tokio::spawn(async move {
                    let route = choice.current();
                    let result = fetch(&client, &namespace, &route).await;
                    // The path shown is the one this reply came by.
                    let via = route.describe();
                    choice.observe(&route, &result);
                    let _ = tx.send(Msg::Traffic(TrafficMsg::ProbeResponse {
                        generation,
                        via,
                        result,
                    }));
                });
            }
        }));
    }
}

impl TrafficEffects {
    /// Starts the Kiali forward on `port`, replacing a running one (whose port is freed first).
    fn forward_kiali(&mut self, port: u16) {
        if let Some(task) = self.kiali.take() {
            task.abort();
        }
        let tx = self.tx.clone();
        let Some(client) = self.client.clone() else {
            let text = "클러스터에 연결되어 있지 않아 Kiali를 포워드할 수 없습니다".to_string();
            let _ = tx.send(Msg::Traffic(TrafficMsg::KialiForwarded(Err(text))));
            return;
        };
        self.kiali = Some(tokio::spawn(async move {
            // The aborted task had its handle dropped: give the runtime a turn to close it.
            tokio::task::yield_now().await;
            match forward_kiali(client, port).await {
                Ok(handle) => {
                    let _ = tx.send(Msg::Traffic(TrafficMsg::KialiForwarded(Ok(handle.port()))));
                    // Kept until this task is aborted (a new forward) or the runtime ends.
                    std::future::pending::<()>().await;
                    drop(handle);
                }
                Err(err) => {
                    let _ = tx.send(Msg::Traffic(TrafficMsg::KialiForwarded(Err(
                        err.to_string()
                    ))));
                }
            }
        }));
    }
}

impl Drop for TrafficEffects {
    fn drop(&mut self) {
        for task in [self.probe.take(), self.kiali.take()].into_iter().flatten() {
            task.abort();
        }
    }
}
