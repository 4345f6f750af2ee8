//! Connecting the YAML editor to the lab: opening a watched resource, saving with the
//! resourceVersion (optimistic concurrency), and the server's answer; after a 409 the watched
//! object is the other writer's version the learner's changes are carried onto.

use crossterm::event::KeyEvent;

use super::{EditorOutcome, EditorState, apply_validation, on_key as editor_key};
use crate::app::model::{Model, ToastLevel};
use crate::app::msg::Effect;
use crate::features::cluster::MeshKind;
use crate::features::cluster::mesh::MeshObject;
use crate::features::cluster::model::ClusterView;
use crate::features::traffic::model::{HOST, SendError, destination_rules, pod_infos};
use crate::features::traffic::msg::TrafficEffect;
use crate::features::traffic::validate::validate;

/// The watched object the editor edits: `reviews` for VirtualService and DestinationRule,
/// the first Gateway otherwise.
fn watched<'a>(
    cluster: &'a ClusterView,
    kind: MeshKind,
    name: Option<&str>,
) -> Option<&'a MeshObject> {
    let objects = cluster.mesh.get(&kind)?;
    match name {
        Some(name) => objects.get(name),
        None => objects.values().next(),
    }
}

pub fn open(model: &mut Model, kind: MeshKind, effects: &mut Vec<Effect>) {
    let name = match kind {
        MeshKind::VirtualService | MeshKind::DestinationRule => Some(HOST),
        MeshKind::Gateway => None,
    };
    match watched(&model.cluster, kind, name) {
        Some(object) => model.editor = Some(EditorState::open(object)),
        None => {
            let text = format!("편집할 {}가 없습니다", kind.kind_name());
            effects.push(model.toast(ToastLevel::Warning, text));
        }
    }
}

pub fn on_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(state) = model.editor.as_mut() else {
        return;
    };
    match editor_key(state, key) {
        EditorOutcome::Nothing => {}
        EditorOutcome::Close => model.editor = None,
        EditorOutcome::Reload => {
            if let Some(latest) = watched(&model.cluster, state.kind, Some(&state.name)) {
                state.reload(latest);
            }
        }
        EditorOutcome::Save => save(model, effects, false),
        EditorOutcome::SaveOverwriting => save(model, effects, true),
    }
}

/// Validates the buffer and sends a replace when it is valid. A buffer whose edit started from
/// an older version first has the learner's changes carried onto the server's version (the
/// buffer then shows the merged document); fields the other writer changed too are only
/// overwritten once `overwrite` says the learner agreed.
fn save(model: &mut Model, effects: &mut Vec<Effect>, overwrite: bool) {
    let namespace = model.target.namespace.clone();
    let rules = destination_rules(&model.cluster);
    let pods = pod_infos(&model.cluster, &namespace);
    let Some(state) = model.editor.as_mut() else {
        return;
    };
    let Some(original) = watched(&model.cluster, state.kind, Some(&state.name)) else {
        let missing = format!(
            "{} {}이(가) 클러스터에 없습니다",
            state.kind.kind_name(),
            state.name
        );
        state.save_failed(Some(404), missing);
        return;
    };
    if state.is_stale()
        && let Err(problem) = state.carry_onto_server()
    {
        apply_validation(state, &Err(vec![problem]));
        return;
    }
    if !overwrite {
        let fields = state.pending_overwrites();
        if !fields.is_empty() {
            state.ask_overwrite(fields);
            return;
        }
    }
    let result = validate(
        &state.text(),
        original,
        &state.resource_version,
        &rules,
        &pods,
    );
    apply_validation(state, &result);
    if let Ok(validated) = result {
        effects.push(Effect::Traffic(TrafficEffect::ReplaceObject {
            kind: state.kind,
            namespace: state.namespace.clone(),
            name: state.name.clone(),
            object: validated.object,
        }));
    }
}

pub fn on_saved(model: &mut Model, result: Result<String, SendError>) {
    let Some(state) = model.editor.as_mut() else {
        return;
    };
    match result {
        Ok(resource_version) => state.saved(resource_version),
        Err(error) => {
            let conflict = error.code == Some(409);
            state.save_failed(error.code, error.message);
            if conflict && let Some(latest) = watched(&model.cluster, state.kind, Some(&state.name))
            {
                state.conflict_with(latest);
            }
        }
    }
}
