//! The three-way comparison under the editor after a 409: one row per field someone changed,
//! with its value as opened, in the cluster now and in the buffer; and, while the learner is
//! asked, the fields a save would overwrite.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde_json::Value;

use super::EditorState;
use super::merge::{Change, Conflict, ThreeWay};
use crate::ui::text::{truncate, width};
use crate::ui::theme::Theme;

/// Values are cut here: the table is for telling sides apart, the buffer has the whole value.
const VALUE_WIDTH: usize = 16;
const GAP: &str = "  ";

/// The fields a confirmed save overwrites, one a line, the cluster's value then the learner's.
pub fn overwrite_lines(fields: &[Conflict], theme: Theme, columns: usize) -> Vec<Line<'static>> {
    fields
        .iter()
        .map(|field| {
            let text = format!(
                "  {}: 클러스터 {} → 내 값 {}",
                field.path,
                shown(field.theirs.as_ref()),
                shown(field.yours.as_ref())
            );
            Line::styled(truncate(&text, columns), theme.bad())
        })
        .collect()
}

/// One table row: who changed the field, its path, and its three values.
struct Row {
    side: &'static str,
    style: Style,
    path: String,
    values: [String; 3],
}

fn rows(merge: &ThreeWay, theme: Theme) -> Vec<Row> {
    let unchanged = || "그대로".to_string();
    let mut rows: Vec<Row> = merge
        .conflicts
        .iter()
        .map(|c| Row {
            side: "충돌",
            style: theme.bad(),
            path: c.path.to_string(),
            values: [&c.base, &c.theirs, &c.yours].map(|v| shown(v.as_ref())),
        })
        .collect();
    let changed = |change: &Change| [shown(change.before.as_ref()), shown(change.after.as_ref())];
    for change in &merge.theirs {
        let [before, after] = changed(change);
        rows.push(Row {
            side: "다른 쪽",
            style: theme.warning(),
            path: change.path.to_string(),
            values: [before, after, unchanged()],
        });
    }
    for change in &merge.yours {
        let [before, after] = changed(change);
        rows.push(Row {
            side: "내 쪽",
            style: Style::new(),
            path: change.path.to_string(),
            values: [before, unchanged(), after],
        });
    }
    for change in &merge.agreed {
        let [before, after] = changed(change);
        rows.push(Row {
            side: "양쪽 같음",
            style: theme.muted(),
            path: change.path.to_string(),
            values: [before, after.clone(), after],
        });
    }
    rows
}

/// The comparison as a table fitted to `columns`: conflicts first, as they need a decision.
pub fn table_lines(state: &EditorState, theme: Theme, columns: usize) -> Vec<Line<'static>> {
    let Some(merge) = &state.three_way else {
        return Vec::new();
    };
    let title = format!(
        "세 방향 비교 · 처음: 편집을 시작한 버전 · 클러스터: resourceVersion {} · 내 편집: 지금 버퍼",
        state.resource_version
    );
    let mut lines = vec![Line::styled(truncate(&title, columns), theme.key())];
    let rows = rows(merge, theme);
    if rows.is_empty() {
        lines.push(Line::styled(
            truncate("어느 쪽도 바꾼 필드가 없습니다.", columns),
            theme.muted(),
        ));
        return lines;
    }
    let headers = ["처음", "클러스터", "내 편집"];
    let value_width: [usize; 3] = std::array::from_fn(|i| {
        rows.iter()
            .map(|row| width(&row.values[i]))
            .chain([width(headers[i])])
            .max()
            .unwrap_or(0)
            .min(VALUE_WIDTH)
    });
    let side_width = rows
        .iter()
        .map(|row| width(row.side))
        .chain([width("구분")])
        .max()
        .unwrap_or(0);
    let fixed = side_width + value_width.iter().sum::<usize>() + 4 * width(GAP);
    let path_width = rows
        .iter()
        .map(|row| width(&row.path))
        .chain([width("필드")])
        .max()
        .unwrap_or(0)
        .min(columns.saturating_sub(fixed).max(8));
    let line = |side: &str, path: &str, values: [&str; 3], style: Style| {
        let mut text = pad(side, side_width);
        text.push_str(GAP);
        text.push_str(&pad(path, path_width));
        for (value, cells) in values.iter().zip(value_width) {
            text.push_str(GAP);
            text.push_str(&pad(value, cells));
        }
        Line::from(Span::styled(truncate(text.trim_end(), columns), style))
    };
    lines.push(line("구분", "필드", headers, theme.table_header()));
    for row in &rows {
        let values = [0, 1, 2].map(|i| row.values[i].as_str());
        lines.push(line(row.side, &row.path, values, row.style));
    }
    lines
}

/// `text` cut or filled with spaces to exactly `cells` cells.
fn pad(text: &str, cells: usize) -> String {
    let mut text = truncate(text, cells);
    let filled = width(&text);
    text.push_str(&" ".repeat(cells.saturating_sub(filled)));
    text
}

/// A value as the table shows it: strings bare, the rest as compact JSON, absence said so.
fn shown(value: Option<&Value>) -> String {
    match value {
        None => "(없음)".into(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::features::cluster::MeshKind;
    use crate::features::cluster::mesh::MeshObject;
    use crate::features::traffic::editor::merge::three_way;

    fn compared() -> EditorState {
        let base = json!({ "metadata": { "name": "reviews" }, "spec": { "weight": 90 } });
        let theirs = json!({
            "metadata": { "name": "reviews", "labels": { "team": "a very long label value" } },
            "spec": { "weight": 10 }
        });
        let yours = json!({ "metadata": { "name": "reviews" }, "spec": { "weight": 60 } });
        let mut state = EditorState::open(&MeshObject::from_value(
            MeshKind::VirtualService,
            base.clone(),
        ));
        state.three_way = Some(three_way(&base, &theirs, &yours));
        state
    }

    #[test]
    fn every_row_fits_the_width_it_is_given() {
        let state = compared();
        for columns in [0, 1, 5, 12, 30, 60, 120] {
            let lines = table_lines(&state, Theme::new(false), columns);
            assert_eq!(lines.len(), 4, "title, header, conflict, their label");
            for line in &lines {
                assert!(line.width() <= columns, "{columns}: {line:?}");
            }
        }
        let wide = table_lines(&state, Theme::new(false), 120);
        let row = wide[2].to_string();
        assert!(
            row.starts_with("충돌") && row.contains("spec.weight"),
            "{row}"
        );
        // Long values are cut so the columns stay apart.
        assert!(
            wide[3].to_string().contains("a very long lab…"),
            "{:?}",
            wide[3]
        );
    }
}
