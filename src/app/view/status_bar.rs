//! The bottom line: search input, a toast, or the keys that matter for the focused pane.

use ratatui::Frame;
use ratatui::text::{Line, Span};

use crate::app::Model;
use crate::app::model::Input;
use crate::features::lesson::block_actions::runnable;
use crate::features::shell::keys::ESCAPE_KEY_LABEL;
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
        hints(model, theme)
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

fn hints(model: &Model, theme: Theme) -> Line<'static> {
    let keys: &[(&str, &str)] = match model.focus {
        // With a block highlighted, its keys come first: that is what the learner is about to do.
        Pane::Lesson if runnable_block(model) => &[
            ("r", "실행"),
            ("y", "복사"),
            ("c/C", "다음/이전 코드"),
            ("Esc", "선택 해제"),
            ("←→", "레슨"),
            ("↑↓", "스크롤"),
            ("Tab", "창"),
            ("?", "도움말"),
        ],
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
        Pane::Shell if model.shell.running() => &[
            (ESCAPE_KEY_LABEL, "나가기"),
            ("Shift-PgUp/PgDn", "스크롤"),
            ("F1-F3", "다른 창"),
            ("", "다른 키는 모두 셸로"),
        ],
        Pane::Shell => &[
            ("Enter", "새 셸"),
            (ESCAPE_KEY_LABEL, "나가기"),
            ("F1-F3", "다른 창"),
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
    // An empty key is a note, not a key.
    for (key, label) in keys {
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::styled(format!(" {label}  "), theme.muted()));
    }
    Line::from(spans)
}

/// Whether the highlighted code block has something `r` can run.
fn runnable_block(model: &Model) -> bool {
    model
        .lesson
        .selected_code
        .and_then(|i| model.lesson.rendered.code_blocks.get(i))
        .is_some_and(runnable)
}
