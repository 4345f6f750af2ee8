//! The class view's screen: a title line (learners, stuck, the watch, the lead), one row per
//! learner as a kubectl-style table, the key line, and a learner's details on Enter.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::doc::ProgressDoc;
use super::model::{ClassModel, Learner, Sort, Watching};
use crate::features::cluster::rows::format_age;
use crate::ui::popup;
use crate::ui::table::{self, BodyLine, Column, TableRow};
use crate::ui::text::{truncate, wrap_plain};
use crate::ui::theme::Theme;

/// The name and the lesson never go; the bar goes last of the rest, the namespace first.
const COLUMNS: [Column; 7] = [
    Column::keep("이름"),
    Column::drop("네임스페이스", 5),
    Column::keep("단원"),
    Column::drop("현재 단계", 4),
    Column::drop("단원별 진행", 2),
    Column::drop("최근 활동", 3),
    Column::drop("막힘", 1),
];

pub fn render(model: &ClassModel, frame: &mut Frame, theme: Theme) {
    let area = frame.area();
    if area.height < 4 || area.width < 20 {
        return;
    }
    let max = usize::from(area.width);
    let mut top = area.y;
    for (text, style) in title_lines(model, theme) {
        frame.render_widget(
            Line::styled(truncate(&text, max), style),
            Rect::new(area.x, top, area.width, 1),
        );
        top += 1;
    }
    let keys_height = if model.zoom { 0 } else { 1 };
    let body_height = area.bottom().saturating_sub(top + keys_height);
    let table_area = Rect::new(area.x, top + 1, area.width, body_height.saturating_sub(1));
    let visible = model.visible();
    let rows_fit =
        usize::from(table_area.height.saturating_sub(1)) / if model.zoom { 2 } else { 1 };
    let first = model.selected.saturating_sub(rows_fit.saturating_sub(1));
    let mut body = Vec::new();
    for (i, learner) in visible.iter().enumerate().skip(first).take(rows_fit.max(1)) {
        let mut style = match learner.stuck_since(model.now) {
            Some(_) => theme.bad(),
            None => ratatui::style::Style::default(),
        };
        if i == model.selected {
            style = style.patch(theme.selection());
        }
        if model.zoom {
            style = style.add_modifier(Modifier::BOLD);
        }
        body.push(BodyLine::Row(TableRow {
            cells: cells(learner, model),
            style,
        }));
        if model.zoom {
            body.push(BodyLine::Section(String::new()));
        }
    }
    if visible.is_empty() {
        let text = if model.learners.is_empty() {
            "아직 진행 기록을 올린 학습자가 없습니다. 학습자는 istio-lab --learner 이름 으로 시작합니다."
        } else {
            "필터에 맞는 학습자가 없습니다 (Esc로 필터 해제)"
        };
        frame.render_widget(
            Line::styled(truncate(text, max), theme.muted()),
            Rect::new(area.x, top + 1, area.width, 1),
        );
    } else {
        table::draw(frame, table_area, &COLUMNS, &body, theme);
    }
    if !model.zoom {
        let keys = match &model.editing {
            Some(edit) => format!("필터: {}▏  Enter 확정 · Esc 해제", edit.text()),
            None => "↑↓ 선택  Enter 자세히  / 필터  o 정렬  z 크게  [ ] 진행 단원(--lead)  q 종료"
                .into(),
        };
        frame.render_widget(
            Line::styled(truncate(&keys, max), theme.muted()),
            Rect::new(area.x, area.bottom() - 1, area.width, 1),
        );
    }
    if model.detail
        && let Some(learner) = model.selected_learner()
    {
        detail(frame, area, learner, model, theme);
    }
}

fn title_lines(model: &ClassModel, theme: Theme) -> Vec<(String, ratatui::style::Style)> {
    let sort = match model.sort {
        Sort::Progress => "진행 순",
        Sort::Stuck => "막힌 순",
    };
    let watching = match &model.watching {
        Watching::Starting => "◌ 감시 시작 중…".to_string(),
        Watching::Live(scope) => format!("● {scope} 감시 중"),
        Watching::Failing(why) => format!("✖ {why}"),
    };
    let filter = if model.filter.is_empty() {
        String::new()
    } else {
        format!(" · 필터 \"{}\"", model.filter)
    };
    let mut lines = vec![(
        format!(
            "istio-lab 강의실 · 학습자 {}명 · 막힘 {}명 · {sort}{filter} · {watching}",
            model.learners.len(),
            model.stuck_count()
        ),
        match model.watching {
            Watching::Failing(_) => theme.bad(),
            _ => theme.title(true),
        },
    )];
    if let Some(lead) = &model.lead {
        let title = model
            .lesson_titles
            .get(lead.lesson)
            .cloned()
            .unwrap_or_default();
        let mut text = format!(
            "진행 단원: {}. {title} (네임스페이스 {}의 {}에 알림)",
            lead.lesson + 1,
            lead.namespace,
            super::doc::CLASS_CONFIGMAP
        );
        let style = match &lead.problem {
            Some(problem) => {
                text.push_str(&format!(" · 알리지 못했습니다: {problem}"));
                theme.bad()
            }
            None => theme.key(),
        };
        lines.push((text, style));
    }
    lines
}

