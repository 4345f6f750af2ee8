//! `kubectl exec -it … -- sh` in a real terminal against the demo cluster: kubectl sends its
//! keys (and the terminal's size) on the v5 channels, the prompt echoes what is typed, runs
//! the command, and `exit 4` ends kubectl with exit code 4. Skipped without kubectl.

mod common {
    pub mod harness;
    pub mod kubectl;
    pub mod sim;
}

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::harness::guide_cluster;
use common::kubectl::{self, KUBECTL, Kubectl};
use common::sim::wait_for_running_pods;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

fn wait_for(output: &Mutex<Vec<u8>>, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
        if text.contains(needle) {
            return;
        }
        assert!(Instant::now() < deadline, "no {needle:?} in {text:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn kubectl_exec_it_sh_prompts_echoes_and_exits_with_the_code_given() {
    if kubectl::missing() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = runtime.block_on(async {
        let sim = guide_cluster(50.0).await.expect("the guide's cluster");
        wait_for_running_pods(&sim).await;
        sim
    });
    let ratings = sim
        .store()
        .get_all_pods()
        .into_iter()
        .find(|p| p["metadata"]["labels"]["app"] == "ratings")
        .and_then(|p| p["metadata"]["name"].as_str().map(String::from))
        .expect("a ratings pod");
    let kubectl = Kubectl::new(&sim);
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(KUBECTL);
    command.args(["exec", "-it", &ratings, "-c", "ratings", "--", "sh"]);
    command.env("KUBECONFIG", kubectl.kubeconfig());
    command.env("HOME", kubectl.kubeconfig().parent().unwrap());
    let mut child = pair.slave.spawn_command(command).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let output = Arc::new(Mutex::new(Vec::new()));
    let sink = output.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buffer[..n]);
        }
    });
    let mut writer = pair.master.take_writer().unwrap();
    wait_for(&output, "$ ");
    writer.write_all(b"hostname\r").unwrap();
    wait_for(&output, &format!("hostname\r\n{ratings}\r\n$ "));
    writer.write_all(b"exit 4\r").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "kubectl did not end: {:?}",
                String::from_utf8_lossy(&output.lock().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        status.exit_code(),
        4,
        "{:?}",
        String::from_utf8_lossy(&output.lock().unwrap())
    );
    drop(sim);
}
