//! Replaying kubectl's recorded exchanges (tests/fixtures/k8s/kubectl) where the answer
//! is checked by status and Content-Type, and reading raw (non-JSON) answers with their
//! headers: the helpers of the `sim_kubectl_apply*` stories.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;

use super::sim::{FIXTURES, Tester, fixture, same_shape};
use super::tables::recorded_request;

/// Sends a recorded kubectl request and checks the status and Content-Type; the body back.
pub async fn replay_status(t: &Tester, name: &str) -> Value {
    let recorded = fixture(&format!("kubectl/{name}"));
    let answer = t
        .send(&recorded_request(name), Duration::from_secs(5))
        .await;
    let expected = &recorded["response"];
    assert_eq!(
        answer.status,
        expected["status"].as_u64().unwrap() as u16,
        "{name}: {}",
        answer.body
    );
    if let Some(content_type) = expected["headers"]["Content-Type"].as_str() {
        assert_eq!(answer.content_type, content_type, "{name}");
    }
    answer.body
}

/// Also compares the body with the recorded one, key for key (see `same_shape`).
pub async fn replay_shape(t: &Tester, name: &str) -> Value {
    let body = replay_status(t, name).await;
    let recorded = fixture(&format!("kubectl/{name}"));
    same_shape(name, &recorded["response"]["body"], &body);
    body
}

/// A GET's status, headers and raw body, for answers that are not JSON.
pub struct RawReply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl RawReply {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

pub async fn get_raw(t: &Tester, path_and_query: &str, headers: &[(&str, &str)]) -> RawReply {
    let mut builder = hyper::Request::builder()
        .uri(format!("{}{path_and_query}", t.sim.server_url()))
        .header("Authorization", format!("Bearer {}", t.sim.token()));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let response = t.client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    RawReply {
        status,
        headers,
        body,
    }
}

/// The file of a folder whose name starts with the two-digit number `n`.
pub fn fixture_named(folder: &str, n: u32) -> String {
    let dir = format!("{}/kubectl/{folder}", FIXTURES);
    let prefix = format!("{n:02}-");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.starts_with(&prefix))
        .collect();
    names.sort();
    let file = names
        .first()
        .unwrap_or_else(|| panic!("no {prefix}* in {dir}"));
    format!("{folder}/{}", file.trim_end_matches(".json"))
}
