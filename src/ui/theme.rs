//! The one place where colours and text styles are chosen: three palettes (dark, light,
//! contrast) in `theme/palette.rs`, and here what each part of the screen is drawn with.

mod palette;

use ratatui::style::{Color, Modifier, Style};

pub use self::palette::{Pair, Palette, contrast_ratio, luminance};
use crate::features::cluster::Health;
use crate::features::lesson::SpanKind;

/// How serious a toast is: its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Warning,
    Error,
}

/// The themes a learner can choose (`--theme`, `ISTIO_LAB_THEME`, or the `T` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    /// For a projector: WCAG AAA contrast everywhere.
    Contrast,
}

impl ThemeName {
    pub const ALL: [ThemeName; 3] = [ThemeName::Dark, ThemeName::Light, ThemeName::Contrast];

    /// The name on the command line and in `ISTIO_LAB_THEME`.
    pub fn id(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::Contrast => "contrast",
        }
    }

    /// What the learner is told when it changes.
    pub fn label(self) -> &'static str {
        match self {
            ThemeName::Dark => "어두운 화면",
            ThemeName::Light => "밝은 화면",
            ThemeName::Contrast => "고대비 (프로젝터용)",
        }
    }

    pub fn next(self) -> ThemeName {
        match self {
            ThemeName::Dark => ThemeName::Light,
            ThemeName::Light => ThemeName::Contrast,
            ThemeName::Contrast => ThemeName::Dark,
        }
    }

    /// Reads `--theme` and `ISTIO_LAB_THEME`; the refusal names the accepted values.
    pub fn parse(text: &str) -> Result<ThemeName, String> {
        let wanted = text.trim().to_ascii_lowercase();
        ThemeName::ALL
            .into_iter()
            .find(|t| t.id() == wanted)
            .ok_or_else(|| {
                format!("알 수 없는 테마 '{text}': dark, light, contrast 중 하나를 고르세요")
            })
    }

    pub fn palette(self) -> &'static Palette {
        match self {
            ThemeName::Dark => &palette::DARK,
            ThemeName::Light => &palette::LIGHT,
            ThemeName::Contrast => &palette::CONTRAST,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// False when NO_COLOR is set: only bold, underline, reverse and dim are used then.
    color: bool,
    palette: &'static Palette,
}

impl Theme {
    /// The dark theme, or no colours at all.
    pub fn new(color: bool) -> Theme {
        Theme::named(ThemeName::Dark, color)
    }

    pub fn named(name: ThemeName, color: bool) -> Theme {
        Theme {
            color,
            palette: name.palette(),
        }
    }

