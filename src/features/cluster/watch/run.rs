//! One watched resource for its whole life: the kube-runtime watcher stream (streaming or
//! paged lists, as `strategy` decides), its events turned into table changes, the first
//! list's size counted beside it, and errors reported and paced.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use futures::{Stream, StreamExt};
use kube::api::{Api, ListParams};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use super::Target;
use super::assembler::ChangeAssembler;
use super::health::{RESUME_SETTLE, WatchHealth};
use super::strategy::{ListModes, ListStrategy, refuses_streaming};
use crate::features::cluster::client::TIMEOUTS;
use crate::features::cluster::connection::{
    RequestContext, WatchFailure, classify_watch_error, is_silence, watch_refused_as_expired,
};
use crate::features::cluster::events::ClusterEvent;
use crate::features::cluster::status::{StatusUpdate, TaskState};

/// Objects per page of a paged list. kube-rs defaults to 500; a page is held whole, as
/// text and as typed objects, while it is turned into rows, and with thousands of pods the
/// allocator keeps that peak. 50 costs a few more round trips and keeps the process small;
/// only servers that refuse streaming lists are listed in pages.
const LIST_PAGE_SIZE: u32 = 50;

/// The server ends each watch after this long and the watcher opens the next from the same
/// resourceVersion (no list). It is shorter than the client's read timeout, so a quiet but
/// healthy watch ends cleanly while a silent connection (a laptop that slept, a VPN that
/// dropped) fails the read and is reported; kube-runtime also gives up on a watch that stays
/// silent 5 s past this.
pub const WATCH_TIMEOUT_SECS: u32 = 25;

/// What woke the watch loop.
enum Step<K> {
    Next(Option<watcher::Result<watcher::Event<K>>>),
    Counted(Option<usize>),
    /// The resumed stream stayed quiet long enough to count as reconnected.
    Quiet,
    /// Rows of a first list waited long enough.
    Due,
}

