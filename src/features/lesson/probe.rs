//! What a lesson's checks fetch themselves, beyond the watch caches: a namespace's labels, the
//! names of one kind in a namespace, a page through the API server's service proxy. Only the
//! questions and answers live here; `effects` asks the cluster.

use std::collections::BTreeMap;

/// One question to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Probe {
    /// The namespace's labels, or that it does not exist.
    Namespace(String),
    /// The names of every object of `kind` (e.g. `Deployment`) in `namespace`.
    List { namespace: String, kind: String },
    /// `GET /api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{path}`.
    Http {
        namespace: String,
        service: String,
        port: u16,
        path: String,
    },
}

/// The cluster's answer to one [`Probe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The namespace's labels; `None` when the namespace does not exist (or is going away).
    Namespace(Option<BTreeMap<String, String>>),
    Names(Vec<String>),
    Body(String),
    /// The question could not be answered: why, in Korean, for the step's reason line.
    Failed(String),
}

/// The latest answers, kept per question.
pub type Answers = BTreeMap<Probe, Answer>;

/// The API resource behind a kind a lesson names: (group, version, kind), for the kinds the
/// guide creates. Case is ignored, as `kubectl get` ignores it.
pub fn resource_of(kind: &str) -> Option<(&'static str, &'static str, &'static str)> {
    const KINDS: &[(&str, &str, &str)] = &[
        ("", "v1", "Pod"),
        ("", "v1", "Service"),
        ("", "v1", "ServiceAccount"),
        ("", "v1", "ConfigMap"),
        ("apps", "v1", "Deployment"),
        ("networking.istio.io", "v1", "VirtualService"),
        ("networking.istio.io", "v1", "DestinationRule"),
        ("networking.istio.io", "v1", "Gateway"),
    ];
    KINDS
        .iter()
        .find(|(_, _, k)| k.eq_ignore_ascii_case(kind))
        .copied()
}

impl Probe {
    /// The request path of an HTTP probe, as the API server's service proxy serves it.
    pub fn http_path(namespace: &str, service: &str, port: u16, path: &str) -> String {
        format!("/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{path}")
    }
}
