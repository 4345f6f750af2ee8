//! The YAML editor overlay: the buffer with line numbers, problems, the three-way comparison
//! after a 409 and warnings under it, and the terminal's own cursor where the next character
//! goes, so input methods compose in place.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::features::lesson::wrap::wrap_with_prefix;
use crate::features::lesson::{SpanKind, StyledSpan};
use crate::features::traffic::editor::EditorState;
use crate::features::traffic::editor::view_merge::{overwrite_lines, table_lines};
use crate::ui::popup;
use crate::ui::text::{truncate, width};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, state: &EditorState, theme: Theme) {
    let box_width = share(area.width, 9, 10);
    let box_height = share(area.height, 9, 10);
    let title = format!(
        "YAML 편집 · {} {} · Ctrl-S 저장 · Esc 닫기",
        state.kind.kind_name(),
        state.name
    );
    let title = truncate(&title, usize::from(box_width.saturating_sub(4)));
    let inner = popup::open(frame, area, box_width, box_height, &title, theme);
    if inner.width < 8 || inner.height < 3 {
        return;
    }
    let notes = note_lines(state, theme, inner.width);
    let wanted = u16::try_from(notes.len()).unwrap_or(u16::MAX);
    // The buffer keeps at least half the box; the separator takes one row.
    let notes_height = wanted.min(inner.height / 2).max(1);
    let editor_height = inner.height - notes_height - 1;
    let editor = Rect::new(inner.x, inner.y, inner.width, editor_height);
    let separator = Rect::new(inner.x, editor.bottom(), inner.width, 1);
    let notes_area = Rect::new(inner.x, separator.bottom(), inner.width, notes_height);

    frame.render_widget(&state.textarea, editor);
    frame.render_widget(
        Line::styled("─".repeat(usize::from(inner.width)), theme.muted()),
        separator,
    );
    frame.render_widget(Paragraph::new(notes), notes_area);
    // While a question is open, keys answer it rather than edit.
    if !state.confirm_discard
        && state.confirm_overwrite.is_empty()
        && let Some(position) = cursor_position(state, editor)
    {
        frame.set_cursor_position(position);
    }
}

/// `part`/`whole` of `length`, computed without overflowing u16.
fn share(length: u16, part: u32, whole: u32) -> u16 {
    u16::try_from(u32::from(length) * part / whole).unwrap_or(length)
}

/// Where the terminal cursor goes: the textarea's cursor, by display width, after the line
/// numbers and the scrolling the textarea did while it was drawn. `None` when off screen.
fn cursor_position(state: &EditorState, editor: Rect) -> Option<Position> {
    let (top_row, top_col) = state.textarea.scroll_offset();
    let row = state.textarea.cursor().0;
    let column = usize::from(state.textarea.line_number_width()) + state.cursor_display_column();
    let y = row.checked_sub(usize::from(top_row))?;
    let x = column.checked_sub(usize::from(top_col))?;
    if y >= usize::from(editor.height) || x >= usize::from(editor.width) {
        return None;
    }
    Some(Position::new(
        editor.x + u16::try_from(x).ok()?,
        editor.y + u16::try_from(y).ok()?,
    ))
}

/// One message under the editor: a key-coloured lead (position or code) and its text.
struct Note {
    lead: String,
    text: String,
    style: Style,
}

fn notes(state: &EditorState, theme: Theme) -> Vec<Note> {
    let mut notes = Vec::new();
    if let Some(message) = &state.message {
        let style = if state.conflict {
            theme.bad()
        } else {
            theme.muted()
        };
        notes.push(Note {
            lead: String::new(),
            text: message.clone(),
            style,
        });
    }
    for problem in &state.problems {
        let lead = match (problem.line, problem.column) {
            (Some(line), Some(column)) => format!("{line}:{column} "),
            (Some(line), None) => format!("{line}: "),
            _ => String::new(),
        };
        notes.push(Note {
            lead,
            text: problem.message_ko.clone(),
            style: theme.bad(),
        });
    }
    for warning in &state.warnings {
        notes.push(Note {
            lead: format!("{} ", warning.code.unwrap_or("경고")),
            text: warning.message_ko.clone(),
            style: theme.warning(),
        });
    }
    notes
}

