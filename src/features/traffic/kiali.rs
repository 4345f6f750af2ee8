//! The Kiali forward's state and its pure steps: `K` opens a prompt for the local port (the
//! first free one of 8080–8089 offered once the effect runner has found it), Enter starts the
//! forward, and the runner's answers set the URL shown in the traffic pane or the reason, in
//! Korean, why there is none. The I/O is in `kiali_forward`.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::model::Model;
use crate::app::msg::Effect;
use crate::features::traffic::msg::TrafficEffect;

pub use super::kiali_state::{FIRST_PORT, ForwardState, KialiView, LAST_PORT, PortPrompt, url};

/// `K`: ask for the local port, and have the runner look for a free one to offer.
pub fn open(model: &mut Model, effects: &mut Vec<Effect>) {
    model.traffic.kiali.prompt = Some(PortPrompt {
        looking: true,
        ..PortPrompt::default()
    });
    effects.push(Effect::Traffic(TrafficEffect::FindKialiPort {
        first: FIRST_PORT,
        last: LAST_PORT,
    }));
}

/// The runner's free port (None: every port of the range is taken).
pub fn on_port_found(model: &mut Model, port: Option<u16>) {
    if let Some(prompt) = model.traffic.kiali.prompt.as_mut() {
        prompt.looking = false;
        prompt.suggested = port;
    }
}

/// A key while the prompt is open; true when the prompt took it.
pub fn on_prompt_key(model: &mut Model, key: KeyEvent, effects: &mut Vec<Effect>) -> bool {
    let Some(prompt) = model.traffic.kiali.prompt.as_mut() else {
        return false;
    };
    match key.code {
        KeyCode::Char(c @ '0'..='9') if prompt.input.len() < 5 => {
            prompt.input.push(c);
            prompt.error = None;
        }
        KeyCode::Backspace => {
            prompt.input.pop();
            prompt.error = None;
        }
        KeyCode::Esc => model.traffic.kiali.prompt = None,
        KeyCode::Enter => match chosen_port(prompt) {
            Ok(port) => {
                model.traffic.kiali.prompt = None;
                model.traffic.kiali.forward = ForwardState::Starting { port };
                effects.push(Effect::Traffic(TrafficEffect::ForwardKiali { port }));
            }
            Err(error) => prompt.error = Some(error),
        },
        _ => {}
    }
    true
}

fn chosen_port(prompt: &PortPrompt) -> Result<u16, String> {
    if prompt.input.is_empty() {
        return match (prompt.suggested, prompt.looking) {
            (Some(port), _) => Ok(port),
            (None, true) => {
                Err("빈 포트를 찾는 중입니다. 잠시 뒤 다시 누르거나 포트를 입력하세요".into())
            }
            (None, false) => Err(format!(
                "{FIRST_PORT}–{LAST_PORT} 포트가 모두 사용 중입니다. 다른 포트를 입력하세요"
            )),
        };
    }
    match prompt.input.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(format!(
            "{}은(는) 포트 번호가 아닙니다. 1–65535 사이로 입력하세요",
            prompt.input
        )),
    }
}

/// The runner's answer: the port the forward listens on, or why it could not start.
pub fn on_forwarded(model: &mut Model, result: Result<u16, String>) {
    model.traffic.kiali.forward = match result {
        Ok(port) => ForwardState::Up { port },
        Err(message) => ForwardState::Failed { message },
    };
}

/// The pane's line about the forward, None when there is nothing to say.
pub fn status_text(view: &KialiView) -> Option<(String, bool)> {
    if let Some(prompt) = &view.prompt {
        let default = match (prompt.suggested, prompt.looking) {
            (Some(port), _) => format!("비우면 {port}"),
            (None, true) => "빈 포트 찾는 중…".to_string(),
            (None, false) => format!("{FIRST_PORT}–{LAST_PORT} 모두 사용 중"),
        };
        let text = match &prompt.error {
            Some(error) => format!("Kiali 로컬 포트: {}▏ {error}", prompt.input),
            None => format!(
                "Kiali 로컬 포트: {}▏ ({default}) · Enter 시작 · Esc 취소",
                prompt.input
            ),
        };
        return Some((text, prompt.error.is_some()));
    }
    match &view.forward {
        ForwardState::Off => None,
        ForwardState::Starting { port } => {
            Some((format!("Kiali 포워드 준비 중… (127.0.0.1:{port})"), false))
        }
        ForwardState::Up { port } => Some((format!("Kiali: {} · K 다른 포트", url(*port)), false)),
        ForwardState::Failed { message } => Some((format!("Kiali 포워드 실패: {message}"), true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(input: &str, suggested: Option<u16>, looking: bool) -> PortPrompt {
        PortPrompt {
            input: input.into(),
            suggested,
            looking,
            error: None,
        }
    }

    #[test]
    fn an_empty_input_takes_the_offered_port_and_typed_digits_win() {
        assert_eq!(chosen_port(&prompt("", Some(8081), false)), Ok(8081));
        assert_eq!(chosen_port(&prompt("9000", Some(8081), false)), Ok(9000));
        assert!(
            chosen_port(&prompt("", None, true))
                .unwrap_err()
                .contains("찾는 중")
        );
        assert!(
            chosen_port(&prompt("", None, false))
                .unwrap_err()
                .contains("모두 사용 중")
        );
        assert!(
            chosen_port(&prompt("70000", None, false))
                .unwrap_err()
                .contains("1–65535")
        );
        assert!(chosen_port(&prompt("0", None, false)).is_err());
    }
}
