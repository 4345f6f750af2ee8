//! What the shell pane hears back from its pty, and what it asks the effect runner to do.

use super::model::ShellSpec;

#[derive(Debug, Clone)]
pub enum ShellMsg {
    /// Bytes the shell wrote to its terminal, in order.
    Output { session: u64, bytes: Vec<u8> },
    /// The shell ended; `code` is its exit status, `signal` the signal that ended it, if any.
    Exited {
        session: u64,
        code: u32,
        signal: Option<String>,
    },
    /// No shell could be started (no pty, the program is missing, …).
    SpawnFailed { session: u64, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellEffect {
    /// Start `spec` in a new pty of `rows` × `cols`; a shell still running is ended first.
    Spawn {
        session: u64,
        spec: ShellSpec,
        rows: u16,
        cols: u16,
    },
    /// Bytes for the shell's input, as if typed.
    Write(Vec<u8>),
    /// The pane's text area changed size: the pty follows, so the shell's lines wrap there.
    Resize { rows: u16, cols: u16 },
}
