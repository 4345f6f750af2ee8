//! `istio-lab sim` for a shell (issue 11, points 1 and 2), running the real binary: kubectl
//! reads pods with the kubeconfig it writes (skipped where kubectl is not installed); it
//! prints one start block naming the API address, the kubeconfig and the export line; and
//! SIGTERM and SIGINT stop it with 143 and 130 and close its port.

mod common {
    pub mod sim_shell;
    pub mod tls;
}

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sim_shell::Shell;
use common::tls;

/// A running `istio-lab sim` (the shared learner's-shell start-up) and the kubeconfig it wrote.
struct Sim {
    shell: Shell,
    kubeconfig: String,
}

impl Sim {
    fn start() -> Sim {
        let shell = Shell::start(1.0);
        let kubeconfig = std::fs::read_to_string(shell.dir.path().join("kcfg")).unwrap();
        Sim { shell, kubeconfig }
    }

    fn path(&self) -> std::path::PathBuf {
        self.shell.dir.path().join("kcfg")
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.shell.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the process to end: its exit code, None if a signal killed it.
    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.shell.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "still running 20 s after the signal"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn kubectl_missing() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_or(true, |s| !s.success())
}

#[test]
fn kubectl_reads_pods_with_the_written_kubeconfig() {
    if kubectl_missing() {
        eprintln!("skipped: kubectl is not installed (not found on PATH)");
        return;
    }
    let sim = Sim::start();
    let kubectl = |args: &[&str]| {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(sim.path())
            .args(args)
            // kubectl keeps its discovery cache under HOME: the test's own folder.
            .env("HOME", sim.shell.dir.path())
            .env_remove("KUBECONFIG")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "kubectl {args:?}: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    };
    let raw = kubectl(&["get", "--raw", "/api/v1/namespaces/default/pods"]);
    let list: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(list["kind"], "PodList", "{raw}");
    let all = kubectl(&["get", "pods", "-A", "-o", "json"]);
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("istiod-")), "{names:?}");
}

#[test]
fn the_start_block_names_the_server_the_kubeconfig_and_the_export_line() {
    let sim = Sim::start();
    let server = tls::kubeconfig_server(&sim.kubeconfig);
    let path = sim.path();
    assert!(path.is_absolute());
    let block = &sim.shell.block;
    assert!(
        block.contains(&format!(
            "  API 서버    https://127.0.0.1:{}\n",
            server.port()
        )),
        "{block}"
    );
    assert!(
        block.contains(&format!("  kubeconfig  {} ", path.display())),
        "{block}"
    );
    assert!(
        block.contains(&format!("\n  export KUBECONFIG={}\n", path.display())),
        "{block}"
    );
    assert!(block.contains("Ctrl-C"), "{block}");
    // The ingress gateway's address, the guide's GATEWAY_URL, and it answers there.
    let gateway = block
        .lines()
        .find_map(|l| l.strip_prefix("  게이트웨이  http://"))
        .unwrap_or_else(|| panic!("no gateway line: {block}"));
    assert!(gateway.starts_with("127.0.0.1:"), "{block}");
    assert!(std::net::TcpStream::connect(gateway).is_ok(), "{gateway}");
    assert!(
        sim.kubeconfig.contains("certificate-authority-data: "),
        "{}",
        sim.kubeconfig
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// Stops a fresh sim with `signal` and checks the exit code and the closed port.
fn stops_cleanly(signal: &str, code: i32) {
    let mut sim = Sim::start();
    let server = tls::kubeconfig_server(&sim.kubeconfig);
    let ca = tls::kubeconfig_ca(&sim.kubeconfig);
    // Serving before the signal, over TLS.
    let mut stream = tls::connect_blocking(server, &ca);
    std::io::Write::write_all(
        &mut stream,
        b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");

    sim.signal(signal);
    assert_eq!(
        sim.exit_code(),
        Some(code),
        "SIG{signal} ends it with {code}"
    );
    let refused = std::net::TcpStream::connect_timeout(&server, Duration::from_secs(2));
    assert!(refused.is_err(), "{server} still accepts after SIG{signal}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_it_with_143_and_closes_the_port() {
    stops_cleanly("TERM", 143);
}

#[cfg(unix)]
#[test]
fn sigint_stops_it_with_130_and_closes_the_port() {
    stops_cleanly("INT", 130);
}

#[test]
fn a_listen_address_not_on_this_machine_and_a_bad_tls_san_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_istio-lab"))
            .arg("sim")
            .arg("--kubeconfig-out")
            .arg(dir.path().join("kcfg"))
            .args(args)
            .env("XDG_STATE_HOME", dir.path())
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // 192.0.2.1 is a documentation address: no interface here has it, so binding fails.
    let out = run(&["--listen", "192.0.2.1"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("192.0.2.1:0에서 연결을 받을 수 없습니다"),
        "{said}"
    );
    assert!(!Path::new(&dir.path().join("kcfg")).exists());

    let out = run(&["--tls-san", "not a name"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("인증서에 넣을 수 없는 이름"), "{said}");
}
