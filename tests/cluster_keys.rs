//! The cluster pane's prompts through the pure update: the name filter and the namespace
//! switch, with line-editing keys, and a namespace that does not exist.

mod common;

use common::{chars, ctrl, key, model, send};
use crossterm::event::KeyCode;
use istio_lab::app::model::{Input, ToastLevel};
use istio_lab::app::{Effect, Model, Msg};
use istio_lab::features::cluster::msg::{ClusterEffect, ClusterMsg};
use istio_lab::ui::layout::Pane;

fn cluster_pane() -> Model {
    let mut m = model(120, 40);
    m.cluster.generation = 1;
    m.focus = Pane::Cluster;
    m
}

fn watched(effects: &[Effect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Cluster(ClusterEffect::Watch { namespace, .. }) => Some(namespace.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn ctrl_u_in_the_namespace_prompt_clears_it_instead_of_typing_u() {
    let mut m = cluster_pane();
    key(&mut m, KeyCode::Char(':'));
    chars(&mut m, "bo");
    ctrl(&mut m, 'u');
    chars(&mut m, "book");
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(watched(&effects), ["book"], "not 'ubook'");
    assert_eq!(m.target.namespace, "book");
    assert_eq!(m.input, Input::Normal);
}

#[test]
fn the_namespace_prompt_takes_only_what_a_namespace_may_hold() {
    let mut m = cluster_pane();
    key(&mut m, KeyCode::Char(':'));
    chars(&mut m, "Lab_NS-2");
    assert_eq!(m.input, Input::Namespace("ab-2".into()));
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.input, Input::Normal);
    assert_eq!(m.target.namespace, "default", "Esc switches nothing");
}

#[test]
fn the_filter_narrows_while_typing_and_edits_with_control_keys() {
    let mut m = cluster_pane();
    key(&mut m, KeyCode::Char('/'));
    chars(&mut m, "reviews v2");
    assert_eq!(m.cluster.filter, "reviews v2");
    ctrl(&mut m, 'w');
    assert_eq!(m.cluster.filter, "reviews ");
    ctrl(&mut m, 'a');
    chars(&mut m, "x");
    assert_eq!(m.cluster.filter, "xreviews ");
    key(&mut m, KeyCode::Enter);
    assert_eq!(m.input, Input::Normal);
    assert_eq!(m.cluster.filter, "xreviews ", "Enter keeps the filter");
    key(&mut m, KeyCode::Char('/'));
    key(&mut m, KeyCode::Esc);
    assert_eq!(m.cluster.filter, "", "Esc clears it");
}

#[test]
fn a_namespace_that_does_not_exist_is_named_in_a_warning() {
    let mut m = cluster_pane();
    let missing = |generation| {
        Msg::Cluster(ClusterMsg::NamespaceMissing {
            generation,
            namespace: "ubook".into(),
        })
    };
    // A report for watchers that were replaced meanwhile says nothing.
    send(&mut m, missing(0));
    assert!(m.toast.is_none());
    send(&mut m, missing(1));
    let toast = m.toast.as_ref().expect("a warning");
    assert_eq!(toast.level, ToastLevel::Warning);
    assert!(toast.text.contains("'ubook'"), "{}", toast.text);
    assert!(toast.text.contains("없습니다"), "{}", toast.text);
}

#[test]
fn a_namespace_that_is_not_a_valid_name_is_refused_with_the_reason() {
    let mut m = cluster_pane();
    key(&mut m, KeyCode::Char(':'));
    chars(&mut m, "lab-");
    let effects = key(&mut m, KeyCode::Enter);
    assert!(watched(&effects).is_empty(), "nothing is watched");
    assert_eq!(m.target.namespace, "default");
    assert_eq!(
        m.input,
        Input::Namespace("lab-".into()),
        "the text stays to fix"
    );
    let toast = m.toast.as_ref().expect("the reason is shown");
    assert!(toast.text.contains("'lab-'"), "{}", toast.text);
}
