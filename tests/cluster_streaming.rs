//! The watchers' first lists on the demo cluster, in both modes: a streaming list where the
//! server serves one, pages where it refuses (remembered for the session). Either way the
//! rows show while the list arrives, in batches, with its progress; a re-list after a 410
//! still replaces the table at once.

mod common {
    pub mod watch;
    pub mod watch_proxy;
}

use std::collections::BTreeSet;

use common::watch::{ALL_KINDS, Tables, demo_cluster, running_pod};
use common::watch_proxy::proxied_client;
use istio_lab::features::cluster::model::{LoadingTable, Table};
use istio_lab::features::cluster::watch::{ListModes, ListStrategy};
use istio_lab::features::cluster::{Change, ClusterEvent, ConnectionState};
use istio_lab::sim::{RequestRecord, SimHandle, StreamingLists};
use kube::Client;

/// Enough for a list that takes many batches, few enough for a debug build.
const PODS: usize = 2_000;
const DEFAULT_PODS: &str = "/api/v1/namespaces/default/pods";

async fn cluster_with_pods(mode: StreamingLists) -> (SimHandle, Client) {
    let (sim, client) = demo_cluster().await;
    sim.set_streaming_lists(mode);
    let store = sim.store();
    for i in 0..PODS {
        store
            .put(running_pod("default", &format!("bulk-{i:05}"), 0))
            .unwrap();
    }
    (sim, client)
}

fn default_pods(view: &istio_lab::features::cluster::model::ClusterView) -> usize {
    view.pods.get("default").map_or(0, |pods| pods.len())
}

fn streaming_lists(requests: &[RequestRecord], path: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.path == path && r.send_initial_events())
        .count()
}

fn list_pages(requests: &[RequestRecord], path: &str) -> Vec<RequestRecord> {
    requests
        .iter()
        .filter(|r| r.path == path && r.is_list() && r.limit() != Some(1))
        .cloned()
        .collect()
}

/// Objects received and the total, as the pods table's title shows them.
type Progress = (usize, Option<usize>);

/// What one watch of the default pods showed while its first list arrived.
struct FirstList {
    /// Batches of the list, and after each the rows in the table and the progress shown.
    batches: usize,
    seen: Vec<(usize, Option<Progress>)>,
    states: Vec<ConnectionState>,
}

/// Starts watchers and follows the default pods' first list until every kind is listed.
async fn follow_first_list(tables: &mut Tables) -> FirstList {
    let mut batches = 0;
    let mut seen = Vec::new();
    let mut states = Vec::new();
    tables
        .wait_event("every pod listed", |view, event| {
            match event {
                ClusterEvent::Pods {
                    namespace,
                    change: Change::Listing(_),
                } if namespace == "default" => {
                    batches += 1;
                    seen.push((default_pods(view), view.progress(Table::Pods, &["default"])));
                }
                ClusterEvent::Pods {
                    namespace,
                    change: Change::Reset(_),
                } if namespace == "default" => panic!("a first list came whole"),
                ClusterEvent::Connection(state) => states.push(state.clone()),
                _ => {}
            }
            view.connection == ALL_KINDS && default_pods(view) == PODS
        })
        .await;
    FirstList {
        batches,
        seen,
        states,
    }
}

