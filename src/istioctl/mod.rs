//! The demo's stand-in for `istioctl` (`istio-lab istioctl …`): the few commands the guide runs,
//! answered against the cluster in `KUBECONFIG` with istioctl's own output lines.
//!
//! The demo has no real istioctl and none can be downloaded, so the shell pane puts a script
//! named `istioctl` on `PATH` that runs this. On a real cluster the user's istioctl is used.

mod analyze;
mod args;
mod dashboard;
mod findings;
mod install;
mod manifest;
mod version;

pub use analyze::format_report;
pub use args::{Istioctl, IstioctlCommand};
pub use manifest::{demo_profile, manifest_yaml};

use std::io::Write;

use kube::Client;

use crate::features::cluster::{self, credentials::ExecOptions};

/// The Istio version the demo cluster runs (its proxy image's tag).
pub const VERSION: &str = "1.28.0";

/// Exit codes as istioctl gives them.
pub mod exit {
    pub const OK: u8 = 0;
    pub const UNKNOWN_ERROR: u8 = 1;
    pub const INCORRECT_USAGE: u8 = 64;
    pub const ANALYZER_FOUND_ISSUES: u8 = 79;
}

/// Runs one stand-in command; output goes to `out`/`err` as istioctl writes it.
pub async fn run(cmd: &Istioctl, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match &cmd.command {
        IstioctlCommand::Version => {
            let client = connect(cmd).await.ok();
            version::run(client, out).await
        }
        IstioctlCommand::Manifest(m) => manifest::run(m, out),
        other => match connect(cmd).await {
            Ok(client) => match other {
                IstioctlCommand::Install(i) => install::install(&client, i, out).await,
                IstioctlCommand::Uninstall(u) => install::uninstall(&client, u, out).await,
                IstioctlCommand::Analyze(a) => analyze::run(&client, cmd, a, out).await,
                IstioctlCommand::Dashboard(d) => dashboard::run(&client, d, out).await,
                _ => Err(StandInError::Usage(String::new())),
            },
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(code) => code,
        Err(StandInError::Usage(text)) => {
            let _ = writeln!(err, "Error: {text}");
            exit::INCORRECT_USAGE
        }
        Err(StandInError::Cluster(text)) => {
            let _ = writeln!(err, "Error: {text}");
            exit::UNKNOWN_ERROR
        }
    }
}

/// Why a command could not be carried out.
#[derive(Debug)]
pub enum StandInError {
    Usage(String),
    Cluster(String),
}

async fn connect(cmd: &Istioctl) -> Result<Client, StandInError> {
    let (config, _) =
        cluster::config_from_kubeconfig(cmd.kubeconfig.as_deref(), cmd.context.as_deref())
            .await
            .map_err(|e| StandInError::Cluster(format!("failed to load kubeconfig: {e}")))?;
    let (client, _) = cluster::client_with_credentials(config, ExecOptions::default())
        .await
        .map_err(|e| StandInError::Cluster(e.to_string()))?;
    Ok(client)
}
