//! Importing a guide in the customer's Markdown format: every `##` section becomes a lesson.

use std::collections::HashSet;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_saphyr::{MessageFormatter, UserMessageFormatter};

use super::format::{Lesson, LessonError, Step, split_front_matter};
use super::guide_cleanup::tidy;
use super::highlight::{Syntax, extract_commands, guess_language, syntax_of};
use super::shortcode::expand_in_text;

/// Reads and splits the guide at `path`.
pub fn load_guide(path: &Path) -> Result<Vec<Lesson>, LessonError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| {
        LessonError::new(
            &name,
            0,
            format!("가이드를 읽을 수 없습니다: {}", io_reason(&error)),
        )
    })?;
    parse_guide(&name, &text)
}

/// A file error in the lessons' language; the rare kinds keep the system's own text.
fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "파일이 없습니다".into(),
        std::io::ErrorKind::PermissionDenied => "읽을 권한이 없습니다".into(),
        std::io::ErrorKind::IsADirectory => "파일이 아니라 폴더입니다".into(),
        _ => error.to_string(),
    }
}

/// Splits a guide into lessons, one per `##` section (its `###` subsections included).
/// Front matter keys are the guide's own business; the front matter must still be a YAML
/// mapping, or the guide is refused with the line of the problem.
pub fn parse_guide(file_name: &str, text: &str) -> Result<Vec<Lesson>, LessonError> {
    let (body, body_first_line) = match split_front_matter(file_name, text) {
        None => (text.strip_prefix('\u{feff}').unwrap_or(text), 1),
        Some(Err(error)) => return Err(error),
        Some(Ok(split)) => {
            check_front_matter(file_name, split.yaml)?;
            let skipped = text.len() - split.body.len();
            (split.body, text[..skipped].lines().count() + 1)
        }
    };
    let sections = sections(body);
    if sections.is_empty() {
        return Err(LessonError::new(
            file_name,
            body_first_line,
            "가이드에 레슨으로 바꿀 `## ` 구역이 없습니다",
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
                steps: steps_of(&tidy(section.body)),
                body: tidy(section.body),
                source: file_name.to_string(),
                pane: None,
            }
        })
        .collect();
    Ok(lessons)
}