/// The first list shows rows long before it is complete, in far fewer batches than
/// objects, with its progress counted against the total; then the progress goes away.
fn assert_shown_while_arriving(first: &FirstList, tables: &Tables) {
    assert!(first.batches >= 2, "{} batches", first.batches);
    assert!(first.batches < PODS / 20, "{} batches", first.batches);
    let (rows, _) = first.seen[0];
    assert!(rows > 0 && rows < PODS, "first batch: {rows} rows");
    let shown: Vec<(usize, Progress)> = first
        .seen
        .iter()
        .filter_map(|(rows, progress)| Some((*rows, (*progress)?)))
        .collect();
    // Every row received is on screen, and counted; the total is the count's, once it came
    // (it is asked for beside the list, so the first rows may come before it).
    assert!(
        shown.iter().all(|(rows, (loaded, _))| rows == loaded),
        "{shown:?}"
    );
    assert!(shown.windows(2).all(|w| w[0].0 < w[1].0), "{shown:?}");
    let totals: Vec<Option<usize>> = shown.iter().map(|(_, (_, total))| *total).collect();
    let counted = totals
        .iter()
        .position(Option::is_some)
        .unwrap_or(totals.len());
    assert!(counted < totals.len(), "no total shown: {shown:?}");
    assert!(
        totals[counted..].iter().all(|t| *t == Some(PODS)),
        "{shown:?}"
    );
    assert_eq!(
        first.seen.last().map(|(rows, p)| (*rows, *p)),
        Some((PODS, None))
    );
    assert!(
        !tables
            .view
            .loading
            .contains_key(&LoadingTable::Pods("default".into())),
        "{:?}",
        tables.view.loading
    );
    // Falling back is not trouble to report.
    assert!(
        first
            .states
            .iter()
            .all(|s| matches!(s, ConnectionState::Connecting) || *s == ALL_KINDS),
        "{:?}",
        first.states
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_streaming_list_shows_its_rows_as_they_arrive() {
    let (sim, client) = cluster_with_pods(StreamingLists::Served).await;
    let mut tables = Tables::start(client, "default");
    let first = follow_first_list(&mut tables).await;
    assert_shown_while_arriving(&first, &tables);
    let requests = sim.requests();
    assert_eq!(streaming_lists(&requests, DEFAULT_PODS), 1);
    assert!(
        list_pages(&requests, DEFAULT_PODS).is_empty(),
        "{requests:#?}"
    );
    assert_eq!(
        tables.list_modes().strategy("pods"),
        ListStrategy::Streaming
    );
}

/// A server refusing streaming lists (as `mode` does) gets one streaming request per watch,
/// then pages; the next watchers of the session (a namespace switch) ask for none.
async fn refused_streaming_lists_fall_back_to_pages(mode: StreamingLists) {
    let (sim, client) = cluster_with_pods(mode).await;
    let mut tables = Tables::start(client.clone(), "default");
    let first = follow_first_list(&mut tables).await;
    assert_shown_while_arriving(&first, &tables);
    let requests = sim.requests();
    let watched: BTreeSet<&str> = requests
        .iter()
        .filter(|r| r.watch)
        .map(|r| r.path.as_str())
        .collect();
    // Pods and services in both namespaces and the three Istio kinds: each asked once.
    assert_eq!(watched.len(), 7, "{watched:#?}");
    for path in &watched {
        assert_eq!(streaming_lists(&requests, path), 1, "{path}: {requests:#?}");
    }
    let pages = list_pages(&requests, DEFAULT_PODS);
    assert_eq!(pages.len(), PODS.div_ceil(50), "{pages:#?}");
    assert!(pages.iter().all(|p| p.limit() == Some(50)));

    let modes = tables.list_modes();
    drop(tables);
    sim.clear_requests();
    let mut next = Tables::start_with(client.clone(), "default", modes);
    next.wait_until("listed again", |view| {
        view.connection == ALL_KINDS && default_pods(view) == PODS
    })
    .await;
    let requests = sim.requests();
    assert!(
        requests.iter().all(|r| !r.send_initial_events()),
        "{requests:#?}"
    );
    assert!(!list_pages(&requests, DEFAULT_PODS).is_empty());
    // What kept them from asking is the session's memory, not the server.
    sim.clear_requests();
    let mut fresh = Tables::start_with(client, "default", ListModes::default());
    fresh
        .wait_until("listed afresh", |view| view.connection == ALL_KINDS)
        .await;
    assert_eq!(streaming_lists(&sim.requests(), DEFAULT_PODS), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn storage_without_watch_progress_is_listed_in_pages() {
    refused_streaming_lists_fall_back_to_pages(StreamingLists::WithoutWatchProgress).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_the_watch_list_gate_is_listed_in_pages() {
    refused_streaming_lists_fall_back_to_pages(StreamingLists::GateDisabled).await;
}

/// After an API server restart the watches resume into a 410 and list again: that list
/// replaces the table in one step, never shown partly, never empty in between.
async fn a_relist_replaces_the_table_at_once(mode: StreamingLists) {
    let (mut sim, _) = cluster_with_pods(mode).await;
    // Behind a stable endpoint whose watches end cleanly, so they resume into the 410.
    let client = proxied_client(&sim, false).await;
    let mut tables = Tables::start(client, "default");
    follow_first_list(&mut tables).await;
    sim.restart().await.unwrap();
    sim.store()
        .put(running_pod("default", "after-restart", 0))
        .unwrap();
    let mut fewest = usize::MAX;
    tables
        .wait_event("the re-list", |view, event| {
            if let ClusterEvent::Pods { namespace, change } = event
                && namespace == "default"
            {
                assert!(
                    !matches!(change, Change::Listing(_)),
                    "a re-list was shown while it arrived"
                );
            }
            fewest = fewest.min(default_pods(view));
            view.pods
                .get("default")
                .is_some_and(|pods| pods.contains_key("after-restart"))
        })
        .await;
    assert_eq!(fewest, PODS);
    assert_eq!(default_pods(&tables.view), PODS + 1);
    assert!(tables.view.loading.is_empty(), "{:?}", tables.view.loading);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_streaming_relist_replaces_the_table_at_once() {
    a_relist_replaces_the_table_at_once(StreamingLists::Served).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paged_relist_replaces_the_table_at_once() {
    a_relist_replaces_the_table_at_once(StreamingLists::WithoutWatchProgress).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_streaming_list_is_reported_as_a_refused_watch_and_retried() {
    let (sim, client) = demo_cluster().await;
    let store = sim.store();
    store.put(running_pod("default", "alpha", 0)).unwrap();
    store.set_forbidden("watch", "pods", "default");
    let mut tables = Tables::start(client, "default");
    let refused = ConnectionState::Forbidden {
        verb: "watch".into(),
        resource: "pods".into(),
        namespace: "default".into(),
    };
    tables
        .wait_until("the refusal", |view| view.connection == refused)
        .await;
    assert_eq!(default_pods(&tables.view), 0);
    store.clear_forbidden();
    tables
        .wait_until("recovery with the pod listed", |view| {
            view.connection == ALL_KINDS && default_pods(view) == 1
        })
        .await;
    // A refusal of the request, not of streaming lists: they are still asked for.
    assert!(streaming_lists(&sim.requests(), DEFAULT_PODS) >= 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_count_the_progress_has_no_total() {
    let (sim, client) = cluster_with_pods(StreamingLists::Served).await;
    // The count is a list of its own; refused, the streaming list (a watch) goes on.
    sim.store().set_forbidden("list", "pods", "default");
    let mut tables = Tables::start(client, "default");
    let first = follow_first_list(&mut tables).await;
    assert!(first.seen.len() >= 2);
    for (rows, progress) in &first.seen[..first.seen.len() - 1] {
        assert_eq!(*progress, Some((*rows, None)));
    }
}
