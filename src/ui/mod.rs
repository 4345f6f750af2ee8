//! Drawing: a pure function of the model. One widget per file, the theme in one place.

pub mod cluster_pane;
pub mod editor;
pub mod header;
pub mod help;
pub mod layout;
pub mod lesson_pane;
pub mod popup;
pub mod status_bar;
pub mod table;
pub mod text;
pub mod theme;
pub mod toc;
pub mod too_small;
pub mod traffic_layout;
pub mod traffic_pane;

use ratatui::Frame;

use crate::app::Model;
use crate::app::model::Overlay;
use layout::Arrangement;
use theme::Theme;

pub fn draw(frame: &mut Frame, model: &Model) {
    let theme = Theme::new(model.color);
    let layout = &model.layout;
    if layout.arrangement() == Arrangement::TooSmall {
        too_small::draw(frame, frame.area(), theme);
        return;
    }
    header::draw(frame, model, theme);
    status_bar::draw(frame, model, theme);
    if let Some(area) = layout.lesson {
        lesson_pane::draw(frame, area, model, theme);
    }
    if let Some(area) = layout.cluster {
        cluster_pane::draw(frame, area, model, theme);
    }
    if let Some(area) = layout.traffic {
        traffic_pane::draw(frame, area, model, theme);
    }
    match &model.overlay {
        Some(Overlay::Help(scroll)) => help::draw(frame, frame.area(), *scroll, theme),
        Some(Overlay::Toc(toc)) => toc::draw(frame, frame.area(), toc, model.lesson.index, theme),
        None => {}
    }
    if let Some(state) = &model.editor {
        editor::draw(frame, frame.area(), state, theme);
    }
}
