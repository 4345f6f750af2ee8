//! Scenarios: the data a demo cluster starts with (objects plus a few controller settings),
//! read from YAML such as `assets/sim/demo.yaml`.

use crate::sim::meta::meta_string;
use serde_json::{Value, json};

use super::SimError;
use super::apply::{apply, record_update};
use super::defaults::{apply_defaults, status_defaults};
use super::resources::{RESOURCES, find_kind};
use super::store::{SimStore, Write};

/// How injected pods carry the `istio-proxy` sidecar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidecarMode {
    /// Istio >= 1.27: `istio-proxy` is an init container with `restartPolicy: Always`.
    Native,
    /// Older Istio: `istio-proxy` is a second regular container.
    Classic,
}

/// Settings the controllers follow.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerSettings {
    pub sidecar: SidecarMode,
    pub node_name: String,
    pub proxy_image: String,
    /// The PEM the `kube-root-ca.crt` ConfigMap of every namespace carries: the run's CA.
    pub root_ca: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    objects: Vec<Value>,
    settings: ControllerSettings,
    /// Learners of a workshop room (`--learners`): a namespace and a user each.
    room: u16,
}

/// The manager name objects of a scenario are recorded under, as an installer's apply.
const INSTALLER: &str = "istio-installer";

impl Default for ControllerSettings {
    fn default() -> Self {
        ControllerSettings {
            sidecar: SidecarMode::Native,
            node_name: "istio-lab-worker".into(),
            proxy_image: "docker.io/istio/proxyv2:1.28.0".into(),
            root_ca: String::new(),
        }
    }
}

impl Scenario {
    /// "Istio demo profile installed", from `assets/sim/demo.yaml`.
    pub fn demo() -> Result<Scenario, SimError> {
        Scenario::from_yaml(include_str!("../../assets/sim/demo.yaml"))
    }

    /// Nothing at all: no namespaces, no objects.
    pub fn empty() -> Scenario {
        Scenario {
            room: 0,
            objects: Vec::new(),
            settings: ControllerSettings::default(),
        }
    }

    /// Parses `settings:` (optional) and `objects:` (a list of Kubernetes objects).
    pub fn from_yaml(text: &str) -> Result<Scenario, SimError> {
        let doc: Value =
            serde_saphyr::from_str(text).map_err(|e| SimError::Scenario(e.to_string()))?;
        let mut settings = ControllerSettings::default();
        let configured = &doc["settings"];
        match configured["sidecar"].as_str() {
            None | Some("native") => {}
            Some("classic") => settings.sidecar = SidecarMode::Classic,
            Some(other) => {
                return Err(SimError::Scenario(format!(
                    "unknown sidecar mode {other:?}"
                )));
            }
        }
        if let Some(node) = configured["nodeName"].as_str() {
            settings.node_name = node.to_string();
        }
        if let Some(image) = configured["proxyImage"].as_str() {
            settings.proxy_image = image.to_string();
        }
        let objects = match &doc["objects"] {
            Value::Array(objects) => objects.clone(),
            Value::Null => Vec::new(),
            _ => return Err(SimError::Scenario("`objects` must be a list".into())),
        };
        for object in &objects {
            let api_version = object["apiVersion"].as_str().unwrap_or_default();
            let kind = object["kind"].as_str().unwrap_or_default();
            if find_kind(api_version, kind).is_none() {
                return Err(SimError::Scenario(format!(
                    "unsupported kind {api_version}/{kind}"
                )));
            }
            if object["metadata"]["name"].as_str().is_none() {
                return Err(SimError::Scenario(format!(
                    "a {kind} without metadata.name"
                )));
            }
        }
        Ok(Scenario {
            objects,
            settings,
            room: 0,
        })
    }

