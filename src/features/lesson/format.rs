//! The lesson file format: `NN-slug.md` with YAML front matter between `---` fences.

use std::fmt;

use serde::Deserialize;
use serde_saphyr::{Location, MessageFormatter, Spanned, UserMessageFormatter};

use crate::ui::layout::Pane;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// From the file name's `NN`.
    pub number: usize,
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
    /// Markdown after the front matter.
    pub body: String,
    /// File name (or path) used in messages.
    pub source: String,
    /// The live pane this lesson is about (`pane:`), shown beside it on a 100–119 column screen.
    pub pane: Option<Pane>,
}

/// One step of a lesson. Unknown keys are rejected so typos surface as errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    #[serde(default)]
    pub commands: Vec<String>,
    /// A live cluster condition that ticks the step green when it holds.
    #[serde(default)]
    pub check: Option<super::check::Check>,
    /// Shown under the step once its check has been failing for a while.
    #[serde(default)]
    pub hint: Option<String>,
    /// What `s` shows; the step's commands when absent.
    #[serde(default)]
    pub solution: Option<String>,
    /// Speaker notes for the presenter, shown by `istio-lab notes` while this step is current.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A problem in a lesson file, located at a line of that file (0: the file as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl LessonError {
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    steps: Vec<Spanned<Step>>,
    #[serde(default)]
    pane: Option<LivePane>,
}

/// The front matter's `pane:` values; the lesson pane itself is not one, it is always shown.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum LivePane {
    Cluster,
    Traffic,
    Shell,
}

impl From<LivePane> for Pane {
    fn from(pane: LivePane) -> Pane {
        match pane {
            LivePane::Cluster => Pane::Cluster,
            LivePane::Traffic => Pane::Traffic,
            LivePane::Shell => Pane::Shell,
        }
    }
}

/// The front matter's YAML, the line of the file it starts on (1-based) and the body.
pub(crate) struct Split<'a> {
    pub yaml: &'a str,
    pub yaml_first_line: usize,
    pub body: &'a str,
}

/// Splits `---` fenced front matter from the body. `None` when the text has no opening fence.
pub(crate) fn split_front_matter<'a>(
    file: &str,
    text: &'a str,
) -> Option<Result<Split<'a>, LessonError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let content = line.trim_end();
        if content == "---" || content == "..." {
            return Some(Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_first_line: 2,
                body: &text[offset + line.len()..],
            }));
        }
        offset += line.len();
    }
    Some(Err(LessonError::new(
        file,
        1,
        "front matter가 닫히지 않았습니다: 여는 `---` 뒤에 닫는 `---` 줄이 없습니다",
    )))
}

/// Parses one lesson file; `file_name` must look like `NN-slug.md` (a path is fine).
pub fn parse_lesson(file_name: &str, text: &str) -> Result<Lesson, LessonError> {
    let number = number_from_file_name(file_name)?;
    let split = split_front_matter(file_name, text).unwrap_or_else(|| {
        Err(LessonError::new(
            file_name,
            1,
            "front matter가 없습니다: 레슨은 `---` 줄로 시작합니다",
        ))
    })?;
    let line_of = |location: &Location| -> usize {
        usize::try_from(location.line()).unwrap_or(0) + split.yaml_first_line - 1
    };
    let front: FrontMatter = serde_saphyr::from_str(split.yaml).map_err(|error| {
        let line = error
            .location()
            .filter(|location| location.line() > 0)
            .map_or(split.yaml_first_line, |location| line_of(&location));
        let message = UserMessageFormatter.format_message(&error);
        let message: String = message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        LessonError::new(file_name, line, message)
    })?;
    let id = front.id.value.trim().to_string();
    if !is_valid_id(&id) {
        return Err(LessonError::new(
            file_name,
            line_of(&front.id.referenced),
            format!("id `{id}`에는 영문 소문자, 숫자, `-`만 쓸 수 있습니다"),
        ));
    }
    let title = front.title.value.trim().to_string();
    if title.is_empty() {
        return Err(LessonError::new(
            file_name,
            line_of(&front.title.referenced),
            "title이 비어 있습니다",
        ));
    }
    let mut steps = Vec::with_capacity(front.steps.len());
    for step in front.steps {
        if step.value.title.trim().is_empty() {
            return Err(LessonError::new(
                file_name,
                line_of(&step.referenced),
                "단계의 title이 비어 있습니다",
            ));
        }
        steps.push(step.value);
    }
    Ok(Lesson {
        number,
        id,
        title,
        steps,
        body: split.body.to_string(),
        source: file_name.to_string(),
        pane: front.pane.map(Pane::from),
    })
}