/// The status row, the fields an overwrite question is about, then every note wrapped to
/// `columns` with its text indented under the lead, the three-way comparison before the
/// warnings. Wrapping here rather than in `Paragraph` keeps wide characters out of the border.
fn note_lines(state: &EditorState, theme: Theme, columns: u16) -> Vec<Line<'static>> {
    let columns = usize::from(columns);
    let mut lines = vec![status_line(state, theme, columns)];
    lines.extend(overwrite_lines(&state.confirm_overwrite, theme, columns));
    let mut notes = notes(state, theme);
    let warnings = notes.split_off(notes.len().saturating_sub(state.warnings.len()));
    for note in notes {
        push_note(&mut lines, note, theme, columns);
    }
    lines.extend(table_lines(state, theme, columns));
    for note in warnings {
        push_note(&mut lines, note, theme, columns);
    }
    lines
}

fn push_note(lines: &mut Vec<Line<'static>>, note: Note, theme: Theme, columns: usize) {
    // The lead is tagged with a kind of its own so it can be told apart after wrapping.
    let lead = [StyledSpan::new(note.lead.clone(), SpanKind::ListMarker)];
    let indent = [StyledSpan::new(
        " ".repeat(width(&note.lead)),
        SpanKind::Text,
    )];
    let text = [StyledSpan::new(note.text, SpanKind::Text)];
    let first: &[StyledSpan] = if note.lead.is_empty() { &[] } else { &lead };
    let rest: &[StyledSpan] = if note.lead.is_empty() { &[] } else { &indent };
    for row in wrap_with_prefix(&text, columns, first, rest) {
        let spans: Vec<Span<'static>> = row
            .spans
            .into_iter()
            .map(|span| {
                let style = if span.kind == SpanKind::ListMarker {
                    theme.key()
                } else {
                    note.style
                };
                Span::styled(span.text, style)
            })
            .collect();
        lines.push(Line::from(spans));
    }
}

