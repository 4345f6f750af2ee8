//! `istioctl dashboard kiali`: the app's own Kiali port-forward (kube-rs, no kubectl), with
//! istioctl's line, kept up until Ctrl-C as istioctl keeps it.

use std::io::Write;

use kube::Client;

use super::{StandInError, exit};
use crate::features::traffic::kiali_forward::forward_kiali;

pub async fn kiali(client: Client, port: u16, out: &mut dyn Write) -> Result<u8, StandInError> {
    let handle = forward_kiali(client, port)
        .await
        .map_err(|e| StandInError::Cluster(e.to_string()))?;
    let _ = writeln!(out, "http://localhost:{}/kiali", handle.port());
    let _ = out.flush();
    // istioctl would open a browser here; the demo's stand-in leaves that to the learner.
    let _ = tokio::signal::ctrl_c().await;
    drop(handle);
    Ok(exit::OK)
}
