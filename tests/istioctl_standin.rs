//! The demo's `istioctl` stand-in (`istio-lab istioctl …`), run as the learner's shell runs
//! it: the binary, with KUBECONFIG pointing at a demo cluster.

#[path = "common/harness.rs"]
mod harness;

use std::path::Path;
use std::process::{Command, Output};

use istio_lab::features::cluster::apply::apply_manifest;
use kube::Client;

fn istioctl(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_istio-lab"))
        .arg("istioctl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env_remove("ISTIO_LAB_LOG")
        .output()
        .expect("the binary runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_s_istioctl_commands_answer_as_istioctl_does() {
    let sim = harness::guide_cluster(50.0)
        .await
        .expect("the guide's cluster");
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, sim.kubeconfig_yaml()).expect("kubeconfig written");
    let client = Client::try_from(sim.kube_config()).expect("client");

    let version = istioctl(&kubeconfig, &["version"]);
    assert!(version.status.success(), "{}", text(&version));
    let shown = text(&version);
    assert!(shown.starts_with("client version: 1.28.0\n"), "{shown}");
    assert!(shown.contains("control plane version: 1.28.0"), "{shown}");
    assert!(
        shown.contains("대역"),
        "says it is the demo's stand-in: {shown}"
    );

    // The guide's objects are consistent: nothing to report.
    let clean = istioctl(&kubeconfig, &["analyze"]);
    assert_eq!(
        String::from_utf8_lossy(&clean.stdout),
        "✔ No validation issues found when analyzing namespace: default.\n"
    );
    assert_eq!(clean.status.code(), Some(0));

    // A route to a subset the DestinationRule lacks: IST0101, exit 79.
    apply_manifest(
        &client,
        "default",
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: ratings\nspec:\n  hosts: [ratings]\n  http:\n  - route:\n    - destination:\n        host: ratings\n        subset: v9\n",
    )
    .await
    .expect("applied");
    let broken = istioctl(&kubeconfig, &["analyze"]);
    let shown = text(&broken);
    assert_eq!(broken.status.code(), Some(79), "{shown}");
    assert!(
        shown.contains("Error [IST0101] (VirtualService ratings.default)"),
        "{shown}"
    );
    assert!(
        shown.contains("Error: Analyzers found issues when analyzing namespace: default."),
        "{shown}"
    );

    // manifest generate | kubectl delete -f - removes what install makes; install brings it back.
    let manifest = istioctl(
        &kubeconfig,
        &["manifest", "generate", "--set", "profile=demo"],
    );
    assert!(manifest.status.success());
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(&String::from_utf8_lossy(&manifest.stdout)).expect("YAML");
    assert!(
        docs.iter()
            .any(|d| d["kind"] == "Deployment" && d["metadata"]["name"] == "istiod")
    );

    let uninstall = istioctl(&kubeconfig, &["uninstall", "-y", "--purge"]);
    let shown = text(&uninstall);
    assert!(uninstall.status.success(), "{shown}");
    assert!(
        shown.contains("  Removed Deployment:istio-system:istiod."),
        "{shown}"
    );
    assert!(shown.ends_with("✔ Uninstall complete\n"), "{shown}");
    let deployments: kube::Api<k8s_openapi::api::apps::v1::Deployment> =
        kube::Api::namespaced(client.clone(), "istio-system");
    assert!(deployments.get_opt("istiod").await.expect("get").is_none());

    let install = istioctl(&kubeconfig, &["install", "--set", "profile=demo", "-y"]);
    let shown = text(&install);
    assert!(install.status.success(), "{shown}");
    for line in [
        "✔ Istio core installed",
        "✔ Istiod installed",
        "✔ Egress gateways installed",
        "✔ Ingress gateways installed",
        "✔ Installation complete",
    ] {
        assert!(shown.contains(line), "{line} in {shown}");
    }
    assert!(deployments.get_opt("istiod").await.expect("get").is_some());

    // Mistakes are refused the way istioctl refuses them.
    let other = istioctl(&kubeconfig, &["install", "--set", "profile=minimal", "-y"]);
    assert_eq!(other.status.code(), Some(64), "{}", text(&other));
    let unknown = istioctl(&kubeconfig, &["proxy-status"]);
    assert_eq!(unknown.status.code(), Some(64));
    sim.shutdown().await;
}

#[test]
fn without_a_cluster_version_still_names_the_client() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = istioctl(&dir.path().join("missing"), &["version"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("client version: 1.28.0\n"));
    let analyze = istioctl(&dir.path().join("missing"), &["analyze"]);
    assert_eq!(analyze.status.code(), Some(1));
    assert!(
        text(&analyze).contains("Error: failed to load kubeconfig"),
        "{}",
        text(&analyze)
    );
}

/// On a gateway port other than 80 (another process holds 80, or the sim may not bind it),
/// installing again keeps the Service's `http2` port where the gateway listens: no conflict
/// with the demo's installer, and the guide's GATEWAY_URL still answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn installing_again_keeps_the_gateways_real_port() {
    use istio_lab::sim::{self, Listen, Scenario, SimOptions};
    use k8s_openapi::api::core::v1::Service;
    use kube::Api;
    let options = SimOptions {
        port: 0,
        speed: 50.0,
        scenario: Scenario::demo().expect("the demo scenario"),
    };
    let sim = sim::start_with_gateway(options, &Listen::default(), Some(0))
        .await
        .expect("the demo cluster starts");
    let gateway_port = i32::from(sim.gateway_addr().port());
    assert_ne!(gateway_port, 80, "a free port was asked for");
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, sim.kubeconfig_yaml()).expect("kubeconfig written");

    let install = istioctl(&kubeconfig, &["install", "--set", "profile=demo", "-y"]);
    assert!(install.status.success(), "{}", text(&install));

    let client = Client::try_from(sim.kube_config()).expect("client");
    let services: Api<Service> = Api::namespaced(client, "istio-system");
    let service = services
        .get("istio-ingressgateway")
        .await
        .expect("the Service");
    let http2 = service
        .spec
        .and_then(|s| s.ports)
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.name.as_deref() == Some("http2"))
        .map(|p| p.port);
    assert_eq!(http2, Some(gateway_port));
}

/// The app's shell sets KUBECONFIG to a list (`<overlay>:<kubeconfig>`); the stand-in reads
/// it as kubectl does, merged, instead of as one file name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kubeconfig_list_is_read_as_kubectl_reads_it() {
    let sim = harness::guide_cluster(50.0)
        .await
        .expect("the guide's cluster");
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("first.yaml");
    std::fs::write(&first, "apiVersion: v1\nkind: Config\npreferences: {}\n").expect("written");
    let second = dir.path().join("second.yaml");
    std::fs::write(&second, sim.kubeconfig_yaml()).expect("written");
    let list = std::env::join_paths([&first, &second]).expect("joined");
    let version = istioctl(Path::new(&list), &["version"]);
    let shown = text(&version);
    assert!(version.status.success(), "{shown}");
    assert!(
        shown.contains("control plane version: 1.28.0"),
        "the cluster was reached: {shown}"
    );
}
