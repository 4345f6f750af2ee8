//! The features, one folder each: its model, update, view and the effects it asks for.
//! `app` composes them; none of them knows about the others' keys or drawing.

pub mod class;
pub mod cluster;
pub mod lesson;
pub mod notes;
pub mod shell;
pub mod traffic;
