//! Row types: Kubernetes objects reduced to the columns `kubectl get` prints.

pub mod age;
pub mod health;
pub mod pod;
pub mod service;

pub use age::format_age;
pub use health::Health;
pub use pod::PodRow;
pub use service::ServiceRow;
