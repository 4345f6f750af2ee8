//! The traffic lab against the demo cluster: the steps tests take on the shared harness, and
//! reading the reviews VirtualService back from the demo cluster.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::KeyCode;
use istio_lab::app::Model;
use kube::api::{Api, DynamicObject};
use kube::core::GroupVersionKind;
use kube::discovery::ApiResource;
use serde_json::Value;

use super::harness::SimLab;

/// The test's own steps on the shared harness.
pub trait Lab {
    async fn start() -> SimLab;
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool);
    fn key(&mut self, code: KeyCode);
    async fn virtual_service(&self) -> Option<Value>;
}

impl Lab for SimLab {
    async fn start() -> SimLab {
        let mut lab = SimLab::start(50.0).await.expect("the lab starts");
        lab.until("the 80/20 split is watched", |m| {
            m.traffic.sliders.weights().len() == 3 && m.traffic.configured()[0].1 == 80
        })
        .await;
        lab
    }

    /// Applies messages and runs effects until `done` holds; fails after 20 s with the state.
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(&self.model) {
            let batch = tokio::time::timeout_at(deadline, self.batch()).await;
            let Ok(effects) = batch else {
                panic!(
                    "timed out waiting for {what}: sliders {:?}, send {:?}",
                    self.model.traffic.sliders.weights(),
                    self.model.traffic.send
                );
            };
            self.runner.run_all(effects);
        }
    }

    fn key(&mut self, code: KeyCode) {
        let effects = self.press(code);
        self.runner.run_all(effects);
    }

    async fn virtual_service(&self) -> Option<Value> {
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), "default", &resource());
        api.get_opt("reviews")
            .await
            .expect("get")
            .map(|o| serde_json::to_value(o).expect("json"))
    }
}

pub fn resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("networking.istio.io", "v1", "VirtualService"),
        "virtualservices",
    )
}

pub fn weights(vs: &Value) -> Vec<(String, u64)> {
    vs["spec"]["http"][0]["route"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["destination"]["subset"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                d["weight"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

pub fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(s, w)| (s.to_string(), *w)).collect()
}
