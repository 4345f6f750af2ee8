//! Live conditions a lesson step can name (`check:` in a step), which tick the step green.
//! Only the condition is described here; the app evaluates it against its watch caches.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One condition, written in front matter as a single-key map, e.g.
/// `check: {pods-ready: {selector: app=reviews, min: 3}}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Check {
    /// At least `min` (default 1) pods match `selector` (`key=value,…`) and all of them are Running and ready.
    PodsReady {
        #[serde(default)]
        namespace: Option<String>,
        #[serde(default)]
        selector: Option<String>,
        #[serde(default)]
        min: Option<usize>,
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
}
