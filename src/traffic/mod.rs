//! The traffic lab's pure logic: sliders, VirtualService patches, pre-send checks, observed split and send pacing.

pub mod checks;
pub mod host;
pub mod observed;
pub mod patch;
pub mod probe;
pub mod slider;

pub use slider::{Sliders, Subset};
