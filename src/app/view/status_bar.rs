//! The bottom line: search input, a toast, or the keys that matter for the focused pane.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::Model;
use crate::app::model::Input;
use crate::ui::layout::Pane;
use crate::ui::line_edit::LineEdit;
use crate::ui::text::{tail, truncate, width};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, model: &Model, theme: Theme) {
    let area = model.layout.status;
    let max = usize::from(area.width);
    let line = if let Input::Search(query) = &model.input {
        prompt(" 검색: /", query, "  Enter 찾기 · Esc 취소", max, theme)
    } else if let Input::Namespace(text) = &model.input {
        prompt(
            " 네임스페이스: ",
            text,
            "  Enter 전환 · Esc 취소",
            max,
            theme,
        )
    } else if let Some(toast) = &model.toast {
        Line::from(Span::styled(
            format!(" {}", truncate(&toast.text, max.saturating_sub(1))),
            theme.toast(toast.level),
        ))
    } else if let (Pane::Lesson, Some(search)) = (model.focus, &model.lesson.search) {
        let position = if search.matches.is_empty() {
            "0/0".to_string()
        } else {
            format!("{}/{}", search.current + 1, search.matches.len())
        };
        Line::from(vec![
            Span::styled(
                format!(" 검색 \"{}\" {position}", truncate(&search.query, 30)),
                theme.key(),
            ),
            Span::styled("  n/N 다음/이전 · Esc 해제", theme.muted()),
        ])
    } else {
        hints(model.focus, theme)
    };
    frame.render_widget(line, area);
}

/// A prompt with the cursor drawn where it is; the text keeps room for the label and the hint.
fn prompt(
    label: &'static str,
    edit: &LineEdit,
    hint: &'static str,
    max: usize,
    theme: Theme,
) -> Line<'static> {
    let (before, after) = edit.split();
    let room = max.saturating_sub(width(label) + width(hint) + 1);
    // Long text keeps its end around the cursor in view: that is where the learner types.
    let before = tail(before, room.saturating_sub(width(after).min(room / 2)));
    let after = truncate(after, room.saturating_sub(width(&before)));
    Line::from(vec![
        Span::styled(label, theme.key()),
        Span::raw(before),
        Span::styled("▏", theme.key()),
        Span::raw(after),
        Span::styled(hint, theme.muted()),
    ])
}

fn hints(focus: Pane, theme: Theme) -> Line<'static> {
    let keys: &[(&str, &str)] = match focus {
        Pane::Lesson => &[
            ("←→", "레슨"),
            ("↑↓", "스크롤"),
            ("t", "목차"),
            ("/", "검색"),
            ("c", "코드"),
            ("y", "복사"),
            ("Tab", "창"),
            ("?", "도움말"),
            ("q", "종료"),
        ],
        Pane::Cluster => &[
            ("↑↓", "스크롤"),
            ("p/s", "Pod/서비스"),
            ("/", "필터"),
            (":", "네임스페이스"),
            ("Tab", "창"),
            ("?", "도움말"),
            ("q", "종료"),
        ],
        Pane::Traffic => &[
            ("←→", "가중치"),
            ("↑↓", "subset"),
            ("1-5", "프리셋"),
            ("l", "잠금"),
            ("p", "프로브"),
            ("e", "YAML"),
            ("?", "도움말"),
            ("q", "종료"),
        ],
    };
    let mut spans = vec![Span::raw(" ")];
    for (key, label) in keys {
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::styled(format!(" {label}  "), theme.muted()));
    }
    Line::from(spans)
}