/// The line of `id:` in a lesson's source, for duplicate-id messages.
pub(crate) fn id_line(text: &str) -> usize {
    text.lines()
        .position(|line| line.starts_with("id:"))
        .map_or(1, |index| index + 1)
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn number_from_file_name(file_name: &str) -> Result<usize, LessonError> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let bad = || {
        LessonError::new(
            file_name,
            0,
            "레슨 파일 이름은 `NN-slug.md` 꼴입니다 (예: `02-install.md`)",
        )
    };
    let stem = base.strip_suffix(".md").ok_or_else(bad)?;
    let (digits, slug) = stem.split_once('-').ok_or_else(bad)?;
    let slug_ok = !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || !slug_ok {
        return Err(bad());
    }
    digits.parse().map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "---\nid: install\ntitle: Istio 설치 (demo 프로필)\nsteps:\n  - title: demo 프로필로 설치\n    commands:\n      - istioctl install --set profile=demo -y\n---\n본문\n";

    fn error_of(file: &str, text: &str) -> String {
        match parse_lesson(file, text) {
            Ok(lesson) => panic!("expected an error, got {lesson:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn a_step_check_parses_and_a_misspelt_condition_names_its_line() {
        let with_check = VALID.replace(
            "---\n본문",
            "    check:\n      pods-ready: {namespace: istio-system, selector: app=istiod}\n---\n본문",
        );
        let lesson = parse_lesson("02-install.md", &with_check).unwrap();
        assert_eq!(
            lesson.steps[0].check,
            Some(super::super::check::Check::PodsReady {
                namespace: Some("istio-system".into()),
                selector: Some("app=istiod".into()),
                min: None,
                sidecar: None
            })
        );
        let typo = with_check.replace("pods-ready", "pods-redy");
        let error = parse_lesson("02-install.md", &typo).unwrap_err();
        assert_eq!(error.line, 9, "{error}");
    }

    #[test]
    fn parses_a_valid_lesson() {
        let lesson = parse_lesson("02-install.md", VALID).unwrap();
        assert_eq!(lesson.number, 2);
        assert_eq!(lesson.id, "install");
        assert_eq!(lesson.title, "Istio 설치 (demo 프로필)");
        assert_eq!(
            lesson.steps,
            vec![Step {
                title: "demo 프로필로 설치".into(),
                commands: vec!["istioctl install --set profile=demo -y".into()],
                ..Step::default()
            }]
        );
        assert_eq!(lesson.body, "본문\n");
        assert_eq!(lesson.source, "02-install.md");
    }

    #[test]
    fn unknown_step_key_is_reported_at_its_line_in_the_file() {
        let text = VALID.replace("    commands:", "    comands:");
        let message = error_of("02-install.md", &text);
        assert!(message.starts_with("02-install.md:6: "), "{message}");
        assert!(message.contains("comands"), "{message}");
    }

    #[test]
    fn unknown_top_level_key_is_reported_at_its_line() {
        let text = VALID.replace("title: Istio", "titel: x\ntitle: Istio");
        let message = error_of("02-install.md", &text);
        assert!(message.starts_with("02-install.md:3: "), "{message}");
    }

    #[test]
    fn bad_yaml_is_reported_inside_the_front_matter() {
        let text = "---\nid: a\ntitle: [unclosed\n---\n";
        let message = error_of("01-a.md", text);
        let line: usize = message.split(':').nth(1).unwrap().parse().unwrap();
        assert!((3..=4).contains(&line), "{message}");
    }

    #[test]
    fn missing_fences_are_errors() {
        assert_eq!(
            error_of("01-a.md", "# no front matter"),
            "01-a.md:1: front matter가 없습니다: 레슨은 `---` 줄로 시작합니다"
        );
        assert!(
            error_of("01-a.md", "---\nid: a\n")
                .starts_with("01-a.md:1: front matter가 닫히지 않았습니다")
        );
    }

    #[test]
    fn missing_title_is_an_error() {
        let message = error_of("01-a.md", "---\nid: a\n---\n");
        assert!(message.contains("title"), "{message}");
        assert!(message.starts_with("01-a.md:"), "{message}");
    }

    #[test]
    fn invalid_id_points_at_the_id_line() {
        let message = error_of("01-a.md", "---\ntitle: 제목\nid: Not Valid\n---\n");
        assert!(
            message.starts_with("01-a.md:3: id `Not Valid`"),
            "{message}"
        );
    }

    #[test]
    fn file_names_must_be_numbered_slugs() {
        for bad in [
            "install.md",
            "02_install.md",
            "02-.md",
            "ab-install.md",
            "02-install.txt",
        ] {
            let message = error_of(bad, VALID);
            assert!(
                message.starts_with(&format!("{bad}: 레슨 파일 이름은")),
                "{message}"
            );
        }
        assert_eq!(
            parse_lesson("lessons/ko/10-mtls.md", VALID).unwrap().number,
            10
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "---",
            "---\n---",
            "---\n---\n",
            "\u{feff}---\nid: a\ntitle: b\n---",
            "---\n\t: :\n---\n",
        ] {
            let _ = parse_lesson("01-a.md", text);
        }
        assert!(parse_lesson("01-a.md", "\u{feff}---\nid: a\ntitle: b\n---").is_ok());
    }

    #[test]
    fn pane_names_a_live_pane_and_anything_else_is_refused_at_its_line() {
        assert_eq!(parse_lesson("02-install.md", VALID).unwrap().pane, None);
        let traffic = VALID.replace("steps:", "pane: traffic\nsteps:");
        let lesson = parse_lesson("02-install.md", &traffic).unwrap();
        assert_eq!(lesson.pane, Some(Pane::Traffic));
        let wrong = VALID.replace("steps:", "pane: lesson\nsteps:");
        let error = error_of("02-install.md", &wrong);
        assert!(error.starts_with("02-install.md:4:"), "{error}");
    }
}
