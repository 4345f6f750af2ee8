//! Watchers end to end against a loopback fake API server that replays recorded answers
//! (`fake`), streaming lists included.

mod fake;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use fake::{Reply, Router, empty_list, fake_cluster, fixture, not_found};

use super::connection::ConnectionState;
use super::discovery::{IstioDiscovery, discover_istio};
use super::events::{Change, ClusterEvent, MeshKind};
use super::watch::spawn_watchers;

/// Core resources: recorded lists in `default`, empty ones in `istio-system`, and a watch on
/// default pods that announces one new pod.
fn core_routes(path: &str, watching: bool) -> Option<Reply> {
    let new_pod = r#"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"details-v1","namespace":"default","resourceVersion":"310","creationTimestamp":"2026-11-25T22:07:16Z"},"spec":{"containers":[{"name":"details","image":"details"}]},"status":{"phase":"Pending"}}}"#;
    let reply = match (path, watching) {
        (_, true) if path == "/api/v1/namespaces/default/pods" => {
            Reply::Watch(vec![new_pod.to_string()])
        }
        (_, true) => Reply::Watch(Vec::new()),
        ("/api/v1/namespaces/default/pods", false) => {
            Reply::Json(200, fixture("recorded-pods.json"))
        }
        ("/api/v1/namespaces/default/services", false) => {
            Reply::Json(200, fixture("recorded-services.json"))
        }
        ("/api/v1/namespaces/istio-system/pods", false) => empty_list("v1", "PodList"),
        ("/api/v1/namespaces/istio-system/services", false) => empty_list("v1", "ServiceList"),
        _ => return None,
    };
    Some(reply)
}

/// Receives events until `done` holds for everything received so far.
async fn collect_until(
    rx: &mut mpsc::UnboundedReceiver<ClusterEvent>,
    done: impl Fn(&[ClusterEvent]) -> bool,
) -> Vec<ClusterEvent> {
    let mut events = Vec::new();
    // Only a guard against hanging forever when an expected event never comes.
    let guard = tokio::time::sleep(Duration::from_secs(30));
    tokio::pin!(guard);
    while !done(&events) {
        tokio::select! {
            Some(event) = rx.recv() => events.push(event),
            () = &mut guard => panic!("expected events never arrived; got {events:#?}"),
        }
    }
    events
}

/// Each complete list of one table, as names in list order: a first list's batches gathered
/// until it is done (starting over where it does), or a re-list's `Reset`.
fn complete_lists<'a, T: 'a>(
    changes: impl Iterator<Item = &'a Change<T>>,
    name: impl Fn(&T) -> String,
) -> Vec<Vec<String>> {
    let mut lists = Vec::new();
    let mut listing = Vec::new();
    for change in changes {
        match change {
            Change::Listing(batch) => {
                if batch.first {
                    listing.clear();
                }
                listing.extend(batch.rows.iter().map(&name));
                if batch.done {
                    lists.push(std::mem::take(&mut listing));
                }
            }
            Change::Reset(rows) => lists.push(rows.iter().map(&name).collect()),
            Change::Applied(_) | Change::Deleted { .. } => {}
        }
    }
    lists
}

fn pod_lists(events: &[ClusterEvent], wanted: &str) -> Vec<Vec<String>> {
    let changes = events.iter().filter_map(|e| match e {
        ClusterEvent::Pods { namespace, change } if namespace == wanted => Some(change),
        _ => None,
    });
    complete_lists(changes, |row| row.name.clone())
}

