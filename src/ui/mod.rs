//! Drawing: one widget per file, theme in one place.
