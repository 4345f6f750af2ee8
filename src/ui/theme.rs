//! The one place where colours and text styles are chosen.

use ratatui::style::{Color, Modifier, Style};

use crate::app::model::ToastLevel;
use crate::features::cluster::Health;
use crate::features::lesson::SpanKind;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

const ACCENT: Color = Color::Rgb(70, 150, 230);
const MUTED: Color = Color::Rgb(128, 128, 128);
const CODE_BG: Color = Color::Rgb(30, 34, 42);
const SELECTED_BG: Color = Color::Rgb(40, 60, 95);
const MATCH_BG: Color = Color::Rgb(90, 80, 20);
const GOOD: Color = Color::Rgb(80, 200, 120);
const WARN: Color = Color::Rgb(230, 180, 60);
const BAD: Color = Color::Rgb(235, 90, 80);

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    fn bg(self, style: Style, color: Color) -> Style {
        if self.color { style.bg(color) } else { style }
    }

    pub fn span(self, kind: SpanKind) -> Style {
        let bold = Modifier::BOLD;
        match kind {
            SpanKind::Text => Style::new(),
            SpanKind::Strong => Style::new().add_modifier(bold),
            SpanKind::Emphasis => Style::new().add_modifier(Modifier::ITALIC),
            SpanKind::Heading(1) => self.fg(ACCENT).add_modifier(bold | Modifier::UNDERLINED),
            SpanKind::Heading(2) => self.fg(ACCENT).add_modifier(bold),
            SpanKind::Heading(_) => self.fg(Color::Cyan).add_modifier(bold),
            SpanKind::InlineCode => self.fg(Color::Rgb(230, 160, 100)),
            SpanKind::Link => self.fg(ACCENT).add_modifier(Modifier::UNDERLINED),
            SpanKind::Url | SpanKind::Rule | SpanKind::TableBorder => {
                self.fg(MUTED).add_modifier(Modifier::DIM)
            }
            SpanKind::ImageAlt => self.fg(Color::Magenta),
            SpanKind::ListMarker => self.fg(ACCENT),
            SpanKind::QuoteMarker => self.fg(WARN),
            SpanKind::Callout => self.fg(WARN).add_modifier(bold),
            SpanKind::CodeFrame => self.fg(MUTED),
            SpanKind::CodeText => Style::new(),
            SpanKind::CodePrompt => self.fg(MUTED),
            SpanKind::CodeCommand => self.fg(GOOD).add_modifier(bold),
            SpanKind::CodeFlag => self.fg(Color::Cyan),
            SpanKind::CodeString => self.fg(Color::Rgb(220, 200, 120)),
            SpanKind::CodeComment => self.fg(MUTED).add_modifier(Modifier::ITALIC),
            SpanKind::CodeVariable => self.fg(Color::Magenta),
            SpanKind::CodeKey => self.fg(ACCENT),
            SpanKind::CodeValue => self.fg(Color::Rgb(200, 200, 160)),
            SpanKind::CodePunct => self.fg(MUTED),
            SpanKind::CodeOutput => self.fg(Color::Rgb(170, 170, 170)),
            SpanKind::TableHeader => Style::new().add_modifier(bold),
            SpanKind::Shortcode => self.fg(MUTED),
        }
    }

    /// Background for lines inside a code block, so blocks read as one unit.
    pub fn code_line(self) -> Style {
        self.bg(Style::new(), CODE_BG)
    }

    pub fn selected_code_line(self) -> Style {
        if self.color {
            Style::new().bg(SELECTED_BG)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn search_match_line(self, current: bool) -> Style {
        match (self.color, current) {
            (true, true) => Style::new().bg(MATCH_BG).add_modifier(Modifier::BOLD),
            (true, false) => Style::new().bg(Color::Rgb(55, 50, 20)),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED),
            (false, false) => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    pub fn border(self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::new().fg(ACCENT),
            (true, false) => Style::new().fg(Color::Rgb(80, 80, 80)),
            (false, true) => Style::new().add_modifier(Modifier::BOLD),
            (false, false) => Style::new(),
        }
    }

    pub fn title(self, focused: bool) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if focused {
            style.patch(self.fg(ACCENT))
        } else {
            style
        }
    }

    pub fn app_name(self) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            style.fg(Color::Black).bg(ACCENT)
        } else {
            style.add_modifier(Modifier::REVERSED)
        }
    }

    pub fn demo_badge(self) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            style.fg(Color::Black).bg(WARN)
        } else {
            style
        }
    }

    pub fn tab(self, active: bool) -> Style {
        match (self.color, active) {
            (true, true) => Style::new()
                .fg(Color::Black)
                .bg(ACCENT)
                .add_modifier(Modifier::BOLD),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED),
            (_, false) => self.fg(MUTED),
        }
    }

    pub fn muted(self) -> Style {
        self.fg(MUTED)
    }

    pub fn key(self) -> Style {
        self.fg(ACCENT).add_modifier(Modifier::BOLD)
    }

    pub fn toast(self, level: ToastLevel) -> Style {
        match level {
            ToastLevel::Info => self.fg(GOOD),
            ToastLevel::Warning => self.fg(WARN).add_modifier(Modifier::BOLD),
            ToastLevel::Error => self.fg(BAD).add_modifier(Modifier::BOLD),
        }
    }

    pub fn health(self, health: Health) -> Style {
        match health {
            Health::Good => self.fg(GOOD),
            Health::Progressing => self.fg(WARN),
            Health::Bad => self.fg(BAD).add_modifier(Modifier::BOLD),
            Health::Done => self.fg(MUTED),
            Health::Terminating => self.fg(MUTED).add_modifier(Modifier::ITALIC),
        }
    }

    pub fn good(self) -> Style {
        self.fg(GOOD)
    }

    pub fn warning(self) -> Style {
        self.fg(WARN)
    }

    pub fn bad(self) -> Style {
        self.fg(BAD).add_modifier(Modifier::BOLD)
    }

    pub fn table_header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selection(self) -> Style {
        if self.color {
            Style::new().bg(SELECTED_BG).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
}
