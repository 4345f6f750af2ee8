//! Talking to a Kubernetes cluster: client, watchers, row types, mesh resources, apply.

pub mod rows;

pub use rows::{Health, PodRow, ServiceRow, format_age};
