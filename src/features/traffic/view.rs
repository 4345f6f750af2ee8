//! The traffic pane: one slider per `reviews` subset (desired vs. cluster), the pre-send
//! findings, the Kiali forward's port prompt or URL, and the probe's observed split with its
//! verdict.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Sparkline};

use crate::app::Model;
use crate::features::cluster::{ConnectionState, MeshKind};
use crate::features::traffic::layout::{HEADER_ROWS, LABEL_WIDTH, bar};
use crate::features::traffic::model::{SendState, VIRTUAL_SERVICE, has_virtual_service};
use crate::features::traffic::{ErrorKind, Severity, kiali};
use crate::ui::layout::Pane;
use crate::ui::layout::pane_text_area;
use crate::ui::text::{truncate, width, wrap_plain};
use crate::ui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let focused = model.focus == Pane::Traffic;
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(Span::styled(" 트래픽 · reviews ", theme.title(focused)));
    frame.render_widget(block, area);
    let text = pane_text_area(area);
    if text.height < HEADER_ROWS + 1 {
        return;
    }
    let max = usize::from(text.width);
    let row = |i: u16| Rect::new(text.x, text.y + i, text.width, 1);
    let traffic = &model.traffic;
    let exists = has_virtual_service(&model.cluster);
    let header = if exists {
        let by = traffic.changed_by.as_deref().unwrap_or("알 수 없음");
        format!("VirtualService {VIRTUAL_SERVICE} · 마지막 변경: {by}")
    } else if !model.cluster.listed(MeshKind::VirtualService) {
        // Nothing is claimed missing before the first list of VirtualServices is complete.
        match model.cluster.connection {
            _ if model.cluster.generation == 0 => {
                "클러스터에 연결되어 있지 않아 VirtualService를 볼 수 없습니다".to_string()
            }
            ConnectionState::IstioNotInstalled => {
                "Istio의 CRD가 아직 없습니다: Istio를 설치하면 VirtualService를 볼 수 있습니다"
                    .to_string()
            }
            _ => format!("{VIRTUAL_SERVICE} VirtualService를 확인하는 중…"),
        }
    } else {
        format!(
            "{VIRTUAL_SERVICE} VirtualService 없음 · a: 가이드의 DestinationRule + 80/20 VirtualService 만들기"
        )
    };
    frame.render_widget(Line::styled(truncate(&header, max), theme.muted()), row(0));
    frame.render_widget(status_line(model, theme, max), row(1));

    let namespace = &model.target.namespace;
    let configured = traffic.configured();
    for (index, subset) in traffic.sliders.subsets.iter().enumerate() {
        let Some(bar_area) = bar(area, index) else {
            break;
        };
        let selected = index == traffic.sliders.selected && focused;
        let marker = if selected { "▶" } else { " " };
        let lock = if subset.locked { "L" } else { " " };
        let label = truncate(
            &format!("{marker} {:<6} {lock} ", subset.name),
            usize::from(LABEL_WIDTH),
        );
        let filled = usize::from(bar_area.width) * usize::from(subset.weight) / 100;
        let cluster = configured.get(index).map_or(0, |(_, w)| *w);
        let (ready, total) = traffic.pods_behind(&model.cluster, namespace, &subset.name);
        let flagged = traffic
            .findings
            .iter()
            .any(|f| f.subsets.contains(&subset.name));
        let bar_style = if flagged {
            theme.warning()
        } else {
            theme.good()
        };
        let spans = vec![
            Span::styled(
                label,
                if selected {
                    theme.selection()
                } else {
                    theme.key()
                },
            ),
            Span::styled("█".repeat(filled), bar_style),
            Span::styled(
                "░".repeat(usize::from(bar_area.width) - filled),
                theme.muted(),
            ),
            Span::styled(format!(" {:>3}", subset.weight), theme.title(false)),
            // Without a VirtualService the cluster holds no weights: say so, not 0.
            Span::styled(
                if traffic.route.is_some() {
                    format!(" ⇐{cluster:>3}")
                } else {
                    " ⇐  -".to_string()
                },
                theme.muted(),
            ),
            Span::styled(
                format!("  Pod {ready}/{total}"),
                if ready > 0 {
                    theme.good()
                } else {
                    theme.muted()
                },
            ),
        ];
        frame.render_widget(
            Line::from(spans),
            Rect::new(text.x, bar_area.y, text.width, 1),
        );
    }
    let mut y = HEADER_ROWS + traffic.sliders.subsets.len() as u16;
    if traffic.sliders.subsets.is_empty() {
        let hint =
            "subset이 없습니다: DestinationRule이나 version 라벨이 붙은 reviews Pod가 필요합니다";
        for part in wrap_plain(hint, max, 2) {
            frame.render_widget(Line::styled(part, theme.muted()), row(y));
            y += 1;
        }
    }
    if let Some(input) = &traffic.number_input {
        let name = traffic
            .sliders
            .subsets
            .get(traffic.sliders.selected)
            .map_or("", |s| s.name.as_str());
        let line = format!("{name} = {input}▏  Enter 적용 · Esc 취소");
        frame.render_widget(
            Line::styled(truncate(&line, max), theme.key()),
            row(y.min(text.height - 1)),
        );
        y += 1;
    }
    if let Some((line, failed)) = kiali::status_text(&traffic.kiali) {
        let style = if failed { theme.bad() } else { theme.key() };
        // A reason is read whole: it wraps over up to three rows.
        for part in wrap_plain(&line, max, 3) {
            frame.render_widget(Line::styled(part, style), row(y.min(text.height - 1)));
            y += 1;
        }
    }
    // A refusal is the learner's to read: when the status line had to cut it, it is shown
    // whole here, wrapped, before the findings.
    if let SendState::Failed(error) = &traffic.send
        && width(&status_text(model, theme).0) > max
    {
        for part in wrap_plain(&error.message, max, 4) {
            if y >= text.height {
                return;
            }
            frame.render_widget(Line::styled(part, theme.bad()), row(y));
            y += 1;
        }
    }
    for finding in &traffic.findings {
        if y >= text.height {
            return;
        }
        let (icon, style) = match finding.severity {
            Severity::Error => ("✖", theme.bad()),
            Severity::Warning => ("▲", theme.warning()),
            Severity::Info => ("ℹ", theme.muted()),
        };
        let code = finding.code.map(|c| format!("{c} ")).unwrap_or_default();
        let line = format!("{icon} {code}{}", finding.message_ko);
        // A finding is read whole: it wraps over up to three rows.
        for part in wrap_plain(&line, max, 3) {
            if y >= text.height {
                return;
            }
            frame.render_widget(Line::styled(part, style), row(y));
            y += 1;
        }
    }
    if y + 2 < text.height {
        draw_observed(
            frame,
            Rect::new(text.x, text.y + y + 1, text.width, text.height - y - 1),
            model,
            theme,
        );
    }
}

