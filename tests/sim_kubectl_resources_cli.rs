//! The guide's commands typed into a shell against `istio-lab sim`, with the real
//! /usr/bin/kubectl (skipped where it is not installed): ConfigMaps, Secrets, Endpoints and
//! Events print as on a real cluster, `describe pod` tells the pod's story, a rollout waits
//! and reports success, the addons come up from `samples/addons`, removing the injection
//! label stops injection, and a deleted namespace goes through Terminating.
//!
//! `kubectl apply` runs with `--validate=false`: the demo cluster serves no OpenAPI
//! documents on this branch, and kubectl's client-side validation needs them.

mod common {
    pub mod sim_shell;
}
use common::sim_shell::{Shell, kubectl_installed, words};

#[test]
fn kubectl_reads_the_guides_resources_like_a_real_cluster() {
    if !kubectl_installed() {
        return;
    }
    let shell = Shell::start(10.0);
    assert!(
        shell
            .block
            .contains(&format!("cd {}", shell.istio_dir().display())),
        "{}",
        shell.block
    );
    let bookinfo = "samples/bookinfo/platform/kube/bookinfo.yaml";
    shell.ok(&["apply", "--validate=false", "-f", bookinfo]);
    let rolled = shell.ok(&[
        "rollout",
        "status",
        "deployment/productpage-v1",
        "--timeout=60s",
    ]);
    assert!(
        rolled
            .stdout
            .ends_with("deployment \"productpage-v1\" successfully rolled out\n"),
        "{rolled:?}"
    );

    let configmaps = words(&shell.ok(&["get", "cm"]).stdout);
    assert_eq!(configmaps[0], ["NAME", "DATA", "AGE"]);
    assert_eq!(configmaps[1][..2], ["kube-root-ca.crt", "1"]);
    let secrets = shell.ok(&["get", "secret"]);
    assert_eq!(
        (secrets.stdout.as_str(), secrets.stderr.as_str()),
        ("", "No resources found in default namespace.\n")
    );

    let endpoints = shell.until(&["get", "endpoints"], |out| {
        out.lines()
            .any(|l| l.starts_with("reviews ") && l.matches(":9080").count() == 3)
    });
    let endpoints = words(&endpoints);
    assert_eq!(endpoints[0], ["NAME", "ENDPOINTS", "AGE"]);
    let names: Vec<&str> = endpoints[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["details", "productpage", "ratings", "reviews"]);
    let warned = shell.ok(&["get", "endpoints"]).stderr;
    assert_eq!(
        warned,
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n"
    );

    let events = shell.ok(&["get", "events"]).stdout;
    assert_eq!(
        words(&events)[0],
        ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    );
    for reason in [
        "Scheduled",
        "Pulling",
        "Pulled",
        "Created",
        "Started",
        "SuccessfulCreate",
        "ScalingReplicaSet",
    ] {
        assert!(
            words(&events)
                .iter()
                .any(|r| r.get(2).is_some_and(|w| w == reason)),
            "{reason}: {events}"
        );
    }

    let described = shell
        .ok(&["describe", "pod", "-l", "app=productpage"])
        .stdout;
    let story = described.split("Events:").nth(1).unwrap_or_default();
    let lines: Vec<Vec<String>> = words(story);
    assert_eq!(
        lines[1],
        ["Type", "Reason", "Age", "From", "Message"],
        "{story}"
    );
    assert_eq!(lines[3][..2], ["Normal", "Scheduled"], "{story}");
    assert_eq!(lines[3][3], "default-scheduler", "{story}");
    assert!(
        lines[3][6].starts_with("default/productpage-v1-"),
        "{story}"
    );
    let started = lines
        .iter()
        .find(|l| l.get(1).is_some_and(|w| w == "Started"))
        .unwrap();
    assert_eq!(
        started[3..],
        ["kubelet", "Started", "container", "productpage"]
    );

    // A new image rolls out through a second ReplicaSet, revision 2.
    let image = "reviews=docker.io/istio/examples-bookinfo-reviews-v1:1.20.4";
    shell.ok(&["set", "image", "deployment/reviews-v1", image]);
    let rolled = shell.ok(&[
        "rollout",
        "status",
        "deployment/reviews-v1",
        "--timeout=60s",
    ]);
    assert!(
        rolled
            .stdout
            .ends_with("deployment \"reviews-v1\" successfully rolled out\n"),
        "{rolled:?}"
    );
    let history = words(
        &shell
            .ok(&["rollout", "history", "deployment/reviews-v1"])
            .stdout,
    );
    let revisions: Vec<&str> = history[2..]
        .iter()
        .filter_map(|r| r.first().map(String::as_str))
        .collect();
    assert_eq!(revisions, ["1", "2"], "{history:?}");
    let sets = words(
        &shell
            .ok(&["get", "rs", "-l", "app=reviews,version=v1"])
            .stdout,
    );
    let mut desired: Vec<&str> = sets[1..].iter().map(|r| r[1].as_str()).collect();
    desired.sort();
    assert_eq!(desired, ["0", "1"]);
    // The old pod's end, as the controllers and the kubelet report it.
    let events = shell.until(&["get", "events"], |out| out.contains("Killing"));
    for said in [
        "Scaled down replica set reviews-v1-",
        "SuccessfulDelete",
        "Stopping container reviews",
    ] {
        assert!(events.contains(said), "{said}: {events}");
    }

    // Injection follows the namespace label, both ways.
    shell.ok(&["label", "namespace", "default", "istio-injection=enabled"]);
    shell.ok(&["delete", "pod", "-l", "app=ratings"]);
    shell.until(&["get", "pods", "-l", "app=ratings"], |out| {
        let rows = words(out);
        rows.len() == 2 && rows[1][1..3] == ["2/2", "Running"]
    });
    let unlabelled = shell.ok(&["label", "namespace", "default", "istio-injection-"]);
    assert_eq!(unlabelled.stdout, "namespace/default unlabeled\n");
    let labels = shell.ok(&["get", "ns", "default", "--show-labels"]).stdout;
    assert!(!labels.contains("istio-injection"), "{labels}");
    shell.ok(&["delete", "pod", "-l", "app=ratings"]);
    shell.until(&["get", "pods", "-l", "app=ratings"], |out| {
        let rows = words(out);
        rows.len() == 2 && rows[1][1..3] == ["1/1", "Running"]
    });
}

