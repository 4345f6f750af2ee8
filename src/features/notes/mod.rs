//! Speaker notes on a second screen: the presenter's app publishes where it is (lesson and
//! step) on a local Unix socket; `istio-lab notes`, in another terminal, follows it and shows
//! the step's notes, the next step and a clock. No network is involved.

pub mod channel;
pub mod model;
pub mod position;
pub mod runner;
pub mod view;

pub use channel::{Publisher, socket_path};
pub use model::{Follower, NotesMsg};
pub use position::Position;
