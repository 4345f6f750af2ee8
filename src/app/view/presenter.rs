//! Presenter mode's banner: the lesson's number and title, big, above the lesson pane.

use ratatui::Frame;

use crate::app::Model;
use crate::app::presenter::detail;
use crate::ui::big_text;
use crate::ui::theme::Theme;

pub fn draw_title(frame: &mut Frame, model: &Model, theme: Theme) {
    let (Some(area), Some(lesson)) = (model.presenter.title_area, model.current_lesson()) else {
        return;
    };
    let detail = detail(model);
    big_text::draw(
        frame.buffer_mut(),
        area,
        lesson.number,
        &lesson.title,
        &detail,
        theme,
    );
}
