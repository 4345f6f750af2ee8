//! Screen geometry: where each pane goes for a terminal size. Pure, so update can hit-test clicks.

use ratatui::layout::Rect;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;
/// From this width the lesson sits beside the cluster and traffic panes.
pub const SIDE_BY_SIDE_WIDTH: u16 = 120;
/// Below side-by-side width, from this height the panes stack; otherwise one at a time.
pub const STACKED_HEIGHT: u16 = 48;
/// From this size (a projector's 100×30 and up) the lesson sits beside one live pane.
pub const PAIRED_WIDTH: u16 = 100;
pub const PAIRED_HEIGHT: u16 = 28;

/// The live parts of the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    Lesson,
    /// The default is the live pane most lessons are about (see `AppLayout::live`).
    #[default]
    Cluster,
    Traffic,
    /// The learner's shell in a pseudo-terminal.
    Shell,
}

impl Pane {
    pub const ALL: [Pane; 4] = [Pane::Lesson, Pane::Cluster, Pane::Traffic, Pane::Shell];

    pub fn next(self) -> Pane {
        match self {
            Pane::Lesson => Pane::Cluster,
            Pane::Cluster => Pane::Traffic,
            Pane::Traffic => Pane::Shell,
            Pane::Shell => Pane::Lesson,
        }
    }