    /// A workshop room of `learners` (at most [`super::room::MAX_LEARNERS`]): namespaces
    /// `learner-01`… labelled for sidecar injection, each its learner's lab, and a token per
    /// learner and for the instructor.
    pub fn with_room(mut self, learners: u16) -> Scenario {
        self.room = learners.min(super::room::MAX_LEARNERS);
        for n in 1..=self.room {
            let name = super::room::learner_name(n);
            self.objects.push(serde_json::json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "labels": {
                        "kubernetes.io/metadata.name": name,
                        "istio-injection": "enabled",
                        "istio-lab/learner": "true",
                    },
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }));
        }
        self
    }

    /// How many learners the room has (0: no room).
    pub fn room(&self) -> u16 {
        self.room
    }

    pub fn with_sidecar_mode(mut self, mode: SidecarMode) -> Scenario {
        self.settings.sidecar = mode;
        self
    }

    pub fn settings(&self) -> ControllerSettings {
        self.settings.clone()
    }

    pub fn objects(&self) -> &[Value] {
        &self.objects
    }

    /// Writes the objects: spec through an apply by the installer (or, with a `writtenBy`
    /// key beside `metadata`, as an Update by that manager), `status` as given.
    pub fn load(&self, store: &SimStore) -> Result<(), SimError> {
        for object in &self.objects {
            let api_version = object["apiVersion"].as_str().unwrap_or_default();
            let kind = object["kind"].as_str().unwrap_or_default();
            let resource = find_kind(api_version, kind).ok_or_else(|| {
                SimError::Scenario(format!("unsupported kind {api_version}/{kind}"))
            })?;
            let def = &RESOURCES[resource];
            let name = meta_string(object, "name");
            let namespace = if def.namespaced {
                object["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("default")
                    .to_string()
            } else {
                String::new()
            };
            let mut applied = object.clone();
            let status = applied.as_object_mut().and_then(|map| map.remove("status"));
            let writer = applied
                .as_object_mut()
                .and_then(|map| map.remove("writtenBy"));
            if def.namespaced {
                applied["metadata"]["namespace"] = json!(namespace);
            }
            let mut stored = match writer.as_ref().and_then(Value::as_str) {
                // Objects a cluster component makes itself, recorded as that component's Update.
                Some(manager) => {
                    let mut created = applied.clone();
                    apply_defaults(resource, &mut created, store.allocator());
                    record_update(None, &mut created, manager, None, api_version);
                    created
                }
                None => apply(None, &applied, INSTALLER, true, api_version)
                    .map_err(|e| SimError::Scenario(e.body["message"].to_string()))?,
            };
            apply_defaults(resource, &mut stored, store.allocator());
            if let Some(status) = status {
                stored["status"] = status;
                status_defaults(resource, &mut stored);
            }
            store
                .transact(resource, &namespace, &name, |_| Ok(Write::Create(stored)))
                .map_err(|e| SimError::Scenario(e.body["message"].to_string()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::resources::{NAMESPACES, SERVICES};

    #[test]
    fn demo_scenario_has_istio_installed() {
        let scenario = Scenario::demo().unwrap();
        assert_eq!(scenario.settings().sidecar, SidecarMode::Native);
        let store = SimStore::new();
        scenario.load(&store).unwrap();
        let ingress = store
            .get(SERVICES, "istio-system", "istio-ingressgateway")
            .unwrap();
        assert_eq!(ingress["spec"]["type"], "LoadBalancer");
        assert_eq!(
            ingress["status"]["loadBalancer"]["ingress"][0]["ipMode"],
            "VIP"
        );
        assert!(
            ingress["spec"]["ports"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["nodePort"].is_u64())
        );
        assert!(store.get(NAMESPACES, "", "istio-system").is_some());
        assert!(store.get(SERVICES, "default", "kubernetes").is_some());
    }

    #[test]
    fn bad_scenarios_are_rejected() {
        assert!(
            Scenario::from_yaml(
                "objects:\n- apiVersion: v1\n  kind: PersistentVolumeClaim\n  metadata: {name: x}\n"
            )
            .is_err()
        );
        assert!(Scenario::from_yaml("settings: {sidecar: sideways}\n").is_err());
        let classic = Scenario::from_yaml("settings: {sidecar: classic}\nobjects: []\n").unwrap();
        assert_eq!(classic.settings().sidecar, SidecarMode::Classic);
        assert!(Scenario::empty().objects().is_empty());
    }
}
