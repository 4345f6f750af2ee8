//! The cluster pane: connection line, then pods and services tables like `kubectl get`.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};

use crate::app::Model;
use crate::app::model::Input;
use crate::features::cluster::model::{ClusterView, Rows, Table, shown_namespaces};
use crate::features::cluster::view_status::{auth_text, connection_text};
use crate::features::cluster::{PodRow, ServiceRow};
use crate::ui::layout::Pane;
use crate::ui::layout::pane_text_area;
use crate::ui::table::{self, BodyLine, Column, TableRow};
use crate::ui::text::{truncate, wrap_plain};
use crate::ui::theme::Theme;

/// kubectl's columns; when the pane is narrow, RESTARTS, AGE and then STATUS go before NAME
/// or READY is cut.
const POD_COLUMNS: [Column; 5] = [
    Column::keep("NAME"),
    Column::keep("READY"),
    Column::drop("STATUS", 1),
    Column::drop("RESTARTS", 3),
    Column::drop("AGE", 2),
];
/// CLUSTER-IP goes first (the lessons never need it), EXTERNAL-IP last (the gateway lesson does).
const SERVICE_COLUMNS: [Column; 6] = [
    Column::keep("NAME"),
    Column::drop("TYPE", 3),
    Column::drop("CLUSTER-IP", 5),
    Column::drop("EXTERNAL-IP", 1),
    Column::drop("PORT(S)", 2),
    Column::drop("AGE", 4),
];

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let focused = model.focus == Pane::Cluster;
    let view = &model.cluster;
    let title = format!(" 클러스터 · ns:{} ", model.target.namespace);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(Span::styled(
            truncate(&title, usize::from(area.width.saturating_sub(4))),
            theme.title(focused),
        ));
    frame.render_widget(block, area);
    let inner = pane_text_area(area);
    if inner.height < 4 {
        return;
    }
    let max = usize::from(inner.width);
    let (mut status, style) = connection_text(view, &model.target.server, theme);
    if let Some(auth) = &view.auth {
        status.push_str(&auth_text(auth));
    }
    // The reason for a failure is the part the learner acts on: it may take three rows.
    let mut top = inner.y;
    for row in wrap_plain(&status, max, 3) {
        frame.render_widget(
            Line::styled(row, style),
            Rect::new(inner.x, top, inner.width, 1),
        );
        top += 1;
    }
    let filtering = matches!(model.input, Input::Filter(_));
    if filtering || !view.filter.is_empty() {
        let hint = if filtering {
            "  Enter 확정 · Esc 해제"
        } else {
            "  / 수정 · Esc 해제"
        };
        let (before, after) = match &model.input {
            Input::Filter(edit) => edit.split(),
            _ => (view.filter.as_str(), ""),
        };
        let line = Line::from(vec![
            Span::styled(format!("필터: {before}"), theme.key()),
            Span::styled(if filtering { "▏" } else { "" }, theme.key()),
            Span::styled(after.to_string(), theme.key()),
            Span::styled(hint, theme.muted()),
        ]);
        frame.render_widget(line, Rect::new(inner.x, top, inner.width, 1));
        top += 1;
    }
    let rest = inner.bottom().saturating_sub(top);
    let pods_height = rest * 3 / 5;
    let pods = Rect::new(inner.x, top, inner.width, pods_height);
    let services = Rect::new(inner.x, top + pods_height, inner.width, rest - pods_height);
    let namespaces = shown_namespaces(&model.target.namespace);

    let pods_table = Section {
        title: "Pod",
        key: 'p',
        columns: &POD_COLUMNS,
        selected: view.table == Table::Pods,
        progress: view.progress(Table::Pods, &namespaces),
    };
    draw_section(
        frame,
        pods,
        &pods_table,
        &view.pods,
        &namespaces,
        view,
        view.pod_scroll,
        |p| pod_row(p, view, theme),
        theme,
    );
    let services_table = Section {
        title: "서비스",
        key: 's',
        columns: &SERVICE_COLUMNS,
        selected: view.table == Table::Services,
        progress: view.progress(Table::Services, &namespaces),
    };
    draw_section(
        frame,
        services,
        &services_table,
        &view.services,
        &namespaces,
        view,
        view.service_scroll,
        |s| service_row(s, view, theme),
        theme,
    );
}

/// What tells the two tables apart.
struct Section<'a> {
    title: &'a str,
    key: char,
    columns: &'a [Column],
    selected: bool,
    /// A first list still arriving: objects so far, and the total when known.
    progress: Option<(usize, Option<usize>)>,
}

