//! `istio-lab sim`: the demo cluster on its own, for kubectl in a shell — the kubeconfig it
//! writes, the start block it prints (in Korean, with the commands as they are typed), and
//! the signals that stop it.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use super::tls::LOOPBACK_NAMES;
use super::{
    Listen, Scenario, SimError, SimOptions, kubeconfig, start_with_gateway, write_samples,
};

/// What `istio-lab sim` was asked for.
#[derive(Debug, Clone)]
pub struct Standalone {
    /// 0 lets the OS choose.
    pub port: u16,
    pub listen: Listen,
    pub kubeconfig_out: PathBuf,
    pub speed: f64,
    /// Replace an existing kubeconfig file.
    pub force: bool,
    /// A workshop room: this many learners, each with a namespace and a kubeconfig.
    pub learners: u16,
    /// The ingress gateway's port; None: 80 where allowed, else a free one.
    pub gateway_port: Option<u16>,
}

/// The signal that stopped the demo cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    Interrupt,
    Terminate,
}

impl Stopped {
    /// 128 + the signal's number (130, 143): what a shell reports for a program the signal
    /// ended, and what the TUI exits with after the same signals. A script that stops the
    /// demo cluster can tell that from a failure (1).
    pub fn exit_code(self) -> u8 {
        match self {
            Stopped::Interrupt => 130,
            Stopped::Terminate => 143,
        }
    }
}

/// Serves the demo cluster until SIGINT (Ctrl-C) or SIGTERM, then stops it: open watches end
/// and the port is closed. An existing kubeconfig file is refused unless `force`, since it
/// may be the user's own; it is checked before the cluster starts and again, atomically, on
/// writing.
pub async fn run_standalone(options: &Standalone) -> Result<Stopped, SimError> {
    let out = &options.kubeconfig_out;
    if !options.force && std::fs::symlink_metadata(out).is_ok() {
        return Err(SimError::KubeconfigExists {
            path: out.display().to_string(),
        });
    }
    // Caught from before the start block is printed, so a signal sent after it always
    // stops the server the clean way.
    let mut signals = Signals::new().map_err(SimError::Signal)?;
    let scenario = Scenario::demo()?.with_room(options.learners);
    let options_for_start = SimOptions {
        port: options.port,
        speed: options.speed,
        scenario,
    };
    let handle =
        start_with_gateway(options_for_start, &options.listen, options.gateway_port).await?;
    if let Err(err) = kubeconfig::write(out, &handle.kubeconfig_yaml(), options.force) {
        handle.shutdown().await;
        return Err(err);
    }
    tracing::info!(addr = %handle.listen_addr(), kubeconfig = %out.display(), "demo cluster serving");
    // An absolute path, so the export line works from any directory.
    let path = std::path::absolute(out).unwrap_or_else(|_| out.clone());
    let samples = samples_beside(&path);
    let room = match path.parent().filter(|_| options.learners > 0) {
        Some(dir) => match super::room::write_kubeconfigs(&handle, dir, options.force) {
            Ok(folder) => Some((folder, options.learners)),
            Err(err) => {
                handle.shutdown().await;
                return Err(err);
            }
        },
        None => None,
    };
    let block = StartBlock {
        api: handle.server_url(),
        listen: handle.listen_addr(),
        names: handle.tls_names().to_vec(),
        kubeconfig: path,
        // What the Service advertises, so the line matches the guide's GATEWAY_URL.
        gateway: Some(SocketAddr::new(
            super::gateway::advertised_ip(&options.listen),
            handle.gateway_addr().port(),
        )),
        samples,
        room,
    };
    {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (the block unread) is no reason to stop serving.
        let _ = stdout.write_all(block.render().as_bytes());
        let _ = stdout.flush();
    }
    let stopped = signals.recv().await;
    tracing::info!(?stopped, "demo cluster stopping");
    handle.shutdown().await;
    stopped.map_err(SimError::Signal)
}

/// Writes the guide's `istio-<version>/samples` tree beside the kubeconfig. Without it the
/// demo cluster still serves, so a failure is only logged and the start block says nothing.
fn samples_beside(kubeconfig: &Path) -> Option<PathBuf> {
    let dir = kubeconfig.parent()?;
    write_samples(dir)
        .inspect_err(|err| tracing::warn!(%err, dir = %dir.display(), "samples not written"))
        .ok()
}

/// What the start block says.
struct StartBlock {
    api: String,
    listen: SocketAddr,
    /// The serving certificate's names, loopback's included.
    names: Vec<String>,
    kubeconfig: PathBuf,
    gateway: Option<SocketAddr>,
    /// The `istio-<version>` folder holding `samples/`, when it was written.
    samples: Option<PathBuf>,
    /// A workshop room: the folder of its kubeconfigs, and how many learners.
    room: Option<(PathBuf, u16)>,
}

