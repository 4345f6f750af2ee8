//! Building a `kube::Client`: from a kubeconfig (path and context) or from a ready `kube::Config`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

use super::credentials::{self, ExecAuthLayer, ExecCredentials, ExecOptions, PluginError};

/// Why no client could be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    // The parser's own words (with line and column) follow, as kubectl shows them.
    #[error("kubeconfig를 읽을 수 없습니다: {0}")]
    Kubeconfig(#[from] KubeconfigError),
    #[error("Kubernetes 클라이언트를 만들 수 없습니다: {0}")]
    Client(#[from] kube::Error),
    #[error("{0}")]
    Credentials(#[from] PluginError),
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

/// What kubectl's lookup finds on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeconfigLookup {
    /// At least one of the files to read is there.
    Found,
    /// The learner named kubeconfig files (`--kubeconfig` or `$KUBECONFIG`) and none exists: an
    /// error, as in kubectl, never a silent switch to the demo cluster.
    Missing {
        paths: Vec<PathBuf>,
        named_by: &'static str,
    },
    /// Nothing named and no `~/.kube/config`: the app starts the demo cluster.
    Nowhere { looked_at: Vec<PathBuf> },
}

pub fn lookup_kubeconfig(
    explicit: Option<&Path>,
    kubeconfig_env: Option<&OsStr>,
    home: Option<&Path>,
) -> KubeconfigLookup {
    let paths = kubeconfig_candidates(explicit, kubeconfig_env, home);
    if paths.iter().any(|p| p.is_file()) {
        return KubeconfigLookup::Found;
    }
    let env_named =
        kubeconfig_env.is_some_and(|v| std::env::split_paths(v).any(|p| !p.as_os_str().is_empty()));
    match (explicit.is_some(), env_named) {
        (true, _) => KubeconfigLookup::Missing {
            paths,
            named_by: "--kubeconfig",
        },
        (false, true) => KubeconfigLookup::Missing {
            paths,
            named_by: "KUBECONFIG",
        },
        (false, false) => KubeconfigLookup::Nowhere { looked_at: paths },
    }
}

/// The lookup with this process's `$KUBECONFIG` and home folder.
pub fn find_kubeconfig(explicit: Option<&Path>) -> KubeconfigLookup {
    let env = std::env::var_os("KUBECONFIG");
    let home = dirs::home_dir();
    lookup_kubeconfig(explicit, env.as_deref(), home.as_deref())
}

/// Whether a kubeconfig is there to use.
pub fn kubeconfig_exists(explicit: Option<&Path>) -> bool {
    find_kubeconfig(explicit) == KubeconfigLookup::Found
}

/// Checks a namespace name the way the API server does (an RFC 1123 label), so a typo is
/// refused with a reason instead of watched forever.
pub fn check_namespace(name: &str) -> Result<(), String> {
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ends_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !name.is_empty() && name.len() <= 63 && valid_chars && ends_ok {
        return Ok(());
    }
    Err(format!(
        "'{name}'은(는) 네임스페이스 이름이 될 수 없습니다: 63자 이하의 영문 소문자, 숫자, '-'로 \
         쓰고 영문자나 숫자로 시작하고 끝나야 합니다 (RFC 1123 label)"
    ))
}

/// The API server's `host:port`, as connection errors name it.
pub fn server_of(config: &Config) -> String {
    let url = &config.cluster_url;
    url.authority()
        .map(|a| a.to_string())
        .unwrap_or_else(|| url.to_string())
}

/// The configuration of a kubeconfig's context: `path` or kubectl's default lookup, and
/// `context` or the file's current context (whose name comes back too). Runs nothing: an exec
/// plugin runs in [`client_with_credentials`].
pub async fn config_from_kubeconfig(
    path: Option<&Path>,
    context: Option<&str>,
) -> Result<(Config, Option<String>), ClientError> {
    let kubeconfig = match path {
        Some(path) => Kubeconfig::read_from(path)?,
        None => Kubeconfig::read()?,
    };
    let name = context
        .map(str::to_string)
        .or_else(|| kubeconfig.current_context.clone());
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options).await?;
    Ok((config, name))
}

/// Builds the client; when the user authenticates with an exec plugin, runs it once now (see
/// [`credentials`]) and returns the credential cache the client renews from.
pub async fn client_with_credentials(
    mut config: Config,
    options: ExecOptions,
) -> Result<(Client, Option<ExecCredentials>), ClientError> {
    let credentials = credentials::take_over(&mut config, options).await?;
    let client = build(config, TIMEOUTS, credentials.as_ref())?;
    Ok((client, credentials))
}

/// How long the app waits for the API server before it says so.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: std::time::Duration,
    /// Between two reads of an answer. Watches ask the server to end them sooner than this
    /// (see the watchers), so a silent connection is noticed whether it is a watch or not.
    pub read: std::time::Duration,
}

