//! `pods-ready` on real pod shapes: Istio's sidecar as a native sidecar (an init container
//! with `restartPolicy: Always`) or as a second container both pass; a pod without it fails
//! with why, depending on the namespace's injection label.

use std::collections::BTreeMap;

use istio_lab::features::cluster::model::ClusterView;
use istio_lab::features::cluster::{Change, ClusterEvent, PodRow};
use istio_lab::features::lesson::check::Check;
use istio_lab::features::lesson::probe::{Answer, Answers, Probe};
use istio_lab::features::lesson::steps::{Facts, evaluate};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;

fn pod(containers: &[&str], init: Option<&str>, injected: bool) -> PodRow {
    let mut labels = serde_json::json!({"app": "details"});
    if injected {
        labels["security.istio.io/tlsMode"] = "istio".into();
    }
    let status = |name: &str| {
        serde_json::json!({"name": name, "ready": true, "started": true, "restartCount": 0,
            "image": "x", "imageID": "", "state": {"running": {}}})
    };
    let mut spec = serde_json::json!({
        "containers": containers.iter().map(|c| serde_json::json!({"name": c})).collect::<Vec<_>>()
    });
    let mut pod_status = serde_json::json!({
        "phase": "Running",
        "containerStatuses": containers.iter().map(|c| status(c)).collect::<Vec<_>>(),
    });
    if let Some(init) = init {
        spec["initContainers"] = serde_json::json!([{"name": init, "restartPolicy": "Always"}]);
        pod_status["initContainerStatuses"] = serde_json::json!([status(init)]);
    }
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "details-v1-abc", "namespace": "default", "labels": labels},
        "spec": spec, "status": pod_status,
    }))
    .unwrap();
    PodRow::from(&pod)
}

fn cluster_with(pod: PodRow) -> ClusterView {
    let mut view = ClusterView::new(Timestamp::UNIX_EPOCH);
    view.apply(ClusterEvent::Pods {
        namespace: "default".into(),
        change: Change::Reset(vec![pod]),
    });
    view
}

fn answers(labelled: bool) -> Answers {
    let mut labels = BTreeMap::new();
    if labelled {
        labels.insert("istio-injection".to_string(), "enabled".to_string());
    }
    [(
        Probe::Namespace("default".into()),
        Answer::Namespace(Some(labels)),
    )]
    .into()
}

fn pods_ready(
    sidecar: Option<bool>,
    cluster: &ClusterView,
    answers: &Answers,
) -> Result<(), String> {
    let check = Check::PodsReady {
        namespace: None,
        selector: None,
        min: Some(1),
        sidecar,
    };
    evaluate(
        &check,
        &Facts {
            cluster,
            lab_namespace: "default",
            answers,
            kiali_forward: None,
        },
    )
}

#[test]
fn pods_ready_wants_the_sidecar_native_or_classic_and_says_why_it_is_missing() {
    let native = cluster_with(pod(&["details"], Some("istio-proxy"), true));
    let classic = cluster_with(pod(&["details", "istio-proxy"], None, true));
    let bare = cluster_with(pod(&["details"], None, false));
    assert_eq!(native.pods["default"]["details-v1-abc"].ready_text(), "2/2");
    assert_eq!(
        classic.pods["default"]["details-v1-abc"].ready_text(),
        "2/2"
    );
    for injected in [&native, &classic] {
        assert_eq!(pods_ready(None, injected, &answers(true)), Ok(()));
        assert_eq!(pods_ready(Some(true), injected, &answers(false)), Ok(()));
    }
    assert_eq!(
        pods_ready(None, &bare, &answers(true)),
        Err("사이드카 없음 (details-v1-abc 1/1): 라벨은 있지만 Pod가 라벨 전에 만들어졌습니다. 다시 만드세요".into())
    );
    assert_eq!(
        pods_ready(Some(true), &bare, &answers(false)),
        Err(
            "사이드카 없음 (details-v1-abc 1/1): 네임스페이스에 istio-injection 라벨이 없습니다"
                .into()
        )
    );
    assert_eq!(
        pods_ready(None, &bare, &answers(false)),
        Ok(()),
        "without the label and without `sidecar: true`, 1/1 is what the namespace asks for"
    );
    assert_eq!(pods_ready(Some(false), &bare, &answers(true)), Ok(()));
}
