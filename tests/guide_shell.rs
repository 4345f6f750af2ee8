//! The whole guide typed into a learner's shell: every lesson's `commands:` in lesson order,
//! run by `sh` with the real /usr/bin/kubectl and the `istioctl` stand-in against
//! `istio-lab sim`, from the samples folder its start block names, with the environment
//! carried from one command to the next. Each command must succeed and the guide's key
//! outputs must show.

mod common {
    pub mod sim_shell;
}

use std::path::Path;
use std::time::{Duration, Instant};

use common::sim_shell::{Learner, Ran, Shell, kubectl_installed, words};

/// What the learner cannot or need not type here, with the reason printed.
fn skipped(command: &str) -> Option<&'static str> {
    if command.starts_with("curl -L https://istio.io/downloadIstio") {
        return Some("no network here; `istio-lab sim` wrote the istio-<version> folder instead");
    }
    if command.starts_with("cd istio-<") {
        return Some("already in the samples folder; the shortcode is not a path");
    }
    None
}

/// Waits as a learner watching `kubectl get pods` would: until every pod is Running with
/// all its containers ready. Returns the last listing.
fn pods_settle(learner: &Learner, namespace_flag: &str, count: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ran = learner.type_line(&format!("kubectl get pods {namespace_flag}"), 30);
        let rows = words(&ran.stdout);
        let pods: Vec<_> = rows.iter().skip(1).filter(|r| r.len() >= 3).collect();
        let settled = pods.len() >= count
            && pods.iter().all(|r| {
                let ready = r[1].split_once('/');
                r[2] == "Running" && ready.is_some_and(|(a, b)| a == b)
            });
        if ran.code == 0 && settled {
            return ran.stdout;
        }
        assert!(Instant::now() < deadline, "pods never settled: {ran:?}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn expect(ran: &Ran, command: &str, text: &str) {
    assert!(
        ran.stdout.contains(text),
        "`{command}` should print {text:?}: {ran:?}"
    );
}

/// The guide's key outputs, checked after each command that has one.
fn check_output(command: &str, ran: &Ran) {
    match command {
        "istioctl install --set profile=demo -y" => expect(ran, command, "Installation complete"),
        "kubectl label namespace default istio-injection=enabled" => {
            expect(ran, command, "namespace/default labeled")
        }
        "kubectl get pods" => {
            let rows = words(&ran.stdout);
            let pods: Vec<_> = rows.iter().skip(1).collect();
            assert_eq!(pods.len(), 6, "Bookinfo's six pods: {ran:?}");
            for pod in pods {
                assert_eq!(
                    (pod[1].as_str(), pod[2].as_str()),
                    ("2/2", "Running"),
                    "{ran:?}"
                );
            }
        }
        "kubectl get services" => expect(ran, command, "productpage"),
        "istioctl analyze" => expect_any(ran, command, "✔ No validation issues found"),
        "kubectl rollout status deployment/kiali -n istio-system" => {
            expect(ran, command, "successfully rolled out")
        }
        "kubectl delete namespace istio-system" => {
            expect(ran, command, "namespace \"istio-system\" deleted")
        }
        "samples/bookinfo/platform/kube/cleanup.sh" => {
            expect(ran, command, "Application cleanup successful")
        }
        c if c.contains("<title>") => expect(ran, command, "<title>Simple Bookstore App</title>"),
        c if c.starts_with("echo \"$GATEWAY_URL\"") => {
            let url = ran.stdout.trim();
            let (host, port) = url.split_once(':').unwrap_or(("", ""));
            assert!(
                !host.is_empty() && port.parse::<u16>().is_ok(),
                "GATEWAY_URL should be host:port: {ran:?}"
            );
        }
        _ => {}
    }
}

/// istioctl writes its ✔ line to stdout or stderr depending on the version; either counts.
fn expect_any(ran: &Ran, command: &str, text: &str) {
    assert!(
        ran.stdout.contains(text) || ran.stderr.contains(text),
        "`{command}` should print {text:?}: {ran:?}"
    );
}

/// Lesson 7's last step: the learner edits the 80/20 file to 0/100 before applying it again.
fn edit_weights(istio_dir: &Path) {
    let file = istio_dir.join("samples/bookinfo/networking/virtual-service-reviews-80-20.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text
        .replace("weight: 80", "weight: 0")
        .replace("weight: 20", "weight: 100");
    assert_ne!(text, edited, "the file has the guide's 80/20 weights");
    std::fs::write(&file, edited).unwrap();
}

#[test]
fn every_lesson_command_runs_in_a_learners_shell() {
    if !kubectl_installed() {
        return;
    }
    if !Path::new("/usr/bin/curl").exists() {
        eprintln!("skipped: /usr/bin/curl is not installed; the guide's commands use curl");
        return;
    }
    // A free gateway port: tests running side by side must not fight over port 80.
    let shell = Shell::start_with(20.0, &["--gateway-port", "0"]);
    assert!(
        shell.block.contains("export KUBECONFIG="),
        "{}",
        shell.block
    );
    let learner = Learner::new(&shell);
    let lessons = istio_lab::features::lesson::builtin("ko").expect("built-in lessons parse");
    let mut ran_count = 0;
    for lesson in &lessons {
        for (number, step) in lesson.steps.iter().enumerate() {
            for command in &step.commands {
                let place = format!("{} {}단계: {command}", lesson.id, number + 1);
                if let Some(reason) = skipped(command) {
                    eprintln!("skip {place} — {reason}");
                    continue;
                }
                if command == "kubectl get pods" {
                    pods_settle(&learner, "", 6);
                }
                if step.title.contains("0/100") {
                    edit_weights(&shell.istio_dir());
                }
                if command == "istioctl dashboard kiali" {
                    // It holds the forward until Ctrl-C: stopped after a few seconds (124
                    // from `timeout`), having printed Kiali's address, which answers meanwhile.
                    eprintln!("run  {place} (stopped after 5 s)");
                    let ran = learner.type_line(
                        &format!("{command} & sleep 3; curl -s http://127.0.0.1:20001/kiali/console; wait"),
                        5,
                    );
                    assert_eq!(ran.code, 124, "{place}: {ran:?}");
                    expect(&ran, command, "http://127.0.0.1:20001/kiali\n");
                    expect(&ran, command, "<title>Kiali</title>");
                    ran_count += 1;
                    continue;
                }
                eprintln!("run  {place}");
                let ran = learner.type_line(command, 120);
                assert_eq!(ran.code, 0, "{place}: {ran:?}");
                check_output(command, &ran);
                if step.title.contains("0/100") {
                    expect(
                        &ran,
                        command,
                        "virtualservice.networking.istio.io/reviews configured",
                    );
                }
                ran_count += 1;
            }
        }
    }
    assert!(ran_count >= 25, "only {ran_count} commands ran");
    // After the guide's last lesson the mesh is gone and the label with it.
    let ns = learner.type_line("kubectl get namespace default --show-labels", 30);
    assert!(!ns.stdout.contains("istio-injection"), "{ns:?}");
}
