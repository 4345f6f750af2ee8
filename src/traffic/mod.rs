//! The traffic lab: slider model, patching, probe.
