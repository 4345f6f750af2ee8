//! Exec credential plugins (EKS, GKE and AKS logins: kubeconfig `users[].user.exec`), run by
//! the app instead of by kube.
//!
//! kube would run the plugin three times while building a client, with the app's stdin and
//! stderr (drawing over the panes and reading the learner's keys in raw mode), and again for
//! every request once the credential is within a minute of its expiry. Instead the plugin
//! runs once at start-up, before the TUI takes the terminal, and the client is built without
//! the exec entry; [`ExecAuthLayer`] adds the credential to each request and renews it from
//! the cache ([`ExecCredentials`]) when it is due or was refused.

mod cache;
mod layer;
mod output;
mod plugin;

pub use cache::{AuthNotice, ExecCredentials, RefreshPolicy};
pub use layer::{ExecAuth, ExecAuthLayer};
pub use output::Credential;
pub use plugin::{Plugin, PluginError, Terminal};

use base64::Engine;
use kube::Config;

/// How the start-up run goes.
#[derive(Default)]
pub struct ExecOptions {
    /// The terminal, for a plugin whose interactiveMode lets it ask; `None` when there is
    /// none (then an interactiveMode Always plugin cannot run).
    pub terminal: Option<Terminal>,
    pub policy: RefreshPolicy,
}

/// The command of the exec plugin kube would run for this configuration. kube prefers
/// every other way to authenticate (auth-provider, basic, token, token file) over `exec`,
/// and so does the app.
pub fn plugin_command(config: &Config) -> Option<&str> {
    let user = &config.auth_info;
    let other = user.auth_provider.is_some()
        || (user.username.is_some() && user.password.is_some())
        || user.token.is_some()
        || user.token_file.is_some();
    if other {
        return None;
    }
    user.exec.as_ref()?.command.as_deref()
}

/// Runs the plugin of `config`'s user, if it has one, and takes the exec entry out of
/// `config`: a token is then sent by [`ExecAuthLayer`] around the client built from it, a
/// client certificate is put in `config` itself. Returns the cache to build the layer from.
pub async fn take_over(
    config: &mut Config,
    options: ExecOptions,
) -> Result<Option<ExecCredentials>, PluginError> {
    let uses_exec = plugin_command(config).is_some();
    let Some(exec) = config.auth_info.exec.take() else {
        return Ok(None);
    };
    if !uses_exec {
        // Another credential wins; kube would never run this plugin either.
        return Ok(None);
    }
    let plugin = Plugin::new(exec)?;
    let mut last_stderr = None;
    let credential = plugin
        .run(options.terminal, None, |line| {
            last_stderr = Some(line.to_string())
        })
        .await?;
    if let Credential::Certificate {
        certificate_pem,
        key_pem,
        ..
    } = &credential
    {
        // kube reads these fields base64-encoded, as a kubeconfig holds them.
        let encode = |pem: &str| base64::engine::general_purpose::STANDARD.encode(pem);
        config.auth_info.client_certificate_data = Some(encode(certificate_pem));
        config.auth_info.client_key_data = Some(encode(key_pem).into());
    }
    Ok(Some(ExecCredentials::new(
        plugin,
        options.policy,
        credential,
        last_stderr,
    )))
}
