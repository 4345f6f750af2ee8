//! The three palettes (dark, light, contrast) and the list of colour pairs each one draws, which
//! the contrast tests check against WCAG.

use ratatui::style::Color;

/// Every colour a theme draws with. Styles in `theme.rs` read colours only from here, so the
/// pairs listed by [`Palette::pairs`] are all the pairs the screen can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    // --- foregrounds: each can stand on each background below ---
    /// Body text; `Reset` in dark keeps the terminal's own text colour.
    pub text: Color,
    pub accent: Color,
    /// Third-level headings and command-line flags.
    pub heading: Color,
    pub inline_code: Color,
    pub muted: Color,
    /// Steps a presenter has not revealed yet.
    pub dim: Color,
    pub good: Color,
    pub warn: Color,
    pub bad: Color,
    /// Image alt text and shell variables.
    pub image: Color,
    pub string: Color,
    pub value: Color,
    pub output: Color,
    /// Borders of panes without focus (focused ones use `accent`).
    pub border: Color,
    // --- backgrounds ---
    /// The whole screen's background; `Reset` in dark keeps the terminal's own.
    pub base: Color,
    pub code: Color,
    /// The selected row or code block, where the theme uses a colour for it.
    pub selected: Color,
    pub match_current: Color,
    pub match_other: Color,
    // --- badges: one foreground on one background ---
    /// Text on `accent` (the app name, the active tab).
    pub on_accent: Color,
    /// Text on `warn` (the DEMO badge).
    pub on_warn: Color,
    // --- how emphasis is drawn ---
    /// Selection and search matches as reversed cells instead of a background colour: a
    /// projector washes out a tinted background, and reversing keeps each pair's contrast.
    pub reverse_selection: bool,
    /// Whether faint text uses the terminal's DIM attribute; themes that promise a contrast
    /// ratio do not, because how dim DIM is depends on the terminal.
    pub dim_attribute: bool,
}

/// A foreground on a background, named for the test's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub foreground: (&'static str, Color),
    pub background: (&'static str, Color),
}

impl Palette {
    /// Every (foreground, background) pair this palette can draw: each foreground on each
    /// background, and each badge's own pair. The destructuring names every field, so a colour
    /// added to the palette does not compile until it is listed here (and so tested).
    pub fn pairs(&self) -> Vec<Pair> {
        let Palette {
            text,
            accent,
            heading,
            inline_code,
            muted,
            dim,
            good,
            warn,
            bad,
            image,
            string,
            value,
            output,
            border,
            base,
            code,
            selected,
            match_current,
            match_other,
            on_accent,
            on_warn,
            reverse_selection,
            dim_attribute: _,
        } = *self;
        let foregrounds = [
            ("text", text),
            ("accent", accent),
            ("heading", heading),
            ("inline_code", inline_code),
            ("muted", muted),
            ("dim", dim),
            ("good", good),
            ("warn", warn),
            ("bad", bad),
            ("image", image),
            ("string", string),
            ("value", value),
            ("output", output),
            ("border", border),
        ];
        let mut backgrounds = vec![("base", base), ("code", code)];
        if !reverse_selection {
            backgrounds.extend([
                ("selected", selected),
                ("match_current", match_current),
                ("match_other", match_other),
            ]);
        }
        let mut pairs: Vec<Pair> = foregrounds
            .iter()
            .flat_map(|&foreground| {
                backgrounds.iter().map(move |&background| Pair {
                    foreground,
                    background,
                })
            })
            .collect();
        pairs.extend([
            Pair {
                foreground: ("on_accent", on_accent),
                background: ("accent", accent),
            },
            Pair {
                foreground: ("on_warn", on_warn),
                background: ("warn", warn),
            },
        ]);
        pairs
    }
}

