//! The object store: one global resourceVersion counter and objects by (resource, namespace,
//! name), written through transactions. The event history lives in `history`.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::sim::alloc::Allocator;
use crate::sim::meta::{
    fake_uid, metadata_mut, next_generation, now_timestamp, same_ignoring_times,
};
use crate::sim::resources::RESOURCES;
use crate::sim::status::ApiError;

mod history;
mod stored;

pub use history::{Event, EventType};
use stored::Dictionaries;
pub use stored::{ListEntry, Stored};

/// What a transaction decided to do with the object it looked at.
pub enum Write {
    Create(Value),
    Replace(Value),
    Delete,
    Keep,
}

type Key = (usize, String, String);

/// How watches answer a streaming list (`sendInitialEvents=true`); `watch_list` has the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamingLists {
    /// As kube-apiserver v1.36: ADDED events, then the initial-events-end BOOKMARK.
    #[default]
    Served,
    /// As a server whose storage lacks RequestWatchProgress: 200 with one ERROR event (500).
    WithoutWatchProgress,
    /// As a server with the WatchList feature gate off (before 1.32): 422 Invalid.
    GateDisabled,
}

struct Inner {
    rv: u64,
    objects: BTreeMap<Key, Arc<Stored>>,
    history: VecDeque<Arc<Event>>,
    /// What the events in `history` hold, as `Event::weight` counts it.
    history_bytes: usize,
    history_byte_limit: usize,
    /// Watches must start at or after this RV; older ones get the 410 ERROR event.
    oldest_rv: u64,
    forbidden: HashSet<(String, String, String)>,
    uid_counter: u64,
    bookmark_interval: Duration,
    streaming_lists: StreamingLists,
    dictionaries: Dictionaries,
}

impl Inner {
    /// One resource's objects in key order, in one namespace or all of them.
    fn objects_of<'a>(
        &'a self,
        resource: usize,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Key, &'a Arc<Stored>)> {
        self.objects
            .range(
                (resource, String::new(), String::new())
                    ..(resource + 1, String::new(), String::new()),
            )
            .filter(move |((_, ns, _), _)| namespace.is_none_or(|wanted| wanted == ns))
    }
}

/// A cloneable handle on the demo cluster's data.
#[derive(Clone)]
pub struct SimStore {
    inner: Arc<Mutex<Inner>>,
    events: broadcast::Sender<Arc<Event>>,
    alloc: Arc<Allocator>,
}

impl std::fmt::Debug for SimStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimStore")
            .field("resource_version", &self.current_rv())
            .finish_non_exhaustive()
    }
}

impl Default for SimStore {
    fn default() -> Self {
        Self::new()
    }
}

fn key_of(resource: usize, namespace: &str, name: &str) -> Key {
    (resource, namespace.to_string(), name.to_string())
}

impl SimStore {
    pub fn new() -> Self {
        Self::with_allocator(Allocator::default())
    }

    /// A store whose generated names and dice follow `seed`, for tests that predict them.
    #[cfg(test)]
    pub fn with_seed(seed: u64) -> Self {
        Self::with_allocator(Allocator::with_seed(seed))
    }

    fn with_allocator(alloc: Allocator) -> Self {
        let (events, _) = broadcast::channel(65_536);
        SimStore {
            inner: Arc::new(Mutex::new(Inner {
                rv: 100,
                objects: BTreeMap::new(),
                history: VecDeque::new(),
                history_bytes: 0,
                history_byte_limit: history::HISTORY_BYTE_LIMIT,
                oldest_rv: 0,
                forbidden: HashSet::new(),
                uid_counter: 0,
                bookmark_interval: Duration::from_secs(60),
                streaming_lists: StreamingLists::Served,
                dictionaries: Dictionaries::default(),
            })),
            events,
            alloc: Arc::new(alloc),
        }
    }

    /// Addresses, ports and random draws, shared by every writer of this store.
    pub fn allocator(&self) -> &Allocator {
        &self.alloc
    }

    /// `prefix` and a random suffix that names no object of `resource` in `namespace` yet.
    /// The apiserver, too, tries a few suffixes before it answers AlreadyExists.
    pub fn generated_name(&self, resource: usize, namespace: &str, prefix: &str) -> String {
        const ATTEMPTS: usize = 8;
        let inner = self.lock();
        let mut name = String::new();
        for _ in 0..ATTEMPTS {
            name = format!("{prefix}{}", self.alloc.name_suffix());
            if !inner
                .objects
                .contains_key(&key_of(resource, namespace, &name))
            {
                break;
            }
        }
        name
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (writes are single inserts).
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, resource: usize, namespace: &str, name: &str) -> Option<Value> {
        let stored = self
            .lock()
            .objects
            .get(&key_of(resource, namespace, name))
            .cloned();
        stored.map(|s| s.value())
    }

    /// The stored objects of one resource, unparsed, with their namespace and name, in key
    /// order, and the RV of the moment: a list page parses only the objects it returns.
    pub fn list_entries(&self, resource: usize, namespace: Option<&str>) -> (Vec<ListEntry>, u64) {
        let inner = self.lock();
        let entries = inner
            .objects_of(resource, namespace)
            .map(|((_, ns, name), obj)| ListEntry {
                namespace: ns.clone(),
                name: name.clone(),
                object: obj.clone(),
            })
            .collect();
        (entries, inner.rv)
    }

    /// Objects of one resource (all namespaces when `namespace` is None), in key order,
    /// and the RV the list was read at.
    pub fn list(&self, resource: usize, namespace: Option<&str>) -> (Vec<Value>, u64) {
        self.list_where(resource, namespace, |_| true)
    }

