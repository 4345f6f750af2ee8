//! Building the first model: lessons, remembered progress, terminal size, start-up warnings.

use ratatui::layout::Rect;

use super::model::{Input, Model, Target, ToastLevel};
use super::msg::Effect;
use super::update::relayout;
use crate::features::cluster::model::ClusterView;
use crate::features::cluster::msg::ClusterEffect;
use crate::features::lesson::Lesson;
use crate::features::lesson::model::LessonView;
use crate::features::lesson::progress::Progress;
use crate::features::traffic::model::TrafficView;
use crate::ui::layout::{AppLayout, Pane};

pub struct Start {
    pub lessons: Vec<Lesson>,
    pub lesson_source: String,
    pub progress: Option<Progress>,
    pub target: Target,
    pub color: bool,
    /// The clock at start, for AGE columns until the first tick.
    pub now: jiff::Timestamp,
    /// Whether a cluster client exists, so watchers should start.
    pub watch: bool,
    pub width: u16,
    pub height: u16,
    /// Shown once as a toast (e.g. a corrupt progress file).
    pub warning: Option<String>,
    /// Why no cluster client could be made; the cluster pane keeps showing it.
    pub unavailable: Option<String>,
}

pub fn new_model(start: Start) -> (Model, Vec<Effect>) {
    let remembered = start
        .progress
        .as_ref()
        .filter(|p| p.source == start.lesson_source);
    let ticks = remembered.map(|p| p.ticks.clone()).unwrap_or_default();
    let (index, scroll) = remembered
        .and_then(|p| {
            let index = start.lessons.iter().position(|l| l.id == p.lesson)?;
            Some((index, p.scroll))
        })
        .unwrap_or((0, 0));
    let mut model = Model {
        lessons: start.lessons,
        lesson_source: start.lesson_source,
        lesson: LessonView::new(index),
        focus: Pane::Lesson,
        zoomed: false,
        overlay: None,
        input: Input::Normal,
        layout: AppLayout::default(),
        toast: None,
        next_toast_id: 0,
        target: start.target,
        cluster: ClusterView::new(start.now),
        traffic: TrafficView::default(),
        editor: None,
        shell: Default::default(),
        color: start.color,
        theme: Default::default(),
        presenter: Default::default(),
        learner: Default::default(),
        quit: false,
        exit_code: 0,
    };
    model.cluster.unavailable = start.unavailable;
    model.lesson.ticks = ticks;
    crate::features::lesson::update::refresh_steps(&mut model);
    relayout(&mut model, Rect::new(0, 0, start.width, start.height));
    // The scroll is restored after the first render, so it can be clamped to the real length.
    model.lesson.scroll = scroll.min(model.lesson.max_scroll());
    let mut effects = Vec::new();
    if start.watch {
        model.cluster.generation = 1;
        effects.push(Effect::Cluster(ClusterEffect::Watch {
            namespace: model.target.namespace.clone(),
            generation: 1,
        }));
    }
    if let Some(warning) = start.warning {
        effects.push(model.toast(ToastLevel::Warning, warning));
    }
    (model, effects)
}
