//! What the cluster pane says about the connection: the server's address and the cause in
//! Korean, whole (wrapped, not cut), and a lasting reason when there is no cluster at all.

mod common;

use std::time::Duration;

use common::{key, model, screen_rows};
use crossterm::event::KeyCode;
use istio_lab::features::cluster::ConnectionState;
use istio_lab::features::cluster::explain::Cause;
use istio_lab::ui::layout::Pane;

/// The screen's text with line breaks and box edges removed, so wrapped sentences read whole.
fn flat(rows: &[String]) -> String {
    rows.iter()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' ' || c == '║' || c == '█'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_refused_connection_names_the_server_and_the_cause_in_full() {
    for width in [80, 120] {
        let mut m = model(width, 40);
        key(&mut m, KeyCode::F(2));
        assert_eq!(m.focus, Pane::Cluster);
        m.cluster.generation = 1;
        m.cluster.connection = ConnectionState::Reconnecting {
            attempt: 4,
            next_in: Duration::from_secs(3),
            reason: Cause::Refused.korean(),
        };
        let shown = flat(&screen_rows(&m));
        assert!(shown.contains("재연결 중 (시도 4"), "{shown}");
        assert!(shown.contains("127.0.0.1:6443"), "{shown}");
        for word in Cause::Refused.korean().split(' ') {
            assert!(shown.contains(word), "'{word}' at {width} columns: {shown}");
        }
        assert!(!shown.contains("ServiceError"), "{shown}");
    }
}

#[test]
fn no_cluster_at_all_keeps_saying_why() {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::F(2));
    m.cluster.unavailable =
        Some("/home/u/.kube/config: kubeconfig를 읽을 수 없습니다: line 3 column 7".into());
    let shown = flat(&screen_rows(&m));
    assert!(shown.contains("클러스터에 연결할 수 없습니다"), "{shown}");
    assert!(shown.contains("line 3 column 7"), "{shown}");
}
