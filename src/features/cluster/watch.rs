//! The kube-rs watchers: pods and services in the lab namespace and `istio-system`, Istio
//! kinds in the lab namespace, each one stream for its whole life, paced with backoff after
//! errors and reported through one channel.

mod health;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, DynamicObject};
use kube::runtime::reflector::{self, Store, store::Writer};
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::connection::{
    Backoff, RequestContext, WatchFailure, classify_status, classify_watch_error,
    watch_refused_as_expired,
};
use super::discovery::{ISTIO_NETWORKING_GROUP, IstioDiscovery, discover_istio};
use super::events::{Change, ChangeAssembler, ClusterEvent};
use super::rows::{PodRow, ServiceRow};
use super::status::{IstioPresence, StatusBoard, StatusUpdate, TaskState, WatchKey};
use health::{RESUME_SETTLE, WatchHealth};

/// Where Istio's own pods and the ingress gateway service live.
pub const ISTIO_SYSTEM_NAMESPACE: &str = "istio-system";

/// How often to look again for Istio's CRDs while they are missing (the lab installs Istio
/// while the app runs).
const ISTIO_RECHECK: Duration = Duration::from_secs(10);

/// Objects per page of the initial list. kube-rs defaults to 500; a page is held whole, as
/// text and as typed objects, while it is turned into rows, and with thousands of pods the
/// allocator keeps that peak. 50 costs a few more round trips and keeps the process small.
const LIST_PAGE_SIZE: u32 = 50;

/// The server ends each watch after this long and the watcher opens the next from the same
/// resourceVersion (no list). It is shorter than the client's read timeout, so a quiet but
/// healthy watch ends cleanly while a silent connection (a laptop that slept, a VPN that
/// dropped) fails the read and is reported; kube-runtime also gives up on a watch that stays
/// silent 5 s past this.
pub const WATCH_TIMEOUT_SECS: u32 = 25;

/// The running watchers. Dropping it (or calling [`WatchHandle::stop`]) aborts all of them;
/// to switch namespace, drop it and call [`spawn_watchers`] again.
#[derive(Debug)]
pub struct WatchHandle {
    namespace: String,
    tasks: JoinSet<()>,
    /// Reflector caches of the watched Services, per namespace: reads need no request.
    services: BTreeMap<String, Store<Service>>,
}

impl WatchHandle {
    /// The lab namespace these watchers follow.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The watch cache of Services in `namespace` (the lab namespace or `istio-system`).
    pub fn services(&self, namespace: &str) -> Option<&Store<Service>> {
        self.services.get(namespace)
    }

    /// Stops every watcher now.
    pub fn stop(mut self) {
        self.tasks.abort_all();
    }
}

/// The namespaces whose pods and services are watched, without duplicates.
pub fn watched_namespaces(lab_namespace: &str) -> Vec<String> {
    let mut namespaces = vec![lab_namespace.to_string()];
    if lab_namespace != ISTIO_SYSTEM_NAMESPACE {
        namespaces.push(ISTIO_SYSTEM_NAMESPACE.to_string());
    }
    namespaces
}

/// Starts every watcher. Must be called inside a Tokio runtime.
///
/// Events arrive on `tx`: table changes already converted to rows, and a
/// [`ClusterEvent::Connection`] whenever the combined connection state changes.
/// The tasks never stop on their own while `tx` has a receiver; errors are retried
/// with backoff, never returned.
pub fn spawn_watchers(
    client: Client,
    lab_namespace: &str,
    tx: UnboundedSender<ClusterEvent>,
) -> WatchHandle {
    let (status_tx, status_rx) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();
    let mut service_stores = BTreeMap::new();
    tasks.spawn(publish_status(status_rx, tx.clone()));
    for namespace in watched_namespaces(lab_namespace) {
        let pods = Target {
            api: Api::<Pod>::namespaced(client.clone(), &namespace),
            // Pods are the bulk of a cluster; their rows are all the app needs, so no cache.
            cache: None,
            key: WatchKey::new("pods", &namespace),
            convert: |pod: &Pod| PodRow::from(pod),
            wrap: {
                let namespace = namespace.clone();
                Box::new(move |change| ClusterEvent::Pods {
                    namespace: namespace.clone(),
                    change,
                })
            },
        };
        tasks.spawn(run_watch(pods, tx.clone(), status_tx.clone()));
        let (service_store, service_cache) = reflector::store();
        service_stores.insert(namespace.clone(), service_store);
        let services = Target {
            api: Api::<Service>::namespaced(client.clone(), &namespace),
            cache: Some(service_cache),
            key: WatchKey::new("services", &namespace),
            convert: |service: &Service| ServiceRow::from(service),
            wrap: {
                let namespace = namespace.clone();
                Box::new(move |change| ClusterEvent::Services {
                    namespace: namespace.clone(),
                    change,
                })
            },
        };
        tasks.spawn(run_watch(services, tx.clone(), status_tx.clone()));
    }
    tasks.spawn(watch_mesh(client, lab_namespace.to_string(), tx, status_tx));
    WatchHandle {
        namespace: lab_namespace.to_string(),
        tasks,
        services: service_stores,
    }
}

