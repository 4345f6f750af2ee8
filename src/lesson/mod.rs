//! Lessons: format, Markdown to styled text, Korean wrapping.
