//! kubectl's recorded writes (tests/fixtures/k8s/kubectl/{apply-twice,label-annotate-scale})
//! replayed against the demo cluster: `kubectl apply` twice (creates, then the strategic
//! merge patch), the Istio resource applied twice (merge patch), the unknown-field
//! refusals, kubectl's move to server-side apply, and label/annotate/scale/restart/set image.

use std::time::Duration;

use istio_lab::sim::SidecarMode;
use serde_json::{Value, json};

mod common {
    pub mod kubectl_replay;
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::kubectl_replay::{fixture_named, replay_shape, replay_status};
use common::sim::{Tester, fixture};
use common::tables::{recorded_cluster, recorded_request};

#[tokio::test]
async fn apply_twice_replays_as_recorded() {
    let t = Tester::start().await;
    let ns = t
        .raw(
            "POST",
            "/api/v1/namespaces",
            Some("application/json"),
            br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lab-apply"}}"#.to_vec(),
            t.sim.token(),
        )
        .await;
    assert_eq!(ns.status, 201, "{}", ns.body);
    // The first apply: for each object a 404 GET, the namespace GET, then the POST.
    for n in 4..=45 {
        let name = fixture_named("apply-twice", n);
        if name.contains("get-namespace") {
            replay_status(&t, &name).await;
        } else if name.contains("post-") {
            let body = replay_status(&t, &name).await;
            let recorded = fixture(&format!("kubectl/{name}"));
            let sent = &recorded["response"]["body"];
            assert_eq!(body["metadata"]["name"], sent["metadata"]["name"]);
            assert_eq!(
                body["metadata"]["annotations"], sent["metadata"]["annotations"],
                "{name}"
            );
        } else {
            replay_shape(&t, &name).await;
        }
    }
    // The second apply: a GET of each object (their last-applied annotations) and one
    // strategic merge patch, its result as recorded.
    for n in (46..=54).chain(56..=60) {
        let name = fixture_named("apply-twice", n);
        let body = replay_status(&t, &name).await;
        let recorded = fixture(&format!("kubectl/{name}"));
        let annotations = &recorded["response"]["body"]["metadata"]["annotations"];
        let key = "kubectl.kubernetes.io/last-applied-configuration";
        assert_eq!(
            body["metadata"]["annotations"][key], annotations[key],
            "{name}"
        );
    }
    let name = fixture_named("apply-twice", 55);
    let patched = replay_status(&t, &name).await;
    let recorded = fixture(&format!("kubectl/{name}"));
    assert_eq!(patched["spec"], recorded["response"]["body"]["spec"]);
    assert_eq!(patched["metadata"]["generation"], 2);
    // The VirtualService applied, then applied again with a JSON merge patch.
    for n in 61..=65 {
        replay_status(&t, &fixture_named("apply-twice", n)).await;
    }
    let vs = replay_status(&t, &fixture_named("apply-twice", 64)).await;
    let routes = &vs["spec"]["http"][0]["route"];
    let recorded = fixture(&format!("kubectl/{}", fixture_named("apply-twice", 65)));
    assert_eq!(
        routes,
        &recorded["response"]["body"]["spec"]["http"][0]["route"]
    );
    // The unknown field: refused on create (400) and on the patch (422), word for word.
    // (The namespace GET only by status: the demo cluster's namespaces have no spec yet.)
    for n in 66..=70 {
        let name = fixture_named("apply-twice", n);
        if name.contains("get-namespace") {
            replay_status(&t, &name).await;
        } else {
            replay_shape(&t, &name).await;
        }
    }
    // `kubectl apply --server-side` of the DestinationRule, then of the VirtualService
    // client-side apply wrote: no conflict, the last-applied annotation kept in step, and
    // kubectl's migration of the ownership (apply, apply of the annotation, JSON patch of
    // managedFields, apply again).
    let mut rv = String::new();
    for n in 71..=75 {
        let name = fixture_named("apply-twice", n);
        let recorded = fixture(&format!("kubectl/{name}"));
        let body = if n == 74 {
            // The JSON patch carries the resourceVersion kubectl read (a precondition):
            // this run's, in place of the recording's.
            let mut request = recorded_request(&name);
            let text = request["body"].as_str().unwrap().replace(
                "\"path\":\"/metadata/resourceVersion\",\"value\":\"662\"",
                &format!("\"path\":\"/metadata/resourceVersion\",\"value\":\"{rv}\""),
            );
            request["body"] = json!(text);
            let answer = t.send(&request, Duration::from_secs(5)).await;
            assert_eq!(answer.status, 200, "{name}: {}", answer.body);
            answer.body
        } else {
            replay_status(&t, &name).await
        };
        rv = body["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .to_string();
        let expected = &recorded["response"]["body"]["metadata"];
        assert_eq!(
            body["metadata"]["annotations"], expected["annotations"],
            "{name}"
        );
        assert_eq!(
            owners(&body),
            owners(&recorded["response"]["body"]),
            "{name}"
        );
    }
}

/// Each managedFields entry as manager, operation and the fields it owns. The `"."`
/// marks of server-side apply's own entries are left out: the demo cluster does not place
/// them as a real apiserver does for custom resources.
fn owners(obj: &Value) -> Vec<(Value, Value, Value)> {
    fn without_dots(fields: &Value) -> Value {
        match fields {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| *k != ".")
                    .map(|(k, v)| (k.clone(), without_dots(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let fields = without_dots(&e["fieldsV1"]);
            (e["manager"].clone(), e["operation"].clone(), fields)
        })
        .collect()
}

#[tokio::test]
async fn label_annotate_scale_restart_and_set_image_replay_as_recorded() {
    let t = recorded_cluster(SidecarMode::Classic).await;
    for n in [2, 4, 6] {
        let body = replay_status(&t, &fixture_named("label-annotate-scale", n)).await;
        let recorded = fixture(&format!(
            "kubectl/{}",
            fixture_named("label-annotate-scale", n)
        ));
        assert_eq!(
            body["metadata"]["labels"],
            recorded["response"]["body"]["metadata"]["labels"]
        );
    }
    let annotated = replay_status(&t, &fixture_named("label-annotate-scale", 8)).await;
    assert_eq!(
        annotated["metadata"]["annotations"]["istio-lab/note"],
        "canary baseline"
    );
    let scale = replay_shape(&t, &fixture_named("label-annotate-scale", 10)).await;
    assert_eq!(scale["spec"]["replicas"], 2);
    let restarted = replay_status(&t, &fixture_named("label-annotate-scale", 12)).await;
    let template = &restarted["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(
        template["kubectl.kubernetes.io/restartedAt"],
        "2026-11-30T02:24:25Z"
    );
    let set = replay_status(&t, &fixture_named("label-annotate-scale", 14)).await;
    let containers = &set["spec"]["template"]["spec"]["containers"];
    assert_eq!(
        containers[0]["image"],
        "docker.io/istio/examples-bookinfo-details-v1:1.20.4"
    );
    assert_eq!(containers.as_array().unwrap().len(), 1);
    // kubectl patch svc ... -p '{"spec":{"type":"LoadBalancer"}}' (recorded on kiali, which
    // the demo cluster does not run): the same strategic merge patch on productpage.
    let recorded = fixture(&format!(
        "kubectl/{}",
        fixture_named("label-annotate-scale", 19)
    ));
    let body = recorded["request"]["body_raw"]
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let content_type = recorded["request"]["headers"]["Content-Type"].as_str();
    let path = "/api/v1/namespaces/default/services/productpage?fieldManager=kubectl-patch";
    let service = t
        .raw("PATCH", path, content_type, body, t.sim.token())
        .await;
    assert_eq!(service.status, 200, "{}", service.body);
    assert_eq!(service.body["spec"]["type"], "LoadBalancer");
    assert_eq!(service.body["spec"]["ports"][0]["port"], 9080);
}
