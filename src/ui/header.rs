//! The top line: app name, cluster target, lesson position and title, pane tabs.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use super::layout::HELP_HINT_WIDTH;
use super::text::{truncate, width};
use super::theme::Theme;
use crate::app::Model;
use crate::app::model::Pane;

pub fn draw(frame: &mut Frame, model: &Model, theme: Theme) {
    let area = model.layout.header;
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
    spans.push(Span::styled(
        format!("ns:{} ", target.namespace),
        theme.muted(),
    ));
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
        let label = format!(" F{} {} ", pane.function_key(), pane.title());
        spans.push(Span::styled(label, theme.tab(model.focus == pane)));
        spans.push(Span::raw(" "));
    }
    let hint = truncate(" ? 도움말", usize::from(HELP_HINT_WIDTH));
    spans.push(Span::styled(hint, theme.muted()));
    frame.render_widget(Line::from(spans), area);
}
