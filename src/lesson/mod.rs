//! Lessons: format, Markdown to styled text, Korean wrapping.
// TEMPORARY STUB: replaced by the lesson engine branch.
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Lesson {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
    pub body: String,
    pub source: String,
}
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    pub commands: Vec<String>,
}
#[derive(Debug, Clone)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub message: String,
}
impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}
impl std::error::Error for LessonError {}
pub fn builtin(_lang: &str) -> Result<Vec<Lesson>, LessonError> {
    Ok(vec![Lesson {
        number: 1,
        id: "a".into(),
        title: "가".into(),
        steps: vec![],
        body: "본문\n\n```sh\n$ ls\n```\n".into(),
        source: "x".into(),
    }])
}
pub fn load_guide(_path: &Path) -> Result<Vec<Lesson>, LessonError> {
    builtin("ko")
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Text,
    Strong,
    Emphasis,
    Heading(u8),
    InlineCode,
    Link,
    Url,
    ImageAlt,
    ListMarker,
    QuoteMarker,
    Callout,
    CodeFrame,
    CodeText,
    CodePrompt,
    CodeCommand,
    CodeFlag,
    CodeString,
    CodeComment,
    CodeVariable,
    CodeKey,
    CodeOutput,
    TableBorder,
    TableHeader,
    Rule,
    Shortcode,
}
#[derive(Debug, Clone)]
pub struct StyledSpan {
    pub text: String,
    pub kind: SpanKind,
}
#[derive(Debug, Clone, Default)]
pub struct StyledLine {
    pub spans: Vec<StyledSpan>,
    pub code_block: Option<usize>,
}
impl StyledLine {
    pub fn plain(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}
#[derive(Debug, Clone)]
pub struct CodeBlock {
    pub lang: String,
    pub text: String,
    pub commands: Vec<String>,
    pub first_line: usize,
    pub last_line: usize,
}
#[derive(Debug, Clone)]
pub struct Heading {
    pub line: usize,
    pub level: u8,
    pub text: String,
}
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub lines: Vec<StyledLine>,
    pub code_blocks: Vec<CodeBlock>,
    pub headings: Vec<Heading>,
}
impl Rendered {
    pub fn plain_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.plain())
            .collect::<Vec<_>>()
            .join("\n")
    }
}
pub fn render(markdown: &str, _width: u16) -> Rendered {
    Rendered {
        lines: markdown
            .lines()
            .map(|l| StyledLine {
                spans: vec![StyledSpan {
                    text: l.to_string(),
                    kind: SpanKind::Text,
                }],
                code_block: None,
            })
            .collect(),
        code_blocks: vec![],
        headings: vec![],
    }
}
