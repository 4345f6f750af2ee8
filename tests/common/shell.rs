//! The shell pane in tests without a pty: a model with a shell started as `main` starts it,
//! and the bytes the update asked to type.
#![allow(dead_code)]

use crossterm::event::KeyCode;
use istio_lab::app::{Effect, Model};
use istio_lab::features::shell::{self, ShellEffect, ShellSpec};

use super::{key, lesson_index, model};

pub fn spec() -> ShellSpec {
    ShellSpec {
        program: "/bin/sh".into(),
        args: Vec::new(),
        env: vec![("KUBECONFIG".into(), "/tmp/k".into())],
        path_prepend: Vec::new(),
        cwd: None,
    }
}

/// The app with a shell started, as `main` starts it; returns the start's effects.
pub fn with_shell(width: u16, height: u16) -> (Model, Vec<Effect>) {
    let mut m = model(width, height);
    let mut effects = Vec::new();
    shell::update::start(&mut m.shell, spec(), &mut effects);
    (m, effects)
}

pub fn writes(effects: &[Effect]) -> Vec<Vec<u8>> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Shell(ShellEffect::Write(bytes)) => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

pub fn open_lesson(m: &mut Model, id: &str) {
    for _ in 0..lesson_index(m, id) {
        key(m, KeyCode::Right);
    }
}
