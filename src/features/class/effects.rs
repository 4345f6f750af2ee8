//! The class view's I/O: one watch on the learners' progress ConfigMaps (cluster-wide when
//! allowed, else one per namespace), and the lead's server-side apply.

use std::collections::BTreeMap;

use futures::{Stream, StreamExt, stream};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use tokio::sync::mpsc::UnboundedSender;

use super::doc::{CLASS_CONFIGMAP, FIELD_MANAGER, LeadDoc, PART_OF_LABEL, PROGRESS_CONFIGMAP};
use super::model::Watching;
use super::update::ClassMsg;

/// Which namespaces to watch when a cluster-wide watch is not allowed.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub namespaces: Vec<String>,
    /// A label selector on namespaces, e.g. `istio-lab/learner=true`.
    pub namespace_selector: Option<String>,
}

fn config() -> watcher::Config {
    watcher::Config::default()
        .fields(&format!("metadata.name={PROGRESS_CONFIGMAP}"))
        .labels(&format!("{}={}", PART_OF_LABEL.0, PART_OF_LABEL.1))
}

/// Runs until `tx` closes: the watch's events as messages, its failures as a state (the
/// watcher retries with a backoff, so a failure is shown, not fatal).
pub async fn watch(client: Client, scope: Scope, tx: UnboundedSender<ClassMsg>) {
    let all: Api<ConfigMap> = Api::all(client.clone());
    let allowed = match all
        .list(
            &ListParams::default()
                .fields(&format!("metadata.name={PROGRESS_CONFIGMAP}"))
                .limit(1),
        )
        .await
    {
        Ok(_) => true,
        Err(kube::Error::Api(status)) if status.code == 403 => false,
        Err(e) => {
            let _ = tx.send(ClassMsg::Watching(Watching::Failing(format!(
                "진행 기록을 읽을 수 없습니다: {e}"
            ))));
            true
        }
    };
    if allowed {
        let _ = tx.send(ClassMsg::Watching(Watching::Starting));
        forward(
            watcher(all, config()).default_backoff().boxed(),
            None,
            "모든 네임스페이스".into(),
            &tx,
        )
        .await;
        return;
    }
    let namespaces = match namespaces(&client, &scope).await {
        Ok(n) if !n.is_empty() => n,
        Ok(_) => {
            let _ = tx.send(ClassMsg::Watching(Watching::Failing(
                "모든 네임스페이스를 볼 권한이 없습니다: --namespaces나 --namespace-selector로 학습자 네임스페이스를 알려 주세요".into(),
            )));
            return;
        }
        Err(why) => {
            let _ = tx.send(ClassMsg::Watching(Watching::Failing(why)));
            return;
        }
    };
    let label = format!("네임스페이스 {}개", namespaces.len());
    let streams = namespaces.into_iter().map(|ns| {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
        watcher(api, config())
            .default_backoff()
            .map(move |e| (Some(ns.clone()), e))
            .boxed()
    });
    let merged = stream::select_all(streams);
    forward_tagged(merged, label, &tx).await;
}

async fn namespaces(client: &Client, scope: &Scope) -> Result<Vec<String>, String> {
    if !scope.namespaces.is_empty() {
        return Ok(scope.namespaces.clone());
    }
    let Some(selector) = &scope.namespace_selector else {
        return Ok(Vec::new());
    };
    Api::<Namespace>::all(client.clone())
        .list(&ListParams::default().labels(selector))
        .await
        .map(|list| list.items.iter().map(ResourceExt::name_any).collect())
        .map_err(|e| format!("라벨 {selector}인 네임스페이스를 찾을 수 없습니다: {e}"))
}

type Event = Result<watcher::Event<ConfigMap>, watcher::Error>;

async fn forward(
    events: impl Stream<Item = Event> + Unpin,
    namespace: Option<String>,
    label: String,
    tx: &UnboundedSender<ClassMsg>,
) {
    forward_tagged(events.map(|e| (namespace.clone(), e)), label, tx).await;
}

async fn forward_tagged(
    mut events: impl Stream<Item = (Option<String>, Event)> + Unpin,
    label: String,
    tx: &UnboundedSender<ClassMsg>,
) {
    while let Some((namespace, event)) = events.next().await {
        let msg = match event {
            Ok(watcher::Event::Init) => ClassMsg::Relisting { namespace },
            Ok(watcher::Event::InitApply(cm) | watcher::Event::Apply(cm)) => applied(cm),
            Ok(watcher::Event::Delete(cm)) => ClassMsg::Deleted {
                namespace: cm.namespace().unwrap_or_default(),
            },
            Ok(watcher::Event::InitDone) => ClassMsg::Watching(Watching::Live(label.clone())),
            Err(e) => ClassMsg::Watching(Watching::Failing(format!(
                "진행 기록 감시가 끊겼습니다 (다시 시도합니다): {e}"
            ))),
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

fn applied(cm: ConfigMap) -> ClassMsg {
    ClassMsg::Applied {
        namespace: cm.namespace().unwrap_or_default(),
        data: cm.data.unwrap_or_default(),
    }
}

/// The server-side apply body of one of the workshop's ConfigMaps: only the fields istio-lab
/// owns (its name, the part-of label, the data), so other managers' fields stay theirs.
pub fn configmap_body(name: &str, data: BTreeMap<String, String>) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "labels": BTreeMap::from([PART_OF_LABEL]),
        },
        "data": data,
    })
}

/// Server-side apply (fieldManager `istio-lab`, forced: these ConfigMaps are the app's own)
/// of the ConfigMap `name` in `namespace`, labelled as istio-lab's, holding `data`.
pub async fn apply_configmap(
    client: &Client,
    namespace: &str,
    name: &str,
    data: BTreeMap<String, String>,
) -> Result<(), kube::Error> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let body = configmap_body(name, data);
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .map(|_| ())
}

/// The lead's lesson, server-side applied to `istio-lab-class` in `namespace`.
pub async fn publish_lead(client: &Client, namespace: &str, doc: &LeadDoc) -> Result<(), String> {
    apply_configmap(client, namespace, CLASS_CONFIGMAP, doc.to_data())
        .await
        .map_err(|e| match e {
            kube::Error::Api(s) if s.code == 403 => format!("권한이 없습니다 ({})", s.message),
            other => other.to_string(),
        })
}
