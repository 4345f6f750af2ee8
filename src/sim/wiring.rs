//! Connects the pods' exec and port-forward servers (`exec`) to the workloads' telemetry and
//! Kiali's page: a `curl` typed in `kubectl exec` shows in `kubectl logs -c istio-proxy` and
//! in Kiali's graph, and Kiali's forwarded port serves the same page as its service proxy.

use std::sync::Arc;

use super::envoy_log::Access;
use super::exec::hooks::{AccessLog, Hooks, HttpAnswer, PodRequest};
use super::kiali;
use super::telemetry::Telemetry;

struct TelemetryLog(Arc<Telemetry>);

impl AccessLog for TelemetryLog {
    fn on_request(&self, request: &PodRequest) {
        let access = Access {
            method: request.method.clone(),
            path: request.path.clone(),
            status: request.status,
            bytes_sent: request.bytes,
            user_agent: "curl/8.5.0".into(),
            upstream_cluster: "inbound|9080||".into(),
            ..Access::default()
        };
        self.0
            .record_request(&request.namespace, &request.pod, &access);
    }
}

pub fn connect(hooks: &Hooks, telemetry: &Arc<Telemetry>) {
    hooks.set_access_log(Arc::new(TelemetryLog(telemetry.clone())));
    let telemetry = telemetry.clone();
    hooks.set_kiali(Arc::new(move |store, _method, path| {
        let (status, content_type, body) = kiali::serve(store, &telemetry, path);
        HttpAnswer::new(status, content_type, body)
    }));
}
