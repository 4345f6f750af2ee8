//! Building a `kube::Client`: from a kubeconfig (path and context) or from a ready `kube::Config`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

/// Why no client could be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read kubeconfig: {0}")]
    Kubeconfig(#[from] KubeconfigError),
    #[error("cannot create a Kubernetes client: {0}")]
    Client(#[from] kube::Error),
}

/// The kubeconfig files kubectl would read, in order: an explicit path, else every entry of
/// `$KUBECONFIG`, else `~/.kube/config`.
pub fn kubeconfig_candidates(
    explicit: Option<&Path>,
    kubeconfig_env: Option<&OsStr>,
    home: Option<&Path>,
) -> Vec<PathBuf> {
    if let Some(path) = explicit {
        return vec![path.to_path_buf()];
    }
    if let Some(value) = kubeconfig_env.filter(|v| !v.is_empty()) {
        let paths: Vec<PathBuf> = std::env::split_paths(value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            return paths;
        }
    }
    home.map(|h| vec![h.join(".kube").join("config")])
        .unwrap_or_default()
}

/// Whether a kubeconfig is there to use. When there is none, the app starts the demo cluster.
pub fn kubeconfig_exists(explicit: Option<&Path>) -> bool {
    let env = std::env::var_os("KUBECONFIG");
    let home = dirs::home_dir();
    kubeconfig_candidates(explicit, env.as_deref(), home.as_deref())
        .iter()
        .any(|p| p.is_file())
}

/// Builds a client from a kubeconfig: `path` or kubectl's default lookup, and `context` or the
/// file's current context.
pub async fn client_from_kubeconfig(
    path: Option<&Path>,
    context: Option<&str>,
) -> Result<Client, ClientError> {
    let kubeconfig = match path {
        Some(path) => Kubeconfig::read_from(path)?,
        None => Kubeconfig::read()?,
    };
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options).await?;
    client_from_config(config)
}

/// Builds a client from a ready configuration (the embedded demo cluster hands one over).
pub fn client_from_config(config: Config) -> Result<Client, ClientError> {
    Ok(Client::try_from(config)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_wins() {
        let env = OsStr::new("/a:/b");
        let got = kubeconfig_candidates(
            Some(Path::new("/x/config")),
            Some(env),
            Some(Path::new("/home/u")),
        );
        assert_eq!(got, [PathBuf::from("/x/config")]);
    }

    #[test]
    fn kubeconfig_env_lists_every_file() {
        let env = std::env::join_paths(["/a/one", "/b/two"]).unwrap();
        let got = kubeconfig_candidates(None, Some(&env), Some(Path::new("/home/u")));
        assert_eq!(got, [PathBuf::from("/a/one"), PathBuf::from("/b/two")]);
    }

    #[test]
    fn falls_back_to_home_kube_config() {
        let got = kubeconfig_candidates(None, Some(OsStr::new("")), Some(Path::new("/home/u")));
        assert_eq!(got, [PathBuf::from("/home/u/.kube/config")]);
        assert!(kubeconfig_candidates(None, None, None).is_empty());
    }

    #[test]
    fn existence_checks_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config");
        assert!(!kubeconfig_exists(Some(&file)));
        std::fs::write(&file, "apiVersion: v1\nkind: Config\n").unwrap();
        assert!(kubeconfig_exists(Some(&file)));
        assert!(!kubeconfig_exists(Some(dir.path())));
    }
}
