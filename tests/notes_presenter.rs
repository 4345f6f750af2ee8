//! The presenter's app tells `istio-lab notes` where it is: a position per change while
//! presenting (the lesson, the last step revealed, when presenting began), nothing otherwise.

mod common;

use common::{T0, model};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::{Effect, Msg, update};
use istio_lab::features::notes::Position;
use jiff::{Timestamp, ToSpan};

fn press(m: &mut istio_lab::app::Model, code: KeyCode, now: Timestamp) -> Vec<Position> {
    let effects = update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now);
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Notes(position) => Some(position),
            _ => None,
        })
        .collect()
}

#[test]
fn positions_follow_the_presenter_and_only_while_presenting() {
    let mut m = model(120, 40);
    assert!(
        press(&mut m, KeyCode::Right, T0).is_empty(),
        "not presenting: nothing is sent"
    );
    let started = T0 + 10.seconds();
    let on = press(&mut m, KeyCode::Char('P'), started);
    assert_eq!(
        on,
        [Position {
            lesson: 1,
            step: None,
            started: started.as_second()
        }]
    );
    // Space reveals the first step: the notes move to it; the clock keeps its start.
    let revealed = press(&mut m, KeyCode::Char(' '), started + 60.seconds());
    assert_eq!(
        revealed,
        [Position {
            lesson: 1,
            step: Some(0),
            started: started.as_second()
        }]
    );
    assert!(
        press(&mut m, KeyCode::Char('?'), started + 61.seconds()).is_empty(),
        "no move, no send"
    );
    press(&mut m, KeyCode::Esc, started + 62.seconds());
    let next = press(&mut m, KeyCode::Right, started + 70.seconds());
    assert_eq!(next.last().map(|p| (p.lesson, p.step)), Some((2, None)));
    assert!(press(&mut m, KeyCode::Char('P'), started + 80.seconds()).is_empty());
    let again = press(&mut m, KeyCode::Char('P'), started + 90.seconds());
    assert_eq!(again.len(), 1, "presenting again sends where it is");
    assert_eq!(
        again[0].started,
        (started + 90.seconds()).as_second(),
        "a new start"
    );
}
