//! Choosing the lessons to show (built-in or `--guide`), finding one, and printing it as plain text.

use color_eyre::eyre::{Result, bail, eyre};

use crate::cli::LessonSource;
use crate::features::lesson::{self, Lesson};

pub struct Loaded {
    pub lessons: Vec<Lesson>,
    /// Identifies this lesson set in the progress file.
    pub key: String,
}

pub fn load(source: &LessonSource) -> Result<Loaded> {
    let (lessons, key) = match &source.guide {
        Some(path) => {
            let lessons = lesson::load_guide(path).map_err(|e| eyre!("{e}"))?;
            let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            (lessons, format!("guide:{}", absolute.display()))
        }
        None => {
            let lessons = lesson::builtin(&source.lang).map_err(|e| eyre!("{e}"))?;
            (lessons, format!("builtin:{}", source.lang))
        }
    };
    if lessons.is_empty() {
        bail!("레슨이 하나도 없습니다");
    }
    Ok(Loaded { lessons, key })
}

/// Finds a lesson by its number (`3`, `03`) or its id.
pub fn find<'a>(lessons: &'a [Lesson], wanted: &str) -> Result<&'a Lesson> {
    let by_number = wanted.parse::<usize>().ok();
    lessons
        .iter()
        .find(|l| Some(l.number) == by_number || l.id == wanted)
        .ok_or_else(|| {
            let known: Vec<String> = lessons
                .iter()
                .map(|l| format!("{} ({})", l.number, l.id))
                .collect();
            eyre!(
                "'{wanted}' 레슨이 없습니다. 있는 레슨: {}",
                known.join(", ")
            )
        })
}

/// The lesson as the pane shows it: its title line, then the body wrapped to `width`.
pub fn render_plain(lesson: &Lesson, width: u16) -> String {
    let rendered = lesson::render(&lesson.body, width);
    let title = crate::ui::text::truncate(
        &format!("{}. {}", lesson.number, lesson.title),
        usize::from(width),
    );
    format!("{title}\n\n{}\n", rendered.plain_text())
}
