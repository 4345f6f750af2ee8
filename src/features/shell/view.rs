//! The shell pane: the vt100 screen drawn cell by cell (tui-term), the escape key in the
//! border, and what happened when there is no shell running.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear};
use tui_term::widget::{Cursor, PseudoTerminal};

use super::keys::ESCAPE_KEY_LABEL;
use super::model::{ShellState, ShellView};
use crate::app::Model;
use crate::ui::layout::Pane;
use crate::ui::text::truncate;
use crate::ui::theme::Theme;

/// Where the shell's screen goes inside the pane: all of it within the border, since a
/// terminal program expects every column it is told about.
pub fn text_area(pane: Rect) -> Rect {
    Rect::new(
        pane.x + 1,
        pane.y + 1,
        pane.width.saturating_sub(2),
        pane.height.saturating_sub(2),
    )
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    let focused = model.focus == Pane::Shell;
    let shell = &model.shell;
    // The widget clears its area first: the block and the screen carry the theme's ground.
    let mut block = Block::bordered()
        .style(theme.base())
        .border_type(BorderType::Rounded)
        .border_style(theme.border(focused))
        .title(Span::styled(" 셸 ", theme.title(focused)));
    let hint = if focused {
        format!(" {ESCAPE_KEY_LABEL} 나가기 · Shift-PgUp 스크롤 ")
    } else {
        " F4 셸로 ".to_string()
    };
    // Presenting: no key hints on the projector.
    if !model.presenter.on {
        block = block.title_top(Line::styled(hint, theme.muted()).right_aligned());
    }
    let back = shell.screen().scrollback();
    if back > 0 {
        let text = format!(" ↑ {back}줄 위 · Shift-PgDn 아래로 ");
        block = block.title_bottom(Line::styled(text, theme.key()).right_aligned());
    }
    let cursor = Cursor::default().visibility(focused && shell.running() && back == 0);
    let terminal = PseudoTerminal::new(shell.screen())
        .style(theme.base())
        .block(block)
        .cursor(cursor);
    frame.render_widget(&terminal, area);
    if let Some(notice) = notice(shell) {
        let text = text_area(area);
        if text.height == 0 {
            return;
        }
        let row = Rect::new(text.x, text.bottom() - 1, text.width, 1);
        frame.render_widget(Clear, row);
        frame.buffer_mut().set_style(row, theme.base());
        let line = truncate(&notice, usize::from(text.width));
        frame.render_widget(Line::styled(line, theme.warning()), row);
    }
}

/// What the pane says when no shell is running.
pub fn notice(shell: &ShellView) -> Option<String> {
    match &shell.state {
        ShellState::Running => None,
        ShellState::Exited { code, signal } => {
            let how = match signal {
                Some(signal) => format!("시그널 {signal}"),
                None => format!("종료 코드 {code}"),
            };
            Some(format!("셸이 끝났습니다 ({how}). Enter: 새 셸 시작"))
        }
        ShellState::Failed(reason) => Some(format!(
            "셸을 시작하지 못했습니다: {reason} · Enter: 다시 시도"
        )),
        ShellState::Unavailable(reason) => Some(reason.clone()),
    }
}
