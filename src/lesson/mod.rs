//! Lessons: the lesson file format, Markdown to styled text, Korean-aware wrapping.

mod codeblock;
mod format;
mod guide;
mod highlight;
mod loader;
mod markdown;
mod shortcode;
mod table;
mod text;
pub mod wrap;

pub use format::{Lesson, LessonError, Step, parse_lesson};
pub use guide::{load_guide, parse_guide};
pub use highlight::{extract_commands, guess_language};
pub use loader::{builtin, builtin_languages, load_dir};
pub use markdown::{CodeBlock, Heading, Rendered, render};
pub use text::{SpanKind, StyledLine, StyledSpan, display_width};