    pub fn previous(self) -> Pane {
        self.next().next().next()
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Lesson => "레슨",
            Pane::Cluster => "클러스터",
            Pane::Traffic => "트래픽",
            Pane::Shell => "셸",
        }
    }

    pub fn function_key(self) -> u8 {
        match self {
            Pane::Lesson => 1,
            Pane::Cluster => 2,
            Pane::Traffic => 3,
            Pane::Shell => 4,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    TooSmall,
    /// Only the focused pane is shown; the header's tabs switch.
    Single,
    Stacked,
    /// The lesson on the left and one live pane (`AppLayout::live`) on the right.
    Paired,
    SideBySide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppLayout {
    pub area: Rect,
    pub header: Rect,
    pub status: Rect,
    pub lesson: Option<Rect>,
    pub cluster: Option<Rect>,
    pub traffic: Option<Rect>,
    pub shell: Option<Rect>,
    /// Header tabs, in `Pane::ALL` order.
    pub tabs: [Rect; 4],
    /// The learner asked for the focused pane alone, whatever the terminal's size.
    pub zoomed: bool,
    /// The live pane beside the lesson when `Paired`: the focused one, else the last focused,
    /// else the one the lesson names.
    pub live: Pane,
    /// The lesson (index) `live` was chosen for; another lesson chooses again.
    pub live_for: Option<usize>,
}

impl AppLayout {
    pub fn arrangement(&self) -> Arrangement {
        if self.area.width < MIN_WIDTH || self.area.height < MIN_HEIGHT {
            Arrangement::TooSmall
        } else if self.zoomed {
            Arrangement::Single
        } else if self.area.width >= SIDE_BY_SIDE_WIDTH {
            Arrangement::SideBySide
        } else if self.area.height >= STACKED_HEIGHT {
            // Tall enough for all four panes stacked, which beats two side by side.
            Arrangement::Stacked
        } else if self.area.width >= PAIRED_WIDTH && self.area.height >= PAIRED_HEIGHT {
            Arrangement::Paired
        } else {
            Arrangement::Single
        }
    }

    pub fn pane(&self, pane: Pane) -> Option<Rect> {
        match pane {
            Pane::Lesson => self.lesson,
            Pane::Cluster => self.cluster,
            Pane::Traffic => self.traffic,
            Pane::Shell => self.shell,
        }
    }

    /// The pane under a screen position, if any.
    pub fn pane_at(&self, column: u16, row: u16) -> Option<Pane> {
        Pane::ALL
            .into_iter()
            .find(|&p| self.pane(p).is_some_and(|r| contains(r, column, row)))
    }

    pub fn tab_at(&self, column: u16, row: u16) -> Option<Pane> {
        Pane::ALL
            .into_iter()
            .zip(self.tabs)
            .find(|(_, r)| contains(*r, column, row))
            .map(|(p, _)| p)
    }
}

pub fn contains(rect: Rect, column: u16, row: u16) -> bool {
    column >= rect.x
        && column < rect.x.saturating_add(rect.width)
        && row >= rect.y
        && row < rect.y.saturating_add(rect.height)
}

/// Below this width the header drops the F-key prefixes and the namespace to leave room for
/// the lesson title.
pub const COMPACT_HEADER_WIDTH: u16 = 110;

/// A header tab's label: " F2 클러스터 ", or " 클러스터 " on a compact header.
pub fn tab_label(pane: Pane, compact: bool) -> String {
    if compact {
        format!(" {} ", pane.title())
    } else {
        format!(" F{} {} ", pane.function_key(), pane.title())
    }
}

/// Width of a header tab plus the gap after it.
pub fn tab_width(pane: Pane, compact: bool) -> u16 {
    unicode_width::UnicodeWidthStr::width(tab_label(pane, compact).as_str()) as u16 + 1
}

/// The help hint at the right end of the header.
pub fn help_hint(compact: bool) -> &'static str {
    if compact { " ?" } else { " ? 도움말" }
}

/// Pane geometry for `area`; `zoomed` gives the focused pane the whole body at any size, and
/// `live` is the pane beside the lesson when only two fit (the lesson stands for the cluster).
pub fn compute(area: Rect, focus: Pane, zoomed: bool, live: Pane) -> AppLayout {
    let live = if live == Pane::Lesson {
        Pane::Cluster
    } else {
        live
    };
    let mut layout = AppLayout {
        area,
        zoomed,
        live,
        ..AppLayout::default()
    };
    let arrangement = layout.arrangement();
    if arrangement == Arrangement::TooSmall {
        return layout;
    }
    layout.header = Rect::new(area.x, area.y, area.width, 1);
    layout.status = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 2);

    // Tabs are right-aligned in the header, before the help hint.
    let compact = area.width < COMPACT_HEADER_WIDTH;
    let hint_width = unicode_width::UnicodeWidthStr::width(help_hint(compact)) as u16;
    let tabs_width: u16 = Pane::ALL.into_iter().map(|p| tab_width(p, compact)).sum();
    let mut x = area.right().saturating_sub(tabs_width + hint_width);
    for (slot, pane) in layout.tabs.iter_mut().zip(Pane::ALL) {
        let width = tab_width(pane, compact);
        *slot = Rect::new(x, area.y, width, 1);
        x += width;
    }

    match arrangement {
        Arrangement::SideBySide => {
            // The lesson and the shell where its commands run share the left column; the
            // cluster and traffic panes, which show what the commands did, the right one.
            let left_width = body.width * 11 / 20;
            let right_width = body.width - left_width;
            let lesson_height = body.height * 3 / 5;
            let top_height = body.height / 2;
            let right = body.x + left_width;
            layout.lesson = Some(Rect::new(body.x, body.y, left_width, lesson_height));
            layout.shell = Some(Rect::new(
                body.x,
                body.y + lesson_height,
                left_width,
                body.height - lesson_height,
            ));
            layout.cluster = Some(Rect::new(right, body.y, right_width, top_height));
            layout.traffic = Some(Rect::new(
                right,
                body.y + top_height,
                right_width,
                body.height - top_height,
            ));
        }
        Arrangement::Stacked => {
            // The lesson a third; the traffic pane, whose sliders need the rows, the remainder.
            let lesson = body.height / 3;
            let rest = body.height - lesson;
            let heights = [lesson, rest / 3, rest - 2 * (rest / 3), rest / 3];
            let mut y = body.y;
            for (pane, height) in [Pane::Lesson, Pane::Cluster, Pane::Traffic, Pane::Shell]
                .into_iter()
                .zip(heights)
            {
                *layout.slot(pane) = Some(Rect::new(body.x, y, body.width, height));
                y += height;
            }
        }
        Arrangement::Paired => {
            // The same split as side by side, so text wraps alike on both kinds of screen.
            let left_width = body.width * 11 / 20;
            layout.lesson = Some(Rect::new(body.x, body.y, left_width, body.height));
            *layout.slot(live) = Some(Rect::new(
                body.x + left_width,
                body.y,
                body.width - left_width,
                body.height,
            ));
        }
        Arrangement::Single => *layout.slot(focus) = Some(body),
        Arrangement::TooSmall => {}
    }
    layout
}

impl AppLayout {
    fn slot(&mut self, pane: Pane) -> &mut Option<Rect> {
        match pane {
            Pane::Lesson => &mut self.lesson,
            Pane::Cluster => &mut self.cluster,
            Pane::Traffic => &mut self.traffic,
            Pane::Shell => &mut self.shell,
        }
    }
}

