//! Direct access to the store for the app, tests and benchmarks: objects by kind,
//! writes "from elsewhere", and bulk-loaded pods.

use serde_json::{Value, json};

use super::apply::record_update;
use super::defaults::apply_defaults;
use super::lifecycle::{Stage, status_at};
use super::meta::{meta_string, metadata_mut};
use super::resources::{PODS, RESOURCES, find_kind};
use super::status::ApiError;
use super::store::{SimStore, Write};

impl SimStore {
    /// Stores an object as given (kind/apiVersion pick the resource), as a write from
    /// elsewhere would: creates it or replaces it, with a new RV and a watch event.
    pub fn put(&self, object: Value) -> Result<Value, ApiError> {
        let resource = super::resources::find_kind(
            object["apiVersion"].as_str().unwrap_or_default(),
            object["kind"].as_str().unwrap_or_default(),
        )
        .ok_or_else(|| ApiError::bad_request("unknown apiVersion/kind"))?;
        let namespace = meta_string(&object, "namespace");
        let name = meta_string(&object, "name");
        let (stored, _) = self.transact(resource, &namespace, &name, |current| {
            Ok(match current {
                Some(old) => {
                    let mut new = object;
                    for field in ["uid", "creationTimestamp", "generation"] {
                        if let Some(value) = old["metadata"].get(field) {
                            metadata_mut(&mut new).insert(field.into(), value.clone());
                        }
                    }
                    Write::Replace(new)
                }
                None => Write::Create(object),
            })
        })?;
        Ok(stored)
    }

    /// One object by apiVersion/kind (namespace "" for cluster-scoped kinds).
    pub fn get_object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Value> {
        let resource = super::resources::find_kind(api_version, kind)?;
        self.get(resource, namespace, name)
    }

    /// All objects of a kind in a namespace ("" for every namespace), in name order.
    pub fn list_objects(&self, api_version: &str, kind: &str, namespace: &str) -> Vec<Value> {
        let Some(resource) = super::resources::find_kind(api_version, kind) else {
            return Vec::new();
        };
        let scope = (!namespace.is_empty()).then_some(namespace);
        self.list(resource, scope).0
    }

    pub fn get_all_pods(&self) -> Vec<Value> {
        self.list(super::resources::PODS, None).0
    }

