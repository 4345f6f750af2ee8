//! The `istio-lab class` screen's loop: the terminal, keys, the clock, the progress watch and
//! the lead's publishes, all through the class view's pure update.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use kube::Client;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::terminal::TerminalGuard;
use crate::features::class::effects::{self, Scope};
use crate::features::class::{ClassEffect, ClassModel, ClassMsg, update, view};
use crate::ui::theme::Theme;

pub struct ClassRun {
    pub client: Client,
    pub scope: Scope,
    pub lesson_titles: Vec<String>,
    pub lead: Option<String>,
    pub color: bool,
    /// `--theme` (or contrast with `--present`): the class view goes on a projector too.
    pub theme: crate::ui::theme::ThemeName,
}

pub async fn run(class: ClassRun) -> std::io::Result<u8> {
    let mut guard = TerminalGuard::enter()?;
    let (tx, mut rx) = unbounded_channel();
    let size = guard.terminal.size()?;
    let tasks = [
        tokio::spawn(keys(tx.clone())),
        tokio::spawn(ticks(tx.clone())),
        tokio::spawn(effects::watch(
            class.client.clone(),
            class.scope,
            tx.clone(),
        )),
    ];
    let theme = Theme::named(class.theme, class.color);
    let mut model = ClassModel::new(class.lesson_titles, class.lead, super::now());
    update(
        &mut model,
        ClassMsg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    if model.lead.is_some() {
        run_effect(
            &class.client,
            crate::features::class::update::lead_effect(&model),
            &tx,
        );
    }
    guard.terminal.draw(|f| view::render(&model, f, theme))?;
    while let Some(msg) = rx.recv().await {
        let mut effects = update(&mut model, msg);
        while let Ok(msg) = rx.try_recv() {
            effects.extend(update(&mut model, msg));
        }
        if model.quit {
            break;
        }
        for effect in effects {
            run_effect(&class.client, effect, &tx);
        }
        guard.terminal.draw(|f| view::render(&model, f, theme))?;
    }
    tasks.iter().for_each(|t| t.abort());
    Ok(0)
}

fn run_effect(client: &Client, effect: ClassEffect, tx: &UnboundedSender<ClassMsg>) {
    match effect {
        ClassEffect::PublishLead { namespace, doc } => {
            let (client, tx) = (client.clone(), tx.clone());
            tokio::spawn(async move {
                let result = effects::publish_lead(&client, &namespace, &doc).await;
                let _ = tx.send(ClassMsg::LeadPublished(result));
            });
        }
    }
}

async fn keys(tx: UnboundedSender<ClassMsg>) {
    let mut events = EventStream::new();
    while let Some(Ok(event)) = events.next().await {
        let msg = match event {
            Event::Key(key) => ClassMsg::Key(key),
            Event::Resize(width, height) => ClassMsg::Resize { width, height },
            _ => continue,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// Once a second, for the ages and the stuck marks; signals end the view as `q` does.
async fn ticks(tx: UnboundedSender<ClassMsg>) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interval = tokio::time::interval(Duration::from_secs(1));
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    loop {
        let msg = tokio::select! {
            _ = interval.tick() => ClassMsg::Tick(super::now()),
            _ = int.recv() => ClassMsg::Quit,
            _ = term.recv() => ClassMsg::Quit,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}
