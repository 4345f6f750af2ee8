//! The learner's workshop I/O: the progress ConfigMap's server-side apply, and the watch on
//! the instructor's `istio-lab-class` ConfigMap while following.

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Client;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::mpsc::UnboundedSender;

use super::doc::{CLASS_CONFIGMAP, LeadDoc, PROGRESS_CONFIGMAP, ProgressDoc};
use super::effects::apply_configmap;
use super::learner_state::{WorkshopEffect, WorkshopMsg};
use super::publish::Written;
use crate::app::Msg;

pub fn run(tx: &UnboundedSender<Msg>, client: Option<Client>, effect: WorkshopEffect) {
    let Some(client) = client else {
        return;
    };
    let tx = tx.clone();
    match effect {
        WorkshopEffect::Publish { namespace, doc } => {
            tokio::spawn(async move {
                let outcome = publish(&client, &namespace, &doc).await;
                let _ = tx.send(Msg::Workshop(WorkshopMsg::Written(outcome)));
            });
        }
        WorkshopEffect::Follow { namespace } => {
            tokio::spawn(follow(client, namespace, tx));
        }
    }
}

async fn publish(client: &Client, namespace: &str, doc: &ProgressDoc) -> Written {
    match apply_configmap(client, namespace, PROGRESS_CONFIGMAP, doc.to_data()).await {
        Ok(()) => Written::Ok,
        Err(kube::Error::Api(status)) if status.code == 403 => Written::Forbidden(status.message),
        Err(e) => Written::Failed(e.to_string()),
    }
}

async fn follow(client: Client, namespace: String, tx: UnboundedSender<Msg>) {
    let api: Api<ConfigMap> = Api::namespaced(client, &namespace);
    let config = watcher::Config::default().fields(&format!("metadata.name={CLASS_CONFIGMAP}"));
    let mut events = watcher(api, config).default_backoff().boxed();
    while let Some(event) = events.next().await {
        let lead = match event {
            Ok(watcher::Event::Apply(cm) | watcher::Event::InitApply(cm)) => {
                LeadDoc::from_data(&cm.data.unwrap_or_default())
            }
            Ok(watcher::Event::Delete(_)) => None,
            Ok(_) => continue,
            Err(e) => {
                tracing::debug!("following the instructor: {e}");
                continue;
            }
        };
        if tx.send(Msg::Workshop(WorkshopMsg::Lead(lead))).is_err() {
            return;
        }
    }
}
