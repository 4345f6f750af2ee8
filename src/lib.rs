//! istio-lab: an interactive terminal lab guide for the Istio service mesh.

pub mod app;
pub mod cli;
pub mod cluster;
pub mod lesson;
pub mod lesson_source;
pub mod sim;
pub mod traffic;
pub mod ui;
