//! The class view's pure update: watch events, keys and the clock in, lead publishes out.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use jiff::Timestamp;

use super::doc::{LeadDoc, ProgressDoc};
use super::model::{ClassModel, Learner, Sort, Watching};
use crate::ui::line_edit::{LineEdit, LineOutcome};

#[derive(Debug, Clone)]
pub enum ClassMsg {
    /// A progress ConfigMap was listed, created or changed in `namespace`.
    Applied {
        namespace: String,
        data: BTreeMap<String, String>,
    },
    Deleted {
        namespace: String,
    },
    /// The watch lists anew (all namespaces, or one): what follows replaces what was there.
    Relisting {
        namespace: Option<String>,
    },
    Watching(Watching),
    LeadPublished(Result<(), String>),
    Key(KeyEvent),
    Tick(Timestamp),
    Resize {
        width: u16,
        height: u16,
    },
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassEffect {
    /// Server-side apply of the `istio-lab-class` ConfigMap in `namespace`.
    PublishLead { namespace: String, doc: LeadDoc },
}

pub fn update(model: &mut ClassModel, msg: ClassMsg) -> Vec<ClassEffect> {
    match msg {
        ClassMsg::Applied { namespace, data } => {
            let doc = ProgressDoc::from_data(&data);
            model
                .learners
                .insert(namespace.clone(), Learner { namespace, doc });
        }
        ClassMsg::Deleted { namespace } => {
            model.learners.remove(&namespace);
        }
        ClassMsg::Relisting { namespace: None } => model.learners.clear(),
        ClassMsg::Relisting {
            namespace: Some(namespace),
        } => {
            model.learners.remove(&namespace);
        }
        ClassMsg::Watching(w) => model.watching = w,
        ClassMsg::LeadPublished(result) => {
            if let Some(lead) = &mut model.lead {
                lead.problem = result.err();
            }
        }
        ClassMsg::Tick(now) => model.now = now,
        ClassMsg::Resize { width, height } => (model.width, model.height) = (width, height),
        ClassMsg::Quit => model.quit = true,
        ClassMsg::Key(key) if key.kind != KeyEventKind::Release => return on_key(model, key),
        ClassMsg::Key(_) => {}
    }
    clamp(model);
    Vec::new()
}

fn on_key(model: &mut ClassModel, key: KeyEvent) -> Vec<ClassEffect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        model.quit = true;
        return Vec::new();
    }
    if let Some(edit) = &mut model.editing {
        match edit.on_key(key, |_| true) {
            LineOutcome::Editing => model.filter = edit.text().to_string(),
            LineOutcome::Submit => model.editing = None,
            LineOutcome::Cancel => {
                model.editing = None;
                model.filter.clear();
            }
        }
        model.selected = 0;
        return Vec::new();
    }
    let mut effects = Vec::new();
    match key.code {
        KeyCode::Char('q') => model.quit = true,
        KeyCode::Down | KeyCode::Char('j') => model.selected += 1,
        KeyCode::Up | KeyCode::Char('k') => model.selected = model.selected.saturating_sub(1),
        KeyCode::Home | KeyCode::Char('g') => model.selected = 0,
        KeyCode::End | KeyCode::Char('G') => model.selected = usize::MAX,
        KeyCode::Enter => model.detail = !model.detail && model.selected_learner().is_some(),
        KeyCode::Esc if model.detail => model.detail = false,
        KeyCode::Esc => model.filter.clear(),
        KeyCode::Char('/') => model.editing = Some(LineEdit::from(model.filter.as_str())),
        KeyCode::Char('o') => {
            model.sort = match model.sort {
                Sort::Progress => Sort::Stuck,
                Sort::Stuck => Sort::Progress,
            }
        }
        KeyCode::Char('z') => model.zoom = !model.zoom,
        KeyCode::Char(']') | KeyCode::Char('[') => {
            let last = model.lesson_titles.len().saturating_sub(1);
            if let Some(lead) = &mut model.lead {
                let next = if key.code == KeyCode::Char(']') {
                    (lead.lesson + 1).min(last)
                } else {
                    lead.lesson.saturating_sub(1)
                };
                if next != lead.lesson {
                    lead.lesson = next;
                    effects.push(lead_effect(model));
                }
            }
        }
        _ => {}
    }
    clamp(model);
    effects
}

/// The lead's current lesson as a publish; also sent once at start.
pub fn lead_effect(model: &ClassModel) -> ClassEffect {
    let (namespace, lesson) = model
        .lead
        .as_ref()
        .map(|l| (l.namespace.clone(), l.lesson))
        .unwrap_or_default();
    ClassEffect::PublishLead {
        namespace,
        doc: LeadDoc {
            lesson: lesson + 1,
            title: model.lesson_titles.get(lesson).cloned().unwrap_or_default(),
        },
    }
}

fn clamp(model: &mut ClassModel) {
    let count = model.visible().len();
    model.selected = model.selected.min(count.saturating_sub(1));
    if count == 0 {
        model.detail = false;
    }
}
