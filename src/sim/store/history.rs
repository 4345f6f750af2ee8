//! The event history side of the store: the events watches stream, replay from an RV,
//! lists at an older resourceVersion, and forgetting everything on a restart.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::sim::meta::meta_string;
use serde_json::Value;
use tokio::sync::broadcast;

use super::{Inner, SimStore, Stored};

/// Enough for minutes of a busy demo; a watcher further behind relists (410), as it would
/// against a real apiserver's watch cache.
const HISTORY_LIMIT: usize = 8_192;
/// The history's size cap, whatever the count: a few huge objects written over and over
/// must not hold memory without bound. The oldest events go first.
pub(super) const HISTORY_BYTE_LIMIT: usize = 16 * 1024 * 1024;
/// What an event costs besides its object and names: the `Event` and its `Arc`s.
const EVENT_OVERHEAD: usize = 96;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches stream it.
#[derive(Debug, Clone)]
pub struct Event {
    pub rv: u64,
    pub resource: usize,
    pub namespace: String,
    pub name: String,
    pub event_type: EventType,
    /// Shared with the store's current object while it is current, so history costs nothing extra.
    pub object: Arc<Stored>,
}

/// A watch's start: the changes to replay, the feed of later ones, and the RV at which
/// the two meet.
pub struct Subscription {
    pub replay: Vec<Arc<Event>>,
    pub receiver: broadcast::Receiver<Arc<Event>>,
    pub rv: u64,
}

/// An object's last change at or before some RV, and its first change after it.
type AroundRv<'a> = (Option<&'a Event>, Option<&'a Event>);

impl Event {
    /// The bytes this event keeps alive in the history, its object's own dictionary
    /// included. The object may also be the store's current one; it is counted anyway,
    /// since it outlives that once overwritten.
    fn weight(&self) -> usize {
        self.object.held_len() + self.namespace.len() + self.name.len() + EVENT_OVERHEAD
    }
}

impl SimStore {
    pub(super) fn push_history(&self, inner: &mut Inner, event: Arc<Event>) {
        inner.history_bytes += event.weight();
        inner.history.push_back(event.clone());
        // The newest event always stays, so a watch can start from the write before it.
        while inner.history.len() > 1
            && (inner.history.len() > HISTORY_LIMIT
                || inner.history_bytes > inner.history_byte_limit)
        {
            let Some(evicted) = inner.history.pop_front() else {
                break;
            };
            inner.history_bytes = inner.history_bytes.saturating_sub(evicted.weight());
            inner.oldest_rv = evicted.rv;
        }
        // Nobody listening is fine: watches subscribe later and replay from history.
        let _ = self.events.send(event);
    }

