//! The real `kubectl` (/usr/bin/kubectl) writing to the demo cluster with the kubeconfig it
//! writes: client-side apply twice (create, then a strategic merge patch), label, annotate,
//! scale, rollout restart, set image, edit, create namespace/deployment (protobuf bodies),
//! unknown fields under fieldValidation Strict and Warn, and a malformed body. Skipped, with
//! a printed reason, where kubectl is not installed.

mod common {
    pub mod sim;
}

use std::path::Path;
use std::process::{Command, Output};

use common::sim::Tester;
use serde_json::Value;

const KUBECTL: &str = "/usr/bin/kubectl";

fn kubectl_missing() -> bool {
    if Path::new(KUBECTL).exists() {
        return false;
    }
    eprintln!("skipped: {KUBECTL} is not installed, so there is no real kubectl to run");
    true
}

struct Shell {
    dir: tempfile::TempDir,
}

impl Shell {
    fn new(t: &Tester) -> Shell {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kubeconfig"), t.sim.kubeconfig_yaml()).unwrap();
        Shell { dir }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(KUBECTL);
        command
            .arg("--kubeconfig")
            .arg(self.dir.path().join("kubeconfig"))
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .env("HOME", self.dir.path())
            .env_remove("KUBECONFIG");
        command
    }

    /// Runs kubectl on a blocking thread, so the demo cluster keeps answering meanwhile.
    async fn run_with(&self, mut command: Command) -> Output {
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }

    async fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.run_with(self.command(args)).await;
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs kubectl, checks it succeeded, and returns its stdout and stderr.
    async fn ok(&self, args: &[&str]) -> (String, String) {
        let (ok, out, err) = self.run(args).await;
        assert!(ok, "kubectl {args:?} failed:\n{out}\n{err}");
        (out, err)
    }

    async fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let (out, _) = self.ok(&all).await;
        serde_json::from_str(&out).unwrap()
    }
}

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: details
  labels: {app: details}
spec:
  selector: {app: details}
  ports:
  - {name: http, port: 9080}
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
  labels: {app: reviews, version: v1}
spec:
  replicas: 1
  selector:
    matchLabels: {app: reviews, version: v1}
  template:
    metadata:
      labels: {app: reviews, version: v1}
    spec:
      containers:
      - name: reviews
        image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.3
        env:
        - {name: LOG_DIR, value: /tmp/logs}
        ports:
        - containerPort: 9080
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_twice_sends_a_strategic_merge_patch_that_lands() {
    if kubectl_missing() {
        return;
    }
    let t = Tester::start().await;
    let sh = Shell::new(&t);
    let first = sh.file("first.yaml", &format!("{SERVICE}---\n{DEPLOYMENT}"));
    let (out, err) = sh.ok(&["apply", "-f", &first]).await;
    assert_eq!(
        out,
        "service/details created\ndeployment.apps/reviews-v1 created\n"
    );
    assert_eq!(err, "");
    let changed = DEPLOYMENT
        .replace("replicas: 1", "replicas: 2")
        .replace("/tmp/logs", "/tmp/reviews-logs");
    let second = sh.file("second.yaml", &format!("{SERVICE}---\n{changed}"));
    let (out, err) = sh.ok(&["apply", "-f", &second]).await;
    assert_eq!(
        out,
        "service/details unchanged\ndeployment.apps/reviews-v1 configured\n"
    );
    assert_eq!(err, "");
    let deployment = sh.json(&["get", "deployment", "reviews-v1"]).await;
    assert_eq!(deployment["spec"]["replicas"], 2);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["env"][0]["value"], "/tmp/reviews-logs");
    let patches: Vec<_> = t
        .sim
        .requests()
        .iter()
        .filter(|r| r.method == hyper::Method::PATCH)
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        patches,
        ["/apis/apps/v1/namespaces/default/deployments/reviews-v1"]
    );
    let last_applied =
        &deployment["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"];
    assert!(last_applied.as_str().unwrap().contains("/tmp/reviews-logs"));
}

