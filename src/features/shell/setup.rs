//! What the shell pane starts: the learner's `$SHELL` with `KUBECONFIG` pointing at the
//! cluster the app watches, in the app's context and lab namespace, and (on the demo cluster
//! only) the `istioctl` stand-in first on `PATH`.
//!
//! The context and namespace are carried over with a small kubeconfig in front of the real one
//! (`KUBECONFIG=<overlay>:<theirs>`): kubectl takes `current-context` and a context entry from
//! the first file that has them, so the overlay names the context and repeats its cluster and
//! user with the lab namespace, while credentials stay only in the learner's own file. A full
//! copy would duplicate their credentials; `kubectl --context`/`-n` aliases would not reach
//! scripts or other tools (istioctl, k9s) run from the shell.

use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use super::model::ShellSpec;
use crate::runtime::files;

/// Where the app is connected, as the shell should see it.
pub struct ShellTarget<'a> {
    /// The state folder the files go into (made private).
    pub state_dir: &'a Path,
    /// The demo cluster's kubeconfig, when the app runs on it.
    pub demo_kubeconfig: Option<String>,
    /// `--kubeconfig`, when given (else `$KUBECONFIG` or `~/.kube/config`, as kubectl reads).
    pub kubeconfig: Option<&'a Path>,
    pub context: &'a str,
    pub namespace: &'a str,
    /// The app's own executable, which the `istioctl` stand-in runs.
    pub exe: Option<PathBuf>,
    /// On the demo cluster: files by the relative path lessons name (`samples/bookinfo/…`),
    /// written into the folder the shell starts in, since there is no Istio download there.
    pub samples: &'a [(&'a str, &'a str)],
}

/// The files written for the shell; removed again when the app ends.
#[derive(Debug, Default)]
pub struct ShellFiles {
    paths: Vec<PathBuf>,
}

impl Drop for ShellFiles {
    fn drop(&mut self) {
        for path in self.paths.iter().rev() {
            let _ = std::fs::remove_file(path).or_else(|_| std::fs::remove_dir(path));
        }
    }
}

