//! The lesson feature's cluster effects, each in its own task, reporting back as `Msg::Lesson`:
//! applying the bundled manifests behind a lesson command (`r`), answering the checks' probes,
//! and resetting the lab namespace to a lesson's starting state (`R`).

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tokio::sync::mpsc::UnboundedSender;

use super::msg::LessonMsg;
use super::probe::{Answer, Probe, resource_of};
use super::reset::Plan;
use crate::app::Msg;
use crate::features::cluster::apply::{WriteError, apply_manifest};

pub fn apply_command(
    tx: &UnboundedSender<Msg>,
    client: Option<Client>,
    namespace: String,
    yaml: String,
) {
    let tx = tx.clone();
    let Some(client) = client else {
        let _ = tx.send(Msg::Lesson(LessonMsg::CommandApplied(Err(
            WriteError::no_cluster(),
        ))));
        return;
    };
    tokio::spawn(async move {
        let result = apply_manifest(&client, &namespace, &yaml).await;
        let _ = tx.send(Msg::Lesson(LessonMsg::CommandApplied(result)));
    });
}

/// How long one probe may take: a page behind a service without endpoints is retried by the
/// client, and a step's reason should not wait for that.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Asks every probe in its own task, so a slow page never holds back a namespace's labels;
/// each answer comes back as its own message.
pub fn probe(tx: &UnboundedSender<Msg>, client: Option<Client>, probes: Vec<Probe>) {
    for probe in probes {
        let tx = tx.clone();
        let client = client.clone();
        tokio::spawn(async move {
            let answer = match &client {
                Some(client) => tokio::time::timeout(PROBE_TIMEOUT, ask(client, &probe))
                    .await
                    .unwrap_or_else(|_| Answer::Failed("응답이 없습니다".into())),
                None => Answer::Failed(WriteError::no_cluster().message),
            };
            let _ = tx.send(Msg::Lesson(LessonMsg::Probed(vec![(probe, answer)])));
        });
    }
}

/// A Kubernetes error as a step's reason line.
fn failed(error: kube::Error) -> Answer {
    Answer::Failed(WriteError::from(error).message)
}

fn api_of(kind: &str) -> Option<ApiResource> {
    let (group, version, kind) = resource_of(kind)?;
    Some(ApiResource::from_gvk(&GroupVersionKind::gvk(
        group, version, kind,
    )))
}

pub async fn ask(client: &Client, probe: &Probe) -> Answer {
    match probe {
        Probe::Namespace(name) => {
            let api: Api<Namespace> = Api::all(client.clone());
            match api.get_opt(name).await {
                // A namespace being deleted counts as gone: `kubectl delete namespace` waits
                // for exactly that, and the learner sees it as Terminating.
                Ok(Some(ns)) if ns.metadata.deletion_timestamp.is_none() => {
                    Answer::Namespace(Some(ns.metadata.labels.unwrap_or_default()))
                }
                Ok(_) => Answer::Namespace(None),
                Err(e) => failed(e),
            }
        }
        Probe::List { namespace, kind } => {
            let Some(resource) = api_of(kind) else {
                return Answer::Failed(format!("알 수 없는 종류입니다: {kind}"));
            };
            let api: Api<DynamicObject> =
                Api::namespaced_with(client.clone(), namespace, &resource);
            match api.list_metadata(&ListParams::default()).await {
                Ok(list) => Answer::Names(
                    list.items
                        .into_iter()
                        .filter(|o| o.metadata.deletion_timestamp.is_none())
                        .filter_map(|o| o.metadata.name)
                        .collect(),
                ),
                // The kind itself is gone (Istio's CRDs after uninstalling): so is every object.
                Err(kube::Error::Api(status)) if status.code == 404 => Answer::Names(Vec::new()),
                Err(e) => failed(e),
            }
        }
        Probe::Http {
            namespace,
            service,
            port,
            path,
        } => {
            // Every segment is encoded, whatever the lesson file or namespace holds.
            let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
            let path = path.split('/').map(encode).collect::<Vec<_>>().join("/");
            let uri = Probe::http_path(&encode(namespace), &encode(service), *port, &path);
            let request = match http::Request::get(uri).body(kube::client::Body::from(Vec::new())) {
                Ok(request) => request,
                Err(e) => return Answer::Failed(e.to_string()),
            };
            let response = match client.send(request).await {
                Ok(response) => response,
                Err(e) => return failed(e),
            };
            let status = response.status().as_u16();
            match response.into_body().collect_bytes().await {
                Ok(body) if status == 200 => {
                    Answer::Body(String::from_utf8_lossy(&body).into_owned())
                }
                Ok(_) => Answer::Failed(format!("HTTP {status}")),
                Err(e) => Answer::Failed(e.to_string()),
            }
        }
    }
}

/// Deletes, unlabels and applies as the plan says; the first failure stops it and is reported.
pub fn reset(tx: &UnboundedSender<Msg>, client: Option<Client>, namespace: String, plan: Plan) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let result = match client {
            Some(client) => run_reset(&client, &namespace, &plan).await,
            None => Err(WriteError::no_cluster()),
        };
        let _ = tx.send(Msg::Lesson(LessonMsg::ResetDone(result)));
    });
}

async fn run_reset(client: &Client, namespace: &str, plan: &Plan) -> Result<(), WriteError> {
    for object in &plan.delete {
        let (group, version) = object
            .api_version
            .split_once('/')
            .unwrap_or(("", object.api_version.as_str()));
        let gvk = GroupVersionKind::gvk(group, version, &object.kind);
        let api: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), namespace, &ApiResource::from_gvk(&gvk));
        match api.delete(&object.name, &DeleteParams::default()).await {
            Ok(_) => {}
            // Already gone, or its kind is not installed: either way it is not there.
            Err(kube::Error::Api(status)) if status.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
    }
    if !plan.unlabel.is_empty() {
        let labels: BTreeMap<&str, Option<&str>> =
            plan.unlabel.iter().map(|k| (k.as_str(), None)).collect();
        let patch = serde_json::json!({"metadata": {"labels": labels}});
        let api: Api<Namespace> = Api::all(client.clone());
        api.patch(namespace, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
    }
    for manifest in &plan.apply {
        apply_manifest(client, namespace, &manifest.yaml).await?;
    }
    Ok(())
}
