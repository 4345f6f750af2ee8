//! The `istio-<version>/samples` tree `istio-lab sim` writes for the learner: the guide's
//! Bookinfo manifests and the observability addons, at the paths the guide's commands use
//! after `cd istio-<version>`, so `kubectl apply -f samples/...` works against the demo
//! cluster without downloading Istio.

use std::io;
use std::path::{Path, PathBuf};

/// The Istio release the demo cluster plays (its proxy and pilot images are this version).
pub const ISTIO_VERSION: &str = "1.28.0";

/// Each file's path under `istio-<version>/` and its text.
pub const FILES: &[(&str, &str)] = &[
    (
        "samples/bookinfo/platform/kube/bookinfo.yaml",
        include_str!("../../assets/bookinfo/bookinfo.yaml"),
    ),
    (
        "samples/bookinfo/platform/kube/cleanup.sh",
        include_str!("../../assets/bookinfo/cleanup.sh"),
    ),
    (
        "samples/bookinfo/networking/bookinfo-gateway.yaml",
        include_str!("../../assets/bookinfo/bookinfo-gateway.yaml"),
    ),
    (
        "samples/bookinfo/networking/destination-rule-reviews.yaml",
        include_str!("../../assets/bookinfo/destination-rule-reviews.yaml"),
    ),
    (
        "samples/bookinfo/networking/virtual-service-all-v1.yaml",
        include_str!("../../assets/bookinfo/virtual-service-all-v1.yaml"),
    ),
    (
        "samples/bookinfo/networking/virtual-service-reviews-80-20.yaml",
        include_str!("../../assets/bookinfo/virtual-service-reviews-80-20.yaml"),
    ),
    (
        "samples/bookinfo/networking/virtual-service-reviews-v2.yaml",
        include_str!("../../assets/bookinfo/virtual-service-reviews-v2.yaml"),
    ),
    (
        "samples/addons/grafana.yaml",
        include_str!("../../assets/samples/addons/grafana.yaml"),
    ),
    (
        "samples/addons/jaeger.yaml",
        include_str!("../../assets/samples/addons/jaeger.yaml"),
    ),
    (
        "samples/addons/kiali.yaml",
        include_str!("../../assets/samples/addons/kiali.yaml"),
    ),
    (
        "samples/addons/prometheus.yaml",
        include_str!("../../assets/samples/addons/prometheus.yaml"),
    ),
];

/// Writes `istio-<version>/samples/...` under `dir` and returns the `istio-<version>`
/// folder. Files already there are kept: the folder may be a real Istio download the
/// learner unpacked, whose files are theirs.
pub fn write_samples(dir: &Path) -> io::Result<PathBuf> {
    let root = dir.join(format!("istio-{ISTIO_VERSION}"));
    for (path, text) in FILES {
        let file = root.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
        {
            Ok(mut out) => {
                io::Write::write_all(&mut out, text.as_bytes())?;
                make_runnable(&file)?;
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    Ok(root)
}

/// Scripts (lesson 9 runs `samples/bookinfo/platform/kube/cleanup.sh` by its path) get the
/// execute bits, as they have in Istio's download.
fn make_runnable(file: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if file.extension().is_some_and(|e| e == "sh") {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_written_once_and_existing_files_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("istio-1.28.0/samples/addons/kiali.yaml");
        std::fs::create_dir_all(own.parent().unwrap()).unwrap();
        std::fs::write(&own, "mine").unwrap();
        let root = write_samples(dir.path()).unwrap();
        assert_eq!(root, dir.path().join("istio-1.28.0"));
        assert_eq!(std::fs::read_to_string(&own).unwrap(), "mine");
        let bookinfo = root.join("samples/bookinfo/platform/kube/bookinfo.yaml");
        assert!(
            std::fs::read_to_string(bookinfo)
                .unwrap()
                .contains("productpage")
        );
        assert!(root.join("samples/addons/prometheus.yaml").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let cleanup = root.join("samples/bookinfo/platform/kube/cleanup.sh");
            let mode = std::fs::metadata(cleanup).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "lesson 9 runs cleanup.sh by its path");
        }
        assert!(
            write_samples(dir.path()).is_ok(),
            "a second run finds it all there"
        );
    }
}