    /// A merge patch from another client, recorded as that manager's Update (so a later
    /// non-forced apply over the same fields conflicts, as with a real apiserver).
    pub fn merge_patch_object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        patch: &Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        let resource = find_kind(api_version, kind)
            .ok_or_else(|| ApiError::bad_request("unknown apiVersion/kind"))?;
        let def = &RESOURCES[resource];
        let (stored, _) = self.transact(resource, namespace, name, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(def, name))?;
            let mut patched = current.clone();
            json_patch::merge(&mut patched, patch);
            for field in [
                "name",
                "namespace",
                "uid",
                "resourceVersion",
                "creationTimestamp",
            ] {
                if let Some(value) = current["metadata"].get(field) {
                    metadata_mut(&mut patched).insert(field.into(), value.clone());
                }
            }
            if let Some(fields) = current["metadata"].get("managedFields") {
                metadata_mut(&mut patched).insert("managedFields".into(), fields.clone());
            }
            record_update(Some(current), &mut patched, manager, None, api_version);
            Ok(Write::Replace(patched))
        })?;
        Ok(stored)
    }

    /// Loads `count` Running 1/1 pods named `load-00000`… into `default` at once, for
    /// measuring the app against a large cluster. Returns the names.
    pub fn insert_pods(&self, count: usize) -> Vec<String> {
        let mut template = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"namespace": "default", "labels": {"app": "load", "version": "v1"}},
            "spec": {"nodeName": "istio-lab-worker",
                "containers": [{"name": "app", "image": "docker.io/istio/examples-bookinfo-ratings-v1:1.20.3",
                    "ports": [{"containerPort": 9080}]}]},
        });
        apply_defaults(PODS, &mut template, self.allocator());
        let status = status_at(
            &template,
            Stage::Ready,
            &template["status"],
            self.allocator(),
        );
        template["status"] = status;
        record_update(None, &mut template, "istio-lab-load", None, "v1");
        let mut names = Vec::with_capacity(count);
        for index in 0..count {
            let name = format!("load-{index:05}");
            let mut pod = template.clone();
            metadata_mut(&mut pod).insert("name".into(), json!(name));
            // Each pod its own address, as the node's IPAM would give.
            let ip = self.allocator().pod_ip();
            pod["status"]["podIP"] = json!(ip);
            pod["status"]["podIPs"] = json!([{"ip": ip}]);
            if self
                .transact(PODS, "default", &name, |_| Ok(Write::Create(pod)))
                .is_ok()
            {
                names.push(name);
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::lifecycle::write_stage;
    use std::collections::HashSet;

    fn pod_ips(store: &SimStore) -> Vec<String> {
        let pods = store.get_all_pods();
        let ip = |p: &Value| {
            p["status"]["podIP"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        pods.iter().map(ip).collect()
    }

    #[test]
    fn generated_names_stay_unique() {
        let sa = |name: &str| {
            json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": name, "namespace": "default"}})
        };
        let accounts = find_kind("v1", "ServiceAccount").unwrap();
        // Same seed, same draws: the twin tells which name the store will try first.
        let twin = SimStore::with_seed(42);
        let store = SimStore::with_seed(42);
        let first_try = twin.generated_name(accounts, "default", "bookinfo-");
        store.put(sa(&first_try)).unwrap();
        let mut names = HashSet::from([first_try]);
        for _ in 0..500 {
            let name = store.generated_name(accounts, "default", "bookinfo-");
            assert!(name.starts_with("bookinfo-") && name.len() == "bookinfo-".len() + 5);
            store.put(sa(&name)).unwrap();
            assert!(names.insert(name.clone()), "{name} was handed out twice");
        }
    }

    #[test]
    fn pod_ips_are_unique_within_a_store_and_each_store_counts_alone() {
        let first = SimStore::new();
        first.insert_pods(300);
        // A pod the kubelet path starts draws from the same addresses.
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "web:1"}]}});
        let uid = first.put(pod).unwrap()["metadata"]["uid"].clone();
        write_stage(&first, "default", "web", &uid, Stage::Ready).unwrap();
        let ips = pod_ips(&first);
        assert_eq!(ips.iter().collect::<HashSet<_>>().len(), 301, "{ips:?}");
        assert!(ips.iter().all(|ip| ip.starts_with("10.244.")));
        let second = SimStore::new();
        second.insert_pods(1);
        assert_eq!(
            pod_ips(&second)[0],
            ips[0],
            "a new store starts its own count"
        );
    }

    #[test]
    fn bulk_pods_are_listed_running() {
        let store = SimStore::new();
        let names = store.insert_pods(25);
        assert_eq!(names.len(), 25);
        let pods = store.get_all_pods();
        assert_eq!(pods.len(), 25);
        assert!(pods.iter().all(|p| p["status"]["phase"] == "Running"));
        assert_eq!(
            store.list_objects("v1", "Pod", "default")[3]["metadata"]["name"],
            "load-00003"
        );
        assert!(
            store
                .get_object("v1", "Pod", "default", "load-00024")
                .is_some()
        );
        assert!(store.list_objects("v1", "Secret", "default").is_empty());
    }

    #[test]
    fn edits_from_elsewhere_take_field_ownership() {
        let store = SimStore::new();
        let vs = json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
            "metadata": {"name": "reviews", "namespace": "default"},
            "spec": {"http": [{"route": [{"destination": {"host": "reviews"}, "weight": 100}]}]}});
        let created = store.put(vs).unwrap();
        let patch = json!({"spec": {"http": [{"route": [{"destination": {"host": "reviews"}, "weight": 50}]}]}});
        let edited = store
            .merge_patch_object(
                "networking.istio.io/v1",
                "VirtualService",
                "default",
                "reviews",
                &patch,
                "kubectl-edit",
            )
            .unwrap();
        assert_ne!(
            edited["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]
        );
        assert_eq!(edited["spec"]["http"][0]["route"][0]["weight"], 50);
        let owner = &edited["metadata"]["managedFields"][0];
        assert_eq!(
            (owner["manager"].as_str(), owner["operation"].as_str()),
            (Some("kubectl-edit"), Some("Update"))
        );
        assert!(
            store
                .merge_patch_object("v1", "Pod", "default", "nope", &patch, "x")
                .is_err()
        );
    }
}
