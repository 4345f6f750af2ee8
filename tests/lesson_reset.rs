//! `R`: the pure plan that brings the lab namespace to each lesson's starting state, and the
//! effect carrying it out on the demo cluster.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::harness::{NAMESPACE, guide_cluster};
use istio_lab::app::Msg;
use istio_lab::features::lesson::msg::LessonMsg;
use istio_lab::features::lesson::reset::{ObjectRef, Plan, reset_plan};
use istio_lab::features::lesson::{Lesson, builtin, effects};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};

fn lessons() -> Vec<Lesson> {
    builtin("ko").expect("built-in lessons parse")
}

fn index(lessons: &[Lesson], id: &str) -> usize {
    lessons.iter().position(|l| l.id == id).expect(id)
}

fn deleted(plan: &Plan) -> BTreeSet<(String, String)> {
    plan.delete
        .iter()
        .map(|o| (o.kind.clone(), o.name.clone()))
        .collect()
}

fn applied(plan: &Plan) -> Vec<&str> {
    plan.apply.iter().map(|m| m.command.as_str()).collect()
}

fn has(set: &BTreeSet<(String, String)>, kind: &str, name: &str) -> bool {
    set.contains(&(kind.to_string(), name.to_string()))
}

const LABEL: &str = "kubectl label namespace default istio-injection=enabled";
const BOOKINFO: &str = "kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml";
const GATEWAY: &str = "kubectl apply -f samples/bookinfo/networking/bookinfo-gateway.yaml";
const RULE: &str = "kubectl apply -f samples/bookinfo/networking/destination-rule-reviews.yaml";
const ROUTE: &str =
    "kubectl apply -f samples/bookinfo/networking/virtual-service-reviews-80-20.yaml";

#[test]
fn every_lesson_has_a_plan_that_keeps_what_came_before_and_removes_what_comes_after() {
    let lessons = lessons();
    let expected: [(&str, &[&str], bool); 9] = [
        ("download", &[], true),
        ("install", &[], true),
        ("bookinfo", &[LABEL], false),
        ("gateway", &[LABEL, BOOKINFO], false),
        ("ingress-address", &[LABEL, BOOKINFO, GATEWAY], false),
        ("verify-access", &[LABEL, BOOKINFO, GATEWAY], false),
        ("traffic-shifting", &[LABEL, BOOKINFO, GATEWAY], false),
        ("kiali", &[LABEL, BOOKINFO, GATEWAY, RULE, ROUTE], false),
        ("uninstall", &[LABEL, BOOKINFO, GATEWAY, RULE, ROUTE], false),
    ];
    assert_eq!(lessons.len(), expected.len());
    for (i, (id, apply, unlabel)) in expected.iter().enumerate() {
        assert_eq!(lessons[i].id, *id);
        let plan = reset_plan(i, &lessons, "default");
        assert_eq!(applied(&plan), *apply, "{id}: what is applied, in order");
        assert_eq!(
            plan.unlabel,
            if *unlabel {
                vec!["istio-injection".to_string()]
            } else {
                vec![]
            },
            "{id}: the injection label"
        );
        let gone = deleted(&plan);
        let has_bookinfo = apply.contains(&BOOKINFO);
        assert_eq!(
            has(&gone, "Deployment", "productpage-v1"),
            !has_bookinfo,
            "{id}"
        );
        assert_eq!(has(&gone, "Service", "reviews"), !has_bookinfo, "{id}");
        assert_eq!(
            has(&gone, "Gateway", "bookinfo-gateway"),
            !apply.contains(&GATEWAY),
            "{id}"
        );
        assert_eq!(
            has(&gone, "DestinationRule", "reviews"),
            !apply.contains(&RULE),
            "{id}"
        );
        assert_eq!(
            has(&gone, "VirtualService", "reviews"),
            !apply.contains(&ROUTE),
            "{id}"
        );
        // Nothing is both applied and deleted.
        for manifest in &plan.apply {
            for line in
                istio_lab::features::lesson::block_actions::objects_in(&manifest.yaml, "default")
            {
                for object in &plan.delete {
                    assert!(
                        !line.contains(&format!("{} {} ", object.kind, object.name)),
                        "{id}: {line} is applied and deleted"
                    );
                }
            }
        }
    }
}

