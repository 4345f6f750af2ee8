//! The traffic lab's pure logic: sliders, VirtualService patches, pre-send checks, observed split and send pacing.
//!
//! Nothing here performs I/O; the app's update function calls into it with the latest watched
//! objects (`DynamicObject::data` as `serde_json::Value`) and explicit times.

pub mod checks;
pub mod debounce;
pub mod host;
pub mod observed;
pub mod patch;
pub mod probe;
pub mod slider;

pub use checks::{Finding, PodInfo, Severity, check};
pub use debounce::{Deadline, Debouncer, MIN_INTERVAL};
pub use observed::{Counts, ObservedSplit, Verdict};
pub use patch::{
    FIELD_MANAGER, WeightedRoute, apply_body, field_manager_of_last_change, merge_patch,
    weighted_route,
};
pub use probe::{ErrorKind, Served, classify, classify_response};
pub use slider::{Sliders, Subset};
pub mod validate;
