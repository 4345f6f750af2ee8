//! Shared test helpers: a model over the built-in lessons at a given terminal size.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::init::{Start, new_model};
use istio_lab::app::model::Target;
use istio_lab::app::progress::Progress;
use istio_lab::app::{Effect, Model, Msg, update};

pub fn model(width: u16, height: u16) -> Model {
    model_with_progress(width, height, None)
}

pub fn model_with_progress(width: u16, height: u16, progress: Option<Progress>) -> Model {
    let lessons = istio_lab::lesson::builtin("ko").expect("built-in lessons parse");
    let (model, _) = new_model(Start {
        lessons,
        lesson_source: "builtin:ko".into(),
        progress,
        target: Target {
            demo: true,
            context: "istio-lab-demo".into(),
            namespace: "default".into(),
        },
        color: true,
        now: jiff::Timestamp::UNIX_EPOCH,
        watch: false,
        width,
        height,
        warning: None,
    });
    model
}

pub fn key(model: &mut Model, code: KeyCode) -> Vec<Effect> {
    update(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
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
