//! The traffic lab: sliders for the `reviews` VirtualService and their pacing, patch bodies,
//! pre-send checks, the probe and its observed split, the YAML editor, the Kiali forward; its
//! state, keys, view and effects.
//!
//! Everything but `effects`, `probe_route` and `kiali_forward` is pure: update calls into it with the latest
//! watched objects and explicit times.

pub mod checks;
pub mod debounce;
pub mod editor;
pub mod effects;
pub mod host;
pub mod keys;
pub mod kiali;
pub mod kiali_forward;
pub mod kiali_state;
pub mod layout;
pub mod model;
pub mod msg;
pub mod observed;
pub mod patch;
pub mod probe;
pub mod probe_route;
pub mod slider;
pub mod update;
pub mod view;

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
pub mod yaml_reason;