fn connection_states(events: &[ClusterEvent]) -> Vec<ConnectionState> {
    events
        .iter()
        .filter_map(|e| match e {
            ClusterEvent::Connection(state) => Some(state.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn rows_arrive_and_state_says_istio_is_missing() {
    let router: Router = Arc::new(|path, watching| {
        core_routes(path, watching).unwrap_or_else(|| match path {
            "/apis" => Reply::Json(
                200,
                r#"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#.to_string(),
            ),
            _ => not_found(),
        })
    });
    let client = fake_cluster(router).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = spawn_watchers(client, "default", tx);
    assert_eq!(handle.namespace(), "default");

    let events = collect_until(&mut rx, |events| {
        let applied = events.iter().any(|e| {
            matches!(e, ClusterEvent::Pods { change: Change::Applied(row), .. } if row.name == "details-v1")
        });
        applied && connection_states(events).last() == Some(&ConnectionState::IstioNotInstalled)
    })
    .await;

    let pod_list = pod_lists(&events, "default");
    assert_eq!(pod_list[0], ["ratings-v1", "reviews-v1-6bdf74cc7d-b8czw"]);
    let service_changes = events.iter().filter_map(|e| match e {
        ClusterEvent::Services { namespace, change } if namespace == "default" => Some(change),
        _ => None,
    });
    let service_lists = complete_lists(service_changes, |row| row.name.clone());
    assert_eq!(service_lists.first().map(Vec::len), Some(3));
    assert_eq!(
        connection_states(&events).first(),
        Some(&ConnectionState::Connecting)
    );
    handle.stop();
}

#[tokio::test]
async fn a_refused_namespace_is_reported_as_forbidden() {
    let denial =
        fixture("forbidden-list-pods-403.json").replace("\\\"default\\\"", "\\\"istio-system\\\"");
    let router: Router = Arc::new(move |path, watching| {
        if path == "/api/v1/namespaces/istio-system/pods" && !watching {
            return Reply::Json(403, denial.clone());
        }
        core_routes(path, watching).unwrap_or_else(not_found)
    });
    let client = fake_cluster(router).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _handle = spawn_watchers(client, "default", tx);
    let expected = ConnectionState::Forbidden {
        verb: "list".into(),
        resource: "pods".into(),
        namespace: "istio-system".into(),
    };
    collect_until(&mut rx, |events| {
        connection_states(events).contains(&expected)
    })
    .await;
}

#[tokio::test]
async fn failing_lists_report_reconnecting_with_the_first_backoff_step() {
    let router: Router = Arc::new(|path, watching| {
        if path == "/api/v1/namespaces/default/services" && !watching {
            return Reply::Json(
                500,
                r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcd unavailable","code":500}"#
                    .to_string(),
            );
        }
        core_routes(path, watching).unwrap_or_else(not_found)
    });
    let client = fake_cluster(router).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _handle = spawn_watchers(client, "default", tx);
    let events = collect_until(&mut rx, |events| {
        connection_states(events)
            .iter()
            .any(|s| matches!(s, ConnectionState::Reconnecting { attempt: 2, .. }))
    })
    .await;
    let first_retry = connection_states(&events)
        .into_iter()
        .find(|s| matches!(s, ConnectionState::Reconnecting { .. }));
    assert_eq!(
        first_retry,
        Some(ConnectionState::Reconnecting {
            attempt: 1,
            next_in: Duration::from_millis(500),
            reason: "API 서버 오류 (500): etcd unavailable".into(),
        })
    );
}

fn istio_routes(path: &str, watching: bool) -> Reply {
    if let Some(reply) = core_routes(path, watching) {
        return reply;
    }
    match path {
        "/apis" => Reply::Json(200, fixture("discovery-apis.json")),
        "/apis/networking.istio.io/v1" => Reply::Json(200, fixture("discovery-istio-v1.json")),
        "/apis/networking.istio.io/v1beta1" => {
            Reply::Json(200, fixture("discovery-istio-v1beta1.json"))
        }
        "/apis/networking.istio.io/v1alpha3" => {
            Reply::Json(200, fixture("discovery-istio-v1alpha3.json"))
        }
        "/apis/networking.istio.io/v1/namespaces/default/virtualservices" => {
            Reply::Json(200, fixture("recorded-virtualservices.json"))
        }
        "/apis/networking.istio.io/v1/namespaces/default/destinationrules" => {
            empty_list("networking.istio.io/v1", "DestinationRuleList")
        }
        "/apis/networking.istio.io/v1/namespaces/default/gateways" => {
            empty_list("networking.istio.io/v1", "GatewayList")
        }
        _ => not_found(),
    }
}

#[tokio::test]
async fn recorded_discovery_picks_v1_for_every_kind() {
    let client = fake_cluster(Arc::new(istio_routes)).await;
    let found = discover_istio(&client).await.unwrap();
    for kind in MeshKind::ALL {
        let resource = found.resource(kind).unwrap();
        assert_eq!(resource.version, "v1", "{kind:?}");
        assert_eq!(resource.plural, kind.plural());
    }
    assert!(matches!(found, IstioDiscovery::Found(ref kinds) if kinds.len() == 3));
}

#[tokio::test]
async fn istio_kinds_are_watched_once_discovered() {
    let client = fake_cluster(Arc::new(istio_routes)).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _handle = spawn_watchers(client, "default", tx);
    let events = collect_until(&mut rx, |events| {
        connection_states(events).last() == Some(&ConnectionState::Connected { kinds: 5 })
    })
    .await;
    let virtual_services: Vec<String> = events
        .iter()
        .find_map(|e| match e {
            ClusterEvent::Mesh {
                kind: MeshKind::VirtualService,
                change: Change::Reset(objects),
            } => Some(
                objects
                    .iter()
                    .filter_map(|o| o.metadata.name.clone())
                    .collect(),
            ),
            _ => None,
        })
        .unwrap();
    assert_eq!(virtual_services, ["reviews"]);
}

const GONE: &str = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 305 (400)","reason":"Expired","code":410}"#;

#[tokio::test]
async fn a_compacted_watch_relists_without_reporting_a_reconnect() {
    // The 410 as an ERROR event on the open watch, as kube-apiserver sends it.
    compacted_watch_relists(|| {
        Reply::Watch(vec![format!(r#"{{"type":"ERROR","object":{GONE}}}"#)])
    })
    .await;
}

#[tokio::test]
async fn a_watch_request_refused_as_expired_relists_too() {
    compacted_watch_relists(|| Reply::Json(410, GONE.to_string())).await;
}

/// The first watch of default pods (after its streaming list) is answered with `gone`: the
/// table must be listed again (the second list is empty) without the status bar reporting a
/// reconnect.
async fn compacted_watch_relists(gone: fn() -> Reply) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let watches = Arc::new(AtomicUsize::new(0));
    let router: Router = Arc::new(move |path, watching| {
        if path == "/api/v1/namespaces/default/pods" {
            if watching && watches.fetch_add(1, Ordering::SeqCst) == 0 {
                return gone();
            }
            // Lists after the expiry find the pods gone. (Counted by watches, not lists:
            // the first list's size is counted by a list request of its own.)
            if !watching && watches.load(Ordering::SeqCst) > 0 {
                return empty_list("v1", "PodList");
            }
        }
        core_routes(path, watching).unwrap_or_else(not_found)
    });
    let client = fake_cluster(router).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _handle = spawn_watchers(client, "default", tx);
    let list_sizes = |events: &[ClusterEvent]| -> Vec<usize> {
        pod_lists(events, "default").iter().map(Vec::len).collect()
    };
    let events = collect_until(&mut rx, |events| list_sizes(events).len() == 2).await;
    assert_eq!(list_sizes(&events), [2, 0]);
    // The re-list replaced the table at once, as a Reset, not shown while it arrived.
    assert!(events.iter().any(|e| matches!(
        e,
        ClusterEvent::Pods { namespace, change: Change::Reset(rows) } if namespace == "default" && rows.is_empty()
    )));
    assert!(
        !connection_states(&events)
            .iter()
            .any(|s| matches!(s, ConnectionState::Reconnecting { .. })),
        "{events:#?}"
    );
}
