//! The runtime: the only place with I/O of its own. Terminal events, signals, ticks and effect
//! results become `Msg`s; `update` runs on each batch with the one clock's `now`; the screen is
//! drawn after every batch.

pub mod check;
pub mod class;
pub mod clipboard;
pub mod commands;
pub mod effects;
pub mod events;
pub mod files;
pub mod logging;
pub mod notes;
pub mod progress_file;
pub mod terminal;

use jiff::Timestamp;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::app::view::draw;
use crate::app::{Effect, Model, Msg, update};
pub use effects::{Context, EffectRunner};
use terminal::TerminalGuard;

/// The one clock update reads time from.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// Runs the app until it quits; returns the exit status (a signal's 128 + N, else 0).
pub async fn run(
    mut model: Model,
    initial: Vec<Effect>,
    context: Context,
) -> color_eyre::Result<u8> {
    let (tx, mut rx) = unbounded_channel();
    let mut forwarders = events::spawn_forwarders(&tx);
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    let mut effects = initial;
    let resize = Msg::Resize {
        width: size.width,
        height: size.height,
    };
    effects.extend(update(&mut model, resize, now()));

    if let Some(credentials) = &context.credentials {
        forwarders.spawn(events::forward_auth_notices(
            credentials.subscribe(),
            tx.clone(),
        ));
    }
    let mut runner = EffectRunner::new(tx.clone(), context);
    runner.run_all(effects);

    while !model.quit {
        // Every batch is drawn: a frame costs under a millisecond (see `cargo bench`), and
        // ratatui writes only the cells that changed, so an unchanged frame sends nothing.
        guard.terminal.draw(|frame| draw(frame, &model))?;
        let mut effects = next_batch(&mut model, &mut rx).await;
        // The terminal is the loop's own: suspending happens here, not in the runner.
        let suspend = effects.contains(&Effect::Suspend);
        effects.retain(|e| *e != Effect::Suspend);
        runner.run_all(effects);
        if suspend {
            guard.suspend()?;
        }
    }
    forwarders.abort_all();
    runner.shutdown().await;
    drop(guard);
    Ok(model.exit_code)
}

/// Waits for one message, then applies every message already queued, so a burst costs one draw.
pub async fn next_batch(model: &mut Model, rx: &mut UnboundedReceiver<Msg>) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(first) = rx.recv().await else {
        model.quit = true;
        return effects;
    };
    let now = now();
    effects.extend(update(model, first, now));
    while let Ok(msg) = rx.try_recv() {
        effects.extend(update(model, msg, now));
    }
    effects
}
