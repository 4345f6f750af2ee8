//! The namespace side of kube-controller-manager: every namespace gets the
//! `kube-root-ca.crt` ConfigMap (root-ca-cert-publisher), and a namespace being deleted has
//! its content deleted, then its `kubernetes` finalizer removed, and goes away (the
//! namespace controller).

use serde_json::{Value, json};

use super::{Controller, MANAGER, name_of, namespace_of, terminating};
use crate::sim::apply::record_update;
use crate::sim::lifecycle::terminate_pod;
use crate::sim::meta::now_timestamp;
use crate::sim::resources::{CONFIGMAPS, NAMESPACES, PODS, RESOURCES};
use crate::sim::store::{SimStore, Write};

pub const ROOT_CA: &str = "kube-root-ca.crt";

/// The five conditions the namespace controller reports once it has deleted the content.
fn deletion_conditions() -> Value {
    let now = now_timestamp();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "False", "lastTransitionTime": now, "reason": reason, "message": message});
    json!([
        condition(
            "NamespaceDeletionDiscoveryFailure",
            "ResourcesDiscovered",
            "All resources successfully discovered"
        ),
        condition(
            "NamespaceDeletionGroupVersionParsingFailure",
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed"
        ),
        condition(
            "NamespaceDeletionContentFailure",
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization"
        ),
        condition(
            "NamespaceContentRemaining",
            "ContentRemoved",
            "All content successfully removed"
        ),
        condition(
            "NamespaceFinalizersRemaining",
            "ContentHasNoFinalizers",
            "All content-preserving finalizers finished"
        ),
    ])
}

impl Controller {
    pub(super) fn sync_namespaces(&self) {
        let (namespaces, _) = self.store.list(NAMESPACES, None);
        for ns in &namespaces {
            if terminating(ns) {
                self.empty_namespace(ns);
            } else {
                self.publish_root_ca(name_of(ns));
            }
        }
    }

    fn publish_root_ca(&self, namespace: &str) {
        if self.store.get(CONFIGMAPS, namespace, ROOT_CA).is_some() {
            return;
        }
        let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": ROOT_CA, "namespace": namespace,
                "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
            "data": {"ca.crt": self.settings.root_ca.clone()}});
        record_update(None, &mut cm, MANAGER, None, "v1");
        let _ = self
            .store
            .transact(CONFIGMAPS, namespace, ROOT_CA, |current| match current {
                Some(_) => Ok(Write::Keep),
                None => Ok(Write::Create(cm)),
            });
    }

    /// Deletes what is left in a terminating namespace (pods gracefully, through their
    /// kubelet), reports the conditions, and removes the namespace once it is empty.
    fn empty_namespace(&self, ns: &Value) {
        let namespace = name_of(ns);
        for (resource, def) in RESOURCES.iter().enumerate() {
            if !def.namespaced {
                continue;
            }
            let (objects, _) = self.store.list(resource, Some(namespace));
            for obj in &objects {
                if resource == PODS {
                    terminate_pod(&self.store, obj, self.speed, &self.cancel);
                } else {
                    let _ = self
                        .store
                        .delete_now(resource, namespace_of(obj), name_of(obj));
                }
            }
        }
        if ns["status"]["conditions"].is_null() {
            let _ = self.store.transact(NAMESPACES, "", namespace, |current| {
                let Some(current) = current else {
                    return Ok(Write::Keep);
                };
                let mut updated = current.clone();
                updated["status"]["conditions"] = deletion_conditions();
                record_update(Some(current), &mut updated, MANAGER, Some("status"), "v1");
                Ok(Write::Replace(updated))
            });
        }
        finish_if_empty(&self.store, namespace);
    }
}

/// Removes a terminating namespace once its pods are gone: what else was written into it
/// meanwhile (an event, an endpoint) is deleted too, then the namespace follows (the
/// `kubernetes` finalizer done).
pub fn finish_if_empty(store: &SimStore, namespace: &str) {
    let Some(ns) = store.get(NAMESPACES, "", namespace) else {
        return;
    };
    if !terminating(&ns) || !store.list(PODS, Some(namespace)).0.is_empty() {
        return;
    }
    for (resource, def) in RESOURCES.iter().enumerate() {
        if def.namespaced && resource != PODS {
            for obj in store.list(resource, Some(namespace)).0 {
                let _ = store.delete_now(resource, namespace, name_of(&obj));
            }
        }
    }
    let _ = store.delete_now(NAMESPACES, "", namespace);
}
