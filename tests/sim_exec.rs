//! `kubectl exec` against the demo cluster: the guide's own command (lesson 3) through the real
//! kubectl, exit codes and refusals as a real cluster reports them, the mesh's answers to curl
//! inside a pod (kube-rs's exec), the `sh` prompt, the access-log hook, and a client that goes
//! away mid-exec without taking the demo cluster down.

mod common {
    pub mod harness;
    pub mod kubectl;
    pub mod sim;
}

use std::sync::{Arc, Mutex};

use common::harness::guide_cluster;
use common::kubectl::{self, Kubectl, text};
use common::sim::wait_for_running_pods;
use istio_lab::sim::{AccessLog, PodRequest, SimHandle};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, AttachParams, ListParams};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn cluster() -> (SimHandle, Client) {
    let sim = guide_cluster(50.0)
        .await
        .expect("the guide's cluster starts");
    wait_for_running_pods(&sim).await;
    let client = Client::try_from(sim.kube_config()).expect("a client");
    (sim, client)
}

async fn pod_of(client: &Client, app: &str) -> String {
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let list = pods
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .expect("pods list");
    list.items[0].metadata.name.clone().expect("a named pod")
}

/// The guide's exec line from lesson 3, as the learner copies it (without the prompt).
fn guide_exec_line() -> String {
    let lesson = include_str!("../lessons/ko/03-bookinfo.md");
    lesson
        .lines()
        .find_map(|l| l.strip_prefix("$ kubectl exec"))
        .map(|rest| format!("kubectl exec{rest}"))
        .expect("lesson 3 shows a kubectl exec command")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_exec_command_prints_the_page_title() {
    if kubectl::missing() {
        return;
    }
    let (sim, _client) = cluster().await;
    let kubectl = Kubectl::new(&sim);
    let out = kubectl.shell(&guide_exec_line()).await;
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "<title>Simple Bookstore App</title>\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reports_exit_codes_and_refusals_as_from_a_real_cluster() {
    if kubectl::missing() {
        return;
    }
    let (sim, client) = cluster().await;
    let kubectl = Kubectl::new(&sim);
    let ratings = pod_of(&client, "ratings").await;
    let out = kubectl
        .run(&["exec", &ratings, "-c", "ratings", "--", "foo"])
        .await;
    assert_eq!(out.status.code(), Some(127));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("exec: \"foo\": executable file not found in $PATH: unknown"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("command terminated with exit code 127\n"),
        "{stderr}"
    );

    let out = kubectl
        .run(&[
            "exec",
            &ratings,
            "-c",
            "ratings",
            "--",
            "curl",
            "-sS",
            "nowhere:9080/",
        ])
        .await;
    assert_eq!(out.status.code(), Some(6));
    assert!(text(&out.stderr).starts_with("curl: (6) Could not resolve host: nowhere\n"));

    let out = kubectl
        .run(&["exec", &ratings, "-c", "nope", "--", "hostname"])
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!("Error from server (BadRequest): container nope is not valid for pod {ratings}\n")
    );

    let out = kubectl
        .run(&["exec", "ratings-gone", "--", "hostname"])
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "Error from server (NotFound): pods \"ratings-gone\" not found\n"
    );

    // A Deployment names its pod, as kubectl resolves `deploy/…` (its first pod by name).
    let out = kubectl
        .run(&[
            "exec",
            "deploy/ratings-v1",
            "-c",
            "ratings",
            "--",
            "hostname",
        ])
        .await;
    assert_eq!(
        text(&out.stdout),
        format!("{ratings}\n"),
        "{}",
        text(&out.stderr)
    );
}

#[derive(Default)]
struct Recorder(Mutex<Vec<PodRequest>>);

impl AccessLog for Recorder {
    fn on_request(&self, request: &PodRequest) {
        self.0.lock().unwrap().push(request.clone());
    }
}

