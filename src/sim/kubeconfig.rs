//! The kubeconfig that reaches the demo cluster: its text, and writing it to a file that
//! only its owner can read (it holds the run's token) without overwriting someone's own
//! kubeconfig by accident.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;

use super::SimError;

/// The kubeconfig context the demo cluster is reached through.
pub const CONTEXT_NAME: &str = "istio-lab-demo";

/// A kubeconfig for `server` whose certificate `ca_pem` signed, with `token` (context
/// `istio-lab-demo`, namespace default), as kind writes one: the CA inline as base64 PEM,
/// so the file alone is enough to reach the cluster.
pub fn render(server: &str, ca_pem: &str, token: &str) -> String {
    render_as(server, ca_pem, token, CONTEXT_NAME, "default")
}

/// The same for one user of a workshop room: their name as the kubeconfig's user, and their
/// lab namespace as the context's, so their kubectl and app start there.
pub fn render_as(server: &str, ca_pem: &str, token: &str, user: &str, namespace: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT_NAME}\n  cluster:\n    certificate-authority-data: {ca}\n    server: {server}\n\
         users:\n- name: {user}\n  user:\n    token: {token}\n\
         contexts:\n- name: {CONTEXT_NAME}\n  context:\n    cluster: {CONTEXT_NAME}\n    user: {user}\n    namespace: {namespace}\n\
         current-context: {CONTEXT_NAME}\npreferences: {{}}\n"
    )
}

/// Opens `path` for writing a new file that is private from its first byte (0600 on Unix).
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// A name beside `path` for the copy that replaces it under `--force`.
fn sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.istio-lab-{}", std::process::id()))
}

/// Writes `text` to `path`. An existing file is refused unless `force`; with `force` it is
/// replaced by a freshly created private file (renamed over it), so the result is 0600
/// whatever mode the old file had.
pub fn write(path: &Path, text: &str, force: bool) -> Result<(), SimError> {
    let failed = |source: std::io::Error| SimError::Kubeconfig {
        path: path.display().to_string(),
        source,
    };
    if !force {
        return match create_private(path) {
            Ok(mut file) => file.write_all(text.as_bytes()).map_err(failed),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(SimError::KubeconfigExists {
                    path: path.display().to_string(),
                })
            }
            Err(err) => Err(failed(err)),
        };
    }
    let temporary = sibling(path);
    // A copy left by an earlier run that died before renaming it is ours to replace.
    let _ = std::fs::remove_file(&temporary);
    let written = create_private(&temporary)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_kept_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "mine").unwrap();
        let refused = write(&path, "demo", false).unwrap_err();
        assert!(matches!(refused, SimError::KubeconfigExists { .. }));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
        write(&path, "demo", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "demo");
        let fresh = dir.path().join("fresh");
        write(&fresh, "demo", false).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for file in [&path, &fresh] {
                let mode = std::fs::metadata(file).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", file.display());
            }
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn the_kubeconfig_names_the_server_and_token() {
        let text = render(
            "https://127.0.0.1:1",
            "-----BEGIN CERTIFICATE-----\n",
            "abc",
        );
        assert!(text.contains("server: https://127.0.0.1:1\n"));
        assert!(text.contains("token: abc\n"));
        let ca = "certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n";
        assert!(text.contains(ca), "{text}");
    }
}
