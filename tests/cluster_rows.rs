//! Row types against YAML fixtures, the guide's sample output and recorded API objects.

use std::path::PathBuf;

use istio_lab::features::cluster::{Health, PodRow, ServiceRow};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Pod, Service};

fn fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "rows",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn now() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

fn pod(name: &str) -> PodRow {
    let pod: Pod = serde_saphyr::from_str(&fixture(name)).unwrap();
    PodRow::from(&pod)
}

/// The row as `kubectl get pods` prints it, single-spaced.
fn pod_line(row: &PodRow, now: Timestamp) -> String {
    format!(
        "{} {} {} {} {}",
        row.name,
        row.ready_text(),
        row.status,
        row.restarts_text(now),
        row.age_text(now)
    )
}

/// The row as `kubectl get services` prints it, single-spaced.
fn service_line(row: &ServiceRow, now: Timestamp) -> String {
    format!(
        "{} {} {} {} {} {}",
        row.name,
        row.type_,
        row.cluster_ip,
        row.external_ip,
        row.ports,
        row.age_text(now)
    )
}

fn single_spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pod_statuses_match_kubectl() {
    use Health::*;
    let cases: &[(&str, &str, Health)] = &[
        (
            "pod-pending.yaml",
            "reviews-v2-pending 0/1 Pending 0 29s",
            Progressing,
        ),
        (
            "pod-container-creating.yaml",
            "details-v1-creating 0/2 ContainerCreating 0 10s",
            Progressing,
        ),
        (
            "pod-init-0-of-1.yaml",
            "ratings-v1-init 0/2 Init:0/1 0 5s",
            Progressing,
        ),
        (
            "pod-podinitializing.yaml",
            "ratings-v1-podinit 0/2 PodInitializing 0 10s",
            Progressing,
        ),
        (
            "pod-running-1-of-2.yaml",
            "productpage-v1-warming 1/2 Running 0 20s",
            Progressing,
        ),
        (
            "pod-running-classic-sidecar.yaml",
            "reviews-v1-7f99cc4496-gdxfn 2/2 Running 0 60m",
            Good,
        ),
        (
            "pod-running-native-sidecar.yaml",
            "reviews-v2-native 2/2 Running 0 60m",
            Good,
        ),
        (
            "pod-native-sidecar-starting.yaml",
            "reviews-v3-native-starting 0/2 Init:1/2 0 3s",
            Progressing,
        ),
        (
            "pod-native-sidecar-restarts.yaml",
            "ratings-v1-native-restarted 2/2 Running 3 (3m ago) 28h",
            Good,
        ),
        (
            "pod-completed.yaml",
            "istio-preflight 0/1 Completed 0 3d3h",
            Done,
        ),
        ("pod-error.yaml", "curl-once 0/1 Error 0 3h30m", Bad),
        (
            "pod-crashloop.yaml",
            "ratings-v2-crashing 1/2 CrashLoopBackOff 5 (5m ago) 30m",
            Bad,
        ),
        (
            "pod-imagepullbackoff.yaml",
            "reviews-v4-typo 0/1 ImagePullBackOff 0 4m",
            Bad,
        ),
        (
            "pod-terminating.yaml",
            "details-v1-old 2/2 Terminating 0 2d",
            Terminating,
        ),
        (
            "pod-unknown.yaml",
            "productpage-v1-lost 1/1 Unknown 0 5d",
            Bad,
        ),
        (
            "pod-init-crashloop.yaml",
            "details-v1-init-crash 0/2 Init:CrashLoopBackOff 3 (90s ago) 8m",
            Bad,
        ),
        (
            "pod-init-error.yaml",
            "details-v1-init-error 0/1 Init:Error 0 60s",
            Bad,
        ),
        (
            "pod-init-signal.yaml",
            "details-v1-init-signal 0/1 Init:Signal:9 0 60s",
            Bad,
        ),
        (
            "pod-init-exitcode.yaml",
            "details-v1-init-exitcode 0/1 Init:ExitCode:2 0 60s",
            Bad,
        ),
        (
            "pod-oomkilled.yaml",
            "reviews-v3-oom 0/1 OOMKilled 0 3h",
            Bad,
        ),
        (
            "pod-exitcode-signal.yaml",
            "ratings-v1-killed 0/2 Signal:15 0 60m",
            Bad,
        ),
        (
            "pod-evicted.yaml",
            "productpage-v1-evicted 0/2 Evicted 0 24h",
            Bad,
        ),
        (
            "pod-not-ready.yaml",
            "batch-with-sidecar 1/2 NotReady 0 2m",
            Progressing,
        ),
        (
            "pod-terminating-completed.yaml",
            "istio-preflight-old 0/1 Completed 0 120m",
            Terminating,
        ),
        (
            "pod-scheduling-gated.yaml",
            "reviews-v1-gated 0/1 SchedulingGated 0 60s",
            Progressing,
        ),
    ];
    for (file, line, health) in cases {
        let row = pod(file);
        assert_eq!(pod_line(&row, now()), *line, "{file}");
        assert_eq!(row.health, *health, "{file}");
    }
}

#[test]
fn pod_row_keeps_identity_labels_and_deletion() {
    let row = pod("pod-running-classic-sidecar.yaml");
    assert_eq!(row.namespace, "default");
    assert_eq!(row.labels.get("app").map(String::as_str), Some("reviews"));
    assert_eq!(row.labels.get("version").map(String::as_str), Some("v1"));
    assert!(!row.deleting);
    assert!(pod("pod-terminating.yaml").deleting);

    let restarted = pod("pod-native-sidecar-restarts.yaml");
    assert_eq!(restarted.restarts, 3);
    assert_eq!(
        restarted.last_restart,
        Some("2026-11-25T11:57:00Z".parse().unwrap())
    );
}

