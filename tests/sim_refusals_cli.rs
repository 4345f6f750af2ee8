//! `istio-lab sim` as a person runs it (issue 10, items 3 and 17): the kubeconfig it writes
//! never replaces an existing file unless `--force` says so, and is private (0600) from
//! its creation; and when file descriptors run out, the server waits instead of spinning
//! on the failed accept, and says so once in its log. Runs the real binary.

mod common {
    pub mod tls;
}

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sim_command(state: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_istio-lab"));
    command
        .arg("sim")
        .args(args)
        .env("XDG_STATE_HOME", state)
        .env("HOME", state)
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    command
}

fn text(output: &Output) -> String {
    let mut all = String::from_utf8_lossy(&output.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&output.stderr));
    all
}

/// A running sim that is killed if the test fails before stopping it.
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("still running")
    }

    fn id(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }

    /// Ctrl-C, as a person stops it.
    fn stop(mut self) {
        if let Some(child) = self.0.take() {
            interrupt(child);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Waits until the running sim has written a kubeconfig with a token into `path`.
fn wait_for_kubeconfig(child: &mut Child, path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(content) = std::fs::read_to_string(path)
            && content.contains("token: ")
        {
            return content;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the sim stopped early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("no kubeconfig at {}", path.display());
}

/// Ctrl-C, as a person stops it, and waits for it to end.
fn interrupt(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the sim did not stop on Ctrl-C");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn an_existing_kubeconfig_is_refused_unless_forced_and_the_written_one_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let existing = dir.path().join("config");
    let mine = "apiVersion: v1\nkind: Config\ncurrent-context: my-cluster\n";
    std::fs::write(&existing, mine).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let path = existing.to_str().unwrap();
    let out = sim_command(&state, &["--kubeconfig-out", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("kubeconfig 파일이 이미 있습니다"), "{said}");
    assert!(said.contains(path), "{said}");
    assert!(said.contains("--force"), "{said}");
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        mine,
        "left as it was"
    );

    let mut forced = Running(Some(
        sim_command(&state, &["--kubeconfig-out", path, "--force"])
            .spawn()
            .unwrap(),
    ));
    let written = wait_for_kubeconfig(forced.child(), &existing);
    assert!(written.contains("server: https://127.0.0.1:"), "{written}");
    #[cfg(unix)]
    assert_eq!(mode(&existing), 0o600, "replaced by a private file");
    forced.stop();

    let fresh = dir.path().join("fresh-config");
    let mut child = Running(Some(
        sim_command(&state, &["--kubeconfig-out", fresh.to_str().unwrap()])
            .spawn()
            .unwrap(),
    ));
    wait_for_kubeconfig(child.child(), &fresh);
    #[cfg(unix)]
    assert_eq!(mode(&fresh), 0o600);
    child.stop();
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary copies left: {leftovers:?}"
    );
}

/// User plus system CPU time of a process so far, in clock ticks (1/100 s).
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn log_text(state: &Path) -> String {
    let path = state.join("istio-lab").join("istio-lab.log");
    std::fs::read_to_string(path).unwrap_or_default()
}

#[cfg(target_os = "linux")]
#[test]
fn out_of_file_descriptors_the_server_waits_instead_of_spinning() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let kubeconfig = dir.path().join("config");
    // The shell lowers the descriptor limit and then becomes the sim (same pid).
    let mut child = Running(Some(
        Command::new("sh")
            .args([
                "-c",
                "ulimit -n 48 && exec \"$0\" sim --kubeconfig-out \"$1\"",
                env!("CARGO_BIN_EXE_istio-lab"),
                kubeconfig.to_str().unwrap(),
            ])
            .env("XDG_STATE_HOME", &state)
            .env("HOME", &state)
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    ));
    let config = wait_for_kubeconfig(child.child(), &kubeconfig);
    let server = common::tls::kubeconfig_server(&config);
    let port = server.port();
    let connections: Vec<TcpStream> = (0..80)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    assert!(connections.len() > 48, "more connections than descriptors");
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_ticks(child.id());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(child.id()) - before;
    // A loop spinning on the failed accept burns a whole core: about 200 ticks here.
    assert!(
        used < 40,
        "{used} ticks of CPU in 2 s while out of descriptors"
    );

    drop(connections);
    std::thread::sleep(Duration::from_millis(500));
    let mut stream = common::tls::connect_blocking(server, &common::tls::kubeconfig_ca(&config));
    stream
        .write_all(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 "), "serving again: {answer}");
    child.stop();
    let log = log_text(&state);
    assert_eq!(
        log.matches("cannot accept connections").count(),
        1,
        "said once: {log}"
    );
    assert!(log.contains("accepts connections again"), "{log}");
}