/// stdout and the exit status of one non-interactive exec through kube-rs.
async fn exec(pods: &Api<Pod>, pod: &str, command: &[&str]) -> (String, Option<String>) {
    let params = AttachParams::default().container("ratings").stderr(true);
    let mut process = pods
        .exec(pod, command.to_vec(), &params)
        .await
        .expect("exec");
    let mut stdout = String::new();
    process
        .stdout()
        .expect("stdout attached")
        .read_to_string(&mut stdout)
        .await
        .expect("stdout reads");
    let status = process.take_status().expect("a status").await;
    let failed = status.and_then(|s| s.message);
    (stdout, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_inside_a_pod_reaches_bookinfo_routed_by_the_mesh() {
    let (sim, client) = cluster().await;
    let recorder = Arc::new(Recorder::default());
    sim.hooks().set_access_log(recorder.clone());
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let ratings = pod_of(&client, "ratings").await;

    let (body, failed) = exec(
        &pods,
        &ratings,
        &[
            "curl",
            "-s",
            "http://reviews.default.svc.cluster.local:9080/reviews/0",
        ],
    )
    .await;
    assert_eq!(failed, None);
    let reviews: serde_json::Value = serde_json::from_str(&body).expect("reviews JSON");
    let podname = reviews["podname"].as_str().expect("podname").to_string();
    // The guide's 80/20 route: only v1 and v2 serve.
    assert!(
        podname.starts_with("reviews-v1-") || podname.starts_with("reviews-v2-"),
        "{podname}"
    );
    let recorded = recorder.0.lock().unwrap().clone();
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].pod.as_str(), recorded[0].path.as_str()),
        (podname.as_str(), "/reviews/0")
    );
    assert_eq!(
        (recorded[0].status, recorded[0].bytes),
        (200, body.len() as u64)
    );

    let (code, _) = exec(
        &pods,
        &ratings,
        &[
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "details:9080/details/0",
        ],
    )
    .await;
    assert_eq!(code, "200");
    let (code, _) = exec(
        &pods,
        &ratings,
        &[
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "ratings:9080/nope",
        ],
    )
    .await;
    assert_eq!(code, "404");
    let (head, _) = exec(
        &pods,
        &ratings,
        &["curl", "-sI", "productpage:9080/productpage"],
    )
    .await;
    assert!(
        head.starts_with("HTTP/1.1 200 OK\r\ncontent-type: text/html"),
        "{head}"
    );
    let (_, failed) = exec(&pods, &ratings, &["curl", "-sS", "productpage:80/"]).await;
    assert_eq!(
        failed.as_deref(),
        Some(
            "command terminated with non-zero exit code: error executing command [curl -sS productpage:80/], exit code 7"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sh_with_a_tty_prompts_runs_commands_and_exits_with_the_code_given() {
    let (_sim, client) = cluster().await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let ratings = pod_of(&client, "ratings").await;
    let params = AttachParams::interactive_tty().container("ratings");
    let mut process = pods
        .exec(&ratings, vec!["sh"], &params)
        .await
        .expect("exec sh");
    let mut stdin = process.stdin().expect("stdin attached");
    stdin
        .write_all(b"hostnamx\x7fe\recho a 'b  c'\rnope\rexit 3\r")
        .await
        .unwrap();
    let mut screen = String::new();
    process
        .stdout()
        .expect("stdout")
        .read_to_string(&mut screen)
        .await
        .unwrap();
    let status = process
        .take_status()
        .expect("a status")
        .await
        .expect("sent");
    assert!(screen.starts_with("$ hostnamx\x08 \x08e\r\n"), "{screen:?}");
    assert!(
        screen.contains(&format!("\r\n{ratings}\r\n$ ")),
        "{screen:?}"
    );
    assert!(
        screen.contains("a b  c\r\n$ nope\r\nsh: 1: nope: not found\r\n$ exit 3\r\n"),
        "{screen:?}"
    );
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    let causes = status.details.and_then(|d| d.causes).unwrap_or_default();
    assert_eq!(causes[0].message.as_deref(), Some("3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_gone_mid_exec_leaves_the_cluster_serving() {
    let (_sim, client) = cluster().await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let ratings = pod_of(&client, "ratings").await;
    for _ in 0..3 {
        let params = AttachParams::interactive_tty().container("ratings");
        let mut process = pods
            .exec(&ratings, vec!["sh"], &params)
            .await
            .expect("exec sh");
        let mut stdin = process.stdin().expect("stdin attached");
        // Half a line, then the connection is dropped without a close frame.
        stdin.write_all(b"curl -s produ").await.unwrap();
        process.abort();
    }
    let (stdout, failed) = exec(&pods, &ratings, &["hostname"]).await;
    assert_eq!((stdout, failed), (format!("{ratings}\n"), None));
    assert!(
        !pods
            .list(&ListParams::default())
            .await
            .expect("lists still")
            .items
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sh_c_runs_one_command_and_says_plainly_that_pipes_belong_on_the_learners_side() {
    let (_sim, client) = cluster().await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let ratings = pod_of(&client, "ratings").await;
    let (stdout, failed) = exec(&pods, &ratings, &["sh", "-c", "echo 'a  b'"]).await;
    assert_eq!((stdout.as_str(), failed), ("a  b\n", None));
    let params = AttachParams::default().container("ratings").stderr(true);
    let line = "curl -s productpage:9080/productpage | grep title";
    let mut process = pods
        .exec(&ratings, vec!["sh", "-c", line], &params)
        .await
        .unwrap();
    let mut stderr = String::new();
    process
        .stderr()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    assert!(
        stderr.contains("pipe on your side: kubectl exec"),
        "{stderr}"
    );
    let status = process.take_status().unwrap().await.unwrap();
    let causes = status.details.and_then(|d| d.causes).unwrap_or_default();
    assert_eq!(causes[0].message.as_deref(), Some("2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_end_open_exec_sessions_too() {
    let (sim, client) = cluster().await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let ratings = pod_of(&client, "ratings").await;
    let params = AttachParams::interactive_tty().container("ratings");
    let mut process = pods
        .exec(&ratings, vec!["sh"], &params)
        .await
        .expect("exec sh");
    // Held open: the session waits for input, so only the dropped connection can end it.
    let _stdin = process.stdin().expect("stdin attached");
    let mut stdout = process.stdout().expect("stdout");
    let mut prompt = [0u8; 2];
    stdout.read_exact(&mut prompt).await.expect("the prompt");
    assert_eq!(&prompt, b"$ ");
    sim.drop_connections();
    // A guard against a hang, not a speed check: the session ends with its connection.
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), process.join()).await;
    assert!(ended.is_ok(), "the session outlived its dropped connection");
}
