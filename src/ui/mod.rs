//! Shared drawing pieces: the theme, screen geometry and widgets used by several features.

pub mod big_text;
pub mod layout;
pub mod line_edit;
pub mod popup;
pub mod table;
pub mod text;
pub mod theme;
pub mod too_small;
