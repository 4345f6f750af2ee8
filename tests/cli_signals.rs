//! Signals reach the running app as they would from a shell: SIGTERM and SIGHUP end it with
//! 143 and 129 and the terminal restored; SIGTSTP gives the terminal back and stops it, and
//! SIGCONT takes the terminal again. Runs the real binary on a pseudo-terminal of its own.

use std::io::Read;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ENTER_ALT_SCREEN: &str = "\x1b[?1049h";
const LEAVE_ALT_SCREEN: &str = "\x1b[?1049l";

struct Running {
    child: Box<dyn Child + Send + Sync>,
    output: Arc<Mutex<Vec<u8>>>,
    app: u32,
    _state: tempfile::TempDir,
    // Kept open: closing the master would hang up the app.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Running {
    fn start() -> Running {
        let state = tempfile::tempdir().expect("temp dir");
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_istio-lab"));
        command.arg("--demo");
        command.env("XDG_STATE_HOME", state.path());
        command.env("HOME", state.path());
        command.env("TERM", "xterm-256color");
        command.env_remove("KUBECONFIG");
        let child = pair.slave.spawn_command(command).expect("the app starts");
        drop(pair.slave);
        let app = child.process_id().expect("a pid");
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("output lock")
                    .extend_from_slice(&buffer[..n]);
            }
        });
        let running = Running {
            child,
            output,
            app,
            _state: state,
            _master: pair.master,
        };
        running.wait_for("the alternate screen", || {
            (running.count(ENTER_ALT_SCREEN) >= 1).then_some(())
        });
        running
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("output lock")).into_owned()
    }

    fn count(&self, needle: &str) -> usize {
        self.text().matches(needle).count()
    }

    fn wait_for<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(found) = check() {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} (process state {:?})",
                state_of(self.app)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.app.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// Waits for the app to end and returns its exit status.
    fn exit_code(mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the app did not end");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The process state letter from /proc (T: stopped).
fn state_of(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 2..].chars().next()
}

#[test]
fn sigterm_and_sighup_end_the_app_with_the_status_a_shell_expects() {
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let app = Running::start();
        app.signal(signal);
        app.wait_for("the terminal to be restored", || {
            (app.count(LEAVE_ALT_SCREEN) >= 1).then_some(())
        });
        assert_eq!(app.exit_code(), code, "SIG{signal}");
    }
}

#[test]
fn sigtstp_gives_the_terminal_back_and_sigcont_takes_it_again() {
    let app = Running::start();
    app.signal("TSTP");
    app.wait_for("the app to stop", || {
        (state_of(app.app) == Some('T')).then_some(())
    });
    // The restore was written before the stop; the reader thread may still be catching up.
    app.wait_for("the screen given back", || {
        (app.count(LEAVE_ALT_SCREEN) >= 1).then_some(())
    });
    let entered = app.count(ENTER_ALT_SCREEN);
    app.signal("CONT");
    app.wait_for("the alternate screen again", || {
        (app.count(ENTER_ALT_SCREEN) > entered).then_some(())
    });
    assert_ne!(state_of(app.app), Some('T'));
    app.signal("TERM");
    assert_eq!(app.exit_code(), 143);
}
