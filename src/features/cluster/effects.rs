//! The cluster feature's effects: the watchers of the lab namespace, each in its own task,
//! reporting back as `Msg::Cluster`.

use kube::Client;
use kube::runtime::reflector::Store;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::WatchHandle;
use super::msg::{ClusterEffect, ClusterMsg};
use super::watch::{ListModes, spawn_watchers_with};
use crate::app::Msg;
use k8s_openapi::api::core::v1::{Namespace, Service};
use kube::Api;

pub struct ClusterEffects {
    tx: UnboundedSender<Msg>,
    client: Option<Client>,
    watchers: Option<WatchHandle>,
    /// Which resources this cluster refused streaming lists for: shared with every watcher
    /// of the session, so a namespace switch does not ask again.
    list_modes: ListModes,
}

impl ClusterEffects {
    pub fn new(tx: UnboundedSender<Msg>, client: Option<Client>) -> ClusterEffects {
        ClusterEffects {
            tx,
            client,
            watchers: None,
            list_modes: ListModes::default(),
        }
    }

    pub fn run(&mut self, effect: ClusterEffect) {
        match effect {
            ClusterEffect::Watch {
                namespace,
                generation,
            } => self.watch(&namespace, generation),
        }
    }

    /// Replaces the running watchers; their events come back tagged with `generation`.
    fn watch(&mut self, namespace: &str, generation: u64) {
        self.stop();
        let Some(client) = self.client.clone() else {
            return;
        };
        let (cluster_tx, mut cluster_rx) = unbounded_channel();
        let modes = self.list_modes.clone();
        let watchers = spawn_watchers_with(client.clone(), namespace, cluster_tx, modes);
        self.watchers = Some(watchers);
        tokio::spawn(report_missing_namespace(
            client,
            namespace.to_string(),
            generation,
            self.tx.clone(),
        ));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(event) = cluster_rx.recv().await {
                let msg = Msg::Cluster(ClusterMsg::Event { generation, event });
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
    }

    /// The watched Services of a namespace, for reading addresses without another request.
    pub fn services(&self, namespace: &str) -> Option<Store<Service>> {
        self.watchers.as_ref()?.services(namespace).cloned()
    }

    pub fn stop(&mut self) {
        if let Some(handle) = self.watchers.take() {
            handle.stop();
        }
    }
}

/// Tells the learner when the lab namespace is not there: its tables would otherwise just stay
/// empty. A refusal (403) or an unreachable server says nothing here; the watchers report those.
async fn report_missing_namespace(
    client: Client,
    namespace: String,
    generation: u64,
    tx: UnboundedSender<Msg>,
) {
    let api: Api<Namespace> = Api::all(client);
    if let Ok(None) = api.get_opt(&namespace).await {
        let _ = tx.send(Msg::Cluster(ClusterMsg::NamespaceMissing {
            generation,
            namespace,
        }));
    }
}

impl Drop for ClusterEffects {
    fn drop(&mut self) {
        self.stop();
    }
}
