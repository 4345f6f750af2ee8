//! `istioctl dashboard kiali`: forwards a local port to Kiali's pod (the app's own Kiali
//! forward), prints the address as istioctl does, and holds the forward until Ctrl-C.

use std::io::Write;

use kube::Client;

use super::args::DashboardCommand;
use super::{StandInError, exit};
use crate::features::traffic::kiali_forward::forward_kiali;

pub async fn run(
    client: &Client,
    command: &DashboardCommand,
    out: &mut dyn Write,
) -> Result<u8, StandInError> {
    let DashboardCommand::Kiali { port, .. } = command;
    let handle = forward_kiali(client.clone(), *port)
        .await
        .map_err(|e| StandInError::Cluster(e.to_string()))?;
    let _ = writeln!(out, "{}", handle.url());
    // Printed at once: the learner (or a script) reads the address while the forward runs.
    let _ = out.flush();
    // istioctl would open a browser; the stand-in leaves that to the learner, since the
    // shell may be the app's pane or a machine without one.
    let _ = tokio::signal::ctrl_c().await;
    drop(handle);
    Ok(exit::OK)
}
