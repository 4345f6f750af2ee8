//! The cluster and traffic panes until they are connected: what will appear there.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::layout::pane_text_area;
use super::text::truncate;
use super::theme::Theme;
use crate::app::model::Pane;

pub fn draw(frame: &mut Frame, area: Rect, pane: Pane, focused: bool, theme: Theme) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(ratatui::text::Span::styled(
            format!(" {} ", pane.title()),
            theme.title(focused),
        ));
    frame.render_widget(block, area);
    let text: &[&str] = match pane {
        Pane::Cluster => &[
            "파드와 서비스가 실시간으로 표시됩니다.",
            "kubectl get pods / services 와 같은 열.",
        ],
        Pane::Traffic | Pane::Lesson => &[
            "reviews 가중치 슬라이더 (v1/v2/v3)와",
            "실제로 관측된 트래픽 비율이 표시됩니다.",
        ],
    };
    let inner = pane_text_area(area);
    let max = usize::from(inner.width);
    let lines: Vec<Line> = text
        .iter()
        .map(|t| Line::styled(truncate(t, max), theme.muted()))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