    /// Like `list`, parsing only the objects `keep` accepts (it may read just a few fields).
    pub fn list_where(
        &self,
        resource: usize,
        namespace: Option<&str>,
        keep: impl Fn(&Stored) -> bool,
    ) -> (Vec<Value>, u64) {
        // Parsing happens outside the lock, so writers are not held up by a big list.
        let (stored, rv): (Vec<Arc<Stored>>, u64) = {
            let inner = self.lock();
            let stored = inner
                .objects_of(resource, namespace)
                .map(|(_, obj)| obj.clone())
                .collect();
            (stored, inner.rv)
        };
        let items = stored
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.value())
            .collect();
        (items, rv)
    }

    /// Looks at one object and writes the decision atomically. Returns the stored object
    /// (the deleted one for a delete) and whether something changed.
    pub fn transact<F>(
        &self,
        resource: usize,
        namespace: &str,
        name: &str,
        decide: F,
    ) -> Result<(Value, bool), ApiError>
    where
        F: FnOnce(Option<&Value>) -> Result<Write, ApiError>,
    {
        let mut inner = self.lock();
        let key = key_of(resource, namespace, name);
        let current = inner.objects.get(&key).map(|s| s.value());
        let current = current.as_ref();
        let def = &RESOURCES[resource];
        match decide(current)? {
            Write::Keep => match current {
                Some(obj) => Ok((obj.clone(), false)),
                None => Err(ApiError::not_found(def, name)),
            },
            Write::Create(mut obj) => {
                if current.is_some() {
                    return Err(ApiError::already_exists(def, name));
                }
                inner.rv += 1;
                inner.uid_counter += 1;
                let rv = inner.rv;
                let uid = fake_uid(inner.uid_counter, rv);
                let meta = metadata_mut(&mut obj);
                meta.insert("uid".into(), json!(uid));
                meta.insert("resourceVersion".into(), json!(rv.to_string()));
                meta.insert("creationTimestamp".into(), json!(now_timestamp()));
                if def.has_generation {
                    meta.insert("generation".into(), json!(1));
                }
                self.record(&mut inner, key, EventType::Added, obj.clone());
                Ok((obj, true))
            }
            Write::Replace(mut obj) => {
                let Some(old) = current else {
                    return Err(ApiError::not_found(def, name));
                };
                if same_ignoring_times(old, &obj) {
                    return Ok((old.clone(), false));
                }
                let generation = next_generation(def, old, &obj);
                inner.rv += 1;
                let rv = inner.rv;
                let meta = metadata_mut(&mut obj);
                meta.insert("resourceVersion".into(), json!(rv.to_string()));
                if let Some(generation) = generation {
                    meta.insert("generation".into(), json!(generation));
                }
                self.record(&mut inner, key, EventType::Modified, obj.clone());
                Ok((obj, true))
            }
            Write::Delete => {
                let Some(mut obj) = inner.objects.remove(&key).map(|s| s.value()) else {
                    return Err(ApiError::not_found(def, name));
                };
                inner.rv += 1;
                let rv = inner.rv;
                metadata_mut(&mut obj).insert("resourceVersion".into(), json!(rv.to_string()));
                let event = Arc::new(Event {
                    rv,
                    resource,
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    event_type: EventType::Deleted,
                    object: Arc::new(inner.dictionaries.pack(resource, &obj)),
                });
                self.push_history(&mut inner, event);
                Ok((obj, true))
            }
        }
    }

    fn record(&self, inner: &mut Inner, key: Key, event_type: EventType, obj: Value) {
        let stored = Arc::new(inner.dictionaries.pack(key.0, &obj));
        let event = Arc::new(Event {
            rv: inner.rv,
            resource: key.0,
            namespace: key.1.clone(),
            name: key.2.clone(),
            event_type,
            object: stored.clone(),
        });
        inner.objects.insert(key, stored);
        self.push_history(inner, event);
    }

    /// Makes RBAC refuse `verb` on `resource` (plural, e.g. "pods") in namespace `ns`
    /// ("" for cluster scope) for every user, so tests can exercise the 403 paths.
    pub fn set_forbidden(&self, verb: &str, resource: &str, ns: &str) {
        self.lock()
            .forbidden
            .insert((verb.into(), resource.into(), ns.into()));
    }

    pub fn clear_forbidden(&self) {
        self.lock().forbidden.clear();
    }

    pub fn is_forbidden(&self, verb: &str, resource: &str, ns: &str) -> bool {
        self.lock()
            .forbidden
            .contains(&(verb.to_string(), resource.to_string(), ns.to_string()))
    }

    pub fn bookmark_interval(&self) -> Duration {
        self.lock().bookmark_interval
    }

    /// Watches send a BOOKMARK after this much idle time (60 s like the apiserver).
    pub fn set_bookmark_interval(&self, interval: Duration) {
        self.lock().bookmark_interval = interval;
    }

    pub fn streaming_lists(&self) -> StreamingLists {
        self.lock().streaming_lists
    }

    /// Makes watches answer streaming lists as `mode` says, so clients' fallbacks can be tested.
    pub fn set_streaming_lists(&self, mode: StreamingLists) {
        self.lock().streaming_lists = mode;
    }

    pub fn delete_now(
        &self,
        resource: usize,
        namespace: &str,
        name: &str,
    ) -> Result<Value, ApiError> {
        self.transact(resource, namespace, name, |_| Ok(Write::Delete))
            .map(|(obj, _)| obj)
    }
}

#[cfg(test)]
mod tests;