    /// A receiver of every change from now on (controllers use it).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.events.subscribe()
    }

    /// Replays changes after `from_rv` for a resource and subscribes to later ones, under
    /// one lock so nothing falls between the two. Err carries the oldest RV still kept.
    pub fn watch_from(
        &self,
        resource: usize,
        namespace: Option<&str>,
        from_rv: u64,
    ) -> Result<Subscription, u64> {
        let inner = self.lock();
        if from_rv < inner.oldest_rv {
            return Err(inner.oldest_rv);
        }
        let start = inner.history.partition_point(|e| e.rv <= from_rv);
        let replay = inner
            .history
            .range(start..)
            .filter(|e| e.resource == resource && namespace.is_none_or(|ns| ns == e.namespace))
            .cloned()
            .collect();
        Ok(Subscription {
            replay,
            receiver: self.events.subscribe(),
            rv: inner.rv,
        })
    }

    /// The objects of one resource as they were at `rv`, rebuilt from the event history
    /// (for `resourceVersionMatch=Exact` lists). Callers check `rv >= oldest_rv()` first.
    pub fn list_at(&self, resource: usize, namespace: Option<&str>, rv: u64) -> Vec<Value> {
        let (current, _) = self.list(resource, namespace);
        let inner = self.lock();
        let mut changes: BTreeMap<(String, String), AroundRv<'_>> = BTreeMap::new();
        let relevant = inner
            .history
            .iter()
            .filter(|e| e.resource == resource && namespace.is_none_or(|ns| ns == e.namespace));
        for event in relevant {
            let name = event.name.as_str();
            let entry = changes
                .entry((event.namespace.clone(), name.to_string()))
                .or_default();
            if event.rv <= rv {
                entry.0 = Some(event);
            } else if entry.1.is_none() {
                entry.1 = Some(event);
            }
        }
        let mut objects: BTreeMap<(String, String), Value> = current
            .into_iter()
            .map(|obj| {
                let ns = meta_string(&obj, "namespace");
                let name = meta_string(&obj, "name");
                ((ns, name), obj)
            })
            .collect();
        for (key, (before, after)) in changes {
            let state = match (before, after) {
                (_, None) => continue,
                (Some(event), _) if event.event_type == EventType::Deleted => None,
                (Some(event), _) => Some(event.object.value()),
                (None, Some(event)) if event.event_type == EventType::Added => None,
                // Changed before the history starts: the first known state is the best guess.
                (None, Some(event)) => Some(event.object.value()),
            };
            match state {
                Some(obj) => objects.insert(key, obj),
                None => objects.remove(&key),
            };
        }
        objects.into_values().collect()
    }

    /// Forgets the event history, as an apiserver restart does: watches from any RV before
    /// now get the 410 ERROR event. The counter moves on, since a restarting apiserver writes.
    pub fn forget_history(&self) {
        let mut inner = self.lock();
        inner.rv += 1;
        inner.history.clear();
        inner.history_bytes = 0;
        inner.oldest_rv = inner.rv;
    }

    /// Caps the history at `bytes`, so a test can overflow it with a few events.
    #[cfg(test)]
    pub fn set_history_byte_limit(&self, bytes: usize) {
        self.lock().history_byte_limit = bytes;
    }

    pub fn oldest_rv(&self) -> u64 {
        self.lock().oldest_rv
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::vs;
    use super::*;
    use crate::sim::resources::{PODS, VIRTUALSERVICES};

    #[test]
    fn deleted_event_has_a_new_rv_and_history_replays_after_an_rv() {
        let store = SimStore::new();
        let start = store.current_rv();
        let created = store.put(vs(90)).unwrap();
        let deleted = store
            .delete_now(VIRTUALSERVICES, "default", "reviews")
            .unwrap();
        assert_ne!(
            deleted["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]
        );
        let replay = store
            .watch_from(VIRTUALSERVICES, Some("default"), start)
            .unwrap()
            .replay;
        let types: Vec<_> = replay.iter().map(|e| e.event_type).collect();
        assert_eq!(types, vec![EventType::Added, EventType::Deleted]);
        let replay = store
            .watch_from(PODS, Some("default"), start)
            .unwrap()
            .replay;
        assert!(replay.is_empty());
    }

    #[test]
    fn exact_lists_are_rebuilt_from_history() {
        let store = SimStore::new();
        let before = store.current_rv();
        let first = store.put(vs(90)).unwrap();
        let at_first = store.current_rv();
        store.put(vs(10)).unwrap();
        let at_second = store.current_rv();
        store
            .delete_now(VIRTUALSERVICES, "default", "reviews")
            .unwrap();
        let weight = |items: Vec<Value>| items[0]["spec"]["http"][0]["route"][0]["weight"].clone();
        assert!(store.list_at(VIRTUALSERVICES, None, before).is_empty());
        assert_eq!(weight(store.list_at(VIRTUALSERVICES, None, at_first)), 90);
        assert_eq!(
            weight(store.list_at(VIRTUALSERVICES, Some("default"), at_second)),
            10
        );
        assert!(
            store
                .list_at(VIRTUALSERVICES, None, store.current_rv())
                .is_empty()
        );
        assert_eq!(
            store.list_at(VIRTUALSERVICES, None, at_first)[0]["metadata"]["uid"],
            first["metadata"]["uid"]
        );
    }

    #[test]
    fn the_history_is_capped_by_bytes_and_expired_rvs_get_410() {
        let store = SimStore::new();
        store.set_history_byte_limit(64 * 1024);
        let start = store.current_rv();
        // Text that does not compress, so each object costs about its size.
        let filler = |seed: u64| -> String {
            let mut rng = fastrand::Rng::with_seed(seed);
            (0..20_000).map(|_| rng.alphanumeric()).collect()
        };
        for round in 0..8u64 {
            let mut object = vs(round);
            object["metadata"]["annotations"] = serde_json::json!({"filler": filler(round)});
            store.put(object).unwrap();
        }
        let inner = store.lock();
        assert!(inner.history_bytes <= 64 * 1024, "{}", inner.history_bytes);
        assert!(
            inner.history.len() < 8,
            "old events were dropped: {} events, {} bytes",
            inner.history.len(),
            inner.history_bytes
        );
        drop(inner);
        let oldest = store.oldest_rv();
        assert!(oldest > start);
        assert_eq!(
            store.watch_from(VIRTUALSERVICES, None, start).err(),
            Some(oldest),
            "a watch from before the dropped events is expired"
        );
        assert!(store.watch_from(VIRTUALSERVICES, None, oldest).is_ok());
    }

    #[test]
    fn forgetting_history_expires_old_rvs() {
        let store = SimStore::new();
        store.put(vs(90)).unwrap();
        let before = store.current_rv();
        store.forget_history();
        assert_eq!(
            store.watch_from(VIRTUALSERVICES, None, before).err(),
            Some(before + 1)
        );
        assert!(store.watch_from(VIRTUALSERVICES, None, before - 1).is_err());
        assert!(store.watch_from(VIRTUALSERVICES, None, before + 1).is_ok());
    }
}
