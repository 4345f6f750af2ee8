//! The application: the features composed into one `Model`, one `Msg` and one `Effect` type,
//! the pure `update` that dispatches to them, and the drawing of the whole screen.

pub mod init;
pub mod model;
pub mod msg;
pub mod presenter;
pub mod update;
pub mod view;

pub use model::Model;
pub use msg::{Effect, Msg};
pub use update::update;
