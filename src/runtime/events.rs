//! Tasks that turn the outside world into messages: terminal input, signals and the tick.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::app::Msg;

const TICK: Duration = Duration::from_secs(1);

pub fn spawn_forwarders(tx: &UnboundedSender<Msg>) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    tasks.spawn(forward_terminal_events(tx.clone()));
    tasks.spawn(forward_signals(tx.clone()));
    tasks.spawn(forward_ticks(tx.clone()));
    tasks
}

async fn forward_terminal_events(tx: UnboundedSender<Msg>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let msg = match event {
            Ok(Event::Key(key)) => Msg::Key(key),
            Ok(Event::Mouse(mouse)) => Msg::Mouse(mouse),
            Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
            Ok(Event::Paste(text)) => Msg::Paste(text),
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!("terminal event error: {e}");
                continue;
            }
        };
        if tx.send(msg).is_err() {
            break;
        }
    }
}

async fn forward_ticks(tx: UnboundedSender<Msg>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        if tx.send(Msg::Tick).is_err() {
            break;
        }
    }
}

#[cfg(unix)]
async fn forward_signals(tx: UnboundedSender<Msg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::hangup(),
    ];
    let mut streams: Vec<_> = kinds.into_iter().filter_map(|k| signal(k).ok()).collect();
    if streams.is_empty() {
        return;
    }
    let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
    let _ = futures::future::select_all(waits).await;
    let _ = tx.send(Msg::Terminate);
}

#[cfg(not(unix))]
async fn forward_signals(tx: UnboundedSender<Msg>) {
    if tokio::signal::ctrl_c().await.is_ok() {
        let _ = tx.send(Msg::Terminate);
    }
}
