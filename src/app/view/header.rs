//! The top line: app name, cluster target, lesson position and title, pane tabs.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::Model;
use crate::ui::layout::Pane;
use crate::ui::layout::{COMPACT_HEADER_WIDTH, help_hint, tab_label};
use crate::ui::text::{truncate, width};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, model: &Model, theme: Theme) {
    let area = model.layout.header;
    let compact = area.width < COMPACT_HEADER_WIDTH;
    let mut spans = vec![
        Span::styled(" istio-lab ", theme.app_name()),
        Span::raw(" "),
    ];
    let target = &model.target;
    if target.demo {
        spans.push(Span::styled(" DEMO ", theme.demo_badge()));
        spans.push(Span::raw(" "));
    } else if !target.context.is_empty() {
        spans.push(Span::styled(format!("{} ", target.context), theme.muted()));
    }
    if !compact {
        spans.push(Span::styled(
            format!("ns:{} ", target.namespace),
            theme.muted(),
        ));
    }
    if let Some(note) = crate::features::class::learner::lead_note(model) {
        spans.push(Span::styled(format!("{note} "), theme.key()));
    }
    if let Some(lesson) = model.current_lesson() {
        spans.push(Span::styled(
            format!("{}/{} ", model.lesson.index + 1, model.lessons.len()),
            theme.key(),
        ));
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let tabs_start = usize::from(model.layout.tabs[0].x.saturating_sub(area.x));
        let room = tabs_start.saturating_sub(used + 1);
        spans.push(Span::raw(truncate(&lesson.title, room)));
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    let tabs_start = usize::from(model.layout.tabs[0].x.saturating_sub(area.x));
    spans.push(Span::raw(" ".repeat(tabs_start.saturating_sub(used))));
    for pane in Pane::ALL {
        spans.push(Span::styled(
            tab_label(pane, compact),
            theme.tab(model.focus == pane),
        ));
        spans.push(Span::raw(" "));
    }
    // A presenter's audience has no use for the key hint.
    if !model.presenter.on {
        spans.push(Span::styled(help_hint(compact), theme.muted()));
    }
    frame.render_widget(Line::from(spans), area);
}
