//! What the cluster pane shows while a first list arrives: the rows so far, and the
//! progress in the table's title ("불러오는 중 1,250/5,000", or "1,250…" without a total),
//! gone once the list is complete.

mod common;

use common::{cluster, key, model, reviews_pod, screen_rows};
use crossterm::event::KeyCode;
use istio_lab::app::Model;
use istio_lab::features::cluster::events::ListBatch;
use istio_lab::features::cluster::{Change, ClusterEvent, PodRow};

fn rows(range: std::ops::Range<usize>) -> Vec<PodRow> {
    range
        .map(|i| {
            let mut row = reviews_pod("v1");
            row.name = format!("reviews-v1-{i:05}");
            row
        })
        .collect()
}

fn batch(model: &mut Model, first: bool, rows: Vec<PodRow>, loaded: usize, total: Option<usize>) {
    let done = false;
    let change = Change::Listing(ListBatch {
        first,
        rows,
        loaded,
        total,
        done,
    });
    let namespace = "default".into();
    cluster(model, ClusterEvent::Pods { namespace, change });
}

fn pods_title(model: &Model) -> String {
    screen_rows(model)
        .into_iter()
        .find(|row| row.contains("Pod ("))
        .unwrap_or_default()
}

fn watching_model() -> Model {
    let mut m = model(120, 40);
    key(&mut m, KeyCode::F(2));
    m.cluster.generation = 1;
    m
}

#[test]
fn the_title_counts_the_rows_so_far_against_the_total() {
    let mut m = watching_model();
    batch(&mut m, true, rows(0..1), 1, None);
    assert!(
        pods_title(&m).contains("Pod (1) · 불러오는 중 1…"),
        "{}",
        pods_title(&m)
    );
    batch(&mut m, false, rows(1..1_250), 1_250, Some(5_000));
    let title = pods_title(&m);
    assert!(
        title.contains("Pod (1,250) · 불러오는 중 1,250/5,000"),
        "{title}"
    );
    let screen = screen_rows(&m).join("\n");
    assert!(screen.contains("reviews-v1-00000"), "{screen}");
    // The services table has its own progress, and none here.
    let services = screen_rows(&m)
        .into_iter()
        .find(|row| row.contains("서비스 ("))
        .unwrap_or_default();
    assert!(!services.contains("불러오는 중"), "{services}");

    let change = Change::Listing(ListBatch {
        first: false,
        rows: rows(1_250..1_300),
        loaded: 1_300,
        total: Some(5_000),
        done: true,
    });
    let namespace = "default".into();
    cluster(&mut m, ClusterEvent::Pods { namespace, change });
    let title = pods_title(&m);
    assert!(title.contains("Pod (1,300)"), "{title}");
    assert!(!title.contains("불러오는 중"), "{title}");
}

#[test]
fn a_total_the_list_outgrew_is_not_shown() {
    let mut m = watching_model();
    batch(&mut m, true, rows(0..12), 12, Some(10));
    let title = pods_title(&m);
    assert!(title.contains("불러오는 중 12…"), "{title}");
    assert!(!title.contains("/10"), "{title}");
}