fn cells(learner: &Learner, model: &ClassModel) -> Vec<String> {
    let total = model.lesson_titles.len();
    let Ok(doc) = &learner.doc else {
        let why = learner
            .doc
            .as_ref()
            .err()
            .map(|e| e.korean())
            .unwrap_or_default();
        return vec![
            learner.namespace.clone(),
            learner.namespace.clone(),
            "?".into(),
            why,
            String::new(),
            String::new(),
            String::new(),
        ];
    };
    let step = current_step(doc).unwrap_or_else(|| "—".into());
    let stuck = learner
        .stuck_since(model.now)
        .map(|since| format!("⚠ {}", format_age(since, model.now)))
        .unwrap_or_default();
    vec![
        doc.learner.clone(),
        learner.namespace.clone(),
        format!("{}/{total}", doc.lesson),
        step,
        bar(doc, total),
        format!("{} 전", format_age(doc.active, model.now)),
        stuck,
    ]
}

fn current_step(doc: &ProgressDoc) -> Option<String> {
    let lesson = doc.lessons.iter().find(|l| l.number == doc.lesson)?;
    let i = doc.step?;
    let step = lesson.steps.get(i)?;
    Some(format!("{}/{} {}", i + 1, lesson.steps.len(), step.title))
}

/// One cell per lesson: █ all steps done, ▌ some, · none.
fn bar(doc: &ProgressDoc, total: usize) -> String {
    (1..=total)
        .map(|n| match doc.lessons.iter().find(|l| l.number == n) {
            Some(l) if !l.steps.is_empty() && l.steps.iter().all(|s| s.state.done()) => '█',
            Some(l) if l.steps.iter().any(|s| s.state.done()) => '▌',
            _ => '·',
        })
        .collect()
}

fn detail(frame: &mut Frame, area: Rect, learner: &Learner, model: &ClassModel, theme: Theme) {
    let width = area.width.saturating_sub(6).min(90);
    let inner = popup::open(
        frame,
        area,
        width,
        area.height.saturating_sub(4),
        learner.name(),
        theme,
    );
    let max = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    match &learner.doc {
        Err(e) => lines.push(Line::styled(e.korean(), theme.bad())),
        Ok(doc) => {
            let title = model
                .lesson_titles
                .get(doc.lesson.saturating_sub(1))
                .cloned()
                .unwrap_or_default();
            lines.push(Line::from(format!(
                "네임스페이스 {} · {}. {title}",
                learner.namespace, doc.lesson
            )));
            if let Some(step) = current_step(doc) {
                lines.push(Line::from(format!("현재 단계: {step}")));
            }
            let weights: Vec<String> = doc
                .weights
                .iter()
                .map(|(s, w)| format!("{s} {w}"))
                .collect();
            lines.push(Line::from(if weights.is_empty() {
                "reviews 가중치: VirtualService 없음".to_string()
            } else {
                format!("reviews 가중치: {}", weights.join(" · "))
            }));
            lines.push(Line::from(""));
            let failing = doc.failing();
            if failing.is_empty() {
                lines.push(Line::styled("실패 중인 확인이 없습니다.", theme.good()));
            }
            for (lesson, step, reason, since) in failing {
                lines.push(Line::from(vec![
                    Span::styled(format!("✗ {lesson}단원 · {step}"), theme.bad()),
                    Span::styled(
                        format!(" ({} 전부터)", format_age(since, model.now)),
                        theme.muted(),
                    ),
                ]));
                for row in wrap_plain(reason, max.saturating_sub(2), 3) {
                    lines.push(Line::from(format!("  {row}")));
                }
            }
        }
    }
    lines.push(Line::styled("Esc 또는 Enter 닫기", theme.muted()));
    for (i, line) in lines
        .into_iter()
        .take(usize::from(inner.height))
        .enumerate()
    {
        frame.render_widget(line, Rect::new(inner.x, inner.y + i as u16, inner.width, 1));
    }
}
