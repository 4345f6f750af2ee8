//! The commands a container of the demo cluster can run: `curl` to the mesh, `hostname`,
//! `cat /etc/hostname`, `env`, `printenv`, `ls`, `echo`, `pwd`, `true`, `false`; anything else
//! is not found, worded as runc words it for exec and as `sh` (dash) words it at the prompt.

use serde_json::Value;

use super::super::resources::SERVICES;
use super::Output;
use super::bookinfo::Cluster;
use super::curl;

/// The pod a command runs in.
pub struct Container<'a> {
    pub namespace: &'a str,
    pub pod: &'a str,
}

/// How a command that is not there is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFound {
    /// Started by exec itself: the container runtime refuses to start it.
    Runtime,
    /// Typed at the `sh` prompt.
    Shell,
}

const ROOT: &str = "bin\nboot\ndev\netc\nhome\nlib\nlib64\nmedia\nmnt\nopt\nproc\nroot\nrun\nsbin\nsrv\nsys\ntmp\nusr\nvar\n";

/// Runs one command (argv); `sh` is not here (the session runs its prompt).
pub fn run(cluster: &Cluster, at: &Container, argv: &[String], not_found: NotFound) -> Output {
    let Some((program, args)) = argv.split_first() else {
        return Output::default();
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "curl" => curl::run(cluster, at.namespace, args),
        "hostname" => Output::text(format!("{}\n", at.pod)),
        "cat" => cat(at, args),
        "env" | "printenv" if args.is_empty() => {
            let lines: String = environment(cluster, at)
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect();
            Output::text(lines)
        }
        "printenv" => {
            let env = environment(cluster, at);
            let found: Vec<&String> = args
                .iter()
                .filter_map(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v))
                .collect();
            let mut out = Output::text(found.iter().map(|v| format!("{v}\n")).collect());
            out.code = if found.len() == args.len() { 0 } else { 1 };
            out
        }
        "echo" => Output::text(format!("{}\n", args.join(" "))),
        "ls" => ls(args),
        "pwd" => Output::text("/\n".into()),
        "true" => Output::default(),
        "false" => Output {
            code: 1,
            ..Output::default()
        },
        _ => match not_found {
            NotFound::Runtime => Output::fail(
                127,
                format!(
                    "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
                ),
            ),
            NotFound::Shell => Output::fail(127, format!("sh: 1: {program}: not found\n")),
        },
    }
}

fn cat(at: &Container, args: &[String]) -> Output {
    let mut out = Output::default();
    for file in args {
        match file.as_str() {
            "/etc/hostname" => out
                .stdout
                .extend_from_slice(format!("{}\n", at.pod).as_bytes()),
            other => {
                out.stderr.extend_from_slice(
                    format!("cat: {other}: No such file or directory\n").as_bytes(),
                );
                out.code = 1;
            }
        }
    }
    out
}

fn ls(args: &[String]) -> Output {
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let mut out = Output::default();
    if paths.is_empty() {
        out.stdout.extend_from_slice(ROOT.as_bytes());
    }
    for path in paths {
        match path.trim_end_matches('/') {
            "" => out.stdout.extend_from_slice(ROOT.as_bytes()),
            "/etc" => out
                .stdout
                .extend_from_slice(b"hostname\nhosts\npasswd\nresolv.conf\n"),
            "/etc/hostname" => out.stdout.extend_from_slice(b"/etc/hostname\n"),
            other => {
                let text = format!("ls: cannot access '{other}': No such file or directory\n");
                out.stderr.extend_from_slice(text.as_bytes());
                out.code = 2;
            }
        }
    }
    out
}

/// A container's environment as the kubelet sets it: the pod's hostname, and each Service of
/// the namespace as `{NAME}_SERVICE_HOST`/`_PORT`.
fn environment(cluster: &Cluster, at: &Container) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        ),
        ("HOSTNAME".to_string(), at.pod.to_string()),
        ("HOME".to_string(), "/root".to_string()),
        (
            "KUBERNETES_SERVICE_HOST".to_string(),
            "10.96.0.1".to_string(),
        ),
        ("KUBERNETES_SERVICE_PORT".to_string(), "443".to_string()),
    ];
    let services = cluster.store.list(SERVICES, Some(at.namespace)).0;
    for svc in &services {
        let name = svc.pointer("/metadata/name").and_then(Value::as_str);
        let ip = svc.pointer("/spec/clusterIP").and_then(Value::as_str);
        let port = svc.pointer("/spec/ports/0/port").and_then(Value::as_u64);
        if let (Some(name), Some(ip), Some(port)) = (name, ip, port) {
            let key = name.to_uppercase().replace('-', "_");
            env.push((format!("{key}_SERVICE_HOST"), ip.to_string()));
            env.push((format!("{key}_SERVICE_PORT"), port.to_string()));
        }
    }
    env
}

/// Splits a typed line into words as a POSIX shell quotes them; None for an unterminated quote.
pub fn words(line: &str) -> Option<Vec<String>> {
    shlex::split(line)
}

/// dash's answer to an unterminated quote.
pub const UNTERMINATED: &str = "sh: 1: Syntax error: Unterminated quoted string\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_words_with_quotes() {
        assert_eq!(
            words("curl -s -w '%{http_code}' \"a b\"  ''").unwrap(),
            vec!["curl", "-s", "-w", "%{http_code}", "a b", ""]
        );
        assert!(words("   ").unwrap().is_empty());
        assert_eq!(words("echo 'a"), None);
    }
}
