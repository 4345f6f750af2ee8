//! istio-lab: an interactive terminal lab guide for the Istio service mesh.

pub mod app;
pub mod cli;
pub mod features;
pub mod istioctl;
pub mod runtime;
pub mod sim;
pub mod ui;
