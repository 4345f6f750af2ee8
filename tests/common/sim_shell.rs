//! The learner's shell: the real `istio-lab sim` binary serving in a temporary folder
//! (kubeconfig and `istio-<version>/samples` written there) and the real /usr/bin/kubectl
//! run with that kubeconfig from the samples folder, as the guide's commands are typed.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const KUBECTL: &str = "/usr/bin/kubectl";

/// True when /usr/bin/kubectl is there; says why the test is skipped otherwise.
pub fn kubectl_installed() -> bool {
    if Path::new(KUBECTL).exists() {
        return true;
    }
    eprintln!("skipped: {KUBECTL} is not installed, so there is no real kubectl to run");
    false
}

/// A running `istio-lab sim`, stopped when dropped.
pub struct Shell {
    pub child: Child,
    pub block: String,
    pub dir: tempfile::TempDir,
}

/// What one kubectl command left.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Shell {
    /// Starts `istio-lab sim --sim-speed speed` and waits for its start block.
    pub fn start(speed: f64) -> Shell {
        Shell::start_with(speed, &[])
    }

    /// Starts `istio-lab sim --sim-speed speed` with `extra` arguments and waits for its
    /// start block.
    pub fn start_with(speed: f64, extra: &[&str]) -> Shell {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_istio-lab"))
            .arg("sim")
            .args(extra)
            .arg("--kubeconfig-out")
            .arg(dir.path().join("kcfg"))
            .arg("--sim-speed")
            .arg(speed.to_string())
            .env("XDG_STATE_HOME", dir.path())
            .env("HOME", dir.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut block = String::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !block.contains("Ctrl-C") {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => block.push_str(&(line + "\n")),
                Err(_) => {
                    let _ = child.kill();
                    panic!("no start block within 20 s; printed so far:\n{block}");
                }
            }
        }
        Shell { child, block, dir }
    }

    /// The `istio-<version>` folder the start block names.
    pub fn istio_dir(&self) -> PathBuf {
        self.dir
            .path()
            .join(format!("istio-{}", istio_lab::sim::ISTIO_VERSION))
    }

    /// Runs kubectl with the written kubeconfig from the `istio-<version>` folder.
    pub fn kubectl(&self, args: &[&str]) -> Ran {
        let output = Command::new(KUBECTL)
            .env_clear()
            .env("HOME", self.dir.path())
            .env("PATH", "/usr/bin:/bin")
            .env("KUBECONFIG", self.dir.path().join("kcfg"))
            .current_dir(self.istio_dir())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs kubectl and checks it succeeded.
    pub fn ok(&self, args: &[&str]) -> Ran {
        let ran = self.kubectl(args);
        assert_eq!(ran.code, 0, "kubectl {args:?}: {ran:?}");
        ran
    }

    /// Runs kubectl until its stdout satisfies `done` (20 s at most).
    pub fn until(&self, args: &[&str], done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ran = self.kubectl(args);
            if ran.code == 0 && done(&ran.stdout) {
                return ran.stdout;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl {args:?} never got there: {ran:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        // This is the child the test started.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The words of each line, for comparing columns whatever their widths.
pub fn words(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// A learner's shell on a running sim: every command runs in `sh` from the state the last
/// one left (exported variables and the current folder), so `export GATEWAY_URL=…` and
/// `cd` carry over as in one terminal. `istioctl` is the app's stand-in, first on PATH.
pub struct Learner {
    state: PathBuf,
}

impl Learner {
    /// Sets up the learner's shell as the start block tells: KUBECONFIG exported, in the
    /// samples folder, with an `istioctl` script that runs `istio-lab istioctl`.
    pub fn new(shell: &Shell) -> Learner {
        let tools = shell.dir.path().join("tools");
        std::fs::create_dir_all(&tools).unwrap();
        let istioctl = tools.join("istioctl");
        std::fs::write(
            &istioctl,
            format!(
                "#!/bin/sh\nexec '{}' istioctl \"$@\"\n",
                env!("CARGO_BIN_EXE_istio-lab")
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&istioctl, std::fs::Permissions::from_mode(0o755)).unwrap();
        let state = shell.dir.path().join("learner-state.sh");
        std::fs::write(
            &state,
            format!(
                "export HOME='{home}'\nexport PATH='{tools}:/usr/bin:/bin'\nexport KUBECONFIG='{kc}'\ncd '{cwd}'\n",
                home = shell.dir.path().display(),
                tools = tools.display(),
                kc = shell.dir.path().join("kcfg").display(),
                cwd = shell.istio_dir().display(),
            ),
        )
        .unwrap();
        Learner { state }
    }

    /// Types `line` into the learner's shell; it may run `limit` seconds at most (then
    /// `timeout` stops it and the code is 124).
    pub fn type_line(&self, line: &str, limit: u32) -> Ran {
        let state = self.state.display();
        // The state is written back whatever the line's code, as a terminal keeps it.
        let script = format!(
            ". '{state}'\n{line}\nrc=$?\n{{ export -p; printf \"cd '%s'\\n\" \"$PWD\"; }} > '{state}'\nexit $rc\n"
        );
        let output = Command::new("timeout")
            .arg(limit.to_string())
            .arg("sh")
            .arg("-c")
            .arg(script)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