/// The learner's shell: `$SHELL`, or `/bin/sh` when it is unset or empty.
pub fn user_shell() -> String {
    std::env::var("SHELL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "/bin/sh".into())
}

/// Writes the shell's kubeconfig (and the demo's `istioctl`) and returns what to start.
pub fn prepare(target: &ShellTarget) -> Result<(ShellSpec, ShellFiles), String> {
    let dir = target.state_dir;
    files::private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = ShellFiles::default();
    // One set of files per running app, so two apps (two clusters) do not share them.
    let pid = std::process::id();
    let mut kubeconfigs = Vec::new();
    let mut path_prepend = Vec::new();
    let config = if let Some(yaml) = &target.demo_kubeconfig {
        let path = dir.join(format!("demo-kubeconfig-{pid}.yaml"));
        write(&path, yaml.as_bytes(), &mut written)?;
        kubeconfigs.push(path);
        Some(Kubeconfig::from_yaml(yaml).map_err(|e| format!("demo kubeconfig: {e}"))?)
    } else {
        kubeconfigs.extend(user_kubeconfigs(target.kubeconfig));
        // A kubeconfig the app could not read still gets a shell, as kubectl would see it.
        match target.kubeconfig {
            Some(path) => Kubeconfig::read_from(path),
            None => Kubeconfig::read(),
        }
        .ok()
    };
    if let Some(overlay) = config.and_then(|c| overlay(&c, target.context, target.namespace)) {
        let path = dir.join(format!("shell-context-{pid}.yaml"));
        write(&path, overlay.as_bytes(), &mut written)?;
        kubeconfigs.insert(0, path);
    }
    if target.demo_kubeconfig.is_some()
        && let Some(exe) = &target.exe
    {
        // Only on the demo cluster: on a real one the learner's own istioctl is the right one.
        let bin = dir.join(format!("bin-{pid}"));
        files::private_dir(&bin).map_err(|e| format!("{}: {e}", bin.display()))?;
        let script = bin.join("istioctl");
        write(&script, istioctl_script(exe).as_bytes(), &mut written)?;
        make_executable(&script)?;
        written.paths.insert(0, bin.clone());
        path_prepend.push(bin);
    }
    let cwd = match &target.demo_kubeconfig {
        Some(_) if !target.samples.is_empty() => Some(demo_lab(dir, target.samples)?),
        _ => None,
    };
    let mut env = vec![("ISTIO_LAB".to_string(), "1".to_string())];
    if !kubeconfigs.is_empty() {
        let joined = std::env::join_paths(&kubeconfigs).map_err(|e| format!("KUBECONFIG: {e}"))?;
        env.push(("KUBECONFIG".into(), joined.to_string_lossy().into_owned()));
    }
    let spec = ShellSpec {
        program: user_shell(),
        args: Vec::new(),
        env,
        path_prepend,
        cwd,
    };
    Ok((spec, written))
}

/// The demo shell's folder, holding the lessons' sample manifests where their commands look.
/// It stays after the app ends: it holds no secret, and the learner may have added files.
fn demo_lab(dir: &Path, samples: &[(&str, &str)]) -> Result<PathBuf, String> {
    let lab = dir.join("demo-lab");
    for (relative, text) in samples {
        let path = lab.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        // Lesson 9 runs samples/bookinfo/platform/kube/cleanup.sh by its path.
        if path.extension().is_some_and(|e| e == "sh") {
            make_executable(&path)?;
        }
    }
    Ok(lab)
}

fn write(path: &Path, bytes: &[u8], written: &mut ShellFiles) -> Result<(), String> {
    files::write_private(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    written.paths.push(path.to_path_buf());
    Ok(())
}

fn make_executable(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The files kubectl would read, in its order: `--kubeconfig`, else `$KUBECONFIG`'s list,
/// else `~/.kube/config`.
fn user_kubeconfigs(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(path) = explicit {
        return vec![path.to_path_buf()];
    }
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return std::env::split_paths(&list).collect();
    }
    dirs::home_dir()
        .map(|home| vec![home.join(".kube").join("config")])
        .unwrap_or_default()
}

/// A kubeconfig that makes `context` current with `namespace`, repeating the context's cluster
/// and user; `None` when the context is not in `config`. JSON, which kubectl reads as YAML.
pub fn overlay(config: &Kubeconfig, context: &str, namespace: &str) -> Option<String> {
    let found = config
        .contexts
        .iter()
        .find(|c| c.name == context)?
        .context
        .as_ref()?;
    let mut entry = serde_json::json!({
        "cluster": found.cluster,
        "namespace": namespace,
    });
    if let Some(user) = &found.user {
        entry["user"] = user.clone().into();
    }
    let document = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": context,
        "contexts": [{ "name": context, "context": entry }],
    });
    serde_json::to_string_pretty(&document).ok()
}

/// `istioctl "$@"` as the app's own subcommand; the path is single-quoted for sh.
pub fn istioctl_script(exe: &Path) -> String {
    let quoted = exe.display().to_string().replace('\'', r"'\''");
    format!("#!/bin/sh\n# istio-lab의 데모 클러스터용 istioctl\nexec '{quoted}' istioctl \"$@\"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_sets_the_context_and_namespace_and_keeps_credentials_out() {
        let config = Kubeconfig::from_yaml(
            "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c1, user: u1}\n- name: lab\n  context: {cluster: c2, user: u2, namespace: other}\nusers:\n- name: u2\n  user: {token: secret}\n",
        )
        .unwrap();
        let text = overlay(&config, "lab", "bookinfo").unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["current-context"], "lab");
        assert_eq!(value["contexts"][0]["context"]["cluster"], "c2");
        assert_eq!(value["contexts"][0]["context"]["user"], "u2");
        assert_eq!(value["contexts"][0]["context"]["namespace"], "bookinfo");
        assert!(!text.contains("secret"));
        assert_eq!(overlay(&config, "missing", "x"), None);
    }

    #[test]
    fn the_istioctl_stand_in_quotes_the_path() {
        let script = istioctl_script(Path::new("/opt/it's here/istio-lab"));
        assert!(script.contains(r"exec '/opt/it'\''s here/istio-lab' istioctl "));
    }
}
