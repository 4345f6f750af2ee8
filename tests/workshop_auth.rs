//! kubectl's recorded exchanges with a real kube-apiserver about a learner's rights (recorded
//! with `--as=learner-07`), replayed against a demo cluster for a room with the learner's own
//! token: the same refusals, word for word, and their own namespace answered.

mod common {
    pub mod sim;
}

use bytes::Bytes;
use common::sim::{fixture, new_client};
use http_body_util::{BodyExt, Full};
use istio_lab::sim::{self, Scenario, SimOptions};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_s_refusals_read_as_the_apiserver_s() {
    let sim = sim::start(SimOptions {
        port: 0,
        speed: 10.0,
        scenario: Scenario::demo().expect("demo").with_room(7),
    })
    .await
    .expect("the room starts");
    let text = sim.room_kubeconfig("learner-07").expect("learner-07");
    let token = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .expect("a token line")
        .to_string();
    let client = new_client(sim.ca_der());
    for (name, token) in [
        (
            "kubectl/auth/02-get-pods-wrong-token-list-pods-401",
            "not-a-token",
        ),
        ("kubectl/auth/03-get-pods-as-learner-07", token.as_str()),
        (
            "kubectl/auth/04-get-pods-n-other-as-learner-07",
            token.as_str(),
        ),
        (
            "kubectl/auth/05-get-pods-n-learner-07-as-learner-07",
            token.as_str(),
        ),
    ] {
        let recorded = fixture(name);
        let request = &recorded["request"];
        let path = request["path"].as_str().expect("a path");
        let query = request["query"].as_str().filter(|q| !q.is_empty());
        let uri = match query {
            Some(q) => format!("{}{path}?{q}", sim.server_url()),
            None => format!("{}{path}", sim.server_url()),
        };
        let accept = request["headers"]["Accept"]
            .as_str()
            .unwrap_or("application/json");
        let req = hyper::Request::get(uri)
            .header("Accept", accept)
            .header("Authorization", format!("Bearer {token}"))
            .body(Full::new(Bytes::new()))
            .expect("a request");
        let response = client.request(req).await.expect("an answer");
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let body: Value = serde_json::from_slice(&body).expect("JSON");
        let expected = &recorded["response"];
        assert_eq!(u64::from(status), expected["status"], "{name}: {body}");
        if status == 200 {
            assert_eq!(body["kind"], "Table", "{name}");
            assert_eq!(body["columnDefinitions"][0]["name"], "Name", "{name}");
        } else {
            assert_eq!(body, expected["body"], "{name}");
        }
    }
    sim.shutdown().await;
}
