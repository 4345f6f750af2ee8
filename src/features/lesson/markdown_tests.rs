//! Tests of Markdown rendering.

use super::*;

fn plain(markdown: &str, width: u16) -> String {
    render(markdown, width).plain_text()
}

fn kinds_with_text(rendered: &Rendered, needle: &str) -> Vec<SpanKind> {
    rendered
        .lines
        .iter()
        .flat_map(|line| line.spans.iter())
        .filter(|span| span.text.contains(needle))
        .map(|span| span.kind)
        .collect()
}

#[test]
fn paragraphs_are_separated_by_one_blank_line() {
    assert_eq!(
        plain("첫 문단\n\n\n\n둘째 문단", 40),
        "첫 문단\n\n둘째 문단"
    );
}

#[test]
fn headings_are_underlined_and_indexed() {
    let rendered = render("# 제목\n\n## 설치\n\n### 확인\n본문", 40);
    assert_eq!(
        rendered.plain_text(),
        "제목\n════\n\n설치\n────\n\n▍ 확인\n\n본문"
    );
    let levels: Vec<(usize, u8, &str)> = rendered
        .headings
        .iter()
        .map(|h| (h.line, h.level, h.text.as_str()))
        .collect();
    assert_eq!(levels, vec![(0, 1, "제목"), (3, 2, "설치"), (6, 3, "확인")]);
}

#[test]
fn ordered_items_count_from_the_start_number() {
    let text = "1. 하나\n1. 둘\n1. 셋\n";
    assert_eq!(plain(text, 40), "1. 하나\n2. 둘\n3. 셋");
    assert_eq!(plain("3. a\n1. b\n", 40), "3. a\n4. b");
}

#[test]
fn nested_lists_indent_and_hang() {
    let text = "- 바깥 항목은 길어서 줄바꿈이 됩니다\n  - 안쪽\n- 다음\n";
    assert_eq!(
        plain(text, 20),
        "• 바깥 항목은 길어서\n  줄바꿈이 됩니다\n  ◦ 안쪽\n• 다음"
    );
}

#[test]
fn code_block_is_framed_and_indexed() {
    let text = "설치:\n\n```sh\n$ istioctl install --set profile=demo -y\n✔ Istio core installed\n```\n\n끝";
    let rendered = render(text, 50);
    assert_eq!(rendered.code_blocks.len(), 1);
    let block = &rendered.code_blocks[0];
    assert_eq!(block.lang, "sh");
    assert_eq!(
        block.commands,
        vec!["istioctl install --set profile=demo -y".to_string()]
    );
    assert_eq!((block.first_line, block.last_line), (2, 5));
    assert!(rendered.lines[2].plain().starts_with("┌─ sh ─"));
    assert_eq!(rendered.lines[4].plain(), "│ ✔ Istio core installed");
    assert_eq!(rendered.lines[4].spans[1].kind, SpanKind::CodeOutput);
    assert!(rendered.lines[5].plain().starts_with("└─"));
    let owners: Vec<Option<usize>> = rendered.lines.iter().map(|l| l.code_block).collect();
    assert_eq!(
        owners,
        vec![None, None, Some(0), Some(0), Some(0), Some(0), None, None]
    );
}

#[test]
fn unlabelled_yaml_block_is_guessed() {
    let rendered = render("```\napiVersion: v1\nkind: Service\n```", 40);
    assert_eq!(rendered.code_blocks[0].lang, "yaml");
    assert!(kinds_with_text(&rendered, "apiVersion").contains(&SpanKind::CodeKey));
}

#[test]
fn links_show_their_url_unless_it_is_the_text() {
    let rendered = render("[Kiali](https://kiali.io) 와 <https://istio.io>", 80);
    assert_eq!(
        rendered.plain_text(),
        "Kiali (https://kiali.io) 와 https://istio.io"
    );
    assert_eq!(kinds_with_text(&rendered, "Kiali"), vec![SpanKind::Link]);
    assert_eq!(kinds_with_text(&rendered, "kiali.io"), vec![SpanKind::Url]);
}

#[test]
fn site_relative_and_mail_links() {
    assert_eq!(
        plain("[정리](/docs/examples/bookinfo/#cleanup) <a@b.io>", 100),
        "정리 (https://istio.io/latest/docs/examples/bookinfo/#cleanup) a@b.io"
    );
}

#[test]
fn shortcode_inside_link_url_expands() {
    let text = "[애드온]({{< github_tree >}}/samples/addons)";
    assert_eq!(
        plain(text, 100),
        "애드온 (https://github.com/istio/istio/tree/master/samples/addons)"
    );
}

#[test]
fn unknown_shortcode_becomes_its_name() {
    let rendered = render("버전 {{< istio_full_version >}} 설치", 80);
    assert_eq!(rendered.plain_text(), "버전 istio_full_version 설치");
    assert_eq!(
        kinds_with_text(&rendered, "istio_full"),
        vec![SpanKind::Shortcode]
    );
}

#[test]
fn images_show_alt_text_and_url() {
    assert_eq!(
        plain("![Kiali 화면](https://istio.io/k.png)", 80),
        "[그림] Kiali 화면 — https://istio.io/k.png"
    );
}

#[test]
fn quotes_get_a_bar_and_notes_become_callouts() {
    let rendered = render("> **참고** 기다린다\n\n> 보통 인용", 40);
    assert_eq!(rendered.plain_text(), "▌ 참고 기다린다\n\n▌ 보통 인용");
    assert_eq!(rendered.lines[0].spans[0].kind, SpanKind::Callout);
    assert_eq!(rendered.lines[2].spans[0].kind, SpanKind::QuoteMarker);
}

#[test]
fn wide_table_falls_back_to_records() {
    let text = "| 서비스 | 설명 |\n|---|---|\n| reviews | 리뷰를 보여 주는 서비스 |\n";
    assert!(plain(text, 60).starts_with("┌"));
    assert_eq!(
        plain(text, 24),
        "서비스: reviews\n설명: 리뷰를 보여 주는\n  서비스"
    );
}

#[test]
fn html_tags_are_dropped_text_kept() {
    assert_eq!(
        plain("<div class=\"x\">안녕 <b>하세요</b></div>\n", 40),
        "안녕 하세요"
    );
    assert_eq!(plain("a <span>b</span> c", 40), "a b c");
}

#[test]
fn rule_spans_the_width() {
    assert_eq!(plain("a\n\n---\n\nb", 5), "a\n\n─────\n\nb");
}

#[test]
fn zero_width_renders_nothing() {
    assert!(render("# 제목\n\n본문", 0).lines.is_empty());
}

#[test]
fn intro_fixture_looks_right_at_forty_columns() {
    let text = include_str!("../../../tests/fixtures/lessons/valid/01-intro.md");
    let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
    insta::assert_snapshot!(render(body, 40).plain_text());
}
