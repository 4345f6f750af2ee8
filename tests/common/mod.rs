//! Shared test helpers: a model over the built-in lessons at a given terminal size.
#![allow(dead_code)]

pub mod harness;
pub mod kiali;
pub mod shell;
pub mod sim_lab;
pub mod styled;
pub mod traffic;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::init::{Start, new_model};
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::cluster::mesh::Weight;
use istio_lab::features::cluster::msg::ClusterMsg;
use istio_lab::features::cluster::{Change, ClusterEvent, MeshKind, PodRow};
use istio_lab::features::lesson::progress::Progress;
use jiff::Timestamp;
use kube::api::DynamicObject;
use serde_json::{Value, json};

/// The clock of tests where time does not matter.
pub const T0: Timestamp = Timestamp::UNIX_EPOCH;

pub fn model(width: u16, height: u16) -> Model {
    model_with_progress(width, height, None)
}

pub fn model_with_progress(width: u16, height: u16, progress: Option<Progress>) -> Model {
    let (model, _) = new_model(Start {
        progress,
        ..harness::start(width, height)
    });
    model
}

/// One message at `T0`.
pub fn send(model: &mut Model, msg: Msg) -> Vec<Effect> {
    update(model, msg, T0)
}

/// The screen as the runtime would draw it, as text.
pub fn screen(model: &Model) -> String {
    let area = model.area();
    let backend = ratatui::backend::TestBackend::new(area.width, area.height);
    let mut terminal = ratatui::Terminal::new(backend).expect("a test backend always opens");
    terminal
        .draw(|frame| istio_lab::app::view::draw(frame, model))
        .expect("drawing into a test backend never fails");
    terminal.backend().to_string()
}

/// The screen's rows as plain text (a wide character once, its hidden second cell dropped).
pub fn screen_rows(model: &Model) -> Vec<String> {
    let area = model.area();
    let backend = ratatui::backend::TestBackend::new(area.width, area.height);
    let mut terminal = ratatui::Terminal::new(backend).expect("a test backend always opens");
    terminal
        .draw(|frame| istio_lab::app::view::draw(frame, model))
        .expect("drawing into a test backend never fails");
    let buffer = terminal.backend().buffer();
    (0..area.height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..area.width {
                let symbol = buffer[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

pub fn key(model: &mut Model, code: KeyCode) -> Vec<Effect> {
    send(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn ctrl(model: &mut Model, c: char) -> Vec<Effect> {
    send(
        model,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

pub fn chars(model: &mut Model, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(model, KeyCode::Char(c)))
        .collect()
}

pub fn lesson_index(model: &Model, id: &str) -> usize {
    model
        .lessons
        .iter()
        .position(|l| l.id == id)
        .unwrap_or_else(|| panic!("no lesson {id}"))
}

pub fn object(value: Value) -> DynamicObject {
    serde_json::from_value(value).expect("valid object")
}

pub fn virtual_service(weights: &[(&str, Weight)], manager: &str) -> DynamicObject {
    let route: Vec<Value> = weights
        .iter()
        .map(|(subset, weight)| json!({"destination": {"host": "reviews", "subset": subset}, "weight": weight}))
        .collect();
    object(json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {
            "name": "reviews", "namespace": "default", "resourceVersion": "300",
            "managedFields": [{"manager": manager, "operation": "Update", "apiVersion": "networking.istio.io/v1",
                "time": "2026-11-25T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:http": {}}}}]
        },
        "spec": {
            "hosts": ["reviews"],
            "http": [
                {"match": [{"headers": {"end-user": {"exact": "jason"}}}],
                 "route": [{"destination": {"host": "reviews", "subset": "v2"}}], "timeout": "3s"},
                {"route": route, "retries": {"attempts": 3, "perTryTimeout": "2s"}}
            ]
        }
    }))
}

pub fn destination_rule() -> DynamicObject {
    let subsets: Vec<Value> = ["v1", "v2", "v3"]
        .iter()
        .map(|v| json!({"name": v, "labels": {"version": v}}))
        .collect();
    object(json!({
        "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
        "metadata": {"name": "reviews", "namespace": "default"},
        "spec": {"host": "reviews", "subsets": subsets}
    }))
}

pub fn reviews_pod(version: &str) -> PodRow {
    PodRow {
        namespace: "default".into(),
        name: format!("reviews-{version}-abc"),
        ready: (2, 2),
        status: "Running".into(),
        restarts: 0,
        last_restart: None,
        created: Some(jiff::Timestamp::UNIX_EPOCH),
        health: istio_lab::features::cluster::Health::Good,
        labels: [("app", "reviews"), ("version", version)]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into(),
        deleting: false,
    }
}

pub fn cluster(model: &mut Model, event: ClusterEvent) -> Vec<Effect> {
    let generation = model.cluster.generation;
    send(model, Msg::Cluster(ClusterMsg::Event { generation, event }))
}

/// Lesson 6's state: Bookinfo's three reviews pods and the guide's DestinationRule, and the
/// watcher has listed VirtualServices and found none.
pub fn lab_without_route() -> Model {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    key(&mut m, KeyCode::F(3));
    let pods = ["v1", "v2", "v3"].map(reviews_pod).to_vec();
    cluster(
        &mut m,
        ClusterEvent::Pods {
            namespace: "default".into(),
            change: Change::Reset(pods),
        },
    );
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::DestinationRule,
            change: Change::Applied(destination_rule()),
        },
    );
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Reset(Vec::new()),
        },
    );
    m
}

/// A lab with the guide's resources: DestinationRule v1–v3, VirtualService 80/20, three reviews pods.
pub fn lab() -> Model {
    let mut m = lab_without_route();
    let vs = virtual_service(&[("v1", 80), ("v2", 20)], "kubectl-client-side-apply");
    cluster(
        &mut m,
        ClusterEvent::Mesh {
            kind: MeshKind::VirtualService,
            change: Change::Applied(vs),
        },
    );
    m
}
