//! How the demo cluster reads a Table request: the Accept header (Table v1 or v1beta1, the
//! object itself, or a 406 when nothing asked for can be served), `includeObject`, paging,
//! empty lists and missing objects, as kube-apiserver answers them.

use std::time::Duration;

use serde_json::{Value, json};

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::sim::{Answer, Tester};
use common::tables::{TABLE_ACCEPT, cells, get_table};

async fn get(t: &Tester, accept: &str, path: &str, query: &str) -> Answer {
    let request = json!({"method": "GET", "path": path, "query": query,
        "headers": {"Accept": accept}});
    t.send(&request, Duration::from_secs(5)).await
}

const NAMESPACES: &str = "/api/v1/namespaces";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn include_object_chooses_what_each_row_carries() {
    let t = Tester::start().await;
    let services = "/api/v1/namespaces/default/services";
    let metadata = get_table(&t, services, "").await.body;
    let object = get_table(&t, services, "includeObject=Object").await.body;
    let none = get_table(&t, services, "includeObject=None").await.body;
    assert_eq!(
        cells(&metadata)[0][..3],
        ["kubernetes", "ClusterIP", "10.96.0.1"]
    );
    assert_eq!(cells(&metadata).len(), 1);
    let full = &object["rows"][0]["object"];
    assert_eq!(
        (&full["kind"], &full["apiVersion"]),
        (&json!("Service"), &json!("v1"))
    );
    assert_eq!(full["spec"]["clusterIP"], "10.96.0.1");
    assert_eq!(full["metadata"], metadata["rows"][0]["object"]["metadata"]);
    assert!(metadata["rows"][0]["object"].get("spec").is_none());
    assert_eq!(none["rows"][0]["object"], Value::Null);
    assert_eq!(cells(&none)[0][..3], cells(&metadata)[0][..3]);

    let refused = get_table(&t, NAMESPACES, "includeObject=Everything").await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["reason"], "BadRequest");
    assert_eq!(
        refused.body["message"],
        "Unable to convert to Table as requested: includeObject: Unsupported value: \"Everything\": supported values: \"Metadata\", \"None\", \"Object\""
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_headers_choose_the_table_version_or_the_object() {
    let t = Tester::start().await;
    let beta = "application/json;as=Table;v=v1beta1;g=meta.k8s.io";
    let table = get(&t, beta, NAMESPACES, "").await.body;
    assert_eq!(table["apiVersion"], "meta.k8s.io/v1beta1");
    assert_eq!(
        table["rows"][0]["object"]["apiVersion"],
        "meta.k8s.io/v1beta1"
    );
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");

    for plain in [
        "application/json",
        "*/*",
        "application/vnd.kubernetes.protobuf,application/json",
    ] {
        let answer = get(&t, plain, NAMESPACES, "").await;
        assert_eq!(answer.body["kind"], "NamespaceList", "{plain}");
        assert_eq!(answer.body["items"].as_array().unwrap().len(), 2, "{plain}");
    }
    let named = get(&t, "application/json", &format!("{NAMESPACES}/default"), "").await;
    assert_eq!(named.body["kind"], "Namespace");

    for refused in [
        "application/json;as=Table;v=v2;g=meta.k8s.io",
        "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io",
        "text/html",
    ] {
        for path in [NAMESPACES.to_string(), format!("{NAMESPACES}/default")] {
            let answer = get(&t, refused, &path, "").await;
            assert_eq!(answer.status, 406, "{refused} {path}");
            assert_eq!(answer.body["reason"], "NotAcceptable");
            assert!(
                answer.body["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("only the following media types are accepted: application/json")
            );
        }
    }
    let watch = get(&t, "text/html", NAMESPACES, "watch=true").await;
    assert_eq!(watch.status, 406);
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_empty_lists_and_missing_objects_keep_the_apiserver_shape() {
    let t = Tester::start().await;
    let first = get_table(&t, NAMESPACES, "limit=1").await.body;
    assert_eq!(cells(&first)[0][0], "default");
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    assert_eq!(first["metadata"]["remainingItemCount"], 1);
    let query = format!("limit=1&continue={token}");
    let second = get_table(&t, NAMESPACES, &query).await.body;
    assert_eq!(cells(&second)[0][0], "istio-system");
    assert_eq!(second["metadata"].as_object().unwrap().len(), 1, "{second}");
    assert_eq!(second["columnDefinitions"], first["columnDefinitions"]);

    // An empty list of custom resources: no rows, the columns still, and no empty
    // `continue` (which the plain list of custom resources carries).
    let path = "/apis/networking.istio.io/v1/namespaces/default/virtualservices";
    let empty = get_table(&t, path, "limit=500").await.body;
    assert_eq!(empty["rows"], json!([]));
    assert_eq!(empty["columnDefinitions"][1]["name"], "Gateways");
    assert_eq!(empty["metadata"].as_object().unwrap().len(), 1, "{empty}");
    let plain = get(&t, "application/json", path, "").await.body;
    assert_eq!(plain["metadata"]["continue"], "");

    let missing = get(&t, TABLE_ACCEPT, &format!("{path}/reviews"), "").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["kind"], "Status");
    assert_eq!(missing.body["reason"], "NotFound");
    t.sim.shutdown().await;
}
