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

#[test]
fn the_credential_plugin_s_notices_show_with_the_connection_and_a_problem_once() {
    use istio_lab::app::Msg;
    use istio_lab::features::cluster::credentials::AuthNotice;
    use istio_lab::features::cluster::msg::ClusterMsg;
    let mut m = model(120, 40);
    key(&mut m, KeyCode::F(2));
    // The cluster pane alone, so its wrapped rows read in order.
    key(&mut m, KeyCode::Char('z'));
    m.cluster.generation = 1;
    m.cluster.connection = ConnectionState::Connected { kinds: 5 };
    let renewing = AuthNotice {
        plugin: "aws".into(),
        last_stderr: Some("refreshing SSO token".into()),
        problem: None,
        renewing: true,
    };
    common::send(&mut m, Msg::Cluster(ClusterMsg::Auth(renewing)));
    let shown = flat(&screen_rows(&m));
    assert!(
        shown.contains("인증 갱신 중 ('aws': refreshing SSO token)"),
        "{shown}"
    );
    assert!(m.toast.is_none(), "a renewal is not a problem");
    let failed = AuthNotice {
        plugin: "aws".into(),
        last_stderr: None,
        problem: Some("인증 플러그인을 다시 실행해야 합니다".into()),
        renewing: false,
    };
    common::send(&mut m, Msg::Cluster(ClusterMsg::Auth(failed.clone())));
    assert!(
        m.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("다시 실행"))
    );
    m.toast = None;
    common::send(&mut m, Msg::Cluster(ClusterMsg::Auth(failed)));
    assert!(m.toast.is_none(), "the same problem is said once");
    assert!(flat(&screen_rows(&m)).contains("인증 플러그인 'aws'"));
}

#[test]
fn a_narrow_pane_drops_columns_and_shows_the_first_row_whole_below() {
    use istio_lab::features::cluster::{Change, ClusterEvent};
    let mut m = model(80, 30);
    key(&mut m, KeyCode::F(2));
    m.cluster.generation = 1;
    let mut pod = common::reviews_pod("v2");
    pod.name = "reviews-v2-with-a-rather-long-generated-name-7f9d8c6b5-x2k9p".into();
    common::cluster(
        &mut m,
        ClusterEvent::Pods {
            namespace: "default".into(),
            change: Change::Reset(vec![pod]),
        },
    );
    let rows = screen_rows(&m);
    let header = rows
        .iter()
        .find(|r| r.contains("NAME") && r.contains("READY"))
        .expect("the pods' header");
    assert!(
        !header.contains("RESTARTS"),
        "RESTARTS goes first: {header}"
    );
    let shown = flat(&rows);
    assert!(
        shown.contains(
            "▸ reviews-v2-with-a-rather-long-generated-name-7f9d8c6b5-x2k9p  2/2  Running"
        ),
        "the whole row below the table: {shown}"
    );

    // A name that fits: nothing is cut and there is no footer.
    let mut wide = model(200, 50);
    key(&mut wide, KeyCode::F(2));
    wide.cluster.generation = 1;
    common::cluster(
        &mut wide,
        ClusterEvent::Pods {
            namespace: "default".into(),
            change: Change::Reset(vec![common::reviews_pod("v2")]),
        },
    );
    let shown = flat(&screen_rows(&wide));
    assert!(!shown.contains('▸'), "{shown}");
}
