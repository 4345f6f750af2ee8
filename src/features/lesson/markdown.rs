//! Markdown to renderer-neutral styled lines, with code blocks and headings indexed.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

mod blocks;

use super::codeblock::CodeBlock;
use super::shortcode::{expand_in_spans, expand_in_text, protect};
use super::table::Cell;
use super::text::{SpanKind, StyledLine, StyledSpan, push_span};
use blocks::width_of;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// Index into `Rendered::lines` of the heading's first line.
    pub line: usize,
    pub level: u8,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub lines: Vec<StyledLine>,
    pub code_blocks: Vec<CodeBlock>,
    pub headings: Vec<Heading>,
}

impl Rendered {
    /// The text as shown, lines joined with `\n`, trailing spaces trimmed.
    pub fn plain_text(&self) -> String {
        self.lines
            .iter()
            .map(|line| line.plain().trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Renders `markdown` into lines no wider than `width` columns.
pub fn render(markdown: &str, width: u16) -> Rendered {
    let mut renderer = Renderer::new(usize::from(width));
    if renderer.width == 0 {
        return Rendered::default();
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let markdown = protect(markdown);
    for event in Parser::new_ext(&markdown, options) {
        renderer.event(event);
    }
    renderer.finish()
}

enum Container {
    Quote { kind: SpanKind },
    List { next: Option<u64> },
    Item { marker: String, shown: bool },
}

#[derive(Default)]
struct TableState {
    alignments: Vec<Alignment>,
    header: Option<Vec<Cell>>,
    rows: Vec<Vec<Cell>>,
    row: Vec<Cell>,
}

struct Renderer {
    width: usize,
    out: Rendered,
    containers: Vec<Container>,
    inline: Vec<StyledSpan>,
    styles: Vec<SpanKind>,
    /// Open links: destination and where their text starts in the inline buffer.
    links: Vec<(String, usize)>,
    image: Option<(String, String)>,
    code: Option<(String, String)>,
    table: Option<TableState>,
    html: Option<String>,
    need_blank: bool,
}

impl Renderer {
    fn new(width: usize) -> Self {
        Self {
            width,
            out: Rendered::default(),
            containers: Vec::new(),
            inline: Vec::new(),
            styles: Vec::new(),
            links: Vec::new(),
            image: None,
            code: None,
            table: None,
            html: None,
            need_blank: false,
        }
    }

    fn kind(&self) -> SpanKind {
        self.styles.last().copied().unwrap_or(SpanKind::Text)
    }

    fn inline_text(&self) -> String {
        self.inline.iter().map(|span| span.text.as_str()).collect()
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(code) => push_span(
                &mut self.inline,
                &expand_in_text(&code),
                SpanKind::InlineCode,
            ),
            Event::Html(html) => self.html.get_or_insert_with(String::new).push_str(&html),
            Event::InlineHtml(html) => {
                let tag = html.trim().to_ascii_lowercase();
                if tag.starts_with("<br") {
                    push_span(&mut self.inline, "\n", SpanKind::Text);
                }
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => push_span(&mut self.inline, "\n", SpanKind::Text),
            Event::Rule => {
                self.flush_inline();
                self.begin_block();
                let (mut spans, _) = self.prefixes();
                if width_of(&spans) >= self.width {
                    spans.clear();
                }
                let room = self.width - width_of(&spans);
                push_span(&mut spans, &"─".repeat(room), SpanKind::Rule);
                self.out.lines.push(StyledLine::new(spans));
                self.need_blank = true;
            }
            Event::TaskListMarker(done) => push_span(
                &mut self.inline,
                if done { "[x] " } else { "[ ] " },
                SpanKind::ListMarker,
            ),
            Event::FootnoteReference(name) => self.text(&format!("[{name}]")),
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                push_span(&mut self.inline, &text, SpanKind::InlineCode)
            }
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((_, code)) = self.code.as_mut() {
            code.push_str(text);
        } else if let Some((_, alt)) = self.image.as_mut() {
            alt.push_str(text);
        } else {
            expand_in_spans(text, self.kind(), &mut self.inline);
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.flush_inline(),
            Tag::Heading { level, .. } => {
                self.flush_inline();
                self.styles.push(SpanKind::Heading(heading_level(level)));
            }
            Tag::BlockQuote(_) => {
                self.flush_inline();
                self.begin_block();
                self.containers.push(Container::Quote {
                    kind: SpanKind::QuoteMarker,
                });
            }
            Tag::CodeBlock(kind) => {
                self.flush_inline();
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((info, String::new()));
            }
            Tag::List(start) => {
                self.flush_inline();
                if !self.in_item() {
                    self.begin_block();
                }
                self.containers.push(Container::List { next: start });
            }
            Tag::Item => {
                self.flush_inline();
                let marker = self.next_marker();
                self.containers.push(Container::Item {
                    marker,
                    shown: false,
                });
            }
            Tag::Table(alignments) => {
                self.flush_inline();
                self.table = Some(TableState {
                    alignments,
                    ..TableState::default()
                });
            }
            Tag::TableHead | Tag::TableRow | Tag::TableCell => self.inline.clear(),
            Tag::Emphasis => self.styles.push(SpanKind::Emphasis),
            Tag::Strong => self.styles.push(SpanKind::Strong),
            Tag::Link { dest_url, .. } => {
                self.links
                    .push((absolute_url(&dest_url), self.inline_text().len()));
                self.styles.push(SpanKind::Link);
            }
            Tag::Image { dest_url, .. } => {
                self.image = Some((absolute_url(&dest_url), String::new()));
            }
            Tag::HtmlBlock => {
                self.flush_inline();
                self.html = Some(String::new());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush_inline();
                self.need_blank = true;
            }
            TagEnd::Heading(level) => {
                self.styles.pop();
                self.heading(heading_level(level));
            }
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                self.containers.pop();
                self.need_blank = true;
            }
            TagEnd::CodeBlock => {
                if let Some((info, raw)) = self.code.take() {
                    self.code_block(&info, &raw);
                }
            }
            TagEnd::List(_) => {
                self.flush_inline();
                self.containers.pop();
                self.need_blank = !self.in_item();
            }
            TagEnd::Item => {
                self.flush_inline();
                if let Some(Container::Item { shown: false, .. }) = self.containers.last() {
                    self.emit_wrapped(&[]);
                }
                self.containers.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                if let Some(table) = self.table.as_mut() {
                    table.row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(table) = self.table.as_mut() {
                    table.header = Some(std::mem::take(&mut table.row));
                }
            }
            TagEnd::TableRow => {
                if let Some(table) = self.table.as_mut() {
                    let row = std::mem::take(&mut table.row);
                    table.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.table_block(&table);
                }
            }
            TagEnd::Emphasis | TagEnd::Strong => {
                self.styles.pop();
            }
            TagEnd::Link => self.end_link(),
            TagEnd::Image => self.end_image(),
            TagEnd::HtmlBlock => {
                let html = self.html.take().unwrap_or_default();
                let text = strip_tags(&html);
                if !text.trim().is_empty() {
                    expand_in_spans(text.trim(), SpanKind::Text, &mut self.inline);
                    self.flush_inline();
                    self.need_blank = true;
                }
            }
            _ => {}
        }
    }

    fn end_link(&mut self) {
        self.styles.pop();
        let Some((url, start)) = self.links.pop() else {
            return;
        };
        let text = self.inline_text();
        let label = text.get(start..).unwrap_or("").trim();
        let url = url.trim();
        if url.is_empty() || url == label || url.strip_prefix("mailto:") == Some(label) {
            return;
        }
        if label.is_empty() {
            push_span(&mut self.inline, url, SpanKind::Url);
        } else {
            push_span(&mut self.inline, &format!(" ({url})"), SpanKind::Url);
        }
    }

    fn end_image(&mut self) {
        let Some((url, alt)) = self.image.take() else {
            return;
        };
        push_span(&mut self.inline, "[그림] ", SpanKind::ImageAlt);
        expand_in_spans(alt.trim(), SpanKind::ImageAlt, &mut self.inline);
        if !url.is_empty() {
            push_span(&mut self.inline, &format!(" — {url}"), SpanKind::Url);
        }
    }

    fn finish(mut self) -> Rendered {
        self.flush_inline();
        self.out
    }
}

/// Expands shortcodes and resolves site-relative `/docs/` links, which in the customer's
/// guide (taken from the Istio site) point at istio.io.
fn absolute_url(url: &str) -> String {
    let url = expand_in_text(url);
    if url.starts_with("/docs/") {
        format!("https://istio.io/latest{url}")
    } else {
        url
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Drops HTML tags and comments, keeping the text between them.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let close = if after.starts_with("<!--") {
            after.find("-->").map(|end| end + 3)
        } else {
            after.find('>').map(|end| end + 1)
        };
        match close {
            Some(end) => rest = &after[end..],
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace(['\n', '\r'], " ")
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
