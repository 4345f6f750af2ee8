//! Rendering invariants over every lesson on disk, the fixtures and random input.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use istio_lab::features::lesson::wrap::{PLACEHOLDER, wrap};
use istio_lab::features::lesson::{
    Rendered, SpanKind, StyledSpan, display_width, load_dir, parse_guide, parse_lesson, render,
};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Characters the renderer adds itself: frames, bars, markers, the image label.
const DECORATION: &str = "┌┐└┘├┤┬┴┼─│═▌▍•◦▪↪…·—[]()그림";

/// The customer's guide, beside the checkout when it is there (CI may not have it).
const REAL_GUIDE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/istio-guide-ko.md"
);

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// (name, Markdown body) of every document the renderer must handle.
fn corpus() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    let lessons_root = manifest_path("lessons");
    let mut lesson_files = Vec::new();
    if let Ok(langs) = std::fs::read_dir(&lessons_root) {
        for lang in langs.flatten() {
            lesson_files.extend(markdown_files(&lang.path()));
        }
    }
    lesson_files.extend(markdown_files(&manifest_path(
        "tests/fixtures/lessons/valid",
    )));
    for path in lesson_files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let lesson = parse_lesson(&name, &text).unwrap_or_else(|error| panic!("{error}"));
        docs.push((name, lesson.body));
    }
    let mut guides = vec![manifest_path("tests/fixtures/guide/mini-guide.md")];
    if Path::new(REAL_GUIDE).exists() {
        guides.push(PathBuf::from(REAL_GUIDE));
    }
    for path in guides {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for lesson in parse_guide(&name, &text).unwrap() {
            docs.push((format!("{name}#{}", lesson.id), lesson.body));
        }
    }
    docs
}

fn source_graphemes(source: &str) -> HashSet<String> {
    let normalized: String = source.nfc().collect();
    normalized.graphemes(true).map(str::to_string).collect()
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Width bound, and every grapheme shown is one of the source's (nothing split or invented).
fn check_invariants(name: &str, allowed: &HashSet<String>, rendered: &Rendered, width: usize) {
    for (index, line) in rendered.lines.iter().enumerate() {
        assert!(
            line.width() <= width,
            "{name} at width {width}: line {index} is {} wide: {:?}",
            line.width(),
            line.plain()
        );
        for span in &line.spans {
            for grapheme in span.text.graphemes(true) {
                let ascii = grapheme.len() == 1
                    && grapheme.is_ascii()
                    && !grapheme.chars().any(char::is_control);
                let decoration = grapheme.chars().count() == 1 && DECORATION.contains(grapheme);
                assert!(
                    ascii || decoration || allowed.contains(grapheme),
                    "{name} at width {width}: grapheme {grapheme:?} (in {:?}) is not from the source",
                    line.plain()
                );
            }
        }
    }
    for block in &rendered.code_blocks {
        assert!(block.first_line <= block.last_line && block.last_line < rendered.lines.len());
    }
}

#[test]
fn every_document_renders_within_every_width() {
    let docs = corpus();
    assert!(docs.len() >= 5, "fixtures must be found");
    // The customer's guide is large; every fifth width covers it without slowing the suite.
    let widths_for = |name: &str| -> Vec<u16> {
        if name.starts_with(REAL_GUIDE) {
            (1..=200).step_by(5).collect()
        } else {
            (1..=200).collect()
        }
    };
    // Two threads: the renders are independent and CI has two cores.
    std::thread::scope(|scope| {
        for half in 0..2u16 {
            let docs = &docs;
            scope.spawn(move || {
                for (name, body) in docs {
                    let allowed = source_graphemes(body);
                    for width in widths_for(name).into_iter().filter(|w| w % 2 == half) {
                        let rendered = render(body, width);
                        check_invariants(name, &allowed, &rendered, usize::from(width));
                    }
                }
            });
        }
    });
}

#[test]
fn hangul_syllables_of_the_fixtures_appear_whole() {
    let dir = manifest_path("tests/fixtures/lessons/valid");
    for path in markdown_files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let lesson = parse_lesson(&path.display().to_string(), &text).unwrap();
        let wanted: HashSet<char> = lesson
            .body
            .nfc()
            .filter(|c| is_hangul_syllable(*c))
            .collect();
        for width in [12u16, 13, 17, 40, 80] {
            let shown: HashSet<char> = render(&lesson.body, width).plain_text().chars().collect();
            let missing: Vec<&char> = wanted.difference(&shown).collect();
            assert!(
                missing.is_empty(),
                "{} at width {width}: missing {missing:?}",
                path.display()
            );
        }
    }
}

#[test]
fn lesson_directories_load_and_broken_fixtures_fail_with_locations() {
    let valid = load_dir(&manifest_path("tests/fixtures/lessons/valid")).unwrap();
    let ids: Vec<&str> = valid.iter().map(|lesson| lesson.id.as_str()).collect();
    assert_eq!(ids, vec!["intro", "stress"]);

    let broken = manifest_path("tests/fixtures/lessons/broken");
    let expectations = [
        (
            "01-unknown-key.md",
            "01-unknown-key.md:6: unknown field `verify`",
        ),
        (
            "02-no-fence.md",
            "02-no-fence.md:1: front matter가 없습니다",
        ),
        ("not-numbered.md", "not-numbered.md: 레슨 파일 이름은"),
    ];
    for (file, expected) in expectations {
        let text = std::fs::read_to_string(broken.join(file)).unwrap();
        let message = parse_lesson(file, &text).unwrap_err().to_string();
        assert!(message.starts_with(expected), "{message}");
    }
    assert!(load_dir(&broken).is_err());
}