/// The read timeout sits between the watches' server-side timeout (25 s, see the watchers)
/// and kube-runtime's own idle give-up (5 s after it): a healthy quiet watch is ended by the
/// server first, and a silent one fails the read, which is reported, before kube-runtime
/// would quietly open a new watch into the same dead connection.
pub const TIMEOUTS: Timeouts = Timeouts {
    connect: std::time::Duration::from_secs(10),
    read: std::time::Duration::from_secs(28),
};

/// Builds a client from a ready configuration (the embedded demo cluster hands one over).
pub fn client_from_config(config: Config) -> Result<Client, ClientError> {
    client_with_timeouts(config, TIMEOUTS)
}

/// A client that gives up on a silent server: a server that accepts the connection and never
/// answers otherwise leaves "connecting" on screen for as long as it stays open.
pub fn client_with_timeouts(config: Config, timeouts: Timeouts) -> Result<Client, ClientError> {
    build(config, timeouts, None)
}

fn build(
    mut config: Config,
    timeouts: Timeouts,
    credentials: Option<&ExecCredentials>,
) -> Result<Client, ClientError> {
    config.connect_timeout = Some(timeouts.connect);
    config.read_timeout = Some(timeouts.read);
    // The read timeout counts from the request, not from when a pooled connection went idle.
    config.reset_reader_on_write = true;
    let builder = ClientBuilder::try_from(config)?;
    Ok(match credentials {
        Some(credentials) => builder
            .with_layer(&ExecAuthLayer::new(credentials.clone()))
            .build(),
        None => builder.build(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_checked_as_the_api_server_does() {
        for good in ["default", "book-info", "a", "l1", &"a".repeat(63)] {
            assert!(check_namespace(good).is_ok(), "{good}");
        }
        for bad in [
            "Bad_NS!",
            "../../etc",
            "",
            "-lab",
            "lab-",
            "UPPER",
            "a.b",
            &"a".repeat(64),
        ] {
            let error = check_namespace(bad).expect_err(bad);
            assert!(error.contains("네임스페이스"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_server_that_accepts_and_never_answers_is_a_timeout_not_a_hang() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        // Accept, read the request, say nothing.
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        let config = Config::new(format!("http://{address}").parse().unwrap());
        let timeouts = Timeouts {
            connect: std::time::Duration::from_secs(1),
            read: std::time::Duration::from_millis(300),
        };
        let client = client_with_timeouts(config, timeouts).unwrap();
        let api: kube::Api<k8s_openapi::api::core::v1::Pod> =
            kube::Api::namespaced(client, "default");
        let started = std::time::Instant::now();
        let error = api
            .list(&Default::default())
            .await
            .expect_err("silence is an error");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            crate::features::cluster::explain::cause_of(&error),
            crate::features::cluster::explain::Cause::Timeout,
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_broken_kubeconfig_is_reported_with_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters: [oops\ncontexts: []\n",
        )
        .unwrap();
        let Err(error) = config_from_kubeconfig(Some(&path), None).await else {
            panic!("broken YAML must be refused");
        };
        let said = error.to_string();
        assert!(said.starts_with("kubeconfig를 읽을 수 없습니다"), "{said}");
        assert!(said.contains("line") && said.contains("column"), "{said}");
    }

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
    fn a_named_file_that_is_missing_is_not_the_same_as_none_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("typo");
        let home = dir.path().join("home");
        let got = lookup_kubeconfig(Some(&missing), None, Some(&home));
        assert_eq!(
            got,
            KubeconfigLookup::Missing {
                paths: vec![missing.clone()],
                named_by: "--kubeconfig"
            }
        );
        let got = lookup_kubeconfig(None, Some(missing.as_os_str()), Some(&home));
        assert!(matches!(
            got,
            KubeconfigLookup::Missing {
                named_by: "KUBECONFIG",
                ..
            }
        ));
        let got = lookup_kubeconfig(None, None, Some(&home));
        assert_eq!(
            got,
            KubeconfigLookup::Nowhere {
                looked_at: vec![home.join(".kube/config")]
            }
        );
        // One existing file of several in $KUBECONFIG is enough, as kubectl merges them.
        let real = dir.path().join("config");
        std::fs::write(&real, "apiVersion: v1\nkind: Config\n").unwrap();
        let env = std::env::join_paths([&missing, &real]).unwrap();
        assert_eq!(
            lookup_kubeconfig(None, Some(&env), Some(&home)),
            KubeconfigLookup::Found
        );
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
