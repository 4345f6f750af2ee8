//! Importing a guide in the customer's Markdown format: every `##` section becomes a lesson.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::format::{Lesson, LessonError, Step, split_front_matter};
use super::highlight::extract_commands;
use super::shortcode::expand_in_text;

/// Reads and splits the guide at `path`.
pub fn load_guide(path: &Path) -> Result<Vec<Lesson>, LessonError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|error| LessonError::new(&name, 0, format!("cannot read guide: {error}")))?;
    parse_guide(&name, &text)
}

/// Splits a guide into lessons, one per `##` section (its `###` subsections included).
/// Front matter keys are the guide's own business and are not checked.
pub fn parse_guide(file_name: &str, text: &str) -> Result<Vec<Lesson>, LessonError> {
    let (body, body_first_line) = match split_front_matter(file_name, text) {
        None => (text.strip_prefix('\u{feff}').unwrap_or(text), 1),
        Some(Err(error)) => return Err(error),
        Some(Ok(split)) => {
            let skipped = text.len() - split.body.len();
            (split.body, text[..skipped].lines().count() + 1)
        }
    };
    let sections = sections(body);
    if sections.is_empty() {
        return Err(LessonError::new(
            file_name,
            body_first_line,
            "the guide has no `## ` sections to turn into lessons",
        ));
    }
    let mut used_ids = HashSet::new();
    let lessons = sections
        .into_iter()
        .enumerate()
        .map(|(index, section)| {
            let number = index + 1;
            let mut id = slugify(&section.title);
            if id.is_empty() {
                id = format!("section-{number}");
            }
            if !used_ids.insert(id.clone()) {
                id = format!("{id}-{number}");
                used_ids.insert(id.clone());
            }
            Lesson {
                number,
                id,
                title: section.title,
                steps: steps_of(section.body),
                body: section.body.to_string(),
                source: file_name.to_string(),
            }
        })
        .collect();
    Ok(lessons)
}

struct Section<'a> {
    title: String,
    body: &'a str,
}

/// Finds `## ` headings outside fenced code and slices the text between them.
fn sections(text: &str) -> Vec<Section<'_>> {
    let mut found: Vec<(String, usize, usize)> = Vec::new(); // title, heading start, body start
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = line.trim();
        if let Some(marker) = fence_marker(trimmed) {
            match fence {
                None => fence = Some(marker),
                Some((c, n))
                    if marker.0 == c && marker.1 >= n && trimmed.chars().all(|x| x == c) =>
                {
                    fence = None
                }
                Some(_) => {}
            }
        } else if fence.is_none()
            && indent < 4
            && let Some(title) = trimmed.strip_prefix("## ")
        {
            let title = title.trim().trim_end_matches('#').trim();
            found.push((clean_title(title), offset, offset + line.len()));
        }
        offset += line.len();
    }
    let ends: Vec<usize> = found
        .iter()
        .skip(1)
        .map(|(_, start, _)| *start)
        .chain([text.len()])
        .collect();
    found
        .into_iter()
        .zip(ends)
        .map(|((title, _, body_start), end)| Section {
            title,
            body: text[body_start..end].trim_matches('\n'),
        })
        .collect()
}

fn fence_marker(trimmed: &str) -> Option<(char, usize)> {
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = trimmed.chars().take_while(|x| *x == c).count();
    (count >= 3).then_some((c, count))
}

/// Heading text without inline Markdown marks.
fn clean_title(title: &str) -> String {
    title
        .chars()
        .filter(|c| !matches!(c, '`' | '*' | '_'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Lowercase, words joined by `-`; Hangul and other letters are kept.
fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// One step per code block that has `$ ` commands, titled by the text just before it.
fn steps_of(body: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut last_text = String::new();
    let mut current_text = String::new();
    let mut code: Option<String> = None;
    for event in Parser::new(body) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                if !current_text.trim().is_empty() {
                    last_text = std::mem::take(&mut current_text);
                }
                code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                let text = expand_in_text(&code.take().unwrap_or_default());
                let has_prompt = text.lines().any(|line| line.trim_start().starts_with("$ "));
                let commands = extract_commands(&text);
                if has_prompt && !commands.is_empty() {
                    let title = step_title(&last_text).unwrap_or_else(|| commands[0].clone());
                    steps.push(Step { title, commands });
                }
            }
            Event::Text(text) | Event::Code(text) => match code.as_mut() {
                Some(code) => code.push_str(&text),
                None => current_text.push_str(&text),
            },
            Event::SoftBreak | Event::HardBreak => current_text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                if !current_text.trim().is_empty() {
                    last_text = std::mem::take(&mut current_text);
                }
            }
            _ => {}
        }
    }
    steps
}

fn step_title(text: &str) -> Option<String> {
    let title = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let title = title.trim_end_matches([':', '.', ' ']).trim();
    (!title.is_empty()).then(|| title.to_string())
}
