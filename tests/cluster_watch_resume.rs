//! The watchers resume after trouble on the demo cluster instead of listing again: a closed or
//! reset connection re-opens each watch from its last resourceVersion, and an outage shows the
//! retries paced by backoff, then resumes the same way and the status bar reads connected.

mod common {
    pub mod watch;
    pub mod watch_proxy;
}

use std::time::Duration;

use common::watch::{ALL_KINDS, Tables, WAIT, demo_cluster, running_pod};
use common::watch_proxy::{Outage, proxied_client_with_outage, relayed_client};
use istio_lab::features::cluster::{Change, ClusterEvent, ConnectionState};
use istio_lab::sim::{RequestRecord, SimHandle};
use kube::Client;

const PODS: &str = "/api/v1/namespaces/default/pods";

/// Requests that list the pods: list pages, or a streaming list (a watch that starts with
/// every object). The one-object list that only counts them for the progress is not one.
fn pod_lists(requests: &[RequestRecord]) -> usize {
    requests
        .iter()
        .filter(|r| r.path == PODS)
        .filter(|r| (r.is_list() && r.limit() != Some(1)) || r.send_initial_events())
        .count()
}

fn pod_watches(requests: &[RequestRecord]) -> Vec<RequestRecord> {
    requests
        .iter()
        .filter(|r| r.verb == Some("watch") && r.path == PODS)
        .cloned()
        .collect()
}

/// The resourceVersion a watch request resumes from; 0 or none would mean "from a fresh list".
fn resumed_from(watch: &RequestRecord) -> u64 {
    let rv = watch.resource_version().and_then(|rv| rv.parse().ok());
    assert!(rv.is_some_and(|rv| rv > 0), "{watch:?}");
    rv.unwrap_or_default()
}

/// The resourceVersion the first list was read at, or a lower bound of it: a plain watch
/// names it; a streaming list is read at the RV of the moment it starts, at least
/// `started_at`, the store's RV just before the watchers started.
fn listed_at(first_watch: &RequestRecord, started_at: u64) -> u64 {
    if first_watch.send_initial_events() {
        started_at
    } else {
        resumed_from(first_watch)
    }
}

