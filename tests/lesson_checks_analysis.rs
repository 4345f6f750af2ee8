//! The app's mesh analysis (what the `analyze` step check and an `istioctl analyze` stand-in
//! read): each finding the guide's setup can run into, and none for the guide's own objects.

mod common;

use std::collections::BTreeMap;

use common::{object, reviews_pod};
use istio_lab::features::cluster::mesh::MeshObject;
use istio_lab::features::cluster::model::ClusterView;
use istio_lab::features::cluster::{Change, ClusterEvent, MeshKind, PodRow, ServiceRow};
use istio_lab::features::lesson::analysis::{Finding, Level, Objects, analysis};
use serde_json::json;

const RULE: &str = include_str!("../assets/bookinfo/destination-rule-reviews.yaml");
const ROUTE: &str = include_str!("../assets/bookinfo/virtual-service-reviews-80-20.yaml");
const GATEWAY: &str = include_str!("../assets/bookinfo/bookinfo-gateway.yaml");

fn services(names: &[&str]) -> BTreeMap<String, BTreeMap<String, ServiceRow>> {
    let mut view = ClusterView::new(jiff::Timestamp::UNIX_EPOCH);
    let rows = names
        .iter()
        .map(|name| {
            let service: k8s_openapi::api::core::v1::Service = serde_json::from_value(json!({
                "metadata": {"name": name, "namespace": "default"},
                "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.1",
                         "ports": [{"port": 9080}]}
            }))
            .unwrap();
            ServiceRow::from(&service)
        })
        .collect();
    view.apply(ClusterEvent::Services {
        namespace: "default".into(),
        change: Change::Reset(rows),
    });
    view.services
}

/// The Istio objects of the given manifests, as the watch cache keeps them.
fn mesh(manifests: &[&str]) -> BTreeMap<MeshKind, BTreeMap<String, MeshObject>> {
    let mut mesh: BTreeMap<MeshKind, BTreeMap<String, MeshObject>> = BTreeMap::new();
    for manifest in manifests {
        let documents: Vec<serde_json::Value> = serde_saphyr::from_multiple(manifest).unwrap();
        for mut document in documents {
            document["metadata"]["namespace"] = "default".into();
            let kind = MeshKind::ALL
                .into_iter()
                .find(|k| document["kind"] == k.kind_name())
                .unwrap();
            let read = MeshObject::read(kind, &object(document));
            mesh.entry(kind)
                .or_default()
                .insert(read.name.clone(), read);
        }
    }
    mesh
}

fn pods(rows: Vec<PodRow>) -> BTreeMap<String, BTreeMap<String, PodRow>> {
    [(
        "default".to_string(),
        rows.into_iter().map(|p| (p.name.clone(), p)).collect(),
    )]
    .into()
}

fn codes(findings: &[Finding]) -> Vec<(&str, Level)> {
    findings.iter().map(|f| (f.code, f.level)).collect()
}

fn labels(injection: bool) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    if injection {
        labels.insert("istio-injection".into(), "enabled".into());
    }
    labels
}

#[test]
fn the_guides_objects_in_order_have_no_findings() {
    let services = services(&["productpage", "reviews", "ratings", "details"]);
    let mesh = mesh(&[GATEWAY, RULE, ROUTE]);
    let mut injected = reviews_pod("v1");
    injected
        .labels
        .insert("security.istio.io/tlsMode".into(), "istio".into());
    let pods = pods(vec![injected]);
    let labels = labels(true);
    let objects = Objects {
        pods: &pods,
        services: &services,
        mesh: &mesh,
        namespace_labels: Some(&labels),
    };
    assert_eq!(analysis(&objects, "default"), []);
}

#[test]
fn a_route_before_its_destination_rule_is_ist0101_naming_each_subset() {
    let services = services(&["reviews", "productpage"]);
    let mesh = mesh(&[ROUTE]);
    let objects = Objects {
        pods: &BTreeMap::new(),
        services: &services,
        mesh: &mesh,
        namespace_labels: None,
    };
    let findings = analysis(&objects, "default");
    assert_eq!(
        codes(&findings),
        [("IST0101", Level::Error), ("IST0101", Level::Error)]
    );
    assert_eq!(
        findings[0].line(),
        "Error [IST0101] (VirtualService reviews.default) DestinationRule에 호스트 \"reviews\"의 subset \"v1\"이 없습니다"
    );
}

#[test]
fn missing_hosts_and_gateways_are_ist0101_and_bad_weights_ist0106() {
    let services = services(&[]);
    let mut route: serde_json::Value = serde_saphyr::from_str(ROUTE).unwrap();
    route["spec"]["http"][0]["route"][0]["weight"] = 70.into();
    route["spec"]["gateways"] = json!(["bookinfo-gateway"]);
    let route = serde_saphyr::to_string(&route).unwrap();
    let mesh = mesh(&[RULE, &route]);
    let objects = Objects {
        pods: &BTreeMap::new(),
        services: &services,
        mesh: &mesh,
        namespace_labels: None,
    };
    let findings = analysis(&objects, "default");
    let lines: Vec<String> = findings.iter().map(Finding::line).collect();
    assert!(
        lines.contains(&"Error [IST0101] (VirtualService reviews.default) 참조한 Gateway를 찾을 수 없습니다: \"bookinfo-gateway\"".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Error [IST0101] (VirtualService reviews.default) 참조한 호스트를 찾을 수 없습니다: \"reviews\"".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Error [IST0106] (VirtualService reviews.default) route의 weight 합이 100이 아닙니다 (90)".to_string()),
        "{lines:#?}"
    );
}

#[test]
fn an_unlabelled_namespace_is_ist0102_and_a_pod_without_proxy_ist0103() {
    let services = services(&[]);
    let mesh = BTreeMap::new();
    let pods = pods(vec![{
        let mut bare = reviews_pod("v1");
        bare.ready = (1, 1);
        bare
    }]);
    let unlabelled = labels(false);
    let objects = Objects {
        pods: &pods,
        services: &services,
        mesh: &mesh,
        namespace_labels: Some(&unlabelled),
    };
    assert_eq!(
        codes(&analysis(&objects, "default")),
        [("IST0102", Level::Info)]
    );
    let labelled = labels(true);
    let objects = Objects {
        namespace_labels: Some(&labelled),
        ..objects
    };
    let findings = analysis(&objects, "default");
    assert_eq!(codes(&findings), [("IST0103", Level::Warning)]);
    assert_eq!(findings[0].resource, "Pod reviews-v1-abc.default");
}
