//! What `istioctl analyze` looks at, read from the cluster once, and the app's own analysis
//! of it (the same one the lessons' `analyze` check runs on the watch caches).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DynamicObject, ListParams};
use kube::{Client, ResourceExt};

use super::StandInError;
use crate::features::cluster::mesh::MeshObject;
use crate::features::cluster::{MeshKind, PodRow, ServiceRow, discover_istio};
use crate::features::lesson::analysis::{Finding, Objects, analysis};

fn failed(e: kube::Error) -> StandInError {
    StandInError::Cluster(e.to_string())
}

/// Findings for `namespace`, or for every namespace but Kubernetes' own.
pub async fn collect(
    client: &Client,
    namespace: Option<&str>,
) -> Result<Vec<Finding>, StandInError> {
    let namespaces: Vec<Namespace> = match namespace {
        Some(ns) => vec![
            Api::<Namespace>::all(client.clone())
                .get(ns)
                .await
                .map_err(failed)?,
        ],
        None => Api::<Namespace>::all(client.clone())
            .list(&ListParams::default())
            .await
            .map_err(failed)?
            .items
            .into_iter()
            .filter(|n| !n.name_any().starts_with("kube-") && n.name_any() != "istio-system")
            .collect(),
    };
    let discovery = discover_istio(client).await.map_err(failed)?;
    let mut findings = Vec::new();
    for ns in namespaces {
        let name = ns.name_any();
        let pods = Api::<Pod>::namespaced(client.clone(), &name)
            .list(&ListParams::default())
            .await
            .map_err(failed)?;
        let services = Api::<Service>::namespaced(client.clone(), &name)
            .list(&ListParams::default())
            .await
            .map_err(failed)?;
        let mut mesh: BTreeMap<MeshKind, BTreeMap<String, MeshObject>> = BTreeMap::new();
        for kind in MeshKind::ALL {
            let Some(resource) = discovery.resource(kind) else {
                continue;
            };
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &name, resource);
            let objects = api.list(&ListParams::default()).await.map_err(failed)?;
            mesh.insert(
                kind,
                objects
                    .items
                    .iter()
                    .map(|o| (o.name_any(), MeshObject::read(kind, o)))
                    .collect(),
            );
        }
        let pods = BTreeMap::from([(
            name.clone(),
            pods.items
                .iter()
                .map(|p| (p.name_any(), PodRow::from(p)))
                .collect::<BTreeMap<_, _>>(),
        )]);
        let services = BTreeMap::from([(
            name.clone(),
            services
                .items
                .iter()
                .map(|s| (s.name_any(), ServiceRow::from(s)))
                .collect::<BTreeMap<_, _>>(),
        )]);
        let labels = ns.labels().clone();
        let objects = Objects {
            pods: &pods,
            services: &services,
            mesh: &mesh,
            namespace_labels: Some(&labels),
        };
        findings.extend(analysis(&objects, &name));
    }
    Ok(findings)
}