/// A table's title line ("Pod (6)  p", while its first list arrives
/// "Pod (1,250) · 불러오는 중 1,250/5,000  p") and its visible rows.
#[allow(clippy::too_many_arguments)]
fn draw_section<T>(
    frame: &mut Frame,
    area: Rect,
    section: &Section,
    rows: &Rows<T>,
    namespaces: &[&str],
    view: &ClusterView,
    scroll: usize,
    format: impl Fn(&T) -> TableRow,
    theme: Theme,
) {
    let total = count(rows, namespaces, view);
    let loading = section.progress.map(loading_text).unwrap_or_default();
    let title = format!(
        "{} ({}){loading}  {}",
        section.title,
        grouped(total),
        section.key
    );
    section_title(frame, area, &title, section.selected, theme);
    let body = visible(
        rows,
        namespaces,
        view,
        scroll,
        area.height.saturating_sub(2),
        format,
    );
    let mut table_area = body_area(area);
    // The focused table's first row, when the pane cuts it, is shown whole below the table.
    let first = body.iter().find_map(|line| match line {
        BodyLine::Row(row) => Some(row.cells.clone()),
        BodyLine::Section(_) => None,
    });
    if let Some(cells) = first.filter(|_| section.selected && table_area.height > 3) {
        let widths = table::layout(
            section.columns,
            &table::row_cells(&body),
            usize::from(table_area.width),
        );
        if table::is_cut(&widths, &cells) {
            let full = format!("▸ {}", cells.join("  "));
            let lines = wrap_plain(&full, usize::from(table_area.width), 2);
            let footer_height = lines.len() as u16;
            table_area.height -= footer_height;
            for (i, line) in lines.into_iter().enumerate() {
                let rect = Rect::new(
                    table_area.x,
                    table_area.bottom() + i as u16,
                    table_area.width,
                    1,
                );
                frame.render_widget(Line::styled(line, theme.muted()), rect);
            }
        }
    }
    table::draw(frame, table_area, section.columns, &body, theme);
}

/// " · 불러오는 중 1,250/5,000", or without a total " · 불러오는 중 1,250…". A count taken
/// as the list started can fall behind it (objects are created meanwhile); past it the
/// total says nothing true, so it is left out.
fn loading_text((loaded, total): (usize, Option<usize>)) -> String {
    match total {
        Some(total) if total >= loaded => {
            format!(" · 불러오는 중 {}/{}", grouped(loaded), grouped(total))
        }
        _ => format!(" · 불러오는 중 {}…", grouped(loaded)),
    }
}

/// `5000` as "5,000".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn body_area(section: Rect) -> Rect {
    Rect::new(
        section.x,
        section.y + 1,
        section.width,
        section.height.saturating_sub(1),
    )
}

fn section_title(frame: &mut Frame, area: Rect, title: &str, selected: bool, theme: Theme) {
    if area.height == 0 {
        return;
    }
    let style = if selected {
        theme.title(true)
    } else {
        theme.muted()
    };
    frame.render_widget(
        Line::styled(truncate(title, usize::from(area.width)), style),
        Rect::new(area.x, area.y, area.width, 1),
    );
}

fn count<T>(rows: &Rows<T>, namespaces: &[&str], view: &ClusterView) -> usize {
    let tables = namespaces.iter().filter_map(|ns| rows.get(*ns));
    if view.filter.is_empty() {
        // Unfiltered, a frame never walks the thousands of rows it does not show.
        return tables.map(BTreeMap::len).sum();
    }
    tables
        .flat_map(BTreeMap::keys)
        .filter(|name| view.matches_filter(name))
        .count()
}

/// The body lines in view: namespace titles and rows, skipping `scroll` lines and formatting
/// only the `height` lines that are shown.
fn visible<T>(
    rows: &Rows<T>,
    namespaces: &[&str],
    view: &ClusterView,
    scroll: usize,
    height: u16,
    format: impl Fn(&T) -> TableRow,
) -> Vec<BodyLine> {
    enum Item<'a, T> {
        Section(&'a str),
        Row(&'a T),
    }
    let empty = BTreeMap::new();
    let items = || {
        namespaces.iter().flat_map(|ns| {
            let table = rows.get(*ns).unwrap_or(&empty);
            std::iter::once(Item::Section(ns)).chain(
                table
                    .iter()
                    .filter(|(name, _)| view.matches_filter(name))
                    .map(|(_, row)| Item::Row(row)),
            )
        })
    };
    let height = usize::from(height);
    let total = count(rows, namespaces, view) + namespaces.len();
    let scroll = scroll.min(total.saturating_sub(height));
    items()
        .skip(scroll)
        .take(height)
        .map(|item| match item {
            Item::Section(ns) => BodyLine::Section((*ns).to_string()),
            Item::Row(row) => BodyLine::Row(format(row)),
        })
        .collect()
}

fn pod_row(pod: &PodRow, view: &ClusterView, theme: Theme) -> TableRow {
    TableRow {
        cells: vec![
            pod.name.clone(),
            pod.ready_text(),
            pod.status.clone(),
            pod.restarts_text(view.now),
            pod.age_text(view.now),
        ],
        style: theme.health(pod.health),
    }
}

fn service_row(service: &ServiceRow, view: &ClusterView, theme: Theme) -> TableRow {
    TableRow {
        cells: vec![
            service.name.clone(),
            service.type_.clone(),
            service.cluster_ip.clone(),
            service.external_ip.clone(),
            service.ports.clone(),
            service.age_text(view.now),
        ],
        style: theme.health(service.health),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let shown: Vec<String> = [0, 7, 999, 1_000, 1_250, 50_000, 1_234_567]
            .map(grouped)
            .into();
        assert_eq!(
            shown,
            ["0", "7", "999", "1,000", "1,250", "50,000", "1,234,567"]
        );
    }

    #[test]
    fn loading_shows_the_total_only_while_it_holds() {
        assert_eq!(
            loading_text((1_250, Some(5_000))),
            " · 불러오는 중 1,250/5,000"
        );
        assert_eq!(loading_text((1_250, None)), " · 불러오는 중 1,250…");
        assert_eq!(loading_text((5_003, Some(5_000))), " · 불러오는 중 5,003…");
    }
}