#[test]
fn real_guide_imports_when_present() {
    let Ok(text) = std::fs::read_to_string(REAL_GUIDE) else {
        eprintln!("skipped: {REAL_GUIDE} is not available");
        return;
    };
    let lessons = parse_guide("istio-guide-ko.md", &text).unwrap();
    let titles: Vec<&str> = lessons.iter().map(|lesson| lesson.title.as_str()).collect();
    assert_eq!(titles.first(), Some(&"Download Istio"));
    assert!(titles.contains(&"동적 트래픽 제어 테스트"), "{titles:?}");
    assert!(titles.contains(&"View the dashboard"), "{titles:?}");
    let install = &lessons[1];
    assert!(
        install.steps.iter().any(|step| step
            .commands
            .iter()
            .any(|c| c == "istioctl install --set profile=demo -y")),
        "{:?}",
        install.steps
    );
    let dashboard = lessons
        .iter()
        .find(|lesson| lesson.title == "View the dashboard")
        .unwrap();
    let shown = render(&dashboard.body, 100).plain_text();
    assert!(shown.contains("https://github.com/istio/istio/tree/master/samples/addons"));
    assert!(!shown.contains("{{<"));
}

const FRAGMENTS: &[&str] = &[
    "설치",
    "한다",
    " ",
    " ",
    "\n",
    "\n\n",
    "# ",
    "## ",
    "### ",
    "- ",
    "1. ",
    "  - ",
    "> ",
    "**",
    "*",
    "`",
    "```\n",
    "```sh\n$ kubectl get pods\n",
    "```yaml\nkey: 값\n",
    "[링크](https://istio.io)",
    "![그림](a.png)",
    "| 가 | 나 |\n|---|---|\n| 다 | 라 |\n",
    "{{< github_tree >}}",
    "{{< 버전 >}}",
    "<b>",
    "</b>",
    "\u{1112}\u{1161}\u{11AB}",
    "ᄀᆞᆯ",
    "👍🏽",
    "👨‍👩‍👧‍👦",
    "🇰🇷",
    "가나다라마바사아자차카타파하",
    "https://example.com/very/long/path/without/spaces",
    "---\n",
    "\t",
    "$HOME",
    "é",
    "e\u{301}",
    "'",
    "\"",
    "$(",
    "${",
    "#",
    "|",
    "&&",
    "\\\n",
    ": ",
    "key:",
    "    ",
    "<br>",
    "<!-- x",
    "1) ",
];

const FRONT_MATTER_FRAGMENTS: &[&str] = &[
    "---\n",
    "id: ",
    "title: ",
    "steps:\n",
    "  - ",
    "    commands:\n",
    "      - ",
    "title",
    "install",
    "설치",
    "\n",
    "\t",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "\"",
    "'",
    "&a ",
    "*a",
    "!!str ",
    "#",
    "...\n",
    "\u{feff}",
];

fn front_matter_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRONT_MATTER_FRAGMENTS), 0..30)
        .prop_map(|parts| parts.concat())
}

fn markdown_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|parts| parts.concat())
}

fn text_strategy() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(
        &[
            "가",
            "힣",
            "한",
            "\u{1100}",
            "\u{1161}",
            "\u{11A8}",
            "\u{1100}\u{1161}",
            "ᄀᆞ",
            "👍",
            "🏽",
            "\u{200D}",
            "👩",
            "❤\u{FE0F}",
            "🇰",
            "🇷",
            "a",
            "Z",
            "-",
            "/",
            " ",
            "  ",
            "e\u{301}",
            "\u{301}",
            "中",
        ][..],
    );
    prop::collection::vec(atoms, 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_markdown_respects_the_width(markdown in markdown_strategy(), width in 1u16..=120) {
        let rendered = render(&markdown, width);
        check_invariants("random", &source_graphemes(&markdown), &rendered, usize::from(width));
    }

    #[test]
    fn lesson_parsing_never_panics_and_errors_point_into_the_file(text in front_matter_strategy()) {
        if let Err(error) = parse_lesson("01-random.md", &text) {
            prop_assert!(error.line <= text.lines().count().max(1), "{}", error);
            prop_assert!(error.to_string().starts_with("01-random.md:"));
        }
    }

    #[test]
    fn wrap_keeps_every_grapheme_in_order(text in text_strategy(), width in 1usize..=30) {
        let lines = wrap(&[StyledSpan::new(text.clone(), SpanKind::Text)], width);
        let normalized: String = text.nfc().collect();
        let expected: Vec<&str> = normalized
            .graphemes(true)
            .filter(|g| *g != " ")
            .map(|g| if display_width(g) > width { PLACEHOLDER } else { g })
            .collect();
        let mut got: Vec<String> = Vec::new();
        for line in &lines {
            prop_assert!(line.width() <= width, "{:?} is wider than {}", line.plain(), width);
            for span in &line.spans {
                prop_assert_eq!(span.kind, SpanKind::Text);
            }
            let plain = line.plain();
            got.extend(plain.graphemes(true).filter(|g| *g != " ").map(str::to_string));
        }
        prop_assert_eq!(got, expected);
    }
}
