//! Tests of the step checks: each condition holding, failing with its reason, and waiting.

use super::*;
use crate::features::cluster::{Change, ClusterEvent, Health, PodRow};

fn pod(name: &str, app: &str, status: &str, ready: (u32, u32)) -> PodRow {
    PodRow {
        namespace: "default".into(),
        name: name.into(),
        ready,
        status: status.into(),
        restarts: 0,
        last_restart: None,
        created: None,
        health: Health::Good,
        labels: [("app".to_string(), app.to_string())].into(),
        deleting: false,
    }
}

fn view(pods: Vec<PodRow>) -> ClusterView {
    let mut view = ClusterView::new(jiff::Timestamp::UNIX_EPOCH);
    view.apply(ClusterEvent::Pods {
        namespace: "default".into(),
        change: Change::Reset(pods),
    });
    view
}

fn facts<'a>(cluster: &'a ClusterView, answers: &'a Answers, ns: &'a str) -> Facts<'a> {
    Facts {
        cluster,
        lab_namespace: ns,
        answers,
        kiali_forward: None,
    }
}

fn no_answers() -> Answers {
    Answers::new()
}

#[test]
fn pods_ready_needs_every_matching_pod_running_and_ready() {
    let check = Check::PodsReady {
        namespace: None,
        selector: Some("app=reviews".into()),
        min: Some(2),
        sidecar: Some(false),
    };
    let none = no_answers();
    let ready = view(vec![
        pod("reviews-v1", "reviews", "Running", (2, 2)),
        pod("reviews-v2", "reviews", "Running", (2, 2)),
    ]);
    assert!(holds(&check, &facts(&ready, &none, "default")));
    let starting = view(vec![
        pod("reviews-v1", "reviews", "Running", (2, 2)),
        pod("reviews-v2", "reviews", "Running", (1, 2)),
    ]);
    assert_eq!(
        evaluate(&check, &facts(&starting, &none, "default")),
        Err("reviews-v2이(가) 아직 1/2 Running입니다".into())
    );
    let too_few = view(vec![pod("reviews-v1", "reviews", "Running", (2, 2))]);
    assert!(!holds(&check, &facts(&too_few, &none, "default")));
    assert!(
        !holds(&check, &facts(&ready, &none, "other")),
        "another namespace has none"
    );
}

#[test]
fn weights_compare_the_first_route_ignoring_zero_entries() {
    let mut view = view(vec![]);
    let vs: kube::api::DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
        "metadata": {"name": "reviews", "namespace": "default"},
        "spec": {"hosts": ["reviews"], "http": [{"route": [
            {"destination": {"host": "reviews", "subset": "v1"}, "weight": 0},
            {"destination": {"host": "reviews", "subset": "v2"}, "weight": 100}]}]}
    }))
    .unwrap();
    view.apply(ClusterEvent::Mesh {
        kind: MeshKind::VirtualService,
        change: Change::Applied(vs),
    });
    let none = no_answers();
    let f = facts(&view, &none, "default");
    let wanted = |pairs: &[(&str, u32)]| Check::Weights {
        name: "reviews".into(),
        weights: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
    };
    assert!(holds(&wanted(&[("v2", 100)]), &f));
    assert_eq!(
        evaluate(&wanted(&[("v1", 80), ("v2", 20)]), &f),
        Err("가중치가 지금 v2 100입니다 (목표: v1 80, v2 20)".into())
    );
    let mesh = |kind: &str| Check::Mesh {
        kind: kind.into(),
        name: "reviews".into(),
    };
    assert!(holds(&mesh("virtualservice"), &f));
    assert!(!holds(&mesh("Gateway"), &f));
}

