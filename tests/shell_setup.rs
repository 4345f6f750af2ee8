//! What the shell pane's shell is given: on the demo cluster, a private kubeconfig that real
//! kubectl uses to reach it, in the app's context and lab namespace, and the `istioctl`
//! stand-in first on PATH; on a real cluster, the learner's kubeconfig behind a small overlay
//! and no stand-in. The files go when the app ends.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use istio_lab::features::shell::setup::{ShellTarget, prepare};
use istio_lab::sim;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("written")
        .permissions()
        .mode()
        & 0o777
}

fn env<'a>(spec: &'a istio_lab::features::shell::ShellSpec, key: &str) -> &'a str {
    spec.env
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{key} is set: {:?}", spec.env))
}

/// kubectl as the shell would run it, with only the shell's KUBECONFIG.
fn kubectl(kubeconfig: &str, args: &[&str]) -> Option<String> {
    let output = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env_remove("KUBECTL_CONTEXT")
        .output();
    match output {
        Ok(output) => {
            assert!(
                output.status.success(),
                "kubectl {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        // Without kubectl the files are still checked; kubectl's reading of them is not.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("kubectl not found: not run");
            None
        }
        Err(e) => panic!("kubectl: {e}"),
    }
}

// kubectl runs as a blocking child process: the demo cluster answers from another worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_demo_cluster_kubectl_reaches_it_in_the_lab_namespace() {
    let sim = common::harness::guide_cluster(50.0)
        .await
        .expect("the demo cluster starts");
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = dir.path().join("istio-lab");
    let exe = PathBuf::from("/opt/istio lab/istio-lab");
    let (spec, files) = prepare(&ShellTarget {
        state_dir: &state,
        demo_kubeconfig: Some(sim.kubeconfig_yaml()),
        kubeconfig: None,
        context: sim::CONTEXT_NAME,
        namespace: "bookinfo",
        exe: Some(exe),
        samples: sim::SAMPLE_FILES,
    })
    .expect("prepared");
    let kubeconfig = env(&spec, "KUBECONFIG").to_string();
    let paths: Vec<PathBuf> = std::env::split_paths(&kubeconfig).collect();
    assert_eq!(paths.len(), 2, "the overlay, then the demo's kubeconfig");
    for path in &paths {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    assert_eq!(mode(&state), 0o700);
    let [bin] = spec.path_prepend.as_slice() else {
        panic!("the istioctl stand-in's folder: {:?}", spec.path_prepend);
    };
    let script = std::fs::read_to_string(bin.join("istioctl")).expect("the stand-in");
    assert!(script.contains("exec '/opt/istio lab/istio-lab' istioctl \"$@\""));
    assert_eq!(mode(&bin.join("istioctl")), 0o700);

    // The lessons' `kubectl apply -f samples/…` finds the bundled manifests where the shell starts.
    let lab = spec.cwd.clone().expect("the demo shell's folder");
    // Lesson 8 applies the addons folder; lesson 9 runs cleanup.sh by its path.
    assert!(lab.join("samples/addons/kiali.yaml").exists());
    assert_eq!(
        mode(&lab.join("samples/bookinfo/platform/kube/cleanup.sh")) & 0o100,
        0o100
    );
    let rule = lab.join("samples/bookinfo/networking/destination-rule-reviews.yaml");
    assert!(
        std::fs::read_to_string(&rule)
            .expect("bundled")
            .contains("kind: DestinationRule")
    );

    if let Some(namespace) = kubectl(
        &kubeconfig,
        &["config", "view", "--minify", "-o", "jsonpath={..namespace}"],
    ) {
        assert_eq!(namespace, "bookinfo");
        let pods = kubectl(&kubeconfig, &["get", "pods", "-n", "default", "-o", "name"])
            .expect("kubectl ran once already");
        assert!(pods.contains("pod/productpage-v1-"), "{pods}");
        // A lesson command as typed, from the shell's folder, lands in the lab namespace.
        // (`kubectl create namespace` sends protobuf, which the demo cluster refuses yet.)
        let client = kube::Client::try_from(sim.kube_config()).expect("a client");
        let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bookinfo\n";
        istio_lab::features::cluster::apply::apply_manifest(&client, "default", namespace)
            .await
            .expect("the lab namespace is made");
        let applied = Command::new("kubectl")
            // Without --validate=false kubectl first fetches /openapi/v3, which the demo
            // cluster does not serve yet; where the file is found is what this test is about.
            .args([
                "apply",
                "--validate=false",
                "-f",
                "samples/bookinfo/networking/destination-rule-reviews.yaml",
            ])
            .current_dir(&lab)
            .env("KUBECONFIG", &kubeconfig)
            .output()
            .expect("kubectl ran once already");
        let said = String::from_utf8_lossy(&applied.stdout);
        assert!(
            said.contains("destinationrule.networking.istio.io/reviews created"),
            "{said} {}",
            String::from_utf8_lossy(&applied.stderr)
        );
        let rules =
            kubectl(&kubeconfig, &["get", "destinationrules", "-o", "name"]).expect("kubectl runs");
        assert!(rules.contains("reviews"), "{rules}");
    }
    drop(files);
    for path in paths.iter().chain([bin, &bin.join("istioctl")]) {
        assert!(!path.exists(), "{} is removed", path.display());
    }
    sim.shutdown().await;
}

#[test]
fn on_a_real_cluster_the_overlay_carries_context_and_namespace_and_istioctl_is_theirs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let theirs = dir.path().join("config");
    std::fs::write(
        &theirs,
        "apiVersion: v1\nkind: Config\ncurrent-context: prod\nclusters:\n- name: c1\n  cluster: {server: 'https://prod.example:6443'}\n- name: c2\n  cluster: {server: 'https://lab.example:6443'}\nusers:\n- name: u2\n  user: {token: their-token}\ncontexts:\n- name: prod\n  context: {cluster: c1, user: u2}\n- name: lab\n  context: {cluster: c2, user: u2, namespace: other}\n",
    )
    .expect("written");
    let state = dir.path().join("state");
    let (spec, _files) = prepare(&ShellTarget {
        state_dir: &state,
        demo_kubeconfig: None,
        kubeconfig: Some(&theirs),
        context: "lab",
        namespace: "bookinfo",
        exe: Some(PathBuf::from("/usr/bin/istio-lab")),
        samples: istio_lab::features::lesson::run_command::MANIFESTS,
    })
    .expect("prepared");
    assert!(
        spec.path_prepend.is_empty(),
        "the learner's istioctl is not shadowed"
    );
    let kubeconfig = env(&spec, "KUBECONFIG").to_string();
    let paths: Vec<PathBuf> = std::env::split_paths(&kubeconfig).collect();
    assert_eq!(paths.get(1), Some(&theirs));
    let overlay = std::fs::read_to_string(&paths[0]).expect("the overlay");
    assert!(
        !overlay.contains("their-token"),
        "credentials stay in their file"
    );
    let minify = ["config", "view", "--minify", "-o"];
    if let Some(context) = kubectl(
        &kubeconfig,
        &[&minify[..], &["jsonpath={.current-context}"]].concat(),
    ) {
        assert_eq!(context, "lab");
        let args = [&minify[..], &["jsonpath={..namespace} {..server}"]].concat();
        let said = kubectl(&kubeconfig, &args).expect("kubectl ran once already");
        assert_eq!(said, "bookinfo https://lab.example:6443");
    }
}
