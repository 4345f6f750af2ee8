//! Application state, the one message type, and the pure update function.

pub mod cluster_effects;
pub mod cluster_keys;
pub mod cluster_view;
pub mod code_blocks;
pub mod editor;
pub mod editor_keys;
pub mod init;
pub mod lesson_nav;
pub mod model;
pub mod msg;
pub mod osc52;
pub mod pod_groups;
pub mod progress;
pub mod run_command;
pub mod runtime;
pub mod steps;
pub mod terminal;
pub mod traffic_keys;
pub mod traffic_view;
pub mod update;

pub use model::Model;
pub use msg::{Effect, Msg};
pub use update::update;
