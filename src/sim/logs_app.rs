//! What each container of the demo cluster prints when it starts, and per request: Istio's
//! `istio-proxy` (pilot-agent and Envoy), `istio-init`'s iptables set-up, and Bookinfo's
//! services in their own stacks (productpage under gunicorn, details on WEBrick, reviews on
//! Open Liberty, ratings on node). The lines are made when asked for, stamped from the
//! container's start time, so they cost nothing until `kubectl logs` reads them.

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

/// The start-up lines of `container` in `pod`, each with its time.
pub fn startup(pod: &Value, container: &str) -> Vec<(Timestamp, String)> {
    let started = started_at(pod, container);
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let namespace = pod
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let ip = pod
        .pointer("/status/podIP")
        .and_then(Value::as_str)
        .unwrap_or("10.244.0.1");
    let app = pod
        .pointer("/metadata/labels/app")
        .and_then(Value::as_str)
        .unwrap_or(container);
    let lines: Vec<String> = match container {
        "istio-proxy" => proxy_lines(started, name, namespace, ip, app),
        "istio-init" => vec![
            format!("{} Istio iptables environment:", started.strftime("%Y/%m/%d %H:%M:%S")),
            "ENVOY_PORT=\nINBOUND_CAPTURE_PORT=\nISTIO_INBOUND_INTERCEPTION_MODE=".into(),
            "Running iptables restore with: iptables-restore and the following input:".into(),
            "* nat\n-N ISTIO_INBOUND\n-N ISTIO_REDIRECT\n-N ISTIO_IN_REDIRECT\n-N ISTIO_OUTPUT\n-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN\n-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001\n-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006\n-A PREROUTING -p tcp -j ISTIO_INBOUND\n-A OUTPUT -p tcp -j ISTIO_OUTPUT\nCOMMIT".into(),
        ],
        "productpage" => {
            let stamp = started.strftime("%Y-%m-%d %H:%M:%S +0000");
            vec![
                format!("[{stamp}] [1] [INFO] Starting gunicorn 23.0.0"),
                format!("[{stamp}] [1] [INFO] Listening at: http://[::]:9080 (1)"),
                format!("[{stamp}] [1] [INFO] Using worker: gevent"),
                format!("[{stamp}] [7] [INFO] Booting worker with pid: 7"),
            ]
        }
        "details" => {
            let stamp = started.strftime("%Y-%m-%d %H:%M:%S");
            vec![
                format!("[{stamp}] INFO  WEBrick 1.8.2"),
                format!("[{stamp}] INFO  ruby 3.3.6 (2024-11-05) [x86_64-linux]"),
                format!("[{stamp}] INFO  WEBrick::HTTPServer#start: pid=1 port=9080"),
            ]
        }
        "reviews" => vec![
            "Launching defaultServer (Open Liberty 24.0.0.12/wlp-1.0.96.cl241220241119-0657) on Eclipse OpenJ9 VM, version 17.0.13+11 (en_US)".into(),
            "[AUDIT   ] CWWKE0001I: The server defaultServer has been launched.".into(),
            "[AUDIT   ] CWWKZ0058I: Monitoring dropins for applications.".into(),
            format!("[AUDIT   ] CWWKT0016I: Web application available (default_host): http://{name}:9080/"),
            "[AUDIT   ] CWWKZ0001I: Application reviews-app started in 1.374 seconds.".into(),
            "[AUDIT   ] CWWKF0012I: The server installed the following features: [cdi-4.0, jaxrs-3.1, jndi-1.0, json-1.0, jsonb-3.0, jsonp-2.1, servlet-6.0].".into(),
            "[AUDIT   ] CWWKF0011I: The defaultServer server is ready to run a smarter planet. The defaultServer server started in 2.915 seconds.".into(),
        ],
        "ratings" => vec!["Server listening on: http://0.0.0.0:9080".into()],
        "discovery" => vec![
            format!("{}\tinfo\tFLAG: --domain=\"cluster.local\"", agent_time(started, 0)),
            format!("{}\tinfo\tserver\tstarting HTTP service at [::]:8080", agent_time(started, 2)),
            format!("{}\tinfo\tads\tAll caches have been synced up in 1.2s, marking server ready", agent_time(started, 3)),
        ],
        _ => Vec::new(),
    };
    lines
        .into_iter()
        .enumerate()
        .map(|(n, line)| {
            let time = started
                .checked_add(SignedDuration::from_millis(n as i64 * 7))
                .unwrap_or(started);
            (time, line)
        })
        .collect()
}