/// One watched resource: how to reach it and how its changes become events.
struct Target<K, T>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    api: Api<K>,
    /// The reflector's writer, where something reads the objects: every watch event is
    /// applied to its store, so the store always holds the objects the tables show.
    cache: Option<Writer<K>>,
    key: WatchKey,
    convert: fn(&K) -> T,
    wrap: Box<dyn Fn(Change<T>) -> ClusterEvent + Send + Sync>,
}

/// Watches one resource forever on one stream: list, stream changes, and on errors report
/// them and pause. The watcher resumes from its last resourceVersion on the next poll and
/// lists again only after a 410, so a blip costs a re-opened watch, not a re-list. A new
/// stream is opened only where the watcher cannot go on: a watch request answered 410, or
/// the stream ending.
async fn run_watch<K, T>(
    target: Target<K, T>,
    tx: UnboundedSender<ClusterEvent>,
    status: UnboundedSender<StatusUpdate>,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone + Send + Sync,
    T: Send + 'static,
{
    let mut target = target;
    let context = RequestContext {
        resource: &target.key.resource,
        namespace: &target.key.namespace,
    };
    let report = |state: TaskState| {
        // The status board only goes away when the whole handle does.
        let _ = status.send(StatusUpdate::Task(target.key.clone(), state));
    };
    let mut health = WatchHealth::default();
    // The watcher's own `Init` restarts this buffer whenever it lists again, so a list cut
    // short by an error never leaks into the next one.
    let mut assembler = ChangeAssembler::default();
    let mut stream = open_watch(&target.api);
    // When the stream resumed after an error: if it stays quiet until then, it reconnected.
    let mut settle: Option<Instant> = None;
    // Only the first attempt says Connecting; later ones keep showing the retry or refusal
    // until they succeed, so the status bar does not flicker on every attempt.
    report(TaskState::Connecting);
    loop {
        let next = match settle.filter(|_| health.awaiting_quiet()) {
            // Polling the stream again after the timer fires picks up where it was: the
            // watcher keeps its pending request inside the stream, not in this future.
            Some(deadline) => tokio::select! {
                next = stream.next() => next,
                () = tokio::time::sleep_until(deadline) => {
                    settle = None;
                    if let Some(state) = health.on_quiet() {
                        report(state);
                    }
                    continue;
                }
            },
            None => stream.next().await,
        };
        let failure = match next {
            Some(Ok(event)) => {
                if let Some(cache) = target.cache.as_mut() {
                    cache.apply_watcher_event(&event);
                }
                let state = health.on_event(&event);
                let change = assembler.on_event(event, target.convert, |object| object.name_any());
                if let Some(change) = change
                    && tx.send((target.wrap)(change)).is_err()
                {
                    return;
                }
                if let Some(state) = state {
                    report(state);
                }
                continue;
            }
            Some(Err(error)) => {
                if watch_refused_as_expired(&error) {
                    assembler.abandon();
                    stream = open_watch(&target.api);
                }
                classify_watch_error(&error, context)
            }
            None => {
                // kube-runtime's watcher never ends; should a later one, only a new stream
                // (which lists first) can go on.
                assembler.abandon();
                stream = open_watch(&target.api);
                WatchFailure::Transient("watch 스트림이 끝나 처음부터 다시 읽습니다".to_string())
            }
        };
        settle = None;
        if let Some((state, delay)) = health.on_error(failure) {
            report(state);
            tokio::time::sleep(delay).await;
            settle = Some(Instant::now() + RESUME_SETTLE);
        }
    }
}

/// The one watch stream of a resource, paged as [`LIST_PAGE_SIZE`] says.
fn open_watch<K>(api: &Api<K>) -> Pin<Box<impl Stream<Item = watcher::Result<watcher::Event<K>>>>>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    Box::pin(watcher(
        api.clone(),
        watcher::Config::default()
            .page_size(LIST_PAGE_SIZE)
            .timeout(WATCH_TIMEOUT_SECS),
    ))
}

