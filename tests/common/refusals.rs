//! Helpers of the refusal tests: raw requests to the demo cluster, the objects they send,
//! and the Status a refusal must carry.
#![allow(dead_code)]

use serde_json::{Value, json};

use super::sim::{Reply, Tester, fixture};

pub async fn send(
    t: &Tester,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
    token: &str,
) -> Reply {
    t.raw(method, path, content_type, body, token).await
}

pub const VS: &str = "/apis/networking.istio.io/v1/namespaces/default/virtualservices";
pub const PODS: &str = "/api/v1/namespaces/default/pods";

pub fn virtual_service(name: &str) -> Value {
    let mut body = fixture("apply/06-virtualservice-reviews")["request"]["body"].clone();
    body["metadata"]["name"] = json!(name);
    body
}

pub fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

pub fn assert_status(reply: &Reply, code: u16, reason: &str, message: &str) {
    assert_eq!(reply.status, code, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.body["kind"], "Status");
    assert_eq!(reply.body["code"], code);
    assert_eq!(reply.body["reason"], reason, "{}", reply.body);
    assert_eq!(reply.body["message"], message);
}
