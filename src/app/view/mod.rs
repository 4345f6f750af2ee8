//! Drawing the whole screen: a pure function of the model. The header, status bar and help are
//! the app's own; each pane is drawn by its feature.

pub mod confirm;
pub mod header;
pub mod help;
pub mod presenter;
pub mod status_bar;

use ratatui::Frame;

use super::Model;
use super::model::Overlay;
use crate::features::{cluster, lesson, shell, traffic};
use crate::ui::layout::Arrangement;
use crate::ui::theme::Theme;
use crate::ui::too_small;

pub fn draw(frame: &mut Frame, model: &Model) {
    let theme = Theme::named(model.theme, model.color);
    // Light and contrast paint their own background; dark leaves the terminal's.
    let area = frame.area();
    frame.buffer_mut().set_style(area, theme.base());
    let layout = &model.layout;
    if layout.arrangement() == Arrangement::TooSmall {
        too_small::draw(frame, frame.area(), theme);
        return;
    }
    header::draw(frame, model, theme);
    if crate::app::presenter::status_shown(model) {
        status_bar::draw(frame, model, theme);
    }
    if let Some(area) = layout.lesson {
        lesson::view::draw(frame, area, model, theme);
    }
    presenter::draw_title(frame, model, theme);
    if let Some(area) = layout.cluster {
        cluster::view::draw(frame, area, model, theme);
    }
    if let Some(area) = layout.traffic {
        traffic::view::draw(frame, area, model, theme);
    }
    if let Some(area) = layout.shell {
        shell::view::draw(frame, area, model, theme);
    }
    match &model.overlay {
        Some(Overlay::Help(scroll)) => help::draw(frame, frame.area(), *scroll, theme),
        Some(Overlay::Confirm(confirmation)) => {
            confirm::draw(frame, frame.area(), confirmation, theme);
        }
        Some(Overlay::Solution(note)) => {
            lesson::solution_view::draw(frame, frame.area(), note, theme);
        }
        Some(Overlay::Toc(toc)) => {
            lesson::toc_view::draw(frame, frame.area(), toc, model.lesson.index, theme);
        }
        None => {}
    }
    if let Some(state) = &model.editor {
        traffic::editor::view::draw(frame, frame.area(), state, theme);
    }
    theme.settle(frame.buffer_mut());
}