#[test]
fn guide_pods_read_exactly_like_the_guide() {
    let guide = "
        details-v1-558b8b4b76-2llld       2/2     Running   0          2m41s
        productpage-v1-6987489c74-lpkgl   2/2     Running   0          2m40s
        ratings-v1-7dc98c7588-vzftc       2/2     Running   0          2m41s
        reviews-v1-7f99cc4496-gdxfn       2/2     Running   0          2m41s
        reviews-v2-7d79d5bd5d-8zzqd       2/2     Running   0          2m41s
        reviews-v3-7dbcdcbc56-m8dph       2/2     Running   0          2m41s";
    let pods: Vec<Pod> = serde_saphyr::from_multiple(&fixture("guide-pods.yaml")).unwrap();
    let lines: Vec<String> = pods
        .iter()
        .map(|p| pod_line(&PodRow::from(p), now()))
        .collect();
    let expected: Vec<String> = guide
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(single_spaced)
        .collect();
    assert_eq!(lines, expected);
    assert!(pods.iter().all(|p| PodRow::from(p).health == Health::Good));
}

#[test]
fn guide_services_read_exactly_like_the_guide() {
    let guide = "
        details       ClusterIP   10.0.0.212      <none>        9080/TCP   29s
        kubernetes    ClusterIP   10.0.0.1        <none>        443/TCP    25m
        productpage   ClusterIP   10.0.0.57       <none>        9080/TCP   28s
        ratings       ClusterIP   10.0.0.33       <none>        9080/TCP   29s
        reviews       ClusterIP   10.0.0.28       <none>        9080/TCP   29s";
    let services: Vec<Service> =
        serde_saphyr::from_multiple(&fixture("guide-services.yaml")).unwrap();
    let lines: Vec<String> = services
        .iter()
        .map(|s| service_line(&ServiceRow::from(s), now()))
        .collect();
    let expected: Vec<String> = guide
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(single_spaced)
        .collect();
    assert_eq!(lines, expected);
}

#[test]
fn guide_ingress_gateway_reads_exactly_like_the_guide() {
    let service: Service = serde_saphyr::from_str(&fixture("guide-ingressgateway.yaml")).unwrap();
    let row = ServiceRow::from(&service);
    assert_eq!(
        service_line(&row, now()),
        single_spaced(
            "istio-ingressgateway   LoadBalancer   172.21.109.129   130.211.10.121  \
             80:31380/TCP,443:31390/TCP,31400:31400/TCP   17h"
        )
    );
    assert_eq!(row.namespace, "istio-system");
    assert_eq!(row.health, Health::Good);
}

#[test]
fn service_cases_match_kubectl() {
    use Health::*;
    let cases: &[(&str, Health)] = &[
        ("reviews-headless ClusterIP None <none> 9080/TCP 60m", Good),
        (
            "productpage-nodeport NodePort 10.0.0.90 <none> 9080:30080/TCP 60m",
            Good,
        ),
        (
            "productpage-nodeport-external NodePort 10.0.0.91 192.0.2.10,192.0.2.11 9080:30081/TCP 60m",
            Good,
        ),
        (
            "ratings-external-ips ClusterIP 10.0.0.92 198.51.100.7 9080/TCP 60m",
            Good,
        ),
        (
            "istio-ingressgateway-pending LoadBalancer 10.0.0.93 <pending> 15021:32021/TCP,80:31380/TCP 60s",
            Progressing,
        ),
        (
            "istio-ingressgateway-hostname LoadBalancer 10.0.0.94 a1b2c3d4e5-12... 80:31380/TCP 120m",
            Good,
        ),
        (
            "istio-ingressgateway-two-ips LoadBalancer 10.0.0.95 10.1.2.3,10.1... 80:31380/TCP 120m",
            Good,
        ),
        (
            "external-db ExternalName <none> db.example.com <none> 60m",
            Good,
        ),
        ("dns-udp ClusterIP 10.0.0.10 <none> 53/UDP,53/TCP 60m", Good),
    ];
    let services: Vec<Service> = serde_saphyr::from_multiple(&fixture("services.yaml")).unwrap();
    assert_eq!(services.len(), cases.len());
    for (service, (line, health)) in services.iter().zip(cases) {
        let row = ServiceRow::from(service);
        assert_eq!(service_line(&row, now()), *line);
        assert_eq!(row.health, *health, "{line}");
    }
}

#[test]
fn recorded_api_objects_become_rows() {
    let now: Timestamp = "2026-11-25T22:10:00Z".parse().unwrap();
    let pods: k8s_openapi::List<Pod> =
        serde_json::from_str(&fixture("recorded-pods.json")).unwrap();
    let lines: Vec<String> = pods
        .items
        .iter()
        .map(|p| pod_line(&PodRow::from(p), now))
        .collect();
    assert_eq!(
        lines,
        [
            "ratings-v1 2/2 Running 0 2m49s",
            "reviews-v1-6bdf74cc7d-b8czw 0/1 Pending 0 2m52s"
        ]
    );

    let services: k8s_openapi::List<Service> =
        serde_json::from_str(&fixture("recorded-services.json")).unwrap();
    let lines: Vec<String> = services
        .items
        .iter()
        .map(|s| service_line(&ServiceRow::from(s), now))
        .collect();
    assert_eq!(
        lines,
        [
            "kubernetes ClusterIP 10.0.0.1 <none> 443/TCP 3m43s",
            "ratings ClusterIP 10.0.0.141 <none> 9080/TCP 2m52s",
            "reviews ClusterIP 10.0.0.140 <none> 9080/TCP 2m52s"
        ]
    );
}