/// The text area inside a pane's border and one column of padding on each side.
pub fn pane_text_area(pane: Rect) -> Rect {
    Rect::new(
        pane.x + 2,
        pane.y + 1,
        pane.width.saturating_sub(4),
        pane.height.saturating_sub(2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrangement_follows_the_terminal_size() {
        let at =
            |w, h| compute(Rect::new(0, 0, w, h), Pane::Lesson, false, Pane::Cluster).arrangement();
        assert_eq!(at(59, 30), Arrangement::TooSmall);
        assert_eq!(at(80, 19), Arrangement::TooSmall);
        assert_eq!(at(60, 20), Arrangement::Single);
        assert_eq!(at(80, 24), Arrangement::Single);
        assert_eq!(at(100, 50), Arrangement::Stacked);
        assert_eq!(at(100, 30), Arrangement::Paired);
        assert_eq!(at(119, 28), Arrangement::Paired);
        assert_eq!(at(100, 27), Arrangement::Single);
        assert_eq!(at(99, 30), Arrangement::Single);
        assert_eq!(at(120, 40), Arrangement::SideBySide);
    }

    #[test]
    fn single_shows_only_the_focused_pane() {
        let layout = compute(Rect::new(0, 0, 80, 24), Pane::Traffic, false, Pane::Cluster);
        assert_eq!(layout.lesson, None);
        assert_eq!(layout.cluster, None);
        assert_eq!(layout.traffic, Some(Rect::new(0, 1, 80, 22)));
    }

    #[test]
    fn zoom_gives_the_focused_pane_the_whole_body_at_any_size() {
        for (w, h) in [(200, 60), (100, 50), (80, 24)] {
            let layout = compute(Rect::new(0, 0, w, h), Pane::Cluster, true, Pane::Cluster);
            assert_eq!(layout.arrangement(), Arrangement::Single, "{w}x{h}");
            assert_eq!(layout.cluster, Some(Rect::new(0, 1, w, h - 2)));
            assert_eq!(
                (layout.lesson, layout.traffic, layout.shell),
                (None, None, None)
            );
        }
        let tiny = compute(Rect::new(0, 0, 50, 10), Pane::Cluster, true, Pane::Cluster);
        assert_eq!(tiny.arrangement(), Arrangement::TooSmall);
    }

    #[test]
    fn all_four_panes_show_from_120x40_with_the_shell_under_the_lesson() {
        for (w, h) in [(120, 40), (200, 50)] {
            let layout = compute(Rect::new(0, 0, w, h), Pane::Lesson, false, Pane::Cluster);
            let lesson = layout.lesson.unwrap();
            let shell = layout.shell.unwrap();
            assert_eq!((shell.x, shell.width), (lesson.x, lesson.width));
            assert_eq!(shell.y, lesson.bottom());
            assert!(shell.height >= 12, "{w}x{h}: {shell:?}");
            assert_eq!(layout.cluster.unwrap().x, lesson.right());
        }
        let small = compute(Rect::new(0, 0, 80, 24), Pane::Shell, false, Pane::Cluster);
        assert_eq!(small.shell, Some(Rect::new(0, 1, 80, 22)));
        assert_eq!(Pane::Traffic.next(), Pane::Shell);
        assert_eq!(Pane::Shell.next(), Pane::Lesson);
        assert_eq!(Pane::Lesson.previous(), Pane::Shell);
    }

    #[test]
    fn panes_tile_the_body_without_overlap_and_tabs_are_hit() {
        for (w, h) in [(120, 40), (200, 60), (100, 50), (119, 48)] {
            let layout = compute(Rect::new(0, 0, w, h), Pane::Lesson, false, Pane::Cluster);
            let area: u32 = Pane::ALL
                .into_iter()
                .filter_map(|p| layout.pane(p))
                .map(|r| u32::from(r.width) * u32::from(r.height))
                .sum();
            assert_eq!(area, u32::from(w) * u32::from(h - 2), "{w}x{h}");
            for pane in Pane::ALL {
                let r = layout.pane(pane).unwrap();
                assert_eq!(layout.pane_at(r.x, r.y), Some(pane));
                assert_eq!(layout.pane_at(r.right() - 1, r.bottom() - 1), Some(pane));
                let tab = layout.tabs[pane.function_key() as usize - 1];
                assert_eq!(layout.tab_at(tab.x, tab.y), Some(pane));
            }
        }
    }

    #[test]
    fn paired_puts_the_live_pane_beside_the_whole_height_lesson() {
        for live in [Pane::Cluster, Pane::Traffic, Pane::Shell] {
            let layout = compute(Rect::new(0, 0, 100, 30), Pane::Lesson, false, live);
            let lesson = layout.lesson.unwrap();
            let right = layout.pane(live).unwrap();
            assert_eq!((lesson.x, lesson.y, lesson.height), (0, 1, 28));
            assert_eq!((right.x, right.y, right.height), (lesson.right(), 1, 28));
            assert_eq!(right.right(), 100);
            let shown = Pane::ALL.into_iter().filter(|&p| layout.pane(p).is_some());
            assert_eq!(shown.count(), 2, "{live:?}");
        }
        let lesson_as_live = compute(Rect::new(0, 0, 110, 30), Pane::Lesson, false, Pane::Lesson);
        assert!(lesson_as_live.cluster.is_some());
    }
}
