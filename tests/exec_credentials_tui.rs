//! The real binary on a pseudo-terminal, logging in to the demo cluster through an exec
//! plugin: the wait is said before the TUI starts, the plugin runs once, its stderr is never
//! drawn over the panes (only its last line, in the app's own toast), and a plugin that asks
//! for an MFA code reads it from the terminal before the TUI takes it.

mod exec_credentials_lab;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exec_credentials_lab::{Lab, lab};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ENTER_ALT_SCREEN: &str = "\x1b[?1049h";

struct Running {
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
    master: Box<dyn MasterPty + Send>,
    _state: tempfile::TempDir,
}

impl Running {
    fn start(lab: &Lab) -> Running {
        let state = tempfile::tempdir().expect("temp dir");
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_istio-lab"));
        command.arg("--kubeconfig");
        command.arg(&lab.kubeconfig);
        command.env("XDG_STATE_HOME", state.path());
        command.env("HOME", state.path());
        command.env("TERM", "xterm-256color");
        command.env_remove("KUBECONFIG");
        let child = pair.slave.spawn_command(command).expect("the app starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("output").extend_from_slice(&buffer[..n]);
            }
        });
        Running {
            child,
            output,
            master: pair.master,
            _state: state,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output")).into_owned()
    }

    fn wait_for(&self, needle: &str) -> usize {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(at) = self.text().find(needle) {
                return at;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn type_keys(&self, keys: &str) {
        let mut writer = self.master.take_writer().expect("a writer");
        writer
            .write_all(keys.as_bytes())
            .expect("keys reach the terminal");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the demo cluster")
}

#[test]
fn the_wait_is_said_the_plugin_runs_once_and_its_stderr_stays_off_the_screen() {
    let runtime = runtime();
    let lab = runtime.block_on(lab(
        "Never",
        &[
            ("EXEC_TEST_SLEEP", "1"),
            ("EXEC_TEST_EXPIRES_IN", "3600"),
            ("EXEC_TEST_STDERR", "PLUGIN-NOISE-ONE\\nplugin-said-hello"),
        ],
    ));
    let app = Running::start(&lab);
    let waiting = app.wait_for("인증 중");
    let took_over = app.wait_for(ENTER_ALT_SCREEN);
    assert!(
        waiting < took_over,
        "the wait is said before the TUI starts"
    );
    // The app's own toast shows the plugin's last line…
    app.wait_for("plugin-said-hello");
    // …while the watchers make their requests with the cached token.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(lab.runs(), ["interactive=false"], "one run");
    let screen = app.text();
    assert!(
        !screen.contains("PLUGIN-NOISE-ONE"),
        "the plugin's stderr is not drawn: {screen}"
    );
    assert!(!screen.contains("401"), "the token was accepted: {screen}");
}

#[test]
fn a_plugin_that_asks_for_a_code_reads_it_before_the_tui_starts() {
    let runtime = runtime();
    let lab = runtime.block_on(lab(
        "IfAvailable",
        &[
            ("EXEC_TEST_STDIN", "prompt"),
            ("EXEC_TEST_CODE", "123456"),
            ("EXEC_TEST_EXPIRES_IN", "3600"),
        ],
    ));
    let app = Running::start(&lab);
    let asked = app.wait_for("MFA 코드");
    assert!(
        !app.text().contains(ENTER_ALT_SCREEN),
        "asked before raw mode"
    );
    app.type_keys("123456\r");
    let took_over = app.wait_for(ENTER_ALT_SCREEN);
    assert!(asked < took_over);
    assert_eq!(lab.runs(), ["interactive=true"]);
    let read = std::fs::read_to_string(lab.dir.path().join("stdin")).expect("the code");
    assert_eq!(read, "123456\n");
}
