//! The real `kubectl get` against the demo cluster, when /usr/bin/kubectl is installed: its
//! tables, wide columns, label columns and `-w` lines come out as from a real cluster.
//!
//! kubectl talks to a loopback proxy that adds the bearer token and carries each request on to
//! the demo cluster over TLS, so these tests exercise the Tables, not kubectl's credentials
//! (`tests/sim_tls_cli.rs` runs kubectl with the written kubeconfig itself).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use istio_lab::sim::{SidecarMode, SimHandle};
use serde_json::json;
use tokio::net::TcpListener;

mod common {
    pub mod sim;
    pub mod tables;
    pub mod watch;
}
use common::sim::Tester;
use common::tables::{recorded_cluster, recorded_request};

const KUBECTL: &str = "/usr/bin/kubectl";

/// Forwards every request to the demo cluster with the admin's bearer token added.
async fn token_proxy(sim: &SimHandle) -> SocketAddr {
    let upstream = sim.addr();
    let ca = sim.ca_der().to_vec();
    let authorization = format!("Bearer {}", sim.token());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (authorization, ca) = (authorization.clone(), ca.clone());
            let service = service_fn(move |request| {
                forward(upstream, ca.clone(), authorization.clone(), request)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    address
}

async fn forward(
    upstream: SocketAddr,
    ca: Vec<u8>,
    authorization: String,
    mut request: Request<Incoming>,
) -> Result<Response<Incoming>, Box<dyn std::error::Error + Send + Sync>> {
    request
        .headers_mut()
        .insert(hyper::header::AUTHORIZATION, authorization.parse()?);
    let stream = common::sim::tls::connect(upstream, &ca).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender.send_request(request).await?)
}

/// kubectl with its own kubeconfig (the proxy, namespace default, no user), cache and home.
fn kubectl(proxy: SocketAddr, home: &Path, args: &[&str]) -> Command {
    let kubeconfig = home.join("kubeconfig");
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: demo\n  cluster: {{server: \"http://{proxy}\"}}\ncontexts:\n- name: demo\n  context: {{cluster: demo, namespace: default}}\ncurrent-context: demo\n"
    );
    std::fs::write(&kubeconfig, config).unwrap();
    let mut command = Command::new(KUBECTL);
    command
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("--cache-dir")
        .arg(home.join("cache"))
        .args(args);
    command
}

/// Runs kubectl to the end and checks it succeeded; its stdout and stderr.
async fn run_both(proxy: SocketAddr, home: &Path, args: &[&str]) -> (String, String) {
    let mut command = kubectl(proxy, home, args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "kubectl {args:?}: {stderr}");
    (stdout, stderr)
}

/// Its stdout, when it also said nothing on stderr.
async fn run(proxy: SocketAddr, home: &Path, args: &[&str]) -> String {
    let (stdout, stderr) = run_both(proxy, home, args).await;
    assert_eq!(stderr, "", "kubectl {args:?}");
    stdout
}

/// The words of each line, for comparing columns whatever their widths.
fn words(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn installed() -> bool {
    if Path::new(KUBECTL).exists() {
        return true;
    }
    eprintln!("skipped: {KUBECTL} is not installed, so there is no real kubectl to run");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_prints_tables_like_a_real_cluster() {
    if !installed() {
        return;
    }
    let t = recorded_cluster(SidecarMode::Native).await;
    let proxy = token_proxy(&t.sim).await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    let pods = words(&run(proxy, home, &["get", "pods"]).await);
    assert_eq!(pods[0], ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert_eq!(pods.len(), 7, "{pods:?}");
    for row in &pods[1..] {
        assert_eq!(row[1..4], ["2/2", "Running", "0"], "{row:?}");
    }
    let reviews = pods
        .iter()
        .filter(|r| r[0].starts_with("reviews-v"))
        .count();
    assert_eq!(reviews, 3);

    let selector = format!("metadata.name={}", pods[2][0]);
    let selected = run(proxy, home, &["get", "pods", "--field-selector", &selector]).await;
    let selected = words(&selected);
    assert_eq!(selected.len(), 2);
    assert_eq!(selected[1][..4], pods[2][..4]);
    let (nothing, said) = run_both(proxy, home, &["get", "gateways", "-n", "istio-system"]).await;
    assert_eq!(
        (nothing.as_str(), said.trim_end()),
        ("", "No resources found in istio-system namespace.")
    );

    let wide = words(&run(proxy, home, &["get", "pods", "-o", "wide"]).await);
    let header = "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES";
    assert_eq!(wide[0].join(" "), header);
    assert!(
        wide[1..]
            .iter()
            .all(|r| r[6] == "bookinfo-worker" && r[7..] == ["<none>", "<none>"])
    );

    let labelled = run(
        proxy,
        home,
        &["get", "pods", "-l", "app=ratings", "--show-labels"],
    )
    .await;
    let labelled = words(&labelled);
    assert_eq!(labelled[0].last().unwrap(), "LABELS");
    assert_eq!(labelled.len(), 2);
    assert!(labelled[1][5].contains("app=ratings") && labelled[1][5].contains("version=v1"));

    let namespaces = words(&run(proxy, home, &["get", "ns", "-L", "istio-injection"]).await);
    assert_eq!(namespaces[0], ["NAME", "STATUS", "AGE", "ISTIO-INJECTION"]);
    let default = namespaces.iter().find(|r| r[0] == "default").unwrap();
    assert_eq!(default[1..2], ["Active"]);
    assert_eq!(default.last().unwrap(), "enabled");

    let services = words(&run(proxy, home, &["get", "svc", "-n", "istio-system"]).await);
    assert_eq!(
        services[0].join(" "),
        "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE"
    );
    let gateway = services
        .iter()
        .find(|r| r[0] == "istio-ingressgateway")
        .unwrap();
    assert_eq!(gateway[1..2], ["LoadBalancer"]);
    // Where the demo's gateway really listens (the recording's cluster had 172.18.255.200).
    assert_eq!(gateway[3], t.sim.gateway_addr().ip().to_string());

    let routes = words(&run(proxy, home, &["get", "vs"]).await);
    assert_eq!(routes[0], ["NAME", "GATEWAYS", "HOSTS", "AGE"]);
    assert_eq!(
        routes[1][..3],
        ["bookinfo", "[\"bookinfo-gateway\"]", "[\"*\"]"]
    );
    // A missing column stays blank.
    assert_eq!(routes[2][..2], ["reviews", "[\"reviews\"]"]);

    let named = run(
        proxy,
        home,
        &["get", "deploy", "reviews-v2", "--no-headers"],
    )
    .await;
    assert_eq!(words(&named)[0][..4], ["reviews-v2", "1/1", "1", "1"]);
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_get_w_prints_a_line_per_change() {
    if !installed() {
        return;
    }
    let t: Tester = recorded_cluster(SidecarMode::Classic).await;
    let proxy = token_proxy(&t.sim).await;
    let home = tempfile::tempdir().unwrap();
    let mut child = kubectl(
        proxy,
        home.path(),
        &["get", "pods", "-l", "app=reviews", "-w"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });
    let next_line = || lines.recv_timeout(Duration::from_secs(20)).unwrap();
    let header = next_line();
    assert_eq!(
        words(&header)[0],
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
    let pod = (0..3)
        .map(|_| words(&next_line())[0][0].clone())
        .find(|name| name.starts_with("reviews-v1-"))
        .unwrap();

    let patch =
        "watch-table/04-patch-status-not-ready-merge-patch-pod-reviews-v1-5975c48ccb-d4cvq-status";
    let mut request = recorded_request(patch);
    request["path"] = json!(format!("/api/v1/namespaces/default/pods/{pod}/status"));
    assert_eq!(t.send(&request, Duration::from_secs(5)).await.status, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    let changed = loop {
        let line = words(&next_line()).remove(0);
        if line[0] == pod || Instant::now() > deadline {
            break line;
        }
    };
    assert_eq!(changed[..4], [pod.as_str(), "1/2", "Running", "0"]);
    // kubectl would run until Ctrl-C; this is the child this test started.
    child.kill().unwrap();
    child.wait().unwrap();
    t.sim.shutdown().await;
}