/// Advances the backoff, reports the retry, and returns how long to wait.
fn retry(backoff: &mut Backoff, reason: &str, report: &impl Fn(TaskState)) -> Duration {
    let (attempt, next_in) = backoff.next_delay();
    report(TaskState::Retrying {
        attempt,
        next_in,
        reason: reason.to_string(),
    });
    next_in
}

/// Finds Istio's kinds (waiting for them to be installed if need be), then watches them.
async fn watch_mesh(
    client: Client,
    namespace: String,
    tx: UnboundedSender<ClusterEvent>,
    status: UnboundedSender<StatusUpdate>,
) {
    let key = WatchKey::new(ISTIO_NETWORKING_GROUP, &namespace);
    let report = |update: StatusUpdate| {
        let _ = status.send(update);
    };
    let mut backoff = Backoff::default();
    let found = loop {
        match discover_istio(&client).await {
            Ok(IstioDiscovery::Found(kinds)) => break kinds,
            Ok(IstioDiscovery::NotInstalled) => {
                report(StatusUpdate::Gone(key.clone()));
                report(StatusUpdate::Istio(IstioPresence::Missing));
                backoff.reset();
                tokio::time::sleep(ISTIO_RECHECK).await;
            }
            Err(error) => {
                let failure = match &error {
                    kube::Error::Api(s) => classify_status(
                        s,
                        "get",
                        RequestContext {
                            resource: ISTIO_NETWORKING_GROUP,
                            namespace: "",
                        },
                    ),
                    other => WatchFailure::Transient(super::explain::explain(other)),
                };
                let task = |state: TaskState| report(StatusUpdate::Task(key.clone(), state));
                let delay = match failure {
                    WatchFailure::Forbidden(f) => {
                        task(TaskState::Forbidden(f));
                        backoff.next_delay().1
                    }
                    WatchFailure::Expired => retry(
                        &mut backoff,
                        "Istio 리소스 목록이 만료되어 다시 읽습니다",
                        &task,
                    ),
                    WatchFailure::Transient(reason) => retry(&mut backoff, &reason, &task),
                };
                tokio::time::sleep(delay).await;
            }
        }
    };
    // Mark the mesh watchers as listing before Istio counts as present, so the combined
    // state never briefly claims "connected" with only the core kinds.
    for (kind, _) in &found {
        report(StatusUpdate::Task(
            WatchKey::new(kind.plural(), &namespace),
            TaskState::Connecting,
        ));
    }
    report(StatusUpdate::Gone(key));
    report(StatusUpdate::Istio(IstioPresence::Present));

    let mut watchers = JoinSet::new();
    for (kind, resource) in found {
        let target = Target {
            api: Api::<DynamicObject>::namespaced_with(client.clone(), &namespace, &resource),
            cache: Some(Writer::new(resource.clone())),
            key: WatchKey::new(kind.plural(), &namespace),
            convert: DynamicObject::clone,
            wrap: Box::new(move |change| ClusterEvent::Mesh { kind, change }),
        };
        watchers.spawn(run_watch(target, tx.clone(), status.clone()));
    }
    // The mesh watchers live exactly as long as this task: aborting it drops the set.
    while watchers.join_next().await.is_some() {}
}

/// Turns status reports into [`ClusterEvent::Connection`] whenever the combined state changes.
async fn publish_status(
    mut updates: UnboundedReceiver<StatusUpdate>,
    tx: UnboundedSender<ClusterEvent>,
) {
    let mut board = StatusBoard::default();
    let mut last = board.overall();
    if tx.send(ClusterEvent::Connection(last.clone())).is_err() {
        return;
    }
    while let Some(update) = updates.recv().await {
        board.apply(update);
        // Fold a burst of reports into one published state.
        while let Ok(more) = updates.try_recv() {
            board.apply(more);
        }
        let state = board.overall();
        if state != last {
            if tx.send(ClusterEvent::Connection(state.clone())).is_err() {
                return;
            }
            last = state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istio_system_is_watched_once() {
        assert_eq!(watched_namespaces("default"), ["default", "istio-system"]);
        assert_eq!(watched_namespaces("istio-system"), ["istio-system"]);
    }
}