const VIRTUAL_SERVICE: &str = "apiVersion: networking.istio.io/VERSION
kind: VirtualService
metadata:
  name: reviews-VERSION
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: FIRST
    - destination: {host: reviews, subset: v2}
      weight: SECOND
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_resources_apply_twice_with_a_merge_patch_in_every_served_version() {
    if kubectl_missing() {
        return;
    }
    let t = Tester::start().await;
    let sh = Shell::new(&t);
    for version in ["v1", "v1beta1", "v1alpha3"] {
        let vs = |weight: u32| {
            VIRTUAL_SERVICE
                .replace("VERSION", version)
                .replace("FIRST", &weight.to_string())
                .replace("SECOND", &(100 - weight).to_string())
        };
        let first = sh.file("vs1.yaml", &vs(80));
        let (out, _) = sh.ok(&["apply", "-f", &first]).await;
        assert_eq!(
            out,
            format!("virtualservice.networking.istio.io/reviews-{version} created\n")
        );
        let second = sh.file("vs2.yaml", &vs(50));
        let (out, err) = sh.ok(&["apply", "-f", &second]).await;
        assert_eq!(
            out,
            format!("virtualservice.networking.istio.io/reviews-{version} configured\n")
        );
        assert_eq!(err, "");
        let name = format!("virtualservice/reviews-{version}");
        let vs = sh.json(&["get", &name]).await;
        assert_eq!(vs["spec"]["http"][0]["route"][0]["weight"], 50);
    }
    // kubectl tried the strategic merge patch only where the schema allowed it: custom
    // resources got merge patches, never a 415.
    let patches = t
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.method == hyper::Method::PATCH)
        .count();
    assert_eq!(patches, 3);
    let fetched = |path: &str| t.sim.requests().iter().any(|r| r.path == path);
    assert!(fetched("/openapi/v3/apis/networking.istio.io/v1"));
    assert!(
        fetched("/openapi/v2"),
        "kubectl's fallback for the other versions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_are_refused_under_strict_and_warned_under_warn() {
    if kubectl_missing() {
        return;
    }
    let t = Tester::start().await;
    let sh = Shell::new(&t);
    let typo = SERVICE.replace("name: details\n", "name: details-typo\n") + "  foo: 1\n";
    let typo = sh.file("typo.yaml", &typo);
    let (ok, _, err) = sh.run(&["apply", "-f", &typo]).await;
    assert!(!ok);
    assert!(
        err.contains(
            "Error from server (BadRequest): error when creating \"".to_string().as_str()
        ) && err.contains(
            "Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.foo\""
        ),
        "{err}"
    );
    let (out, err) = sh.ok(&["apply", "--validate=warn", "-f", &typo]).await;
    assert_eq!(out, "service/details-typo created\n");
    assert_eq!(err, "Warning: unknown field \"spec.foo\"\n");
    let stored = sh.json(&["get", "service", "details-typo"]).await;
    assert!(stored["spec"].get("foo").is_none(), "{stored}");
    // The same typo on an object that exists goes through the strategic merge patch; the
    // last-applied annotation already has it, so the patch is the field alone.
    let (ok, _, err) = sh.run(&["apply", "-f", &typo]).await;
    assert!(!ok);
    assert_eq!(
        err,
        "The request is invalid: patch: Invalid value: \"map[spec:map[foo:1]]\": \
         strict decoding error: unknown field \"spec.foo\"\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_annotate_scale_restart_set_image_and_edit() {
    if kubectl_missing() {
        return;
    }
    let t = Tester::start().await;
    let sh = Shell::new(&t);
    let manifest = sh.file("d.yaml", DEPLOYMENT);
    sh.ok(&["apply", "-f", &manifest]).await;

    let (out, _) = sh
        .ok(&["label", "ns", "default", "istio-injection=enabled"])
        .await;
    assert_eq!(out, "namespace/default labeled\n");
    let (out, _) = sh.ok(&["label", "ns", "default", "istio-injection-"]).await;
    assert_eq!(out, "namespace/default unlabeled\n");
    let ns = sh.json(&["get", "ns", "default"]).await;
    assert!(ns["metadata"]["labels"].get("istio-injection").is_none());

    let (out, _) = sh
        .ok(&["annotate", "deployment", "reviews-v1", "owner=lab"])
        .await;
    assert_eq!(out, "deployment.apps/reviews-v1 annotated\n");

    let (out, _) = sh
        .ok(&["scale", "deployment", "reviews-v1", "--replicas=3"])
        .await;
    assert_eq!(out, "deployment.apps/reviews-v1 scaled\n");

    let (out, _) = sh
        .ok(&["rollout", "restart", "deployment", "reviews-v1"])
        .await;
    assert_eq!(out, "deployment.apps/reviews-v1 restarted\n");

    let (out, _) = sh
        .ok(&[
            "set",
            "image",
            "deployment/reviews-v1",
            "reviews=reviews:v9",
        ])
        .await;
    assert_eq!(out, "deployment.apps/reviews-v1 image updated\n");

    let mut edit = sh.command(&["edit", "deployment", "reviews-v1"]);
    edit.env("EDITOR", "sed -i s/LOG_DIR/LOG_PATH/");
    let out = sh.run_with(edit).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, "deployment.apps/reviews-v1 edited\n");

    let d = sh.json(&["get", "deployment", "reviews-v1"]).await;
    assert_eq!(d["spec"]["replicas"], 3);
    assert_eq!(d["metadata"]["annotations"]["owner"], "lab");
    let template = &d["spec"]["template"];
    assert!(template["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"].is_string());
    assert_eq!(template["spec"]["containers"][0]["image"], "reviews:v9");
    assert_eq!(
        template["spec"]["containers"][0]["env"][0]["name"],
        "LOG_PATH"
    );
    let (out, _) = sh
        .ok(&[
            "get",
            "deployment",
            "reviews-v1",
            "-o",
            "jsonpath={.spec.replicas}",
        ])
        .await;
    assert_eq!(out, "3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_namespace_and_deployment_send_protobuf_that_is_understood() {
    if kubectl_missing() {
        return;
    }
    let t = Tester::start().await;
    let sh = Shell::new(&t);
    let (out, _) = sh.ok(&["create", "namespace", "lab"]).await;
    assert_eq!(out, "namespace/lab created\n");
    let (out, _) = sh
        .ok(&[
            "create",
            "deployment",
            "web",
            "--image=nginx:1.27",
            "-n",
            "lab",
            "--replicas=2",
        ])
        .await;
    assert_eq!(out, "deployment.apps/web created\n");
    let d = sh.json(&["get", "deployment", "web", "-n", "lab"]).await;
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(d["spec"]["selector"]["matchLabels"]["app"], "web");
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
    let ns = sh.json(&["get", "namespace", "lab"]).await;
    assert_eq!(ns["metadata"]["name"], "lab");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_body_is_the_apiservers_400() {
    if kubectl_missing() {
        return;
    }
    let t = Tester::start().await;
    let sh = Shell::new(&t);
    let broken = sh.file(
        "broken.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"",
    );
    let (ok, _, err) = sh
        .run(&[
            "create",
            "--raw",
            "/api/v1/namespaces/default/services",
            "-f",
            &broken,
        ])
        .await;
    assert!(!ok);
    assert!(err.starts_with("Error from server (BadRequest)"), "{err}");
}
