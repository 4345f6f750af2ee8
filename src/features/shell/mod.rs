//! The shell pane: the learner's own shell in a pseudo-terminal inside the app, pointed at the
//! cluster the app watches, so every step of a lesson can be done without leaving the app.
//! The pty lives in the effect runner (`effects`); its output comes back as `ShellMsg::Output`
//! and is parsed into the model's vt100 screen, which the view draws.

pub mod effects;
pub mod keys;
pub mod model;
pub mod msg;
pub mod setup;
pub mod update;
pub mod view;

pub use model::{ShellSpec, ShellState, ShellView};
pub use msg::{ShellEffect, ShellMsg};
