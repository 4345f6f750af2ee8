//! Replays the recorded kube-apiserver watches of pods (a streaming list, a watch from a list
//! RV, old RVs before and after a restart) against the demo cluster and compares the events;
//! and shows that dropped connections leave the server, its RVs and its request log in place.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

// Only the sim helpers: common/mod.rs brings the app's model along.
mod common {
    pub mod sim;
}
use common::sim::{Tester, bookinfo_with_pods, details_v1_comes_and_goes, fixture, rv, same_shape};

fn event_types(lines: &[Value]) -> Vec<&str> {
    lines.iter().map(|l| l["type"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_list_ends_with_the_initial_events_bookmark() {
    let t = Tester::start().await;
    bookinfo_with_pods(&t).await;
    let recorded = fixture("watch/pods-streaming-list");
    let answer = t
        .send(&recorded["request"], Duration::from_millis(500))
        .await;
    assert_eq!(answer.status, 200);
    let expected = recorded["response"]["events"].as_array().unwrap();
    assert_eq!(answer.lines.len(), expected.len());
    for (e, a) in expected.iter().zip(&answer.lines) {
        assert_eq!(e["type"], a["type"]);
    }
    let end = answer.lines.last().unwrap();
    assert_eq!(
        end["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_from_a_list_rv_follows_a_pod_through_its_life() {
    let t = Tester::start().await;
    bookinfo_with_pods(&t).await;
    let list_rv = rv(&t.replay("list/pods").await);
    // A watch from the list RV sees the details-v1 story, then bookmarks, then ends.
    t.sim
        .store()
        .set_bookmark_interval(Duration::from_millis(400));
    let mut request = fixture("watch/pods")["request"].clone();
    request["query"] = json!(format!(
        "&watch=true&timeoutSeconds=2&allowWatchBookmarks=true&resourceVersion={list_rv}"
    ));
    let watching = t.send(&request, Duration::from_secs(6));
    let acting = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        details_v1_comes_and_goes(&t).await;
    };
    let (answer, ()) = tokio::join!(watching, acting);
    let types = event_types(&answer.lines);
    assert_eq!(
        &types[..5],
        ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"],
        "{types:?}"
    );
    assert!(
        types[5..].iter().all(|t| *t == "BOOKMARK") && types.len() > 5,
        "{types:?}"
    );
    let rvs: Vec<u64> = answer.lines[..5].iter().map(|l| rv(&l["object"])).collect();
    assert!(rvs.windows(2).all(|w| w[0] < w[1]), "{rvs:?}");
    let recorded = fixture("watch/pods");
    let recorded_events = recorded["response"]["events"].as_array().unwrap();
    for (i, expected) in recorded_events[..5].iter().enumerate() {
        same_shape(&format!("watch event {i}"), expected, &answer.lines[i]);
        assert_eq!(
            expected["object"]["metadata"]["generation"],
            answer.lines[i]["object"]["metadata"]["generation"]
        );
    }
    same_shape(
        "bookmark",
        recorded_events.last().unwrap(),
        answer.lines.last().unwrap(),
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_resource_versions_are_served_until_a_restart_expires_them() {
    let mut t = Tester::start().await;
    bookinfo_with_pods(&t).await;
    let listed = t.replay("list/pods").await;
    let old_rv = rv(&listed);
    details_v1_comes_and_goes(&t).await;

    // Before a restart, old RVs are still served; afterwards they expire.
    let recorded = fixture("list/pods-exact-old-resourceversion-from-watch-cache");
    let mut exact = recorded["request"].clone();
    exact["query"] = json!(format!(
        "&limit=500&resourceVersion={old_rv}&resourceVersionMatch=Exact"
    ));
    let answer = t.send(&exact, Duration::from_secs(1)).await;
    assert_eq!(answer.status, 200);
    same_shape("exact list", &recorded["response"]["body"], &answer.body);
    // The list as it was then: details-v1 came and went afterwards.
    assert_eq!(rv(&answer.body), old_rv);
    assert_eq!(answer.body["items"], listed["items"]);
    let mut request = fixture("watch/pods-from-compacted-rv-before-restart")["request"].clone();
    request["query"] = json!(format!(
        "&watch=true&timeoutSeconds=10&allowWatchBookmarks=true&resourceVersion={old_rv}"
    ));
    let replayed = t.send_until(&request, Duration::from_secs(10), 5).await;
    assert_eq!(
        &event_types(&replayed.lines)[..5],
        ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"]
    );

    t.sim.restart().await.unwrap();
    // Pooled keep-alive connections died with the old server.
    t.reconnect();
    let expired = t.send(&request, Duration::from_secs(3)).await;
    assert_eq!(expired.status, 200);
    assert_eq!(expired.lines.len(), 1);
    let message = expired.lines[0]["object"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with(&format!("too old resource version: {old_rv} (")),
        "{message}"
    );
    let mut recorded =
        fixture("watch/pods-too-old-resourceversion-410")["response"]["events"][0].clone();
    recorded["object"]["message"] = json!(message);
    same_shape("410 event", &recorded, &expired.lines[0]);
    let mut list_request =
        fixture("errors/list-pods-exact-compacted-resourceversion-410")["request"].clone();
    list_request["query"] = json!(format!(
        "&limit=500&resourceVersion={old_rv}&resourceVersionMatch=Exact"
    ));
    let answer = t.send(&list_request, Duration::from_secs(1)).await;
    assert_eq!(answer.status, 410);
    same_shape(
        "410 list",
        &fixture("errors/list-pods-exact-compacted-resourceversion-410")["response"]["body"],
        &answer.body,
    );
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_end_watches_and_keep_rvs_and_the_request_log() {
    let mut t = Tester::start().await;
    let pods = "/api/v1/namespaces/default/pods";
    let get = |query: String| json!({"method": "GET", "path": pods, "query": query, "headers": {}});
    let list = t
        .send(&get("&limit=500".into()), Duration::from_secs(1))
        .await;
    assert_eq!(list.status, 200);
    let list_rv = rv(&list.body);
    let watch = get(format!(
        "&watch=true&timeoutSeconds=30&allowWatchBookmarks=true&resourceVersion={list_rv}"
    ));
    let started = Instant::now();
    let watching = t.send(&watch, Duration::from_secs(10));
    let dropping = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        t.sim.drop_connections();
    };
    let (ended, ()) = tokio::join!(watching, dropping);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the watch ended with its connection"
    );
    assert!(ended.lines.is_empty());

    // The pooled connection was dropped too; the listener still takes new ones.
    t.reconnect();
    t.replay("setup/01-create-pod-ratings-v1").await;
    let resumed = t.send_until(&watch, Duration::from_secs(5), 1).await;
    assert_eq!(resumed.lines[0]["type"], "ADDED", "no 410: the same RVs");
    assert_eq!(resumed.lines[0]["object"]["metadata"]["name"], "ratings-v1");

    let requests = t.sim.requests();
    let lists: Vec<_> = requests.iter().filter(|r| r.is_list()).collect();
    assert_eq!(lists.len(), 1);
    assert_eq!((lists[0].limit(), lists[0].watch), (Some(500), false));
    let watches: Vec<_> = requests
        .iter()
        .filter(|r| r.verb == Some("watch"))
        .collect();
    assert_eq!(watches.len(), 2);
    for watch in watches {
        assert!(watch.watch && watch.path == pods && !watch.send_initial_events());
        assert_eq!(watch.resource_version(), Some(list_rv.to_string().as_str()));
    }
    let creates = requests.iter().filter(|r| r.verb == Some("create"));
    assert_eq!(
        creates.map(|r| r.method.as_str()).collect::<Vec<_>>(),
        ["POST"]
    );
    t.sim.clear_requests();
    assert!(t.sim.requests().is_empty());
    t.sim.shutdown().await;
}
