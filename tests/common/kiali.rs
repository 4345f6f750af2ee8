//! Kiali as the Istio addon installs it, for tests: a Service (20001 http, 9090 metrics) and a
//! one-pod Deployment in istio-system, applied to a demo cluster.
#![allow(dead_code)]

use std::time::Duration;

use istio_lab::features::cluster::apply::apply_manifest;
use istio_lab::sim::SimHandle;
use kube::Client;

/// The addon's objects (the parts the forward reads).
pub const KIALI: &str = "apiVersion: v1
kind: Service
metadata: {name: kiali, namespace: istio-system, labels: {app: kiali}}
spec:
  selector: {app: kiali}
  ports:
  - {name: http, port: 20001, targetPort: 20001}
  - {name: http-metrics, port: 9090, targetPort: 9090}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: kiali, namespace: istio-system, labels: {app: kiali}}
spec:
  replicas: 1
  selector: {matchLabels: {app: kiali}}
  template:
    metadata: {labels: {app: kiali}}
    spec:
      containers:
      - name: kiali
        image: quay.io/kiali/kiali:v2.8
        ports:
        - {containerPort: 20001}
        - {containerPort: 9090}
";

/// Applies `KIALI` and waits for its pod to run.
pub async fn with_kiali(sim: &SimHandle, client: &Client) {
    apply_manifest(client, "istio-system", KIALI)
        .await
        .expect("kiali applies");
    let store = sim.store();
    for _ in 0..500 {
        let ready = store.get_all_pods().iter().any(|p| {
            p["metadata"]["labels"]["app"] == "kiali" && p["status"]["phase"] == "Running"
        });
        if ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the kiali pod did not start");
}
