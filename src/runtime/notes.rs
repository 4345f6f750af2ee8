//! The `istio-lab notes` screen's loop: the terminal, keys, a clock tick and the connection to
//! the presenter's socket (tried again every second while nobody answers), all as messages to
//! the follower's pure update.

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyCode, KeyEventKind, KeyModifiers};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::terminal::TerminalGuard;
use crate::features::lesson::Lesson;
use crate::features::notes::{Follower, NotesMsg, channel, view};

const RETRY: Duration = Duration::from_secs(1);

pub async fn run(lessons: Vec<Lesson>) -> std::io::Result<u8> {
    let mut guard = TerminalGuard::enter()?;
    let (tx, mut rx) = unbounded_channel();
    let tasks = [
        tokio::spawn(keys(tx.clone())),
        tokio::spawn(ticks(tx.clone())),
        tokio::spawn(connect(tx.clone())),
        tokio::spawn(signals(tx)),
    ];
    let mut model = Follower::new(lessons, super::now());
    guard.terminal.draw(|f| view::render(&model, f))?;
    while let Some(msg) = rx.recv().await {
        let mut changed = model.update(msg);
        // Everything already waiting is applied before one redraw.
        while let Ok(msg) = rx.try_recv() {
            changed |= model.update(msg);
        }
        if model.quit {
            break;
        }
        if changed {
            guard.terminal.draw(|f| view::render(&model, f))?;
        }
    }
    tasks.iter().for_each(|t| t.abort());
    Ok(0)
}

async fn keys(tx: UnboundedSender<NotesMsg>) {
    let mut events = EventStream::new();
    while let Some(Ok(event)) = events.next().await {
        let msg = match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => match key.code {
                KeyCode::Char('q') | KeyCode::Esc => NotesMsg::Quit,
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    NotesMsg::Quit
                }
                _ => continue,
            },
            Event::Resize(..) => NotesMsg::Resize,
            _ => continue,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

async fn ticks(tx: UnboundedSender<NotesMsg>) {
    let mut interval = tokio::time::interval(Duration::from_millis(250));
    loop {
        interval.tick().await;
        if tx.send(NotesMsg::Tick(super::now())).is_err() {
            return;
        }
    }
}

async fn connect(tx: UnboundedSender<NotesMsg>) {
    let path = channel::socket_path();
    loop {
        let sender = tx.clone();
        let why = match channel::follow(&path, |p| {
            let _ = sender.send(NotesMsg::Position(p));
        })
        .await
        {
            Err(e) => format!("{}에 연결할 수 없습니다 ({e})", path.display()),
            Ok(()) => "발표자 앱이 종료되었습니다".to_string(),
        };
        if tx.send(NotesMsg::NoPresenter(why)).is_err() {
            return;
        }
        tokio::time::sleep(RETRY).await;
    }
}

async fn signals(tx: UnboundedSender<NotesMsg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {}
    }
    let _ = tx.send(NotesMsg::Quit);
}
