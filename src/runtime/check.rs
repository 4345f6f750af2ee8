//! `istio-lab check`'s one look at the cluster: the lab namespace's and istio-system's pods
//! and services, the lab's Istio objects and every probe the chosen lessons' checks ask for,
//! read once into the same caches the app's watchers fill, then the report.

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams};

use crate::features::cluster::events::{Change, ClusterEvent};
use crate::features::cluster::model::ClusterView;
use crate::features::cluster::{MeshKind, PodRow, ServiceRow, discover_istio};
use crate::features::lesson::Lesson;
use crate::features::lesson::check_report::{Report, report};
use crate::features::lesson::effects::{PROBE_TIMEOUT, ask};
use crate::features::lesson::probe::{Answer, Answers};
use crate::features::lesson::steps::Facts;

pub async fn run(
    client: &Client,
    lessons: &[&Lesson],
    namespace: &str,
) -> Result<Report, kube::Error> {
    let now = super::now();
    let mut cluster = ClusterView::new(now);
    cluster.generation = 1;
    let mut namespaces = vec![namespace.to_string()];
    if namespace != "istio-system" {
        namespaces.push("istio-system".into());
    }
    for ns in &namespaces {
        let pods = Api::<Pod>::namespaced(client.clone(), ns)
            .list(&ListParams::default())
            .await?;
        cluster.apply(ClusterEvent::Pods {
            namespace: ns.clone(),
            change: Change::Reset(pods.items.iter().map(PodRow::from).collect()),
        });
        let services = Api::<Service>::namespaced(client.clone(), ns)
            .list(&ListParams::default())
            .await?;
        cluster.apply(ClusterEvent::Services {
            namespace: ns.clone(),
            change: Change::Reset(services.items.iter().map(ServiceRow::from).collect()),
        });
    }
    let discovery = discover_istio(client).await?;
    for kind in MeshKind::ALL {
        let objects = match discovery.resource(kind) {
            Some(resource) => {
                Api::<DynamicObject>::namespaced_with(client.clone(), namespace, resource)
                    .list(&ListParams::default())
                    .await?
                    .items
            }
            // Istio not installed: none of its objects exist.
            None => Vec::new(),
        };
        cluster.apply(ClusterEvent::Mesh {
            kind,
            change: Change::Reset(objects),
        });
    }
    let mut answers = Answers::new();
    let probes: std::collections::BTreeSet<_> = lessons
        .iter()
        .flat_map(|l| &l.steps)
        .filter_map(|s| s.check.as_ref())
        .flat_map(|c| c.probes(namespace))
        .collect();
    // Asked together, each within the app's limit: a page behind a service without
    // endpoints is retried by the client for minutes otherwise.
    let asked = futures::future::join_all(probes.into_iter().map(|probe| async move {
        let answer = tokio::time::timeout(PROBE_TIMEOUT, ask(client, &probe))
            .await
            .unwrap_or_else(|_| Answer::Failed("응답이 없습니다".into()));
        (probe, answer)
    }))
    .await;
    answers.extend(asked);
    let facts = Facts {
        cluster: &cluster,
        lab_namespace: namespace,
        answers: &answers,
        kiali_forward: None,
    };
    Ok(report(lessons, &facts))
}
