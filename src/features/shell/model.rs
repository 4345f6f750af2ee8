//! The shell pane's state: what to start, whether it runs, and the terminal screen (vt100) its
//! output has drawn, with scrollback.

use std::path::PathBuf;

use tui_term::vt100;

/// Lines kept above the screen for Shift-PgUp and the mouse wheel.
pub const SCROLLBACK_LINES: usize = 2_000;

/// The shell to start and the environment that points it at the app's cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellSpec {
    pub program: String,
    pub args: Vec<String>,
    /// Set on top of the app's own environment.
    pub env: Vec<(String, String)>,
    /// Folders put in front of `PATH` (the demo's `istioctl` stand-in).
    pub path_prepend: Vec<PathBuf>,
    pub cwd: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellState {
    /// No shell was configured (tests, or the app could not prepare one).
    Unavailable(String),
    Running,
    Exited {
        code: u32,
        signal: Option<String>,
    },
    Failed(String),
}

pub struct ShellView {
    pub spec: Option<ShellSpec>,
    pub state: ShellState,
    /// Identifies the running shell, so output of one that was replaced is dropped.
    pub session: u64,
    pub parser: vt100::Parser,
    /// The size the pty was last told (rows, cols); the parser follows the pane at once.
    pub pty_size: (u16, u16),
    /// The pane focused before the shell took the keys: the escape key goes back there.
    pub return_to: Option<crate::ui::layout::Pane>,
}

impl Default for ShellView {
    fn default() -> ShellView {
        ShellView {
            spec: None,
            state: ShellState::Unavailable("셸이 설정되지 않았습니다".into()),
            session: 0,
            parser: vt100::Parser::new(24, 80, SCROLLBACK_LINES),
            pty_size: (24, 80),
            return_to: None,
        }
    }
}

impl ShellView {
    pub fn running(&self) -> bool {
        self.state == ShellState::Running
    }

    /// Whether `r` can type into a shell: one runs, or one can be started again.
    pub fn can_run(&self) -> bool {
        self.running() || (self.spec.is_some() && matches!(self.state, ShellState::Exited { .. }))
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// The visible screen as text, one line per row, trailing blanks trimmed (for tests).
    pub fn text(&self) -> String {
        self.screen().contents()
    }
}
