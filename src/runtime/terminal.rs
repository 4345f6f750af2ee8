//! Entering and leaving the full-screen terminal, so that it is restored on every way out.

use std::io::{self, Stdout, Write};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped, including while unwinding from a panic.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        take_over()?;
        let stdout = io::stdout();
        let terminal = Terminal::new(CrosstermBackend::new(stdout)).inspect_err(|_| restore())?;
        Ok(TerminalGuard { terminal })
    }

    /// Gives the terminal back, stops the process as a shell's Ctrl-Z would, and takes the
    /// terminal again once the shell continues it (`fg`), with the whole screen redrawn.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        stop_until_continued();
        take_over()?;
        // The shell drew over the screen meanwhile. ratatui's own `clear` asks the terminal
        // where its cursor is, and the input task would swallow the answer; a blank frame
        // instead makes the next frame write every cell.
        execute!(io::stdout(), terminal::Clear(terminal::ClearType::All))?;
        self.terminal
            .draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
        Ok(())
    }
}

/// Raw mode, the alternate screen, mouse reporting and bracketed paste.
fn take_over() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    ) {
        restore();
        return Err(e);
    }
    Ok(())
}

/// Stops this process with SIGTSTP's default action; returns when it is continued.
#[cfg(unix)]
fn stop_until_continued() {
    // The app handles SIGTSTP itself (to restore the terminal first), so the default action,
    // stopping, has to be carried out explicitly.
    if let Err(e) = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP) {
        tracing::warn!("could not stop the process: {e}");
    }
}

#[cfg(not(unix))]
fn stop_until_continued() {}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Idempotent: safe to call from the panic hook and again from `Drop`.
pub fn restore() {
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = stdout.flush();
}

/// The panic message must land on a normal screen, so restore before the previous hook prints.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Writes an escape sequence (such as OSC 52) straight to the terminal, outside ratatui's buffer.
pub fn write_raw(sequence: &str) -> io::Result<()> {
    let mut stdout = io::stdout();
    stdout.write_all(sequence.as_bytes())?;
    stdout.flush()
}