/// The lines an application prints for one request it served: WEBrick's access line and
/// its referer line (details); productpage, reviews and ratings print none for them.
pub fn request_lines(
    service: &str,
    method: &str,
    path: &str,
    status: u16,
    bytes: usize,
) -> Vec<String> {
    match service {
        "details" => {
            let stamp = Timestamp::now().strftime("%d/%b/%Y:%H:%M:%S UTC");
            vec![
                format!(
                    "::ffff:127.0.0.6 - - [{stamp}] \"{method} {path} HTTP/1.1\" {status} {bytes}"
                ),
                format!("- -> {path}"),
            ]
        }
        _ => Vec::new(),
    }
}

fn agent_time(started: Timestamp, millis: i64) -> String {
    started
        .checked_add(SignedDuration::from_millis(millis))
        .unwrap_or(started)
        .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

fn proxy_lines(
    started: Timestamp,
    name: &str,
    namespace: &str,
    ip: &str,
    app: &str,
) -> Vec<String> {
    let role = if app.contains("gateway") {
        "router"
    } else {
        "sidecar"
    };
    let lines = [
        "info\tFLAG: --concurrency=\"2\"".to_string(),
        "info\tVersion 1.28.0-5a0ff1a4bbb7a8bd4fd4b9d29fda2b23df4fb3c8-Clean".to_string(),
        format!("info\tProxy role\tips=[{ip}] type={role} id={name}.{namespace} domain={namespace}.svc.cluster.local"),
        "info\tPilot SAN: [istiod.istio-system.svc]".to_string(),
        "info\tStarting proxy agent".to_string(),
        "info\tEnvoy command: [-c etc/istio/proxy/envoy-rev.json --drain-time-s 45 --drain-strategy immediate --local-address-ip-version v4 --file-flush-interval-msec 1000 --disable-hot-restart --allow-unknown-static-fields -l warning --component-log-level misc:error --concurrency 2]".to_string(),
        "info\tcache\tgenerated new workload certificate\tresourceName=default latency=112.4ms ttl=23h59m59s".to_string(),
        "info\txdsproxy\tconnected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=1".to_string(),
        "info\tReadiness succeeded in 1.03s".to_string(),
        "info\tEnvoy proxy is ready".to_string(),
    ];
    lines
        .into_iter()
        .enumerate()
        .map(|(n, line)| format!("{}\t{line}", agent_time(started, n as i64 * 90)))
        .collect()
}

/// When the container started: its status' `startedAt`, else the pod's `startTime`, else now.
fn started_at(pod: &Value, container: &str) -> Timestamp {
    let statuses = ["containerStatuses", "initContainerStatuses"]
        .iter()
        .filter_map(|list| {
            pod.pointer(&format!("/status/{list}"))
                .and_then(Value::as_array)
        })
        .flatten();
    let mut started = None;
    for status in statuses {
        if status.get("name").and_then(Value::as_str) == Some(container) {
            started = status
                .pointer("/state/running/startedAt")
                .or_else(|| status.pointer("/state/terminated/startedAt"))
                .and_then(Value::as_str);
        }
    }
    started
        .or_else(|| pod.pointer("/status/startTime").and_then(Value::as_str))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(Timestamp::now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_stack_starts_in_its_own_words_at_the_container_s_start() {
        let pod = json!({"metadata": {"name": "details-v1-a", "namespace": "default", "labels": {"app": "details"}},
            "status": {"podIP": "10.244.1.5", "startTime": "2026-11-30T05:00:00Z",
              "containerStatuses": [{"name": "details", "state": {"running": {"startedAt": "2026-11-30T05:00:02Z"}}}]}});
        let details = startup(&pod, "details");
        assert!(
            details[2]
                .1
                .contains("WEBrick::HTTPServer#start: pid=1 port=9080")
        );
        assert_eq!(details[0].0.to_string(), "2026-11-30T05:00:02Z");
        let proxy = startup(&pod, "istio-proxy");
        assert!(
            proxy[0]
                .1
                .starts_with("2026-11-30T05:00:00.000000Z\tinfo\tFLAG"),
            "{}",
            proxy[0].1
        );
        assert!(
            proxy
                .iter()
                .any(|(_, l)| l.contains("ips=[10.244.1.5] type=sidecar id=details-v1-a.default"))
        );
        assert!(proxy.last().unwrap().1.ends_with("Envoy proxy is ready"));
        assert!(startup(&pod, "something-else").is_empty());
        let webrick = request_lines("details", "GET", "/details/0", 200, 178);
        assert!(webrick[0].contains("\"GET /details/0 HTTP/1.1\" 200 178"));
        assert_eq!(webrick[1], "- -> /details/0");
        assert!(request_lines("reviews", "GET", "/reviews/0", 200, 10).is_empty());
    }
}
