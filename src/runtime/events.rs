//! Tasks that turn the outside world into messages: terminal input, signals and the tick.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::app::Msg;
use crate::app::msg::Signal;
use crate::features::cluster::credentials::AuthNotice;
use crate::features::cluster::msg::ClusterMsg;

const TICK: Duration = Duration::from_secs(1);

/// Starts the forwarding tasks. Signal handlers are installed before this returns, so a
/// signal sent once the terminal is taken is always handled (not left to its default action).
pub fn spawn_forwarders(tx: &UnboundedSender<Msg>) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    tasks.spawn(forward_terminal_events(tx.clone()));
    tasks.spawn(forward_signals(listen_to_signals(), tx.clone()));
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

/// The credential plugin's notices (a renewal running, its last stderr line, a problem).
pub async fn forward_auth_notices(
    mut notices: tokio::sync::watch::Receiver<AuthNotice>,
    tx: UnboundedSender<Msg>,
) {
    while notices.changed().await.is_ok() {
        let notice = notices.borrow_and_update().clone();
        if tx.send(Msg::Cluster(ClusterMsg::Auth(notice))).is_err() {
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
type Listening = Vec<(tokio::signal::unix::Signal, Signal)>;

#[cfg(unix)]
fn listen_to_signals() -> Listening {
    use tokio::signal::unix::{SignalKind, signal};
    let kinds = [
        (SignalKind::terminate(), Signal::Terminate),
        (SignalKind::interrupt(), Signal::Interrupt),
        (SignalKind::hangup(), Signal::Hangup),
        (SignalKind::quit(), Signal::Quit),
        (
            SignalKind::from_raw(signal_hook::consts::SIGTSTP),
            Signal::Suspend,
        ),
    ];
    kinds
        .into_iter()
        .filter_map(|(kind, signal_of)| Some((signal(kind).ok()?, signal_of)))
        .collect()
}

#[cfg(unix)]
async fn forward_signals(mut streams: Listening, tx: UnboundedSender<Msg>) {
    if streams.is_empty() {
        return;
    }
    loop {
        let waits = streams.iter_mut().map(|(stream, signal_of)| {
            Box::pin(async move { stream.recv().await.map(|_| *signal_of) })
        });
        let (received, _, _) = futures::future::select_all(waits).await;
        let Some(signal_of) = received else {
            return;
        };
        if tx.send(Msg::Signal(signal_of)).is_err() {
            return;
        }
    }
}

#[cfg(not(unix))]
fn listen_to_signals() {}

#[cfg(not(unix))]
async fn forward_signals((): (), tx: UnboundedSender<Msg>) {
    if tokio::signal::ctrl_c().await.is_ok() {
        let _ = tx.send(Msg::Signal(Signal::Interrupt));
    }
}
