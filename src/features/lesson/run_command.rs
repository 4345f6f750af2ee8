//! Running a lesson's commands against the cluster: the guide's `kubectl apply -f samples/…`
//! and namespace label commands map to the bundled manifests, applied through the API, so the
//! lab works on the demo cluster where there is no kubectl and no Istio download.

/// Bundled copies of the guide's sample manifests, by the path the guide uses (the demo
/// shell's folder holds them too, so the lessons' commands work there as typed).
pub const MANIFESTS: &[(&str, &str)] = &[
    (
        "samples/bookinfo/platform/kube/bookinfo.yaml",
        include_str!("../../../assets/bookinfo/bookinfo.yaml"),
    ),
    (
        "samples/bookinfo/networking/bookinfo-gateway.yaml",
        include_str!("../../../assets/bookinfo/bookinfo-gateway.yaml"),
    ),
    (
        "samples/bookinfo/networking/destination-rule-reviews.yaml",
        include_str!("../../../assets/bookinfo/destination-rule-reviews.yaml"),
    ),
    (
        "samples/bookinfo/networking/virtual-service-reviews-80-20.yaml",
        include_str!("../../../assets/bookinfo/virtual-service-reviews-80-20.yaml"),
    ),
    (
        "samples/bookinfo/networking/virtual-service-all-v1.yaml",
        include_str!("../../../assets/bookinfo/virtual-service-all-v1.yaml"),
    ),
];

/// What running a command means for the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Server-side apply of a manifest (YAML, possibly several documents).
    Apply { manifest: String },
}

/// The action for one command line of a lesson, if the lab can perform it itself.
pub fn action_for(command: &str, lab_namespace: &str) -> Option<Action> {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["kubectl", "apply", "-f", path] => {
            MANIFESTS
                .iter()
                .find(|(known, _)| known == path)
                .map(|(_, yaml)| Action::Apply {
                    manifest: (*yaml).to_string(),
                })
        }
        ["kubectl", "label", "namespace", namespace, label] => {
            let (key, value) = label.split_once('=')?;
            // The lesson's `default` stands for the lab namespace.
            let namespace = if *namespace == "default" {
                lab_namespace
            } else {
                namespace
            };
            Some(Action::Apply {
                manifest: format!(
                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n  labels:\n    {key}: \"{value}\"\n"
                ),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_apply_commands_map_to_bundled_manifests() {
        let Some(Action::Apply { manifest }) = action_for(
            "kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml",
            "default",
        ) else {
            panic!("bookinfo is bundled");
        };
        assert!(manifest.contains("reviews-v3"));
        assert!(action_for("kubectl apply -f samples/addons", "default").is_none());
        assert!(action_for("istioctl install --set profile=demo -y", "default").is_none());
    }

    #[test]
    fn the_injection_label_targets_the_lab_namespace() {
        let Some(Action::Apply { manifest }) = action_for(
            "kubectl label namespace default istio-injection=enabled",
            "lab",
        ) else {
            panic!("label is an action");
        };
        assert!(manifest.contains("name: lab"));
        assert!(manifest.contains("istio-injection: \"enabled\""));
    }
}