/// Today's colours, for a dark terminal: the terminal's own text and background.
pub const DARK: Palette = Palette {
    text: Color::Reset,
    accent: Color::Rgb(70, 150, 230),
    heading: Color::Cyan,
    inline_code: Color::Rgb(230, 160, 100),
    muted: Color::Rgb(128, 128, 128),
    dim: Color::Rgb(128, 128, 128),
    good: Color::Rgb(80, 200, 120),
    warn: Color::Rgb(230, 180, 60),
    bad: Color::Rgb(235, 90, 80),
    image: Color::Magenta,
    string: Color::Rgb(220, 200, 120),
    value: Color::Rgb(200, 200, 160),
    output: Color::Rgb(170, 170, 170),
    border: Color::Rgb(80, 80, 80),
    base: Color::Reset,
    code: Color::Rgb(30, 34, 42),
    selected: Color::Rgb(40, 60, 95),
    match_current: Color::Rgb(90, 80, 20),
    match_other: Color::Rgb(55, 50, 20),
    on_accent: Color::Black,
    on_warn: Color::Black,
    reverse_selection: false,
    dim_attribute: true,
};

/// Dark text on white, every pair at least 4.5:1 (WCAG AA).
pub const LIGHT: Palette = Palette {
    text: Color::Rgb(20, 20, 20),
    accent: Color::Rgb(0, 80, 170),
    heading: Color::Rgb(0, 100, 120),
    inline_code: Color::Rgb(150, 60, 0),
    muted: Color::Rgb(85, 85, 85),
    dim: Color::Rgb(100, 100, 100),
    good: Color::Rgb(0, 110, 40),
    warn: Color::Rgb(140, 80, 0),
    bad: Color::Rgb(180, 20, 20),
    image: Color::Rgb(140, 30, 140),
    string: Color::Rgb(110, 80, 0),
    value: Color::Rgb(70, 70, 40),
    output: Color::Rgb(70, 70, 70),
    border: Color::Rgb(90, 90, 90),
    base: Color::Rgb(255, 255, 255),
    code: Color::Rgb(238, 240, 244),
    selected: Color::Rgb(220, 232, 252),
    match_current: Color::Rgb(255, 240, 180),
    match_other: Color::Rgb(250, 246, 215),
    on_accent: Color::Rgb(255, 255, 255),
    on_warn: Color::Rgb(255, 255, 255),
    reverse_selection: false,
    dim_attribute: false,
};

/// For a projector: bright colours on black, every pair at least 7:1 (WCAG AAA), white
/// borders, and selection drawn reversed rather than as a tinted background.
pub const CONTRAST: Palette = Palette {
    text: Color::Rgb(255, 255, 255),
    accent: Color::Rgb(255, 230, 0),
    heading: Color::Rgb(0, 230, 255),
    inline_code: Color::Rgb(255, 180, 90),
    muted: Color::Rgb(205, 205, 205),
    dim: Color::Rgb(165, 165, 165),
    good: Color::Rgb(80, 255, 120),
    warn: Color::Rgb(255, 200, 60),
    bad: Color::Rgb(255, 130, 120),
    image: Color::Rgb(255, 150, 255),
    string: Color::Rgb(255, 240, 150),
    value: Color::Rgb(230, 230, 200),
    output: Color::Rgb(215, 215, 215),
    border: Color::Rgb(255, 255, 255),
    base: Color::Rgb(0, 0, 0),
    code: Color::Rgb(18, 18, 18),
    // Unused: selection is reversed. Kept equal to the base so nothing tinted can appear.
    selected: Color::Rgb(0, 0, 0),
    match_current: Color::Rgb(0, 0, 0),
    match_other: Color::Rgb(0, 0, 0),
    on_accent: Color::Rgb(0, 0, 0),
    on_warn: Color::Rgb(0, 0, 0),
    reverse_selection: true,
    dim_attribute: false,
};

// Written here rather than taken from a colour crate (palette has it): the formula is the few
// lines below, and the app has no other use for a colour-science library.

/// WCAG 2 relative luminance of an sRGB colour; `None` for colours whose value the terminal
/// decides (`Reset`, the sixteen named ones, indexed).
pub fn luminance(color: Color) -> Option<f64> {
    let Color::Rgb(r, g, b) = color else {
        return None;
    };
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    Some(0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b))
}

/// WCAG 2 contrast ratio (1 to 21) of two colours, `None` when either is not a fixed RGB.
pub fn contrast_ratio(a: Color, b: Color) -> Option<f64> {
    let (a, b) = (luminance(a)?, luminance(b)?);
    let (light, dark) = if a > b { (a, b) } else { (b, a) };
    Some((light + 0.05) / (dark + 0.05))
}