/// The first note row: the question being asked, or what the keys do right now.
fn status_line(state: &EditorState, theme: Theme, columns: usize) -> Line<'static> {
    if !state.confirm_overwrite.is_empty() {
        return Line::styled(
            truncate(
                "다른 쪽이 바꾼 아래 필드를 내 값으로 덮어쓸까요? Enter: 덮어쓰고 저장 · Esc: 돌아가 편집",
                columns,
            ),
            theme.warning(),
        );
    }
    if state.confirm_discard {
        return Line::styled(
            truncate(
                "저장하지 않은 변경이 있습니다. 버리고 닫을까요? y/Enter: 닫기 · n/Esc: 계속 편집",
                columns,
            ),
            theme.warning(),
        );
    }
    let mut spans = Vec::new();
    if state.saving {
        spans.push(Span::styled("저장 중… ", theme.warning()));
    } else if state.is_modified() {
        spans.push(Span::styled("● 수정됨 ", theme.warning()));
    }
    let save = if state.is_stale() {
        "내 변경을 지금 버전에 옮겨 저장"
    } else {
        "저장"
    };
    let mut keys = vec![("Ctrl-S", save), ("Esc", "닫기"), ("Ctrl-U", "되돌리기")];
    keys.push(("Ctrl-R", "다시 읽기"));
    if state.stash.is_some() {
        keys.push(("Ctrl-T", "보관본과 바꾸기"));
    }
    let mut used = spans.iter().map(|s| width(&s.content)).sum::<usize>();
    for (index, (key, action)) in keys.into_iter().enumerate() {
        let separator = if index > 0 { " · " } else { "" };
        let action = format!(" {action}");
        let needed = width(separator) + width(key) + width(&action);
        // Whole keys only: a cut-off hint would read as a different key.
        if used + needed > columns {
            break;
        }
        used += needed;
        spans.push(Span::styled(separator, theme.muted()));
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(action, Style::new()));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use serde_json::json;

    use super::*;
    use crate::features::cluster::MeshKind;
    use crate::features::cluster::mesh::MeshObject;
    use crate::features::traffic::editor::on_key;
    use crate::features::traffic::validate::Problem;

    fn state() -> EditorState {
        let vs = json!({
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": { "name": "reviews", "namespace": "default", "resourceVersion": "300" },
            "spec": {
                "hosts": ["reviews"],
                "http": [{ "route": [
                    { "destination": { "host": "reviews", "subset": "v1" }, "weight": 80 },
                    { "destination": { "host": "reviews", "subset": "v2" }, "weight": 20 }
                ]}]
            }
        });
        EditorState::open(&MeshObject::from_value(MeshKind::VirtualService, vs))
    }

    fn render(state: &EditorState, width: u16, height: u16) -> (String, Position) {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| draw(frame, frame.area(), state, Theme::new(false)))
            .unwrap();
        let cursor = terminal.get_cursor_position().unwrap();
        (terminal.backend().to_string(), cursor)
    }

    fn type_text(state: &mut EditorState, text: &str) {
        for c in text.chars() {
            on_key(state, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn shows_title_line_numbers_and_text() {
        let (screen, _) = render(&state(), 80, 24);
        assert!(screen.contains("YAML 편집 · VirtualService reviews · Ctrl-S 저장 · Esc 닫기"));
        assert!(
            screen.contains(" 1 apiVersion: networking.istio.io/v1"),
            "{screen}"
        );
        assert!(screen.contains("weight: 80"));
        assert!(screen.contains("Ctrl-R 다시 읽기"));
    }

    #[test]
    fn the_terminal_cursor_sits_after_korean_text() {
        let mut state = state();
        // The box is 72×21 at (4,1); its text starts one cell in; line numbers take 4 cells.
        let (_, before) = render(&state, 80, 24);
        assert_eq!(before, Position::new(5 + 4, 2));
        type_text(&mut state, "# 가나");
        let (screen, after) = render(&state, 80, 24);
        assert!(screen.contains("# 가나apiVersion"), "{screen}");
        assert_eq!(after, Position::new(5 + 4 + 6, 2));
    }

    #[test]
    fn the_cursor_follows_horizontal_scrolling() {
        let mut state = state();
        type_text(&mut state, &"가".repeat(60));
        let (_, cursor) = render(&state, 60, 20);
        // The box is 54 wide at x=3; the cursor must stay inside its text area.
        assert!(cursor.x > 4 && cursor.x < 3 + 54 - 1, "{cursor:?}");
        let cursor_cell_reversed = {
            let mut terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
            terminal
                .draw(|frame| draw(frame, frame.area(), &state, Theme::new(false)))
                .unwrap();
            let cell = &terminal.backend().buffer()[(cursor.x, cursor.y)];
            cell.modifier.contains(ratatui::style::Modifier::REVERSED)
        };
        assert!(
            cursor_cell_reversed,
            "the drawn cursor and the terminal cursor agree"
        );
    }

    #[test]
    fn lists_problems_with_their_position_and_the_questions() {
        let mut state = state();
        state.problems = vec![Problem {
            line: Some(3),
            column: Some(14),
            message_ko: "weight는 0–100 정수여야 합니다".into(),
        }];
        let (screen, _) = render(&state, 80, 24);
        assert!(
            screen.contains("3:14 weight는 0–100 정수여야 합니다"),
            "{screen}"
        );

        type_text(&mut state, "x");
        on_key(&mut state, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        let (screen, _) = render(&state, 80, 24);
        assert!(screen.contains("버리고 닫을까요?"));

        state.confirm_discard = false;
        state.save_failed(Some(409), String::new());
        let (screen, _) = render(&state, 100, 24);
        assert!(
            screen.contains("그사이 다른 곳에서 바뀌었습니다"),
            "{screen}"
        );
    }

    #[test]
    fn long_korean_notes_wrap_inside_the_box() {
        let mut state = state();
        state.warnings = vec![crate::features::traffic::Finding {
            code: Some("IST0101"),
            severity: crate::features::traffic::Severity::Error,
            message_ko: "reviews 호스트의 DestinationRule에 v4 subset이 정의되어 있지 않습니다. \
                         이 subset으로 보내는 요청은 DestinationRule이 subset을 정의할 때까지 \
                         503 오류로 실패합니다."
                .into(),
            subsets: vec!["v4".into()],
        }];
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| draw(frame, frame.area(), &state, Theme::new(false)))
            .unwrap();
        let buffer = terminal.backend().buffer();
        // The box spans x 4..=75 and y 1..=21.
        for y in 2..21 {
            assert_eq!(buffer[(75, y)].symbol(), "│", "row {y}");
        }
        let screen = terminal.backend().to_string();
        assert!(screen.contains("IST0101 reviews"));
        assert!(screen.contains("503 오류로"), "{screen}");
    }

    #[test]
    fn tiny_screens_do_not_panic() {
        for (w, h) in [(1, 1), (5, 3), (12, 5), (20, 8)] {
            render(&state(), w, h);
        }
    }
}
