//! Every colour pair each theme draws, checked against WCAG's contrast formula.

use ratatui::style::{Color, Modifier};

use super::*;

/// WCAG 2's thresholds: AAA for the projector theme, AA for light. Dark keeps the terminal's
/// own text colour, which no formula can check.
fn threshold(name: ThemeName) -> Option<f64> {
    match name {
        ThemeName::Dark => None,
        ThemeName::Light => Some(4.5),
        ThemeName::Contrast => Some(7.0),
    }
}

#[test]
fn the_formula_matches_wcag_reference_values() {
    let ratio = |a, b| contrast_ratio(a, b).expect("rgb colours");
    let black = Color::Rgb(0, 0, 0);
    let white = Color::Rgb(255, 255, 255);
    assert!((ratio(black, white) - 21.0).abs() < 1e-9);
    assert!((ratio(white, white) - 1.0).abs() < 1e-9);
    // #767676 on white is the classic lightest grey that passes AA (4.54:1).
    assert!((ratio(Color::Rgb(0x76, 0x76, 0x76), white) - 4.54).abs() < 0.01);
    // The order of the two colours does not matter.
    assert_eq!(
        ratio(black, Color::Rgb(80, 80, 80)),
        ratio(Color::Rgb(80, 80, 80), black)
    );
    // Colours the terminal decides have no known luminance.
    assert_eq!(contrast_ratio(Color::Reset, white), None);
    assert_eq!(contrast_ratio(Color::Cyan, black), None);
}

#[test]
fn every_pair_of_light_and_contrast_meets_its_wcag_level() {
    for name in ThemeName::ALL {
        let Some(minimum) = threshold(name) else {
            continue;
        };
        let pairs = name.palette().pairs();
        // 14 foregrounds on at least the base and code backgrounds, and the two badges.
        assert!(pairs.len() >= 14 * 2 + 2, "{name:?}: {}", pairs.len());
        for pair in pairs {
            let (fg_name, fg) = pair.foreground;
            let (bg_name, bg) = pair.background;
            let ratio = contrast_ratio(fg, bg).unwrap_or_else(|| {
                panic!("{name:?}: {fg_name} on {bg_name} is not a fixed colour")
            });
            assert!(
                ratio >= minimum,
                "{name:?}: {fg_name} {fg:?} on {bg_name} {bg:?} is {ratio:.2}:1, below {minimum}:1"
            );
        }
    }
}

#[test]
fn the_dark_colours_that_wash_out_on_a_projector_are_not_in_contrast() {
    // The reason for the contrast theme: dark's grey border and selection barely differ from
    // a black screen; the same check the contrast theme passes would refuse them.
    let black = Color::Rgb(0, 0, 0);
    let dark = ThemeName::Dark.palette();
    assert!(contrast_ratio(dark.border, black).is_some_and(|r| r < 3.0));
    assert!(contrast_ratio(dark.selected, black).is_some_and(|r| r < 2.0));
    let contrast = ThemeName::Contrast.palette();
    assert_ne!(contrast.border, dark.border);
    assert!(contrast.reverse_selection);
}

#[test]
fn themes_that_promise_contrast_use_no_dim_attribute_and_no_terminal_colours() {
    for name in [ThemeName::Light, ThemeName::Contrast] {
        let theme = Theme::named(name, true);
        let kinds = [
            SpanKind::Url,
            SpanKind::Rule,
            SpanKind::TableBorder,
            SpanKind::Heading(3),
            SpanKind::ImageAlt,
            SpanKind::CodeFlag,
            SpanKind::CodeVariable,
        ];
        let styles = kinds.map(|k| theme.span(k)).into_iter().chain([
            theme.dimmed(),
            theme.muted(),
            theme.base(),
            theme.border(false),
        ]);
        for style in styles {
            assert!(
                !style.add_modifier.contains(Modifier::DIM),
                "{name:?} {style:?}"
            );
            for color in [style.fg, style.bg].into_iter().flatten() {
                assert!(matches!(color, Color::Rgb(..)), "{name:?} {style:?}");
            }
        }
    }
}

#[test]
fn no_color_draws_no_colour_in_any_theme() {
    for name in ThemeName::ALL {
        let theme = Theme::named(name, false);
        let styles = [
            theme.base(),
            theme.code_line(),
            theme.selection(),
            theme.selected_code_line(),
            theme.search_match_line(true),
            theme.search_match_line(false),
            theme.border(true),
            theme.border(false),
            theme.app_name(),
            theme.tab(true),
            theme.dimmed(),
            theme.big_title(),
            theme.span(SpanKind::CodeCommand),
            theme.toast(ToastLevel::Error),
        ];
        for style in styles {
            assert_eq!((style.fg, style.bg), (None, None), "{name:?} {style:?}");
        }
    }
}

#[test]
fn theme_names_parse_and_cycle() {
    assert_eq!(ThemeName::parse("contrast"), Ok(ThemeName::Contrast));
    assert_eq!(ThemeName::parse(" Light "), Ok(ThemeName::Light));
    let refusal = ThemeName::parse("neon").unwrap_err();
    assert!(refusal.contains("neon") && refusal.contains("dark, light, contrast"));
    let mut seen = vec![ThemeName::Dark];
    while seen.len() < 4 {
        seen.push(seen[seen.len() - 1].next());
    }
    assert_eq!(
        seen,
        [
            ThemeName::Dark,
            ThemeName::Light,
            ThemeName::Contrast,
            ThemeName::Dark
        ]
    );
}