#[test]
fn label_checks_read_the_probed_namespace() {
    let cluster = view(vec![]);
    let mut answers = no_answers();
    let check = |value: Option<&str>, absent: bool| Check::Label {
        namespace: None,
        key: "istio-injection".into(),
        value: value.map(str::to_string),
        absent,
    };
    assert_eq!(
        evaluate(
            &check(Some("enabled"), false),
            &facts(&cluster, &answers, "default")
        ),
        Err(WAITING.into()),
        "before the first answer nothing is claimed"
    );
    let probe = Probe::Namespace("default".into());
    answers.insert(probe.clone(), Answer::Namespace(Some(BTreeMap::new())));
    let f = facts(&cluster, &answers, "default");
    assert_eq!(
        evaluate(&check(Some("enabled"), false), &f),
        Err("네임스페이스 default에 istio-injection 라벨이 없습니다".into())
    );
    assert!(holds(&check(None, true), &f));
    let labelled = [("istio-injection".to_string(), "enabled".to_string())].into();
    answers.insert(probe, Answer::Namespace(Some(labelled)));
    let f = facts(&cluster, &answers, "default");
    assert!(holds(&check(Some("enabled"), false), &f));
    assert!(!holds(&check(Some("disabled"), false), &f));
    assert_eq!(
        evaluate(&check(None, true), &f),
        Err("라벨 istio-injection=enabled이(가) 아직 있습니다".into())
    );
}

#[test]
fn absent_checks_name_what_is_left() {
    let cluster = view(vec![]);
    let mut answers = no_answers();
    let whole = Check::Absent {
        namespace: Some("istio-system".into()),
        kinds: vec![],
        names: vec![],
    };
    assert_eq!(
        whole.probes("default"),
        [Probe::Namespace("istio-system".into())]
    );
    answers.insert(
        Probe::Namespace("istio-system".into()),
        Answer::Namespace(Some(BTreeMap::new())),
    );
    assert!(!holds(&whole, &facts(&cluster, &answers, "default")));
    answers.insert(
        Probe::Namespace("istio-system".into()),
        Answer::Namespace(None),
    );
    assert!(holds(&whole, &facts(&cluster, &answers, "default")));

    let named = Check::Absent {
        namespace: None,
        kinds: vec!["Deployment".into(), "Service".into()],
        names: vec!["productpage-v1".into(), "productpage".into()],
    };
    let list = |kind: &str| Probe::List {
        namespace: "default".into(),
        kind: kind.into(),
    };
    assert_eq!(
        named.probes("default"),
        [list("Deployment"), list("Service")]
    );
    answers.insert(
        list("Deployment"),
        Answer::Names(vec!["productpage-v1".into()]),
    );
    answers.insert(list("Service"), Answer::Names(vec!["kubernetes".into()]));
    assert_eq!(
        evaluate(&named, &facts(&cluster, &answers, "default")),
        Err("아직 남아 있습니다: Deployment productpage-v1".into())
    );
    answers.insert(list("Deployment"), Answer::Names(vec![]));
    assert!(
        holds(&named, &facts(&cluster, &answers, "default")),
        "objects not named (the kubernetes Service) do not count"
    );
}

#[test]
fn port_forward_reads_the_apps_forward() {
    let cluster = view(vec![]);
    let answers = no_answers();
    let mut f = facts(&cluster, &answers, "default");
    assert!(!holds(&Check::PortForward {}, &f));
    f.kiali_forward = Some(8081);
    assert!(holds(&Check::PortForward {}, &f));
}

#[test]
fn http_matches_the_probed_body() {
    let cluster = view(vec![]);
    let check = Check::Http {
        namespace: None,
        service: "productpage".into(),
        port: 9080,
        path: "/productpage".into(),
        contains: "<title>Simple Bookstore App</title>".into(),
    };
    let probe = Probe::Http {
        namespace: "default".into(),
        service: "productpage".into(),
        port: 9080,
        path: "productpage".into(),
    };
    assert_eq!(check.probes("default"), std::slice::from_ref(&probe));
    let mut answers = no_answers();
    answers.insert(probe.clone(), Answer::Failed("503".into()));
    assert_eq!(
        evaluate(&check, &facts(&cluster, &answers, "default")),
        Err("응답이 없습니다: 503".into())
    );
    answers.insert(
        probe,
        Answer::Body("<html><title>Simple Bookstore App</title>".into()),
    );
    assert!(holds(&check, &facts(&cluster, &answers, "default")));
}
