//! Geometry of the traffic pane's sliders, shared by drawing and mouse hit-testing.

use ratatui::layout::Rect;

use crate::features::cluster::mesh::{Weight, weight_from};
use crate::ui::layout::pane_text_area;

/// Columns before a slider's bar: marker, name and lock ("▶ v1     🔒 ").
pub const LABEL_WIDTH: u16 = 12;
/// Columns after it: the weight and the cluster's value (" 100 ⇐100 ").
pub const VALUE_WIDTH: u16 = 10;
/// Rows above the first slider: the resource line and the status line.
pub const HEADER_ROWS: u16 = 2;

/// The bar of slider `index` inside a traffic pane at `pane`, if it fits.
pub fn bar(pane: Rect, index: usize) -> Option<Rect> {
    let text = pane_text_area(pane);
    let y = text.y + HEADER_ROWS + u16::try_from(index).ok()?;
    let width = text
        .width
        .checked_sub(LABEL_WIDTH + VALUE_WIDTH + 12)?
        .max(1);
    (y < text.bottom()).then(|| Rect::new(text.x + LABEL_WIDTH, y, width, 1))
}

/// The slider and weight (0–100) under a mouse position, for a click or a drag on a bar.
pub fn hit(pane: Rect, subsets: usize, column: u16, row: u16) -> Option<(usize, Weight)> {
    (0..subsets).find_map(|index| {
        let bar = bar(pane, index)?;
        if row != bar.y || column + 1 < bar.x || column > bar.right() {
            return None;
        }
        let offset = i32::from(column.saturating_sub(bar.x).min(bar.width));
        let weight = (offset * 100 + i32::from(bar.width) / 2) / i32::from(bar.width.max(1));
        Some((index, weight_from(i64::from(weight))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_of_a_bar_map_to_0_and_100() {
        let pane = Rect::new(0, 0, 80, 20);
        let bar = bar(pane, 1).unwrap();
        assert_eq!(hit(pane, 3, bar.x, bar.y), Some((1, 0)));
        assert_eq!(hit(pane, 3, bar.right(), bar.y), Some((1, 100)));
        let (_, middle) = hit(pane, 3, bar.x + bar.width / 2, bar.y).unwrap();
        assert!((45..=55).contains(&middle), "{middle}");
        assert_eq!(hit(pane, 3, bar.x, bar.y + 5), None);
        assert_eq!(
            hit(pane, 1, bar.x, bar.y),
            None,
            "row 1 is not a slider with one subset"
        );
    }
}