/// Polls the request log until `done` holds for it; panics when `WAIT` passes first.
async fn wait_for_requests(sim: &SimHandle, what: &str, done: impl Fn(&[RequestRecord]) -> bool) {
    let waited = tokio::time::timeout(WAIT, async {
        while !done(&sim.requests()) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "still waiting for {what}: {:#?}",
        sim.requests()
    );
}

/// Applies events until the default pods table shows `name`, returning every published
/// connection state and whether a pods `Reset` (a re-list) came meanwhile.
async fn wait_for_pod(tables: &mut Tables, name: &str) -> (Vec<ConnectionState>, bool) {
    let mut states = Vec::new();
    let mut relisted = false;
    tables
        .wait_event("the new pod's row", |view, event| {
            match event {
                ClusterEvent::Pods {
                    namespace,
                    change: Change::Reset(_),
                } if namespace == "default" => relisted = true,
                ClusterEvent::Connection(state) => states.push(state.clone()),
                _ => {}
            }
            view.pods
                .get("default")
                .is_some_and(|p| p.contains_key(name))
        })
        .await;
    (states, relisted)
}

/// Starts the watchers on `client`, cuts their connections with `cut` once every kind is
/// listed, writes a pod once the pods watch is back, and checks that the pod arrives through
/// the resumed watch with nothing listed again. Returns the connection states published from
/// the cut until the status bar reads connected again.
async fn cut_and_resume(
    sim: &SimHandle,
    client: Client,
    cut: impl FnOnce(),
) -> Vec<ConnectionState> {
    let started_at = sim.store().current_rv();
    let mut tables = Tables::start(client, "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    wait_for_requests(sim, "the pods watch", |r| !pod_watches(r).is_empty()).await;
    let before = sim.requests();
    // The log holds the first list, so its silence about a second one means something.
    assert_eq!(pod_lists(&before), 1, "{before:#?}");
    let first_watch = pod_watches(&before);
    assert_eq!(first_watch.len(), 1, "{before:#?}");
    let listed_at = listed_at(&first_watch[0], started_at);

    sim.clear_requests();
    cut();
    // Written only once the watch is back, so it can only arrive through the resumed watch.
    wait_for_requests(sim, "the pods watch re-opened", |requests| {
        !pod_watches(requests).is_empty()
    })
    .await;
    sim.store()
        .put(running_pod("default", "after-cut", 0))
        .unwrap();
    let (mut states, relisted) = wait_for_pod(&mut tables, "after-cut").await;
    assert!(!relisted, "the pods table was listed again");
    if tables.view.connection != ALL_KINDS {
        tables
            .wait_event("connected again", |view, event| {
                if let ClusterEvent::Connection(state) = event {
                    states.push(state.clone());
                }
                view.connection == ALL_KINDS
            })
            .await;
    }

    let after = sim.requests();
    let lists: Vec<&RequestRecord> = after.iter().filter(|r| r.is_list()).collect();
    assert!(lists.is_empty(), "listed again after the cut: {lists:#?}");
    for watch in pod_watches(&after) {
        assert!(resumed_from(&watch) >= listed_at, "{watch:?}");
        assert!(!watch.send_initial_events(), "{watch:?}");
    }
    states
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_resumes_the_watch_without_listing_again() {
    let (sim, client) = demo_cluster().await;
    // A closed connection ends a watch cleanly, which kube-runtime's watcher resumes by
    // itself; the status bar may show a retry only if a request met a closing connection.
    let states = cut_and_resume(&sim, client, || sim.drop_connections()).await;
    assert!(
        states
            .iter()
            .all(|s| *s == ALL_KINDS || matches!(s, ConnectionState::Reconnecting { .. })),
        "{states:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reset_connection_is_reported_then_resumes_without_listing_again() {
    let (sim, _) = demo_cluster().await;
    let (client, relay) = relayed_client(&sim).await;
    // A reset is an error on the stream: it is reported and paced, and the same stream goes on.
    let states = cut_and_resume(&sim, client, || relay.reset_all()).await;
    assert!(
        matches!(
            states.first(),
            Some(ConnectionState::Reconnecting { attempt: 1, next_in, .. })
                if *next_in == Duration::from_millis(500)
        ),
        "{states:#?}"
    );
    assert_eq!(states.last(), Some(&ALL_KINDS), "{states:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_shows_paced_retries_then_resumes_without_listing_again() {
    let (sim, _) = demo_cluster().await;
    let outage = Outage::default();
    let client = proxied_client_with_outage(&sim, &outage).await;
    let started_at = sim.store().current_rv();
    let mut tables = Tables::start(client, "default");
    tables
        .wait_until("every kind listed", |view| view.connection == ALL_KINDS)
        .await;
    wait_for_requests(&sim, "the pods watch", |r| !pod_watches(r).is_empty()).await;
    let listed_at = listed_at(&pod_watches(&sim.requests())[0], started_at);

    // The watches end (the proxy ends them cleanly, as a graceful shutdown does) and every
    // attempt to re-open them is refused until the outage is over.
    sim.clear_requests();
    outage.begin();
    sim.drop_connections();
    let mut states = Vec::new();
    tables
        .wait_event("the third attempt", |_, event| {
            if let ClusterEvent::Connection(state) = event {
                states.push(state.clone());
            }
            matches!(
                states.last(),
                Some(ConnectionState::Reconnecting { attempt: 3.., .. })
            )
        })
        .await;
    sim.store()
        .put(running_pod("default", "after-outage", 0))
        .unwrap();
    outage.end();
    let (after_outage, relisted) = wait_for_pod(&mut tables, "after-outage").await;
    assert!(!relisted, "the pods table was listed again");
    states.extend(after_outage);
    if tables.view.connection != ALL_KINDS {
        tables
            .wait_event("connected again", |view, event| {
                if let ClusterEvent::Connection(state) = event {
                    states.push(state.clone());
                }
                view.connection == ALL_KINDS
            })
            .await;
    }

    let retry = |attempt: u32, millis: u64| ConnectionState::Reconnecting {
        attempt,
        next_in: Duration::from_millis(millis),
        reason: format!("API 서버 오류 (502): {}", Outage::REPLY),
    };
    assert_eq!(states.first(), Some(&retry(1, 500)), "{states:#?}");
    assert!(states.contains(&retry(2, 1_000)), "{states:#?}");
    assert_eq!(states.last(), Some(&ALL_KINDS), "{states:#?}");
    assert!(
        states
            .iter()
            .all(|s| *s == ALL_KINDS || matches!(s, ConnectionState::Reconnecting { .. })),
        "{states:#?}"
    );

    // Paced: kube-runtime's watcher alone would retry at once, thousands of times.
    let refused: Vec<String> = outage.refused().iter().map(ToString::to_string).collect();
    let refused_pod_watches = refused.iter().filter(|uri| uri.starts_with(PODS)).count();
    assert!((2..=4).contains(&refused_pod_watches), "{refused:#?}");
    assert!(
        refused.iter().all(|uri| uri.contains("watch=true")),
        "{refused:#?}"
    );

    let after = sim.requests();
    assert!(after.iter().all(|r| !r.is_list()), "{after:#?}");
    let resumed = pod_watches(&after);
    assert!(!resumed.is_empty(), "{after:#?}");
    assert!(resumed.iter().all(|w| resumed_from(w) >= listed_at));
}
