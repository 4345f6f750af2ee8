//! The Istio kinds' watchers: found through discovery (waiting while Istio is not
//! installed), then one watch per kind in the lab namespace.

use std::time::Duration;

use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::runtime::reflector::store::Writer;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use super::Target;
use super::run::run_watch;
use super::strategy::ListModes;
use crate::features::cluster::connection::{
    Backoff, RequestContext, WatchFailure, classify_status,
};
use crate::features::cluster::discovery::{ISTIO_NETWORKING_GROUP, IstioDiscovery, discover_istio};
use crate::features::cluster::events::ClusterEvent;
use crate::features::cluster::status::{IstioPresence, StatusUpdate, TaskState, WatchKey};

/// How often to look again for Istio's CRDs while they are missing (the lab installs Istio
/// while the app runs).
const ISTIO_RECHECK: Duration = Duration::from_secs(10);

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
pub async fn watch_mesh(
    client: Client,
    namespace: String,
    modes: ListModes,
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
                    other => {
                        WatchFailure::Transient(crate::features::cluster::explain::explain(other))
                    }
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
            // The lab's checks read these whole, and there are few.
            show_first_list: false,
            convert: DynamicObject::clone,
            wrap: Box::new(move |change| ClusterEvent::Mesh { kind, change }),
        };
        watchers.spawn(run_watch(target, modes.clone(), tx.clone(), status.clone()));
    }
    // The mesh watchers live exactly as long as this task: aborting it drops the set.
    while watchers.join_next().await.is_some() {}
}
