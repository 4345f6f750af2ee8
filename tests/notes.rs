//! Speaker notes: the presenter's app publishes its position on a local socket, and
//! `istio-lab notes` follows it; a missing presenter is said, not waited on in silence.

use std::time::Duration;

use istio_lab::features::lesson;
use istio_lab::features::notes::{Follower, NotesMsg, Position, Publisher, channel, view};
use jiff::Timestamp;
use tokio::sync::mpsc::unbounded_channel;

fn position(lesson: usize, step: Option<usize>) -> Position {
    Position {
        lesson,
        step,
        started: 1_000,
    }
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Position>) -> Position {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a position within 5 s")
        .expect("the follower is still running")
}

#[tokio::test]
async fn a_follower_gets_the_current_position_then_each_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("istio-lab").join("presenter.sock");
    let publisher = Publisher::start(&path).await.expect("listens");
    publisher.publish(position(6, Some(1)));

    let (tx, mut rx) = unbounded_channel();
    let follow_path = path.clone();
    let follower = tokio::spawn(async move {
        channel::follow(&follow_path, |p| {
            let _ = tx.send(p);
        })
        .await
    });
    assert_eq!(
        next(&mut rx).await,
        position(6, Some(1)),
        "joined late, starts where the presenter is"
    );
    publisher.publish(position(6, Some(1)));
    publisher.publish(position(6, Some(2)));
    assert_eq!(
        next(&mut rx).await,
        position(6, Some(2)),
        "a repeat is not sent again"
    );
    publisher.publish(position(7, None));
    assert_eq!(next(&mut rx).await, position(7, None));

    // A second presenter on the same socket is refused while the first one answers.
    let Err(second) = Publisher::start(&path).await else {
        panic!("two presenters on one socket");
    };
    assert!(
        second.to_string().contains(&path.display().to_string()),
        "{second}"
    );

    drop(publisher);
    let ended = tokio::time::timeout(Duration::from_secs(5), follower)
        .await
        .expect("the follower sees the presenter go")
        .expect("no panic");
    assert!(
        ended.is_ok(),
        "a presenter leaving ends the stream: {ended:?}"
    );
    assert!(!path.exists(), "the socket file goes with the presenter");
    assert!(
        channel::follow(&path, |_| {}).await.is_err(),
        "nobody listens any more"
    );
}

#[tokio::test]
async fn a_stale_socket_file_is_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("presenter.sock");
    std::fs::write(&path, b"").expect("a leftover file");
    let publisher = Publisher::start(&path)
        .await
        .expect("a dead socket file is taken over");
    publisher.publish(position(0, Some(0)));
    let (tx, mut rx) = unbounded_channel();
    let follow_path = path.clone();
    tokio::spawn(async move {
        channel::follow(&follow_path, |p| {
            let _ = tx.send(p);
        })
        .await
    });
    assert_eq!(next(&mut rx).await, position(0, Some(0)));
}

fn render(model: &Follower, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).expect("test backend");
    terminal.draw(|f| view::render(model, f)).expect("draws");
    terminal.backend().to_string()
}

#[test]
fn the_screen_shows_the_step_its_notes_the_next_step_and_the_clock() {
    let lessons = lesson::builtin("ko").expect("built-in lessons load");
    let with_notes = lessons
        .iter()
        .position(|l| l.steps.len() > 1)
        .expect("a lesson with two steps");
    let mut model = Follower::new(lessons.clone(), Timestamp::from_second(1_000).expect("ts"));
    model.update(NotesMsg::Position(position(with_notes, Some(0))));
    model.update(NotesMsg::Tick(
        Timestamp::from_second(1_000 + 3_725).expect("ts"),
    ));
    let text = render(&model, 100, 30);
    let lesson = &lessons[with_notes];
    assert!(
        text.contains("01:02:05"),
        "clock since the presenter's start:\n{text}"
    );
    assert!(text.contains(&format!("{}. ", lesson.number)), "{text}");
    assert!(text.contains("1/"), "{text}");
    assert!(text.contains("다음: 2/"), "the next step is named:\n{text}");
    if let Some(notes) = &lesson.steps[0].notes {
        let first = notes.lines().next().unwrap_or_default();
        assert!(
            text.contains(first.split_whitespace().next().unwrap_or_default()),
            "{text}"
        );
    }
}

#[test]
fn a_missing_presenter_is_said() {
    let lessons = lesson::builtin("ko").expect("built-in lessons load");
    let mut model = Follower::new(lessons, Timestamp::UNIX_EPOCH);
    assert!(model.update(NotesMsg::NoPresenter(
        "/run/x/presenter.sock에 연결할 수 없습니다".into()
    )));
    let text = render(&model, 100, 20);
    assert!(text.contains("발표자 앱이 실행 중이 아닙니다"), "{text}");
    assert!(text.contains("/run/x/presenter.sock"), "{text}");
    assert!(
        model.update(NotesMsg::Position(position(0, None))),
        "a presenter arriving redraws"
    );
    assert!(!render(&model, 100, 20).contains("실행 중이 아닙니다"));
}
