//! The real `/usr/bin/kubectl` against an in-process demo cluster: a private HOME and a
//! kubeconfig written from the `SimHandle`, commands run as argv or through `sh -c` (for the
//! guide's pipelines). Tests skip when kubectl is not installed.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use istio_lab::sim::SimHandle;

pub const KUBECTL: &str = "/usr/bin/kubectl";

/// True (and says so) when kubectl is not installed, so the caller returns early.
pub fn missing() -> bool {
    let absent = !std::path::Path::new(KUBECTL).exists();
    if absent {
        eprintln!("skipped: {KUBECTL} is not installed");
    }
    absent
}

pub struct Kubectl {
    dir: tempfile::TempDir,
}

impl Kubectl {
    pub fn new(sim: &SimHandle) -> Kubectl {
        Kubectl::with_token(sim, sim.token())
    }

    /// kubectl as the user `token` belongs to (the viewer's, say).
    pub fn with_token(sim: &SimHandle, token: &str) -> Kubectl {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let config = sim.kubeconfig_yaml().replace(sim.token(), token);
        std::fs::write(dir.path().join("kubeconfig"), config).expect("writing the kubeconfig");
        Kubectl { dir }
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.dir.path())
            .env("KUBECONFIG", self.kubeconfig())
            .stdin(Stdio::null());
        command
    }

    /// `kubectl args…`, waited for off the async runtime.
    pub async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(KUBECTL);
        command.args(args);
        wait(command).await
    }

    /// A shell line, as a learner types it (kubectl found on PATH).
    pub async fn shell(&self, line: &str) -> Output {
        let mut command = self.command("/bin/sh");
        command.arg("-c").arg(line);
        wait(command).await
    }
}

async fn wait(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().expect("kubectl runs"))
        .await
        .expect("the blocking task ends")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