/// The guide's front matter (description, sidebar, prev, next…) must parse as a mapping.
fn check_front_matter(file_name: &str, yaml: &str) -> Result<(), LessonError> {
    if yaml.trim().is_empty() {
        return Ok(());
    }
    let parsed: Result<std::collections::BTreeMap<String, serde_json::Value>, _> =
        serde_saphyr::from_str(yaml);
    parsed.map(|_| ()).map_err(|error| {
        // The YAML starts on the file's second line, after the opening `---`.
        let line = error
            .location()
            .map_or(2, |l| usize::try_from(l.line()).unwrap_or(0) + 1);
        let reason: String = UserMessageFormatter
            .format_message(&error)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        LessonError::new(
            file_name,
            line,
            format!(
                "가이드의 front matter가 YAML 매핑이 아닙니다: {}",
                crate::features::traffic::yaml_reason::korean(&reason)
            ),
        )
    })
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

/// One step per shell code block (labelled, prompted or guessed), titled by the text just
/// before it.
fn steps_of(body: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut last_text = String::new();
    let mut current_text = String::new();
    let mut code: Option<String> = None;
    let mut label = String::new();
    let body = expand_in_text(body);
    for event in Parser::new(&body) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                if !current_text.trim().is_empty() {
                    last_text = std::mem::take(&mut current_text);
                }
                label = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                let text = code.take().unwrap_or_default();
                let lang = if label.is_empty() {
                    guess_language(&text)
                } else {
                    label.as_str()
                };
                let commands = extract_commands(&text);
                if syntax_of(lang) == Syntax::Shell && !commands.is_empty() {
                    let title = step_title(&last_text)
                        .unwrap_or_else(|| commands.first().cloned().unwrap_or_default());
                    steps.push(Step {
                        title,
                        commands,
                        ..Step::default()
                    });
                }
            }
            Event::Text(text) | Event::Code(text) => match code.as_mut() {
                Some(code) => code.push_str(&text),
                None => current_text.push_str(&text),
            },
            Event::SoftBreak | Event::HardBreak => current_text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_))
                if !current_text.trim().is_empty() =>
            {
                last_text = std::mem::take(&mut current_text);
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = include_str!("../../../tests/fixtures/guide/mini-guide.md");

    #[test]
    fn each_level_two_section_is_a_lesson() {
        let lessons = parse_guide("mini-guide.md", MINI).unwrap();
        let summary: Vec<(usize, &str, &str)> = lessons
            .iter()
            .map(|l| (l.number, l.id.as_str(), l.title.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "설치하기", "설치하기"),
                (2, "예제-배포", "예제 배포"),
                (3, "정리", "정리")
            ]
        );
        assert!(lessons[1].body.contains("### 상태 확인"));
        assert!(lessons[1].body.contains("## 코드 속 제목은 구역이 아니다"));
        assert!(!lessons[0].body.contains("작은 메시 안내서"));
        assert!(lessons.iter().all(|l| l.source == "mini-guide.md"));
    }

    #[test]
    fn code_blocks_with_prompts_become_steps() {
        let lessons = parse_guide("mini-guide.md", MINI).unwrap();
        let steps: Vec<(&str, Vec<&str>)> = lessons[0]
            .steps
            .iter()
            .map(|s| {
                (
                    s.title.as_str(),
                    s.commands.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            steps,
            vec![
                (
                    "설치 파일을 내려받는다",
                    vec!["curl -L https://istio.io/downloadIstio | sh -"]
                ),
                ("경로를 잡아 준다", vec!["export PATH=$PWD/bin:$PATH"]),
            ]
        );
        assert_eq!(lessons[1].steps.len(), 2);
        assert_eq!(
            lessons[1].steps[1].commands,
            vec!["kubectl get pods".to_string()]
        );
        let cleanup: Vec<(&str, &[String])> = lessons[2]
            .steps
            .iter()
            .map(|s| (s.title.as_str(), s.commands.as_slice()))
            .collect();
        assert_eq!(
            cleanup,
            vec![(
                "예제를 지운다",
                &["kubectl delete -f samples/bookinfo/platform/kube/bookinfo.yaml".to_string()][..]
            )]
        );
    }

    #[test]
    fn guide_without_sections_is_an_error() {
        let error = parse_guide("g.md", "---\na: b\n---\n# 제목만\n").unwrap_err();
        assert_eq!(error.line, 4);
        assert!(error.to_string().starts_with("g.md:4: "));
    }

    #[test]
    fn repeated_titles_get_distinct_ids() {
        let lessons =
            parse_guide("g.md", "## Setup\na\n## Setup\nb\n## `kubectl` 사용!\n").unwrap();
        let ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, vec!["setup", "setup-2", "kubectl-사용"]);
        assert_eq!(lessons[2].title, "kubectl 사용!");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(parse_guide("g.md", "---\ndescription: x\n## a\n").is_err());
    }

    #[test]
    fn front_matter_that_is_not_a_yaml_mapping_is_refused_with_its_line() {
        let broken = "---\ndescription: ''\nsidebar: [open\nnext: ''\n---\n## a\n\ntext\n";
        let error = parse_guide("g.md", broken).expect_err("broken YAML is refused");
        assert_eq!(error.file, "g.md");
        assert!((3..=4).contains(&error.line), "{error}");
        assert!(error.message.contains("front matter"), "{error}");
        let list = "---\n- a\n- b\n---\n## a\n\ntext\n";
        assert!(
            parse_guide("g.md", list).is_err(),
            "a list is not a mapping"
        );
        let fine = "---\ndescription: ''\nsidebar: 'business'\n---\n## a\n\ntext\n";
        assert_eq!(
            parse_guide("g.md", fine).expect("a mapping is fine").len(),
            1
        );
        let empty = "---\n---\n## a\n\ntext\n";
        assert!(parse_guide("g.md", empty).is_ok());
    }
}
