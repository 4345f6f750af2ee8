//! Replays the recorded kube-apiserver exchanges for discovery, the server-side apply of
//! Bookinfo, the objects the controllers make from it, and lists, and compares the answers.

use std::time::Duration;

use serde_json::{Value, json};

// Only the sim helpers: common/mod.rs brings the app's model along.
mod common {
    pub mod sim;
}
use common::sim::{Tester, apply_bookinfo, bookinfo_with_pods, fixture, rv, wait_for_running_pods};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_documents_match_the_recording() {
    let t = Tester::start().await;
    for name in [
        "api",
        "apis",
        "api-v1",
        "apis-apps-v1",
        "apis-networking.istio.io-v1",
        "apis-networking.istio.io-v1beta1",
        "apis-networking.istio.io-v1alpha3",
        "apis-aggregated",
        "api-aggregated",
    ] {
        t.replay(&format!("discovery/{name}")).await;
    }
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookinfo_applies_and_an_unchanged_reapply_keeps_the_rv() {
    let t = Tester::start().await;
    // Bookinfo-like objects by server-side apply: 201 each, then an unchanged re-apply.
    apply_bookinfo(&t).await;
    let vs = t
        .replay("apply/08-virtualservice-reviews-reapply-unchanged")
        .await;
    let vs_before = t
        .sim
        .store()
        .get_object(
            "networking.istio.io/v1",
            "VirtualService",
            "default",
            "reviews",
        )
        .unwrap();
    assert_eq!(rv(&vs), rv(&vs_before));
    assert_eq!(vs["metadata"]["generation"], 1);
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controllers_make_a_replicaset_and_a_pod_like_the_recorded_ones() {
    let t = Tester::start().await;
    apply_bookinfo(&t).await;
    // The controllers made a ReplicaSet and a pod for reviews-v1.
    wait_for_running_pods(&t.sim).await;
    let store = t.sim.store();
    let rs = store.list_objects("apps/v1", "ReplicaSet", "default");
    assert_eq!(rs.len(), 1);
    let rs_name = rs[0]["metadata"]["name"].as_str().unwrap();
    assert!(rs_name.starts_with("reviews-v1-") && rs_name.len() == "reviews-v1-".len() + 10);
    assert_eq!(
        rs[0]["metadata"]["ownerReferences"][0]["kind"],
        "Deployment"
    );
    assert_eq!(
        rs[0]["metadata"]["labels"]["pod-template-hash"]
            .as_str()
            .unwrap()
            .len(),
        10
    );
    let pods = store.get_all_pods();
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["metadata"]["labels"]["app"], "reviews");
    assert_eq!(pods[0]["spec"]["nodeName"], "istio-lab-worker");
    let made = [
        (
            "apply/09-replicaset-created-by-deployment-controller",
            rs_name.to_string(),
        ),
        (
            "apply/10-pod-created-by-replicaset-controller",
            pods[0]["metadata"]["name"].as_str().unwrap().to_string(),
        ),
        (
            "apply/11-deployment-after-controller",
            "reviews-v1".to_string(),
        ),
    ];
    for (name, object) in made {
        let recorded = fixture(name);
        let mut request = recorded["request"].clone();
        let path = request["path"].as_str().unwrap();
        request["path"] = json!(format!("{}/{object}", &path[..path.rfind('/').unwrap()]));
        let answer = t.send(&request, Duration::from_secs(1)).await;
        let expected = &recorded["response"]["body"];
        assert_eq!(answer.status, 200, "{name}");
        let keys = |v: &Value| {
            v["metadata"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(expected), keys(&answer.body), "{name}");
        let owners = |v: &Value| -> Vec<(Value, Value, Value)> {
            let entries = v["metadata"]["managedFields"].as_array().unwrap().iter();
            entries
                .map(|m| {
                    (
                        m["manager"].clone(),
                        m["operation"].clone(),
                        m["subresource"].clone(),
                    )
                })
                .collect()
        };
        // The recording had no kubelet, so the pod shows no status writer there.
        let live_owners: Vec<_> = owners(&answer.body)
            .into_iter()
            .filter(|o| o.0 != "kubelet")
            .collect();
        assert_eq!(owners(expected), live_owners, "{name}");
        // Without a kubelet the recorded pod never became available; here it did.
        let comparable = |key: &&String| !name.contains("pod") && *key != "unavailableReplicas";
        for key in expected["status"]
            .as_object()
            .unwrap()
            .keys()
            .filter(comparable)
        {
            assert!(
                answer.body["status"].get(key).is_some(),
                "{name}: status.{key}"
            );
        }
    }
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_match_the_recording() {
    let t = Tester::start().await;
    bookinfo_with_pods(&t).await;
    let listed = t.replay("list/pods").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    assert!(listed.get("kind").is_some() && listed["items"][0].get("kind").is_none());
    for name in [
        "services",
        "virtualservices",
        "virtualservices-v1beta1",
        "virtualservices-v1alpha3",
        "destinationrules",
        "gateways",
        "pods-empty-namespace",
    ] {
        t.replay(&format!("list/{name}")).await;
    }
    t.sim.shutdown().await;
}
