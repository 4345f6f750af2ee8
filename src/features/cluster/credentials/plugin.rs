//! One run of a kubeconfig exec credential plugin (`users[].user.exec`): its command line and
//! environment as client-go builds them, its stdin and stderr as the caller allows, and the
//! ExecCredential it prints.

use std::process::Stdio;
use std::time::Duration;

use kube::config::{ExecConfig, ExecInteractiveMode};

use super::output::{Credential, parse, read_capped, read_lines};

/// What client-go assumes when the kubeconfig names no version.
const DEFAULT_API_VERSION: &str = "client.authentication.k8s.io/v1beta1";

/// The plugin as the chosen context's user declares it.
#[derive(Clone)]
pub struct Plugin {
    exec: ExecConfig,
    command: String,
}

/// The learner's terminal, lent to a plugin that asks something (an MFA code, a browser login
/// prompt). Only before the TUI takes the terminal: afterwards its keys belong to the app.
pub struct Terminal {
    stdin: Stdio,
    stderr: Stdio,
}

impl Terminal {
    /// This process's own stdin and stderr.
    pub fn inherited() -> Terminal {
        Terminal {
            stdin: Stdio::inherit(),
            stderr: Stdio::inherit(),
        }
    }

    /// Any readable and writable pair (tests stand a file in for the keyboard).
    pub fn from_parts(stdin: impl Into<Stdio>, stderr: impl Into<Stdio>) -> Terminal {
        Terminal {
            stdin: stdin.into(),
            stderr: stderr.into(),
        }
    }
}

/// Why a run gave no credential. The texts are shown to the learner.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("kubeconfig의 exec 항목에 command가 없습니다")]
    MissingCommand,
    #[error("인증 플러그인 '{command}'을(를) 찾을 수 없습니다{hint}")]
    NotFound { command: String, hint: String },
    #[error("인증 플러그인 '{command}'을(를) 실행할 수 없습니다: {source}")]
    Start {
        command: String,
        source: std::io::Error,
    },
    #[error("인증 플러그인 '{command}'이(가) 실패했습니다 ({status}){said}")]
    Failed {
        command: String,
        status: String,
        said: String,
    },
    #[error("인증 플러그인 '{command}'이(가) {seconds}초 안에 끝나지 않아 멈췄습니다{said}")]
    TimedOut {
        command: String,
        seconds: u64,
        said: String,
    },
    #[error("인증 플러그인 '{command}'의 출력을 ExecCredential로 읽을 수 없습니다: {reason}")]
    Output { command: String, reason: String },
    #[error(
        "인증 플러그인 '{command}'은(는) 터미널에서 물어야 하는데(interactiveMode: Always) 터미널이 없습니다"
    )]
    NeedsTerminal { command: String },
}

impl Plugin {
    pub fn new(exec: ExecConfig) -> Result<Plugin, PluginError> {
        let command = exec.command.clone().ok_or(PluginError::MissingCommand)?;
        Ok(Plugin { exec, command })
    }

    pub fn command(&self) -> &str {
        &self.command
    }

    /// The command's file name (`aws`, `kubelogin`): short enough for a status bar.
    pub fn name(&self) -> String {
        std::path::Path::new(&self.command).file_name().map_or_else(
            || self.command.clone(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Whether the plugin may only run with a terminal (interactiveMode: Always).
    pub fn needs_terminal(&self) -> bool {
        self.exec.interactive_mode == Some(ExecInteractiveMode::Always)
    }

    /// Runs the plugin once. `terminal` is lent to it only when its interactiveMode allows
    /// (IfAvailable, Always). `background` (a time limit) means the TUI owns the terminal: the
    /// plugin is put in a process group of its own, so reading the terminal stops it instead
    /// of stealing keys, and it is killed when the limit passes. Each stderr line the plugin
    /// writes goes to the log and to `on_line`.
    pub async fn run(
        &self,
        terminal: Option<Terminal>,
        background: Option<Duration>,
        mut on_line: impl FnMut(&str),
    ) -> Result<Credential, PluginError> {
        let terminal = match self.exec.interactive_mode {
            Some(ExecInteractiveMode::Never) => None,
            Some(ExecInteractiveMode::Always) if terminal.is_none() => {
                return Err(PluginError::NeedsTerminal {
                    command: self.command.clone(),
                });
            }
            _ => terminal,
        };
        let mut command = self.command_line(terminal.is_some());
        match terminal {
            Some(terminal) => command.stdin(terminal.stdin).stderr(terminal.stderr),
            None => command.stdin(Stdio::null()).stderr(Stdio::piped()),
        };
        #[cfg(unix)]
        if background.is_some() {
            command.process_group(0);
        }
        let mut child = command.spawn().map_err(|source| self.start_error(source))?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let mut last_line = None;
        let all = async {
            let (out, (), status) = tokio::join!(
                read_capped(stdout),
                read_lines(stderr, |line| {
                    tracing::info!(plugin = %self.command, "exec plugin stderr: {line}");
                    on_line(line);
                    last_line = Some(line.to_string());
                }),
                child.wait(),
            );
            (out, status)
        };
        let finished = match background {
            // On time out, dropping the child (kill_on_drop) stops the plugin.
            Some(limit) => tokio::time::timeout(limit, all).await.ok(),
            None => Some(all.await),
        };
        let Some((out, status)) = finished else {
            return Err(PluginError::TimedOut {
                command: self.command.clone(),
                seconds: background.unwrap_or_default().as_secs(),
                said: said(last_line.as_deref()),
            });
        };
        let status = status.map_err(|source| self.start_error(source))?;
        if !status.success() {
            return Err(PluginError::Failed {
                command: self.command.clone(),
                status: status.to_string(),
                said: said(last_line.as_deref()),
            });
        }
        parse(&out, &self.api_version()).map_err(|reason| PluginError::Output {
            command: self.command.clone(),
            reason,
        })
    }

    fn api_version(&self) -> String {
        self.exec
            .api_version
            .clone()
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_string())
    }

    /// The command, its arguments and environment, with `KUBERNETES_EXEC_INFO` as the
    /// credential plugin spec describes it.
    fn command_line(&self, interactive: bool) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.command);
        command.args(self.exec.args.iter().flatten());
        for pair in self.exec.env.iter().flatten() {
            if let (Some(name), Some(value)) = (pair.get("name"), pair.get("value")) {
                command.env(name, value);
            }
        }
        for name in self.exec.drop_env.iter().flatten() {
            command.env_remove(name);
        }
        let mut spec = serde_json::json!({ "interactive": interactive });
        if self.exec.provide_cluster_info
            && let Some(cluster) = &self.exec.cluster
            && let Ok(cluster) = serde_json::to_value(cluster)
        {
            spec["cluster"] = cluster;
        }
        let info = serde_json::json!({
            "apiVersion": self.api_version(),
            "kind": "ExecCredential",
            "spec": spec,
        });
        command
            .env("KUBERNETES_EXEC_INFO", info.to_string())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        command
    }

    fn start_error(&self, source: std::io::Error) -> PluginError {
        let command = self.command.clone();
        if source.kind() == std::io::ErrorKind::NotFound {
            let hint = self
                .exec
                .install_hint
                .as_deref()
                .map(|h| format!(" — {}", h.trim()))
                .unwrap_or_default();
            return PluginError::NotFound { command, hint };
        }
        PluginError::Start { command, source }
    }
}

fn said(line: Option<&str>) -> String {
    line.map(|l| format!(": {l}")).unwrap_or_default()
}
