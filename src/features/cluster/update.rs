//! Cluster-pane behaviour: scrolling the tables, filtering by name, switching the lab namespace.

use crossterm::event::{KeyCode, KeyEvent};

use super::msg::ClusterEffect;
use crate::app::model::{Input, Model, ToastLevel};
use crate::app::msg::Effect;
use crate::features::cluster::model::Table;
use crate::ui::line_edit::{LineEdit, LineOutcome};

pub fn on_key(model: &mut Model, key: KeyEvent) {
    let view = &mut model.cluster;
    let scroll = match view.table {
        Table::Pods => &mut view.pod_scroll,
        Table::Services => &mut view.service_scroll,
    };
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown => *scroll = scroll.saturating_add(10),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
        // The table clamps on draw; End means "as far as it goes".
        KeyCode::End | KeyCode::Char('G') => *scroll = usize::MAX / 2,
        KeyCode::Char('p') => view.table = Table::Pods,
        KeyCode::Char('s') => view.table = Table::Services,
        KeyCode::Char('/') => model.input = Input::Filter(view.filter.as_str().into()),
        KeyCode::Char(':') => model.input = Input::Namespace(LineEdit::default()),
        KeyCode::Esc => view.filter.clear(),
        _ => {}
    }
}

pub fn on_input_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) {
    match &mut model.input {
        Input::Filter(text) => {
            let outcome = text.on_key(key, |_| true);
            if outcome == LineOutcome::Cancel {
                *text = LineEdit::default();
            }
            // The filter applies while typing, so the table narrows with each key.
            model.cluster.filter = text.text().to_string();
            model.cluster.pod_scroll = 0;
            model.cluster.service_scroll = 0;
            if outcome != LineOutcome::Editing {
                model.input = Input::Normal;
            }
        }
        Input::Namespace(text) => match text.on_key(key, is_namespace_char) {
            LineOutcome::Editing => {}
            LineOutcome::Cancel => model.input = Input::Normal,
            LineOutcome::Submit => match super::check_namespace(text.text()) {
                // Empty means "never mind": nothing to refuse.
                Err(reason) if !text.text().is_empty() => {
                    effects.push(model.toast(ToastLevel::Warning, reason));
                }
                _ => {
                    let namespace = std::mem::take(text).into_text();
                    model.input = Input::Normal;
                    switch_namespace(model, namespace, effects);
                }
            },
        },
        Input::Normal | Input::Search(_) => {}
    }
}

/// Namespace names are DNS labels: lowercase letters, digits and '-'.
fn is_namespace_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

pub fn switch_namespace(model: &mut Model, namespace: String, effects: &mut Vec<Effect>) {
    if namespace.is_empty() || namespace == model.target.namespace {
        return;
    }
    let generation = model.cluster.generation + 1;
    model.cluster.switch_namespace(generation);
    model.target.namespace = namespace.clone();
    effects.push(Effect::Cluster(ClusterEffect::Watch {
        namespace,
        generation,
    }));
}