#[test]
fn the_addons_come_up_and_a_deleted_namespace_goes_through_terminating() {
    if !kubectl_installed() {
        return;
    }
    let shell = Shell::start(2.0);
    let applied = shell.ok(&["apply", "--validate=false", "-f", "samples/addons"]);
    for object in [
        "deployment.apps/kiali created",
        "deployment.apps/prometheus created",
        "deployment.apps/grafana created",
        "deployment.apps/jaeger created",
        "service/tracing created",
        "configmap/kiali created",
        "serviceaccount/prometheus created",
    ] {
        assert!(applied.stdout.contains(object), "{object}: {applied:?}");
    }
    let rolled = shell.ok(&[
        "rollout",
        "status",
        "deployment/kiali",
        "-n",
        "istio-system",
        "--timeout=60s",
    ]);
    assert!(
        rolled
            .stdout
            .ends_with("deployment \"kiali\" successfully rolled out\n"),
        "{rolled:?}"
    );
    let pods = shell.until(&["get", "pods", "-n", "istio-system"], |out| {
        ["grafana-", "jaeger-", "kiali-", "prometheus-"]
            .iter()
            .all(|app| {
                words(out).iter().any(|r| {
                    r[0].starts_with(app) && r[2] == "Running" && r[1].split('/').all_equal()
                })
            })
    });
    assert!(
        pods.contains("2/2"),
        "prometheus has its config reloader: {pods}"
    );
    // Each addon Service lists its pod.
    let kiali = ["get", "endpoints", "kiali", "-n", "istio-system"];
    let endpoints = shell.until(&kiali, |out| out.contains(":20001"));
    assert!(endpoints.contains(":9090"), "{endpoints}");

    let lab = shell.dir.path().join("lab.yaml");
    std::fs::write(
        &lab,
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: lab-xyz}\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: lab-xyz}\ndata: {a: b}\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: lab-xyz}\n\
         spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n\
         \x20   spec: {containers: [{name: web, image: nginx}]}\n",
    )
    .unwrap();
    let lab = lab.display().to_string();
    shell.ok(&["apply", "--validate=false", "-f", &lab]);
    shell.until(&["get", "pods", "-n", "lab-xyz"], |out| {
        out.contains("Running")
    });

    let deleted = shell.ok(&["delete", "namespace", "lab-xyz", "--wait=false"]);
    assert_eq!(deleted.stdout, "namespace \"lab-xyz\" deleted\n");
    let terminating = words(&shell.ok(&["get", "ns", "lab-xyz"]).stdout);
    assert_eq!(terminating[1][..2], ["lab-xyz", "Terminating"]);
    let refused = shell.kubectl(&["apply", "--validate=false", "-f", &lab]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains(
            "unable to create new content in namespace lab-xyz because it is being terminated"
        ),
        "{refused:?}"
    );
    // The waiting form returns once the namespace is gone.
    let waited = shell.ok(&["delete", "namespace", "lab-xyz", "--timeout=60s"]);
    assert_eq!(waited.stdout, "namespace \"lab-xyz\" deleted\n");
    let gone = shell.kubectl(&["get", "ns", "lab-xyz"]);
    assert_eq!(
        (gone.code, gone.stderr.as_str()),
        (
            1,
            "Error from server (NotFound): namespaces \"lab-xyz\" not found\n"
        )
    );

    // The guide's clean-up removes the addons again.
    let removed = shell.ok(&["delete", "-f", "samples/addons"]);
    assert!(
        removed.stdout.contains("deployment.apps \"kiali\" deleted"),
        "{removed:?}"
    );
    let left = shell.ok(&["get", "deploy", "-n", "istio-system"]).stdout;
    assert!(
        !left.contains("kiali") && !left.contains("grafana"),
        "{left}"
    );
}

/// `2/2`, `1/1`: every container ready.
trait AllEqual {
    fn all_equal(self) -> bool;
}

impl<'a, I: Iterator<Item = &'a str>> AllEqual for I {
    fn all_equal(mut self) -> bool {
        let Some(first) = self.next() else {
            return true;
        };
        self.all(|x| x == first)
    }
}