    pub fn palette(self) -> &'static Palette {
        self.palette
    }

    /// The whole screen's text and background, painted before anything else; nothing in
    /// the dark theme, so the terminal's own colours show.
    pub fn base(self) -> Style {
        let p = self.palette;
        self.bg(self.fg(p.text), p.base)
    }

    /// Faint text (URLs, rules): the DIM attribute only where the theme allows it.
    fn faint(self, color: Color) -> Style {
        let style = self.fg(color);
        if self.palette.dim_attribute || !self.color {
            style.add_modifier(Modifier::DIM)
        } else {
            style
        }
    }

    /// Last over the finished frame: in themes that promise a contrast ratio, text some widget
    /// drew with the DIM attribute (the editor's line numbers) becomes muted text instead, so
    /// the promise holds whoever drew it.
    pub fn settle(self, buf: &mut ratatui::buffer::Buffer) {
        if self.palette.dim_attribute || !self.color {
            return;
        }
        for cell in &mut buf.content {
            if cell.modifier.contains(Modifier::DIM) {
                cell.modifier.remove(Modifier::DIM);
                cell.fg = self.palette.muted;
            }
        }
    }

    /// What the presenter has not revealed yet.
    pub fn dimmed(self) -> Style {
        self.faint(self.palette.dim)
    }

    /// The big lesson title in presenter mode.
    pub fn big_title(self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
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
        let p = self.palette;
        match kind {
            SpanKind::Text => Style::new(),
            SpanKind::Strong => Style::new().add_modifier(bold),
            SpanKind::Emphasis => Style::new().add_modifier(Modifier::ITALIC),
            SpanKind::Heading(1) => self.fg(p.accent).add_modifier(bold | Modifier::UNDERLINED),
            SpanKind::Heading(2) => self.fg(p.accent).add_modifier(bold),
            SpanKind::Heading(_) => self.fg(p.heading).add_modifier(bold),
            SpanKind::InlineCode => self.fg(p.inline_code),
            SpanKind::Link => self.fg(p.accent).add_modifier(Modifier::UNDERLINED),
            SpanKind::Url | SpanKind::Rule | SpanKind::TableBorder => self.faint(p.muted),
            SpanKind::ImageAlt => self.fg(p.image),
            SpanKind::ListMarker => self.fg(p.accent),
            SpanKind::QuoteMarker => self.fg(p.warn),
            SpanKind::Callout => self.fg(p.warn).add_modifier(bold),
            SpanKind::CodeFrame => self.fg(p.muted),
            SpanKind::CodeText => Style::new(),
            SpanKind::CodePrompt => self.fg(p.muted),
            SpanKind::CodeCommand => self.fg(p.good).add_modifier(bold),
            SpanKind::CodeFlag => self.fg(p.heading),
            SpanKind::CodeString => self.fg(p.string),
            SpanKind::CodeComment => self.fg(p.muted).add_modifier(Modifier::ITALIC),
            SpanKind::CodeVariable => self.fg(p.image),
            SpanKind::CodeKey => self.fg(p.accent),
            SpanKind::CodeValue => self.fg(p.value),
            SpanKind::CodePunct => self.fg(p.muted),
            SpanKind::CodeOutput => self.fg(p.output),
            SpanKind::TableHeader => Style::new().add_modifier(bold),
            SpanKind::Shortcode => self.fg(p.muted),
        }
    }

    /// Background for lines inside a code block, so blocks read as one unit.
    pub fn code_line(self) -> Style {
        self.bg(Style::new(), self.palette.code)
    }

    /// Whether emphasis is drawn by reversing cells (no colour, or a theme that asks for it).
    fn reversing(self) -> bool {
        !self.color || self.palette.reverse_selection
    }

    pub fn selected_code_line(self) -> Style {
        if !self.color {
            Style::new().add_modifier(Modifier::BOLD)
        } else if self.palette.reverse_selection {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().bg(self.palette.selected)
        }
    }

    pub fn search_match_line(self, current: bool) -> Style {
        let p = self.palette;
        match (self.reversing(), current) {
            (false, true) => Style::new()
                .bg(p.match_current)
                .add_modifier(Modifier::BOLD),
            (false, false) => Style::new().bg(p.match_other),
            (true, true) => Style::new().add_modifier(Modifier::REVERSED),
            (true, false) => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    pub fn border(self, focused: bool) -> Style {
        match (self.color, focused) {
            (true, true) => Style::new().fg(self.palette.accent),
            (true, false) => Style::new().fg(self.palette.border),
            (false, true) => Style::new().add_modifier(Modifier::BOLD),
            (false, false) => Style::new(),
        }
    }

    pub fn title(self, focused: bool) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if focused {
            style.patch(self.fg(self.palette.accent))
        } else {
            style
        }
    }

    pub fn app_name(self) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            style.fg(self.palette.on_accent).bg(self.palette.accent)
        } else {
            style.add_modifier(Modifier::REVERSED)
        }
    }

    pub fn demo_badge(self) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            style.fg(self.palette.on_warn).bg(self.palette.warn)
        } else {
            style
        }
    }

    pub fn tab(self, active: bool) -> Style {
        match (self.color, active) {
            (true, true) => Style::new()
                .fg(self.palette.on_accent)
                .bg(self.palette.accent)
                .add_modifier(Modifier::BOLD),
            (false, true) => Style::new().add_modifier(Modifier::REVERSED),
            (_, false) => self.fg(self.palette.muted),
        }
    }

    pub fn muted(self) -> Style {
        self.fg(self.palette.muted)
    }

    pub fn key(self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }

    pub fn toast(self, level: ToastLevel) -> Style {
        match level {
            ToastLevel::Info => self.fg(self.palette.good),
            ToastLevel::Warning => self.fg(self.palette.warn).add_modifier(Modifier::BOLD),
            ToastLevel::Error => self.fg(self.palette.bad).add_modifier(Modifier::BOLD),
        }
    }

    pub fn health(self, health: Health) -> Style {
        match health {
            Health::Good => self.fg(self.palette.good),
            Health::Progressing => self.fg(self.palette.warn),
            Health::Bad => self.fg(self.palette.bad).add_modifier(Modifier::BOLD),
            Health::Done => self.fg(self.palette.muted),
            Health::Terminating => self.fg(self.palette.muted).add_modifier(Modifier::ITALIC),
        }
    }

    pub fn good(self) -> Style {
        self.fg(self.palette.good)
    }

    pub fn warning(self) -> Style {
        self.fg(self.palette.warn)
    }

    pub fn bad(self) -> Style {
        self.fg(self.palette.bad).add_modifier(Modifier::BOLD)
    }

    pub fn table_header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selection(self) -> Style {
        if self.reversing() {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
                .bg(self.palette.selected)
                .add_modifier(Modifier::BOLD)
        }
    }
}

#[cfg(test)]
mod tests;
