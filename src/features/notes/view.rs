//! The follower's screen: clock, the presenter's lesson and step, that step's notes in full,
//! and the next step, so the presenter can glance at it from the side.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::model::Follower;

pub fn render(model: &Follower, frame: &mut Frame) {
    let area = frame.area();
    let clock = model.clock().unwrap_or_else(|| "--:--:--".into());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(" 발표자 노트 ")
        .title_top(Line::from(format!(" {clock} ")).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match (&model.missing, model.lesson()) {
        (Some(why), _) => missing(why),
        (None, None) => vec![Line::from("발표자 화면의 위치를 기다리는 중입니다…")],
        (None, Some(_)) => notes(model),
    };
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }),
        Rect { ..inner },
    );
}

fn missing(why: &str) -> Vec<Line<'static>> {
    vec![
        Line::styled(
            "발표자 앱이 실행 중이 아닙니다.",
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::from(why.to_string()),
        Line::from(""),
        Line::from(
            "발표 화면에서 istio-lab --present를 실행하면(또는 발표 모드를 켜면) 바로 이어집니다.",
        ),
        Line::from("1초마다 다시 연결합니다. 끝내려면 q."),
    ]
}

fn notes(model: &Follower) -> Vec<Line<'static>> {
    let (Some(lesson), Some(position)) = (model.lesson(), model.position) else {
        return Vec::new();
    };
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let dim = Style::new().add_modifier(Modifier::DIM);
    let total = lesson.steps.len();
    let mut lines = vec![Line::styled(
        format!("{}. {}", lesson.number, lesson.title),
        bold,
    )];
    match position
        .step
        .and_then(|i| lesson.steps.get(i).map(|s| (i, s)))
    {
        Some((i, step)) => {
            lines.push(Line::from(vec![
                Span::styled(format!("▶ {}/{total}단계 ", i + 1), bold),
                Span::styled(step.title.clone(), bold),
            ]));
            lines.push(Line::from(""));
            match &step.notes {
                Some(notes) => lines.extend(notes.lines().map(|l| Line::from(l.to_string()))),
                None => lines.push(Line::styled("(이 단계에는 노트가 없습니다)", dim)),
            }
        }
        None => lines.push(Line::styled(format!("단원 소개 ({total}단계 전)"), dim)),
    }
    lines.push(Line::from(""));
    let next = position.step.map_or(0, |i| i + 1);
    let next_line = match lesson.steps.get(next) {
        Some(step) => format!("다음: {}/{total}단계 {}", next + 1, step.title),
        None => match model.lessons.get(position.lesson + 1) {
            Some(l) => format!("다음: {}. {} (다음 단원)", l.number, l.title),
            None => "다음: 마지막 단계입니다".into(),
        },
    };
    lines.push(Line::styled(next_line, dim));
    lines
}
