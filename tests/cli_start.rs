//! How the app starts from the command line: a kubeconfig that was named but is missing is an
//! error that names it, and without a terminal the app says it needs one and which commands
//! do not. Runs the real binary, with and without a pseudo-terminal.

use std::path::Path;
use std::process::{Command, Output};

fn istio_lab(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let state = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_istio-lab"));
    command
        .args(args)
        .env("XDG_STATE_HOME", state.path())
        .env("HOME", state.path())
        .env_remove("KUBECONFIG");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

/// Runs the binary inside a pseudo-terminal (util-linux `script`); `None` where there is none.
fn istio_lab_in_a_terminal(args: &str, envs: &[(&str, &Path)]) -> Option<Output> {
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipped: /usr/bin/script (util-linux) is not installed");
        return None;
    }
    let state = tempfile::tempdir().expect("temp dir");
    let line = format!("{} {args}", env!("CARGO_BIN_EXE_istio-lab"));
    let mut command = Command::new(script);
    command
        .args(["-qec", &line, "/dev/null"])
        .env("XDG_STATE_HOME", state.path())
        .env("HOME", state.path())
        .env_remove("KUBECONFIG");
    for (key, value) in envs {
        command.env(key, value);
    }
    Some(command.output().expect("script runs"))
}

fn text(output: &Output) -> String {
    let mut all = String::from_utf8_lossy(&output.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&output.stderr));
    all
}

#[test]
fn a_missing_kubeconfig_flag_is_an_error_that_names_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("does-not-exist");
    let path = missing.to_str().expect("utf-8 path");
    let out = istio_lab(&["--kubeconfig", path], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("kubeconfig 파일이 없습니다"), "{said}");
    assert!(said.contains(path), "{said}");
    assert!(said.contains("--kubeconfig"), "{said}");
    if let Some(out) = istio_lab_in_a_terminal(&format!("--kubeconfig {path}"), &[]) {
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(path), "{}", text(&out));
    }
}

#[test]
fn a_kubeconfig_env_that_points_nowhere_is_an_error_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let typo = dir.path().join("typo");
    let out = istio_lab(&[], &[("KUBECONFIG", &typo)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("KUBECONFIG"), "{said}");
    assert!(said.contains(&*typo.to_string_lossy()), "{said}");
}

#[test]
fn without_a_terminal_it_says_so_and_names_the_commands_that_need_none() {
    let out = istio_lab(&["--demo"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("터미널"), "{said}");
    for command in ["istio-lab lessons", "istio-lab render", "istio-lab sim"] {
        assert!(said.contains(command), "{command} is named: {said}");
    }
    assert!(!said.contains("os error"), "no raw OS error: {said}");
}

#[test]
fn an_invalid_namespace_is_refused_before_anything_starts() {
    for bad in ["Bad_NS!", "../../etc"] {
        let out = istio_lab(&["--demo", "-n", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let said = text(&out);
        assert!(
            said.contains("네임스페이스 이름이 될 수 없습니다"),
            "{said}"
        );
    }
}
