//! The demo cluster in a child process of its own, as an API server runs beside the app: the
//! child's side (serve until stdin closes), the parent's (start it, read where it serves, a
//! client for it) and the child's RSS and CPU time from /proc.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use base64::Engine;
use istio_lab::sim::SimHandle;

/// Set by the parent: which side of the bench this process is.
pub const ROLE_VAR: &str = "ISTIO_LAB_BENCH_ROLE";
/// The role of the child that serves the demo cluster.
pub const SERVER_ROLE: &str = "server";

/// Linux reports CPU times in /proc in USER_HZ ticks, 100 a second on every architecture
/// this project runs on (the kernel fixes it for userspace whatever its own HZ is).
const TICKS_PER_SECOND: f64 = 100.0;

/// Whether this process was started as the demo cluster's child.
pub fn is_server() -> bool {
    std::env::var(ROLE_VAR).as_deref() == Ok(SERVER_ROLE)
}

/// The child's side: tells the parent where `sim` serves (address, admin token, CA) and
/// every `extra` line, then serves until its stdin closes.
pub async fn serve(sim: SimHandle, extra: &[String]) {
    let ca = base64::engine::general_purpose::STANDARD.encode(sim.ca_der());
    let mut out = std::io::stdout().lock();
    for line in extra {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "READY {} {} {ca}", sim.server_url(), sim.token());
    let _ = out.flush();
    drop(out);
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    })
    .await;
    sim.shutdown().await;
}

/// The parent's handle on the demo cluster's process.
pub struct Server {
    process: Child,
    stdin: Option<ChildStdin>,
    pub url: String,
    pub token: String,
    pub ca_der: Vec<u8>,
    /// The lines the child printed before READY.
    pub extra: Vec<String>,
}

impl Server {
    /// Starts this bench's own executable as the demo cluster (with `envs` set) and waits
    /// until it says where it serves.
    pub fn start(envs: &[(&str, String)]) -> Result<Server, String> {
        let exe = std::env::current_exe().map_err(|e| format!("the bench's path: {e}"))?;
        let mut command = Command::new(exe);
        command
            .env(ROLE_VAR, SERVER_ROLE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        for (name, value) in envs {
            command.env(name, value);
        }
        let mut process = command
            .spawn()
            .map_err(|e| format!("starting the demo cluster: {e}"))?;
        let stdout = process.stdout.take().ok_or("the demo cluster's stdout")?;
        let mut extra = Vec::new();
        let mut ready = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            match line.strip_prefix("READY ") {
                Some(rest) => {
                    ready = Some(rest.to_string());
                    break;
                }
                None => extra.push(line),
            }
        }
        let ready = ready.ok_or("the demo cluster ended before saying where it serves")?;
        let mut parts = ready.split(' ');
        let (url, token, ca) = (
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default(),
        );
        let ca_der = base64::engine::general_purpose::STANDARD
            .decode(ca)
            .map_err(|e| format!("the demo cluster's CA: {e}"))?;
        let stdin = process.stdin.take();
        Ok(Server {
            process,
            stdin,
            url,
            token,
            ca_der,
            extra,
        })
    }

    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// A client configuration for the admin user (TLS with the run's CA, as `--demo` uses).
    pub fn admin_config(&self) -> Result<kube::Config, String> {
        let uri = self
            .url
            .parse()
            .map_err(|e| format!("server URL {}: {e}", self.url))?;
        let mut config = kube::Config::new(uri);
        config.default_namespace = "default".into();
        config.auth_info = serde_json::from_value(serde_json::json!({ "token": self.token }))
            .map_err(|e| format!("a token user: {e}"))?;
        config.root_cert = Some(vec![self.ca_der.clone()]);
        Ok(config)
    }

    /// The child's resident set, from /proc/PID/status.
    pub fn rss_kib(&self) -> Option<u64> {
        status_kib(self.pid(), "VmRSS:")
    }

    /// The child's peak resident set.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        status_kib(self.pid(), "VmHWM:")
    }

    /// The child's CPU time so far (user + system), in seconds.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        // The command name may hold spaces and parentheses: fields count from the last ')'.
        let after = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        // After the name: state is field 3, utime field 14 and stime field 15 (proc(5)).
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some((utime + stime) as f64 / TICKS_PER_SECOND)
    }

    /// Closes the child's stdin, which ends it, and waits for it.
    pub fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.process.wait();
    }
}

/// A `VmRSS:`-style field of a process's /proc status, in KiB.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
