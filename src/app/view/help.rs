//! The help overlay: every key, grouped by where it works.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::popup;
use crate::ui::text::truncate;
use crate::ui::theme::Theme;

/// (group, keys, what they do). The README's key table mirrors this list.
pub const KEYS: &[(&str, &str, &str)] = &[
    ("전체", "Tab / Shift-Tab", "다음 / 이전 창"),
    (
        "전체",
        "F1 F2 F3 F4",
        "레슨 / 클러스터 / 트래픽 / 셸 창으로",
    ),
    ("전체", "마우스 클릭", "그 창으로 이동"),
    (
        "전체",
        "z",
        "고른 창만 화면 가득 보기 (다시 누르면 원래대로)",
    ),
    ("전체", "T", "테마 바꾸기: dark → light → contrast"),
    (
        "전체",
        "P",
        "발표 모드 (고대비, 큰 제목, Space로 단계 공개)",
    ),
    ("전체", "?", "이 도움말 (↑↓ 스크롤, 다른 키는 닫기)"),
    ("전체", "q, Ctrl-C", "종료"),
    ("레슨", "→ ← / n p", "다음 / 이전 레슨"),
    ("레슨", "↓ ↑ / j k", "한 줄 스크롤 (마우스 휠: 세 줄)"),
    ("레슨", "PgDn PgUp", "한 화면 스크롤"),
    ("레슨", "[ ]", "이전 / 다음 단계 고르기 (›)"),
    (
        "레슨",
        "Space",
        "자동 확인 없는 단계 직접 체크 ☑ (그 밖엔 스크롤)",
    ),
    ("레슨", "s", "고른 단계의 풀이 보기"),
    ("레슨", "R", "클러스터를 이 레슨의 시작 상태로 (먼저 확인)"),
    ("레슨", "Home End / g G", "처음 / 끝"),
    ("레슨", "t", "목차: ↑↓ 고르고 Enter, Esc 닫기"),
    ("레슨", "/", "레슨 안에서 검색 (Enter 찾기)"),
    ("레슨", "n N", "검색 중: 다음 / 이전 일치, Esc 해제"),
    ("레슨", "c C", "다음 / 이전 코드 블록 선택"),
    ("레슨", "y", "선택한 코드 블록을 클립보드로 복사 (OSC 52)"),
    ("레슨", "r", "고른 블록의 명령을 확인 후 셸 창에서 실행"),
    ("레슨", "Esc", "코드 블록 선택 해제"),
    ("클러스터", "↓ ↑ / j k, PgDn PgUp", "고른 표 스크롤"),
    ("셸", "Ctrl-]", "셸 창에서 나가기 (전에 있던 창으로)"),
    ("셸", "Shift-PgUp PgDn, 휠", "지난 출력 보기 (2,000줄 보관)"),
    ("셸", "Enter", "셸이 끝난 뒤: 새 셸 시작"),
    ("셸", "Shift-드래그", "텍스트 선택 (터미널의 선택 기능)"),
    ("셸", "z 뒤 F4", "셸만 화면 가득 (셸 안의 z는 셸로 감)"),
    ("셸", "그 밖의 키", "모두 셸로 (Ctrl-C, Tab, q 포함)"),
    ("클러스터", "p s", "Pod 표 / 서비스 표 고르기"),
    ("클러스터", "/", "이름으로 거르기 (입력하는 대로), Esc 해제"),
    ("클러스터", ":", "실습 네임스페이스 바꾸기 (Enter)"),
    ("트래픽", "↑ ↓ / j k", "subset 고르기"),
    (
        "트래픽",
        "← →  /  Shift-← →",
        "가중치 -1 / +1  /  -10 / +10 (PgDn PgUp도)",
    ),
    ("트래픽", "= 또는 Enter", "숫자로 입력 (Enter 적용)"),
    (
        "트래픽",
        "1 2 3 4 5 / 0",
        "100/0/0 80/20/0 50/50/0 0/100/0 0/0/100 / 고르게",
    ),
    (
        "트래픽",
        "l",
        "고른 subset 잠그기 (다른 슬라이더가 움직여도 그대로)",
    ),
    ("트래픽", "마우스", "막대를 클릭하거나 끌어서 가중치 정하기"),
    ("트래픽", "p / + -", "프로브 켜기·끄기 / 초당 요청 수"),
    (
        "트래픽",
        "e d g",
        "VirtualService / DestinationRule / Gateway YAML 편집",
    ),
    ("트래픽", "a", "reviews 리소스가 없을 때 가이드의 것 만들기"),
    (
        "트래픽",
        "K",
        "Kiali 포워드: 로컬 포트를 골라 http://127.0.0.1:포트/kiali 열기",
    ),
    (
        "편집기",
        "Ctrl-S",
        "검사 후 저장 (resourceVersion으로 충돌 확인)",
    ),
    (
        "편집기",
        "Ctrl-S (409 뒤)",
        "내 변경을 클러스터의 지금 버전에 옮겨 저장 (둘 다 바꾼 필드는 Enter로 확인)",
    ),
    (
        "편집기",
        "Ctrl-R / Ctrl-T",
        "충돌 후 최신으로 다시 읽기 / 보관한 편집과 바꾸기",
    ),
    (
        "편집기",
        "Esc, Ctrl-C",
        "닫기 (바뀐 내용이 있으면 먼저 묻기)",
    ),
];

pub fn draw(frame: &mut Frame, area: Rect, scroll: u16, theme: Theme) {
    let lines = lines(usize::from(area.width.min(76).saturating_sub(2)), theme);
    let height = (lines.len() as u16 + 2).min(area.height);
    let inner = popup::open(
        frame,
        area,
        76,
        height,
        "도움말 · ↑↓ 스크롤 · 다른 키로 닫기",
        theme,
    );
    let visible = usize::from(inner.height);
    let first = usize::from(scroll).min(lines.len().saturating_sub(visible));
    let more = first + visible < lines.len();
    let mut shown: Vec<Line> = lines.into_iter().skip(first).take(visible).collect();
    if more && let Some(last) = shown.last_mut() {
        *last = Line::styled("  ↓ 더 있음", theme.muted());
    }
    frame.render_widget(Paragraph::new(shown), inner);
}

const KEY_COLUMN: usize = 22;

fn lines(max: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut group = "";
    for (g, keys, action) in KEYS {
        if *g != group {
            lines.push(Line::styled(truncate(g, max), theme.title(false)));
            group = g;
        }
        let keys = truncate(&format!("  {keys}"), KEY_COLUMN);
        // Pad by display width: key names mix ASCII, arrows and Korean.
        let padded = format!(
            "{keys}{}",
            " ".repeat(KEY_COLUMN + 1 - crate::ui::text::width(&keys))
        );
        let room = max.saturating_sub(KEY_COLUMN + 1);
        lines.push(Line::from(vec![
            Span::styled(padded, theme.key()),
            Span::raw(truncate(action, room)),
        ]));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At 80 columns the popup is 76 wide: the text has 74, the action what the key column leaves.
    #[test]
    fn the_run_and_shell_lines_fit_at_80_columns() {
        let room = 74 - (KEY_COLUMN + 1);
        for (group, keys, action) in KEYS {
            if *group == "셸" || *keys == "r" || keys.starts_with("F1") {
                let width = crate::ui::text::width(action);
                assert!(width <= room, "{keys}: {action} is {width} > {room}");
                assert!(crate::ui::text::width(keys) < KEY_COLUMN, "{keys}");
            }
        }
    }
}
