//! The demo profile's objects (those `istioctl install --set profile=demo` makes in
//! istio-system), and `istioctl manifest generate`, which prints them as YAML.
//!
//! They come from the demo cluster's own starting state, so what install creates and what
//! uninstall or `manifest generate | kubectl delete -f -` removes are the same objects the demo
//! starts with.

use std::io::Write;

use serde_json::Value;

use super::args::{ManifestCommand, profile_of};
use super::{StandInError, exit};
use crate::sim::Scenario;

/// The profiles istioctl knows; the stand-in builds only `demo`.
const KNOWN_PROFILES: &[&str] = &[
    "default",
    "demo",
    "minimal",
    "remote",
    "empty",
    "preview",
    "ambient",
    "openshift",
];

/// The demo profile's objects in istio-system (not the namespace itself, as istioctl's
/// manifest leaves it out), without status, in the order they are applied.
pub fn demo_profile() -> Vec<Value> {
    let Ok(scenario) = Scenario::demo() else {
        return Vec::new();
    };
    scenario
        .objects()
        .iter()
        .filter(|o| o["metadata"]["namespace"] == "istio-system")
        // Every namespace gets its `default` ServiceAccount from Kubernetes, not from Istio.
        .filter(|o| !(o["kind"] == "ServiceAccount" && o["metadata"]["name"] == "default"))
        .map(|o| {
            let mut o = o.clone();
            if let Some(map) = o.as_object_mut() {
                map.remove("status");
                map.remove("writtenBy");
            }
            o
        })
        .collect()
}

/// The objects as one multi-document YAML stream, `---` between documents.
pub fn manifest_yaml(objects: &[Value]) -> String {
    let documents: Vec<String> = objects
        .iter()
        .filter_map(|o| serde_saphyr::to_string(o).ok())
        .collect();
    documents.join("---\n")
}

/// Checks `--set profile=…`: the demo builds the demo profile only.
pub(super) fn check_profile(set: &[String]) -> Result<(), StandInError> {
    match profile_of(set) {
        "demo" => Ok(()),
        known if KNOWN_PROFILES.contains(&known) => Err(StandInError::Usage(format!(
            "the istio-lab demo stand-in installs only the demo profile (got {known:?}); use --set profile=demo"
        ))),
        unknown => Err(StandInError::Usage(format!(
            "could not read profile {unknown:?}: profile does not exist"
        ))),
    }
}

pub fn run(cmd: &ManifestCommand, out: &mut dyn Write) -> Result<u8, StandInError> {
    let ManifestCommand::Generate { set } = cmd;
    check_profile(set)?;
    let _ = write!(out, "{}", manifest_yaml(&demo_profile()));
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_profile_is_istiods_and_the_gateways_objects() {
        let objects = demo_profile();
        let names: Vec<String> = objects
            .iter()
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap_or(""),
                    o["metadata"]["name"].as_str().unwrap_or("")
                )
            })
            .collect();
        for expected in [
            "Deployment/istiod",
            "Deployment/istio-ingressgateway",
            "Deployment/istio-egressgateway",
            "Service/istio-ingressgateway",
        ] {
            assert!(
                names.contains(&expected.to_string()),
                "{expected} missing from {names:?}"
            );
        }
        assert!(!names.contains(&"ServiceAccount/default".to_string()));
        assert!(objects.iter().all(|o| o.get("status").is_none()));
    }

    #[test]
    fn the_manifest_reads_back_as_the_same_objects() {
        let objects = demo_profile();
        let text = manifest_yaml(&objects);
        let back: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap_or_default();
        assert_eq!(back, objects);
    }

    #[test]
    fn other_profiles_are_refused_by_name() {
        assert!(check_profile(&["profile=demo".into()]).is_ok());
        let Err(StandInError::Usage(text)) = check_profile(&["profile=minimal".into()]) else {
            panic!("minimal accepted");
        };
        assert!(text.contains("\"minimal\""), "{text}");
        assert!(
            check_profile(&[]).is_err(),
            "istioctl's default profile is not the demo's"
        );
    }
}
