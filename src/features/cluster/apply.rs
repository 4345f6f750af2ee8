//! Writing to the cluster: merge patches of Istio resources and server-side apply of manifests.
//! Never a strategic-merge patch: custom resources answer it with 415.

use std::time::Instant;

use kube::api::{Api, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::discovery::{self, ApiResource};
use kube::{Client, ResourceExt};
use serde_json::Value;

use super::discovery::{IstioDiscovery, discover_istio};
use super::events::MeshKind;

/// The field manager of every write the app makes, so `managedFields` tell its changes apart.
pub const FIELD_MANAGER: &str = "istio-lab";

/// A failed write as the learner should read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    /// The HTTP status; `None` when the API server could not be reached.
    pub code: Option<u16>,
    pub message: String,
}

impl WriteError {
    /// "적용하지 못했습니다 …" with the server's status, or the server's address when the
    /// request never got an answer.
    pub fn failed_to_apply(&self, server: &str) -> String {
        match self.code {
            Some(code) => format!("적용하지 못했습니다 ({code}): {}", self.message),
            None if server.is_empty() => format!("적용하지 못했습니다: {}", self.message),
            None => format!("적용하지 못했습니다: {server} · {}", self.message),
        }
    }

    /// The app has no cluster client (no kubeconfig could be used).
    pub fn no_cluster() -> WriteError {
        WriteError {
            code: None,
            message: "클러스터에 연결되어 있지 않습니다".into(),
        }
    }
}

impl From<kube::Error> for WriteError {
    fn from(error: kube::Error) -> Self {
        match error {
            // A server-side apply conflict is said in Korean before the server's own list of
            // the fields and their managers.
            kube::Error::Api(status)
                if status.code == 409 && status.message.contains("conflict") =>
            {
                WriteError {
                    code: Some(409),
                    message: format!(
                        "다른 관리자가 가진 필드라 덮어쓰지 않았습니다 ({})",
                        status.message
                    ),
                }
            }
            kube::Error::Api(status) => WriteError {
                code: Some(status.code),
                message: status.message.clone(),
            },
            other => WriteError {
                code: None,
                message: super::explain::explain(&other),
            },
        }
    }
}

async fn resource(client: &Client, kind: MeshKind) -> Result<ApiResource, WriteError> {
    let discovered = discover_istio(client).await?;
    let missing = || WriteError {
        code: Some(404),
        message: format!("{}: Istio CRD가 설치되어 있지 않습니다", kind.kind_name()),
    };
    match &discovered {
        IstioDiscovery::NotInstalled => Err(missing()),
        IstioDiscovery::Found(_) => discovered.resource(kind).cloned().ok_or_else(missing),
    }
}

/// Caches the Istio resource versions so each patch is one request.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    virtual_service: std::sync::Arc<tokio::sync::OnceCell<ApiResource>>,
}

impl Writer {
    async fn virtual_service(&self, client: &Client) -> Result<ApiResource, WriteError> {
        self.virtual_service
            .get_or_try_init(|| resource(client, MeshKind::VirtualService))
            .await
            .cloned()
    }

    /// JSON merge patch (fieldManager istio-lab) of a VirtualService. Returns the new
    /// resourceVersion and the round trip in milliseconds.
    pub async fn merge_patch_virtual_service(
        &self,
        client: &Client,
        namespace: &str,
        name: &str,
        body: &Value,
    ) -> Result<(String, u64), WriteError> {
        let resource = self.virtual_service(client).await?;
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
        let started = Instant::now();
        let params = PatchParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..PatchParams::default()
        };
        let object = api.patch(name, &params, &Patch::Merge(body)).await?;
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok((object.resource_version().unwrap_or_default(), millis))
    }
}

impl Writer {
    /// Replace (PUT) of an edited object. Its `metadata.resourceVersion` is the one the edit
    /// started from, so a change made meanwhile is refused with 409 instead of overwritten.
    pub async fn replace(
        &self,
        client: &Client,
        kind: MeshKind,
        namespace: &str,
        name: &str,
        object: Value,
    ) -> Result<String, WriteError> {
        let resource = resource(client, kind).await?;
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
        let object: DynamicObject = serde_json::from_value(object).map_err(|e| WriteError {
            code: None,
            message: e.to_string(),
        })?;
        let params = kube::api::PostParams {
            field_manager: Some(FIELD_MANAGER.to_string()),
            ..Default::default()
        };
        let saved = api.replace(name, &params, &object).await?;
        Ok(saved.resource_version().unwrap_or_default())
    }
}

/// Server-side apply (fieldManager istio-lab) of every document of a YAML manifest, in order.
/// Never forced: a field another manager owns makes it a 409 that names the manager and the
/// field, rather than taking the field over unasked.
pub async fn apply_manifest(
    client: &Client,
    namespace: &str,
    yaml: &str,
) -> Result<(), WriteError> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(yaml).map_err(|e| WriteError {
        code: None,
        message: format!("YAML: {e}"),
    })?;
    for document in documents.into_iter().filter(|d| d.is_object()) {
        let api_version = document
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let kind = document
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = document
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, capabilities) = discovery::pinned_kind(client, &gvk).await?;
        let api: Api<DynamicObject> = match capabilities.scope {
            discovery::Scope::Cluster => Api::all_with(client.clone(), &resource),
            discovery::Scope::Namespaced => {
                Api::namespaced_with(client.clone(), namespace, &resource)
            }
        };
        api.patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER),
            &Patch::Apply(&document),
        )
        .await?;
    }
    Ok(())
}
