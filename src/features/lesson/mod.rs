//! The lesson feature: the lesson format, Markdown to styled text, Korean-aware wrapping, and the
//! lesson pane's state, keys, step checks, code-block actions and view.
//!
//! A lesson is `lessons/<lang>/NN-slug.md`: YAML front matter between `---` lines with
//! `id`, `title` and optional `steps` (each a `title` and `commands`), then a Markdown body.
//! Built-in lessons are embedded at build time (see `build.rs`); `load_dir` reads a folder
//! and `load_guide` turns a guide's `##` sections into lessons. Every problem is a
//! [`LessonError`] shown as `FILE:LINE: message`.
//!
//! [`render`] turns Markdown into [`StyledLine`]s of [`SpanKind`]-tagged text that never
//! exceed the requested width; the UI maps kinds to colours in its theme.

pub mod analysis;
pub mod block_actions;
pub mod check;
pub mod check_report;
pub mod checklist_view;
mod codeblock;
pub mod effects;
mod format;
mod guide;
mod guide_cleanup;
mod highlight;
mod loader;
mod markdown;
pub mod model;
pub mod msg;
pub mod position;
pub mod probe;
pub mod progress;
pub mod reset;
pub mod reset_view;
pub mod run_command;
mod shortcode;
pub mod solution_view;
pub mod source;
pub mod step_update;
pub mod steps;
mod table;
mod text;
pub mod toc_view;
pub mod update;
pub mod view;
pub mod wrap;

pub use codeblock::CodeBlock;
pub use format::{Lesson, LessonError, Step, parse_lesson};
pub use guide::{load_guide, parse_guide};
pub use highlight::{extract_commands, guess_language};
pub use loader::{builtin, builtin_languages, load_dir};
pub use markdown::{Heading, Rendered, render};
pub use text::{SpanKind, StyledLine, StyledSpan, display_width};
