//! Live conditions a lesson step can name (`check:` in a step), which tick the step green.
//! Only the condition is described here; `steps` evaluates it against the watch caches and the
//! lesson's own probes (`probe`), and `analysis` holds the mesh analysis `analyze` runs.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::probe::Probe;

/// One condition, written in front matter as a single-key map, e.g.
/// `check: {pods-ready: {selector: app=reviews, min: 3}}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    /// At least `min` (default 1) pods match `selector` (`key=value,…`) and all of them are
    /// Running and ready. With `sidecar: true` each must also carry Istio's proxy; without the
    /// key that is expected exactly when the namespace is labelled for injection.
    PodsReady {
        #[serde(default)]
        namespace: Option<String>,
        #[serde(default)]
        selector: Option<String>,
        #[serde(default)]
        min: Option<usize>,
        #[serde(default)]
        sidecar: Option<bool>,
    },
    /// A Service of that name exists.
    Service {
        #[serde(default)]
        namespace: Option<String>,
        name: String,
    },
    /// A LoadBalancer Service has an external address (EXTERNAL-IP no longer `<pending>`).
    ExternalIp {
        #[serde(default)]
        namespace: Option<String>,
        name: String,
    },
    /// An Istio resource (VirtualService, DestinationRule or Gateway) exists in the lab namespace.
    Mesh { kind: String, name: String },
    /// The `reviews`-style VirtualService routes with exactly these weights per subset.
    Weights {
        name: String,
        weights: BTreeMap<String, u32>,
    },
    /// A namespace label has `value`, or, with `absent: true`, is not there at all.
    #[serde(rename_all = "kebab-case")]
    Label {
        #[serde(default)]
        namespace: Option<String>,
        key: String,
        #[serde(default)]
        value: Option<String>,
        #[serde(default)]
        absent: bool,
    },
    /// Resources are gone: of each kind in `kinds`, the `names` (every object of the kind when
    /// `names` is empty); with no `kinds`, the namespace itself.
    Absent {
        #[serde(default)]
        namespace: Option<String>,
        #[serde(default)]
        kinds: Vec<String>,
        #[serde(default)]
        names: Vec<String>,
    },
    /// The app's mesh analysis finds no error or warning in the namespace.
    Analyze {
        #[serde(default)]
        namespace: Option<String>,
    },
    /// The app's own Kiali port-forward (`K`) is up.
    PortForward {},
    /// A page behind the API server's service proxy answers and its body contains `contains`.
    Http {
        #[serde(default)]
        namespace: Option<String>,
        service: String,
        port: u16,
        #[serde(default)]
        path: String,
        contains: String,
    },
}

impl Check {
    /// `app=reviews,version=v1` → pairs; an empty selector matches everything.
    pub fn selector_pairs(selector: Option<&str>) -> Vec<(&str, &str)> {
        selector
            .unwrap_or_default()
            .split(',')
            .filter_map(|pair| pair.trim().split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .collect()
    }

    /// What the lesson must fetch itself to evaluate this check: the watch caches hold no
    /// namespaces, no other kinds than pods, services and Istio's, and no page bodies.
    pub fn probes(&self, lab_namespace: &str) -> Vec<Probe> {
        let ns = |namespace: &Option<String>| {
            namespace
                .clone()
                .unwrap_or_else(|| lab_namespace.to_string())
        };
        match self {
            Check::PodsReady {
                namespace, sidecar, ..
            } if *sidecar != Some(false) => vec![Probe::Namespace(ns(namespace))],
            Check::Label { namespace, .. } | Check::Analyze { namespace } => {
                vec![Probe::Namespace(ns(namespace))]
            }
            Check::Absent {
                namespace, kinds, ..
            } if kinds.is_empty() => vec![Probe::Namespace(ns(namespace))],
            Check::Absent {
                namespace, kinds, ..
            } => kinds
                .iter()
                .map(|kind| Probe::List {
                    namespace: ns(namespace),
                    kind: kind.clone(),
                })
                .collect(),
            Check::Http {
                namespace,
                service,
                port,
                path,
                ..
            } => vec![Probe::Http {
                namespace: ns(namespace),
                service: service.clone(),
                port: *port,
                path: path.trim_start_matches('/').to_string(),
            }],
            _ => Vec::new(),
        }
    }
}
