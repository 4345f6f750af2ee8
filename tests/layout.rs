//! The 100×30 projector layout: the lesson beside the live pane its front matter names, the
//! other panes swapped in by focus, and presenter mode still legible there.

mod common;

use common::{key, lab, lesson_index, model, screen, screen_rows};
use crossterm::event::KeyCode;
use istio_lab::app::Model;
use istio_lab::ui::layout::{Arrangement, Pane};

fn open(width: u16, height: u16, id: &str) -> Model {
    let mut m = model(width, height);
    for _ in 0..lesson_index(&m, id) {
        key(&mut m, KeyCode::Right);
    }
    m
}

/// The panes on screen, in `Pane::ALL` order.
fn shown(m: &Model) -> Vec<Pane> {
    Pane::ALL
        .into_iter()
        .filter(|&p| m.layout.pane(p).is_some())
        .collect()
}

#[test]
fn at_100x30_each_lesson_sits_beside_the_pane_its_front_matter_names() {
    let expected = [
        ("download", Pane::Shell),
        ("install", Pane::Cluster),
        ("bookinfo", Pane::Cluster),
        ("gateway", Pane::Cluster),
        ("ingress-address", Pane::Cluster),
        ("verify-access", Pane::Cluster),
        ("traffic-shifting", Pane::Traffic),
        ("kiali", Pane::Traffic),
        ("uninstall", Pane::Cluster),
    ];
    for (id, live) in expected {
        let m = open(100, 30, id);
        assert_eq!(m.layout.arrangement(), Arrangement::Paired, "{id}");
        assert_eq!(shown(&m), vec![Pane::Lesson, live], "{id}");
        let lesson = m.layout.lesson.unwrap();
        let right = m.layout.pane(live).unwrap();
        assert_eq!(right.x, lesson.right(), "{id}");
        assert_eq!((lesson.height, right.height), (28, 28), "{id}");
        // Both panes' titles are on the screen's second row, the lesson's left of the live one's.
        let top = &screen_rows(&m)[1];
        let number = format!(" {}. ", m.current_lesson().unwrap().number);
        let (left, right) = (top.find(&number), top.find(&format!(" {} ", live.title())));
        assert!(
            left.is_some() && right.is_some() && left < right,
            "{id}: {top}"
        );
    }
}

#[test]
fn focusing_a_pane_swaps_it_in_and_the_lesson_keeps_it_until_the_next_lesson() {
    let mut m = open(100, 30, "bookinfo");
    assert_eq!(shown(&m), vec![Pane::Lesson, Pane::Cluster]);
    key(&mut m, KeyCode::F(3));
    assert_eq!(shown(&m), vec![Pane::Lesson, Pane::Traffic]);
    key(&mut m, KeyCode::Tab);
    assert_eq!(m.focus, Pane::Shell);
    assert_eq!(shown(&m), vec![Pane::Lesson, Pane::Shell]);
    key(&mut m, KeyCode::F(1));
    assert_eq!(m.focus, Pane::Lesson);
    assert_eq!(shown(&m), vec![Pane::Lesson, Pane::Shell]);
    // The next lesson is about traffic, and brings its pane.
    for _ in lesson_index(&m, "bookinfo")..lesson_index(&m, "traffic-shifting") {
        key(&mut m, KeyCode::Right);
    }
    assert_eq!(shown(&m), vec![Pane::Lesson, Pane::Traffic]);
}

#[test]
fn wide_screens_and_zoom_are_as_before() {
    for (w, h) in [(120, 40), (200, 50)] {
        let m = open(w, h, "traffic-shifting");
        assert_eq!(m.layout.arrangement(), Arrangement::SideBySide);
        assert_eq!(shown(&m), Pane::ALL.to_vec(), "{w}x{h}");
    }
    let mut m = open(100, 30, "traffic-shifting");
    key(&mut m, KeyCode::Char('z'));
    assert_eq!(shown(&m), vec![Pane::Lesson]);
    assert_eq!(m.layout.lesson.map(|r| r.width), Some(100));
    let below = open(99, 30, "traffic-shifting");
    assert_eq!(shown(&below), vec![Pane::Lesson]);
}

#[test]
fn snapshots_at_100x30() {
    insta::assert_snapshot!("paired_download_100x30", screen(&open(100, 30, "download")));
    let mut m = lab();
    common::send(
        &mut m,
        istio_lab::app::Msg::Resize {
            width: 100,
            height: 30,
        },
    );
    key(&mut m, KeyCode::F(1));
    for _ in 0..lesson_index(&m, "traffic-shifting") {
        key(&mut m, KeyCode::Right);
    }
    m.cluster.now = jiff::Timestamp::UNIX_EPOCH + std::time::Duration::from_secs(161);
    insta::assert_snapshot!("paired_traffic_shifting_lab_100x30", screen(&m));
}

#[test]
fn presenting_at_100x30_keeps_the_big_title_the_lesson_and_the_live_pane() {
    let mut m = open(100, 30, "traffic-shifting");
    key(&mut m, KeyCode::Char('P'));
    let title = m
        .presenter
        .title_area
        .expect("the big title fits at 100×30");
    let lesson = m.layout.lesson.unwrap();
    let traffic = m.layout.traffic.unwrap();
    assert_eq!(lesson.y, title.bottom());
    assert!(lesson.height >= 20, "{lesson:?}");
    assert_eq!((traffic.x, traffic.height), (lesson.right(), 28));
    let rows = screen_rows(&m);
    assert!(
        rows.iter().any(|r| r.contains("동 적  트 래 픽")),
        "{rows:#?}"
    );
    assert!(rows.iter().any(|r| r.contains("DestinationRule 먼저 배포")));
    assert!(rows[1].contains("트래픽 · reviews"), "{}", rows[1]);
}