fn status_line(model: &Model, theme: Theme, max: usize) -> Line<'static> {
    let (text, style) = status_text(model, theme);
    Line::styled(truncate(&text, max), style)
}

fn status_text(model: &Model, theme: Theme) -> (String, ratatui::style::Style) {
    let traffic = &model.traffic;
    match &traffic.send {
        SendState::Idle if traffic.local_changes => ("보낼 준비 중…".to_string(), theme.warning()),
        // Presenting: no key hints on the projector.
        SendState::Idle if model.presenter.on => (String::new(), theme.muted()),
        SendState::Idle => (
            "←→ 가중치 · ↑↓ subset · 1-5,0 프리셋 · l 잠금 · p 프로브 · K Kiali".to_string(),
            theme.muted(),
        ),
        SendState::Applying => ("적용 중…".to_string(), theme.warning()),
        SendState::Applied {
            millis,
            resource_version,
        } => (
            format!("적용됨: {millis} ms (resourceVersion {resource_version})"),
            theme.good(),
        ),
        SendState::Failed(error) => {
            let code = error
                .code
                .map_or("연결 끊김".to_string(), |c| c.to_string());
            (format!("실패 ({code}): {}", error.message), theme.bad())
        }
    }
}

fn draw_observed(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let traffic = &model.traffic;
    let max = usize::from(area.width);
    let probe = &traffic.probe;
    let title = if probe.on {
        let via = probe.via.as_deref().unwrap_or("연결 중");
        format!(
            "관측 · 프로브 {}/s · {via} · 최근 {}건",
            probe.rate,
            traffic.observed.len()
        )
    } else {
        "관측 · p: 프로브 켜기 (productpage를 초당 몇 번 요청해 실제 비율을 잽니다)".to_string()
    };
    let mut y = area.y;
    let mut line = |frame: &mut Frame, content: Line<'static>| {
        if y < area.bottom() {
            frame.render_widget(content, Rect::new(area.x, y, area.width, 1));
            y += 1;
        }
    };
    line(
        frame,
        Line::styled(truncate(&title, max), theme.title(false)),
    );
    if let Some(error) = &probe.last_error {
        line(
            frame,
            Line::styled(truncate(&format!("요청 실패: {error}"), max), theme.bad()),
        );
    }
    let counts = traffic.observed.counts();
    let total = traffic.observed.len().max(1) as u32;
    let suffix = |n: u32| format!(" {:>3}% ({n})", n * 100 / total);
    // The bars leave room for the label and the widest count, so "100% (40)" is never cut.
    let widest = counts
        .versions
        .values()
        .chain(counts.errors.values())
        .map(|&n| width(&suffix(n)))
        .max()
        .unwrap_or(0);
    let bar_width = max.saturating_sub(9 + widest).min(40);
    let mut rows: Vec<(String, u32, bool)> = counts
        .versions
        .iter()
        .map(|(v, n)| (v.clone(), *n, false))
        .collect();
    for (kind, n) in &counts.errors {
        let label = match kind {
            ErrorKind::Http503 => "503",
            ErrorKind::ReviewsUnavailable => "reviews 오류",
            ErrorKind::Other => "기타 오류",
        };
        rows.push((label.to_string(), *n, true));
    }
    for (label, n, error) in rows {
        let filled = bar_width * n as usize / total as usize;
        let label = format!("{:<8}", truncate(&label, 8));
        let pad = " ".repeat(8usize.saturating_sub(width(&label)));
        line(
            frame,
            Line::from(vec![
                Span::styled(format!("{label}{pad} "), theme.key()),
                Span::styled(
                    "▇".repeat(filled),
                    if error { theme.bad() } else { theme.good() },
                ),
                Span::styled(suffix(n), theme.muted()),
            ]),
        );
    }
    if probe.on && y + 1 < area.bottom() {
        let series = traffic.observed.rate_series(usize::from(area.width));
        frame.render_widget(
            Sparkline::default().data(&series).style(theme.good()),
            Rect::new(area.x, y, area.width, 1),
        );
        y += 1;
    }
    if probe.on && y < area.bottom() {
        let expected = &traffic.expected;
        let verdict = traffic.observed.verdict(expected).describe(expected);
        frame.render_widget(
            Line::styled(
                truncate(&format!("판정: {verdict}"), max),
                theme.title(false),
            ),
            Rect::new(area.x, y, area.width, 1),
        );
    }
}