#[test]
fn routes_are_deleted_before_what_they_route_to() {
    let lessons = lessons();
    let plan = reset_plan(index(&lessons, "bookinfo"), &lessons, "default");
    let at = |kind: &str, name: &str| {
        plan.delete
            .iter()
            .position(|o| o.kind == kind && o.name == name)
            .unwrap_or_else(|| panic!("{kind} {name} in {:?}", plan.delete))
    };
    assert!(at("VirtualService", "reviews") < at("DestinationRule", "reviews"));
    assert!(at("DestinationRule", "reviews") < at("Service", "reviews"));
    assert!(
        plan.delete
            .iter()
            .all(|o: &ObjectRef| o.kind != "Namespace")
    );
}

#[test]
fn the_confirmation_lists_every_change_and_leaves_istio_alone() {
    let lessons = lessons();
    let plan = reset_plan(index(&lessons, "install"), &lessons, "lab");
    let lines = plan.lines("lab");
    assert!(lines.contains(&"• 삭제: Deployment reviews-v3 → 네임스페이스 lab".to_string()));
    assert!(lines.contains(&"• 라벨 제거: Namespace lab의 istio-injection".to_string()));
    assert_eq!(
        lines.last().unwrap(),
        "Istio 설치(istio-system)는 그대로 둡니다"
    );
    assert_eq!(lines.len(), plan.delete.len() + plan.unlabel.len() + 1);
}

fn api(client: &kube::Client, group: &str, version: &str, kind: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    Api::namespaced_with(client.clone(), NAMESPACE, &ApiResource::from_gvk(&gvk))
}

async fn reset(client: &kube::Client, plan: Plan) -> Result<(), String> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    effects::reset(&tx, Some(client.clone()), NAMESPACE.into(), plan);
    let msg = tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .map_err(|_| "no answer from the reset".to_string())?;
    match msg {
        Some(Msg::Lesson(LessonMsg::ResetDone(result))) => result.map_err(|e| e.message),
        other => Err(format!("unexpected {other:?}")),
    }
}

#[tokio::test]
async fn resetting_on_the_demo_cluster_removes_and_restores_the_guides_objects() {
    let sim = guide_cluster(50.0).await.expect("the demo cluster starts");
    let client = kube::Client::try_from(sim.kube_config()).unwrap();
    let lessons = lessons();
    // Back to lesson 3: Bookinfo and its routes go; the label stays.
    let plan = reset_plan(index(&lessons, "bookinfo"), &lessons, NAMESPACE);
    reset(&client, plan).await.expect("reset to lesson 3");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let left = deployments.list(&Default::default()).await.unwrap();
    assert!(
        left.items.is_empty(),
        "{:?}",
        left.items
            .iter()
            .map(|d| &d.metadata.name)
            .collect::<Vec<_>>()
    );
    let routes = api(&client, "networking.istio.io", "v1", "VirtualService");
    assert!(routes.get_opt("reviews").await.unwrap().is_none());
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let labels = namespaces
        .get(NAMESPACE)
        .await
        .unwrap()
        .metadata
        .labels
        .unwrap_or_default();
    assert_eq!(
        labels.get("istio-injection").map(String::as_str),
        Some("enabled")
    );
    // On to lesson 8: everything the earlier lessons apply is back.
    let plan = reset_plan(index(&lessons, "kiali"), &lessons, NAMESPACE);
    reset(&client, plan).await.expect("reset to lesson 8");
    assert!(deployments.get_opt("reviews-v2").await.unwrap().is_some());
    assert!(routes.get_opt("reviews").await.unwrap().is_some());
    // Back to lesson 1: the label goes too; running it twice changes nothing more.
    for _ in 0..2 {
        let plan = reset_plan(0, &lessons, NAMESPACE);
        reset(&client, plan).await.expect("reset to lesson 1");
    }
    let labels = namespaces
        .get(NAMESPACE)
        .await
        .unwrap()
        .metadata
        .labels
        .unwrap_or_default();
    assert!(!labels.contains_key("istio-injection"), "{labels:?}");
    assert!(
        deployments
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
