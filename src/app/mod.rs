//! Application state, messages and the pure update function.