/// Watches one resource forever on one stream: list, stream changes, and on errors report
/// them and pause. The watcher resumes from its last resourceVersion on the next poll and
/// lists again only after a 410, so a blip costs a re-opened watch, not a re-list. A new
/// stream is opened only where the watcher cannot go on: a watch request answered 410, the
/// stream ending, or the server refusing streaming lists (then in pages, for the session).
pub async fn run_watch<K, T>(
    target: Target<K, T>,
    modes: ListModes,
    tx: UnboundedSender<ClusterEvent>,
    status: UnboundedSender<StatusUpdate>,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone + Send + Sync,
    T: Send + 'static,
{
    let mut target = target;
    let context = RequestContext {
        resource: &target.key.resource,
        namespace: &target.key.namespace,
    };
    let report = |state: TaskState| {
        // The status board only goes away when the whole handle does.
        let _ = status.send(StatusUpdate::Task(target.key.clone(), state));
    };
    let mut health = WatchHealth::default();
    // The watcher's own `Init` restarts the list in progress whenever it lists again, so a
    // list cut short by an error never leaks into the next one.
    let mut assembler = ChangeAssembler::new(target.show_first_list);
    let mut strategy = modes.strategy(&target.key.resource);
    let mut stream = open_watch(&target.api, strategy);
    // Counted beside the list, not before it, so the count costs the first rows nothing.
    let mut count = target
        .show_first_list
        .then(|| Box::pin(count_objects(target.api.clone())));
    // When the stream resumed after an error: if it stays quiet until then, it reconnected.
    let mut settle: Option<Instant> = None;
    // After the server fell silent, quiet is no proof: only a read that outlives the read
    // timeout is.
    let mut after_silence = false;
    // Only the first attempt says Connecting; later ones keep showing the retry or refusal
    // until they succeed, so the status bar does not flicker on every attempt.
    report(TaskState::Connecting);
    loop {
        let quiet_at = settle.filter(|_| health.awaiting_quiet());
        let due_at = assembler.due_at().map(Instant::from_std);
        // Polling the stream again after another branch won picks up where it was: the
        // watcher keeps its pending request inside the stream, not in this future.
        let step = tokio::select! {
            next = stream.next() => Step::Next(next),
            total = poll_count(&mut count), if count.is_some() => Step::Counted(total),
            () = sleep_until(quiet_at), if quiet_at.is_some() => Step::Quiet,
            () = sleep_until(due_at), if due_at.is_some() => Step::Due,
        };
        let next = match step {
            Step::Next(next) => next,
            Step::Counted(total) => {
                count = None;
                assembler.set_total(total);
                continue;
            }
            Step::Quiet => {
                settle = None;
                if let Some(state) = health.on_quiet() {
                    report(state);
                }
                continue;
            }
            Step::Due => {
                let change = assembler.flush(std::time::Instant::now());
                if let Some(change) = change
                    && tx.send((target.wrap)(change)).is_err()
                {
                    return;
                }
                continue;
            }
        };
        let failure = match next {
            Some(Ok(event)) => {
                if let Some(cache) = target.cache.as_mut() {
                    cache.apply_watcher_event(&event);
                }
                let state = health.on_event(&event);
                let now = std::time::Instant::now();
                let change = assembler.on_event(event, target.convert, |o| o.name_any(), now);
                if let Some(change) = change
                    && tx.send((target.wrap)(change)).is_err()
                {
                    return;
                }
                if let Some(state) = state {
                    report(state);
                }
                continue;
            }
            Some(Err(error))
                if strategy == ListStrategy::Streaming && refuses_streaming(&error) =>
            {
                // Not a failure to report: the same list follows at once, in pages.
                tracing::info!(watch = ?target.key, %error, "streaming lists refused; listing in pages");
                modes.refused(&target.key.resource);
                strategy = ListStrategy::Paged;
                assembler.abandon();
                stream = open_watch(&target.api, strategy);
                continue;
            }
            Some(Err(error)) => {
                after_silence = is_silence(&error);
                if watch_refused_as_expired(&error) {
                    assembler.abandon();
                    stream = open_watch(&target.api, strategy);
                }
                classify_watch_error(&error, context)
            }
            None => {
                // kube-runtime's watcher never ends; should a later one, only a new stream
                // (which lists first) can go on.
                assembler.abandon();
                stream = open_watch(&target.api, strategy);
                WatchFailure::Transient("watch 스트림이 끝나 처음부터 다시 읽습니다".to_string())
            }
        };
        settle = None;
        if let Some((state, delay)) = health.on_error(failure) {
            report(state);
            tokio::time::sleep(delay).await;
            let wait = if after_silence {
                TIMEOUTS.read + RESUME_SETTLE
            } else {
                RESUME_SETTLE
            };
            settle = Some(Instant::now() + wait);
        }
    }
}

/// The one watch stream of a resource, listing as `strategy` says.
fn open_watch<K>(
    api: &Api<K>,
    strategy: ListStrategy,
) -> Pin<Box<impl Stream<Item = watcher::Result<watcher::Event<K>>> + use<K>>>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let config = match strategy {
        ListStrategy::Streaming => watcher::Config::default().streaming_lists(),
        ListStrategy::Paged => watcher::Config::default().page_size(LIST_PAGE_SIZE),
    }
    .timeout(WATCH_TIMEOUT_SECS);
    Box::pin(watcher(api.clone(), config))
}

/// How many objects the first list brings: a one-object page and its `remainingItemCount`.
/// None when the server leaves the count out (it does for selectors) or refuses the list.
async fn count_objects<K>(api: Api<K>) -> Option<usize>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let page = api.list(&ListParams::default().limit(1)).await.ok()?;
    let items = page.items.len();
    let more = page
        .metadata
        .continue_
        .as_deref()
        .is_some_and(|c| !c.is_empty());
    if !more {
        return Some(items);
    }
    let remaining = usize::try_from(page.metadata.remaining_item_count?).ok()?;
    Some(items + remaining)
}

async fn poll_count<F: Future<Output = Option<usize>>>(
    count: &mut Option<Pin<Box<F>>>,
) -> Option<usize> {
    match count {
        Some(counting) => counting.await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