impl StartBlock {
    fn render(&self) -> String {
        let path = shell_quote(&self.kubeconfig);
        let mut lines = vec![
            "istio-lab 데모 클러스터가 실행 중입니다.".to_string(),
            format!("  API 서버    {}", self.api),
            format!(
                "  kubeconfig  {} (이 실행의 토큰과 CA 인증서, 본인만 읽을 수 있음)",
                self.kubeconfig.display()
            ),
        ];
        if let Some(gateway) = self.gateway {
            lines.push(format!("  게이트웨이  http://{gateway}"));
        }
        if let Some(samples) = &self.samples {
            lines.push(format!(
                "  샘플        {} (samples/bookinfo, samples/addons: kubectl apply -f samples/... 는 이 폴더에서)",
                samples.display()
            ));
        }
        if let Some((folder, learners)) = &self.room {
            let last = super::room::learner_name(*learners);
            lines.push(format!(
                "  강의실      학습자 {learners}명, 네임스페이스 learner-01…{last} (사이드카 주입 켜짐)"
            ));
            lines.push(format!(
                "              학습자마다 {}/learner-01.kubeconfig … {last}.kubeconfig, 강사는 instructor.kubeconfig",
                folder.display()
            ));
        }
        if self.listen.ip().is_unspecified() {
            let port = self.listen.port();
            let others: Vec<&String> = self
                .names
                .iter()
                .filter(|n| !LOOPBACK_NAMES.contains(&n.as_str()))
                .collect();
            for name in &others {
                lines.push(format!(
                    "  다른 컴퓨터에서  https://{}",
                    host_port(name, port)
                ));
            }
            if others.is_empty() {
                lines.push(format!(
                    "  주의: {}에서 받지만 인증서에 이 컴퓨터의 주소가 없습니다. 다른 컴퓨터에서 쓰려면 --tls-san 주소를 붙여 다시 시작하세요.",
                    self.listen.ip()
                ));
            }
        }
        lines.extend([
            String::new(),
            "이 셸에서 kubectl을 쓰려면:".to_string(),
            format!("  export KUBECONFIG={path}"),
        ]);
        if let Some(samples) = &self.samples {
            lines.push(format!("  cd {}", shell_quote(samples)));
        }
        lines.extend([
            "  kubectl get pods -A".to_string(),
            String::new(),
            "멈추려면 Ctrl-C를 누르세요 (SIGTERM도 같습니다).".to_string(),
        ]);
        lines.join("\n") + "\n"
    }
}

/// `name:port`, with an IPv6 address in brackets as URLs write it.
fn host_port(name: &str, port: u16) -> String {
    match name.parse::<IpAddr>() {
        Ok(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
        _ => format!("{name}:{port}"),
    }
}

/// The path as a POSIX shell reads it back: as it is when it has only safe characters,
/// otherwise in single quotes (a quote inside written as '\'').
fn shell_quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    let safe = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// SIGINT and SIGTERM, caught from `new` on.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) -> std::io::Result<Stopped> {
        Ok(tokio::select! {
            _ = self.interrupt.recv() => Stopped::Interrupt,
            _ = self.terminate.recv() => Stopped::Terminate,
        })
    }
}

/// Ctrl-C only, where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn recv(&mut self) -> std::io::Result<Stopped> {
        tokio::signal::ctrl_c().await.map(|()| Stopped::Interrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(listen: &str, names: &[&str], gateway: Option<&str>) -> String {
        StartBlock {
            api: "https://127.0.0.1:6443".into(),
            listen: format!("{listen}:6443").parse().unwrap(),
            names: names.iter().map(|n| n.to_string()).collect(),
            kubeconfig: PathBuf::from("/tmp/lab/kcfg"),
            gateway: gateway.map(|g| g.parse().unwrap()),
            room: None,
            samples: Some(PathBuf::from("/tmp/lab/istio-1.28.0")),
        }
        .render()
    }

    #[test]
    fn the_block_names_the_server_the_file_and_the_export_line() {
        let text = block("127.0.0.1", &LOOPBACK_NAMES, None);
        assert!(
            text.contains("  API 서버    https://127.0.0.1:6443\n"),
            "{text}"
        );
        assert!(text.contains("  kubeconfig  /tmp/lab/kcfg "), "{text}");
        assert!(
            text.contains("\n  export KUBECONFIG=/tmp/lab/kcfg\n"),
            "{text}"
        );
        assert!(text.contains("Ctrl-C"), "{text}");
        assert!(
            text.contains("  샘플        /tmp/lab/istio-1.28.0 (")
                && text.contains("\n  cd /tmp/lab/istio-1.28.0\n"),
            "{text}"
        );
        assert!(
            !text.contains("게이트웨이"),
            "no gateway line without one: {text}"
        );
        assert!(
            !text.contains("다른 컴퓨터") && !text.contains("주의"),
            "{text}"
        );
        let with_gateway = block("127.0.0.1", &LOOPBACK_NAMES, Some("127.0.0.1:8080"));
        assert!(with_gateway.contains("  게이트웨이  http://127.0.0.1:8080\n"));
    }

    #[test]
    fn on_every_interface_the_block_says_how_other_machines_reach_it() {
        let named = block(
            "0.0.0.0",
            &["127.0.0.1", "::1", "localhost", "10.0.0.7", "fd00::7"],
            None,
        );
        assert!(
            named.contains("  다른 컴퓨터에서  https://10.0.0.7:6443\n"),
            "{named}"
        );
        assert!(
            named.contains("  다른 컴퓨터에서  https://[fd00::7]:6443\n"),
            "{named}"
        );
        let unnamed = block("0.0.0.0", &LOOPBACK_NAMES, None);
        assert!(unnamed.contains("--tls-san"), "{unnamed}");
    }

    #[test]
    fn paths_are_quoted_for_the_shell_when_they_need_it() {
        assert_eq!(shell_quote(Path::new("/home/me/kcfg")), "/home/me/kcfg");
        assert_eq!(
            shell_quote(Path::new("/tmp/my lab/kcfg")),
            "'/tmp/my lab/kcfg'"
        );
        assert_eq!(shell_quote(Path::new("/tmp/it's")), r"'/tmp/it'\''s'");
        assert_eq!(shell_quote(Path::new("/tmp/$HOME")), "'/tmp/$HOME'");
    }

    #[test]
    fn a_signal_stop_exits_as_a_shell_reports_it() {
        assert_eq!(Stopped::Interrupt.exit_code(), 130);
        assert_eq!(Stopped::Terminate.exit_code(), 143);
    }
}
