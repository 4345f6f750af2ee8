//! What the watchers send to the app: table changes and connection states, in one enum.

use kube::api::DynamicObject;
use kube::runtime::watcher;

use super::connection::ConnectionState;
use super::rows::{PodRow, ServiceRow};

/// Istio networking kinds the lab watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeshKind {
    VirtualService,
    DestinationRule,
    Gateway,
}

impl MeshKind {
    pub const ALL: [MeshKind; 3] = [
        MeshKind::VirtualService,
        MeshKind::DestinationRule,
        MeshKind::Gateway,
    ];

    /// The `kind` as discovery reports it.
    pub fn kind_name(self) -> &'static str {
        match self {
            MeshKind::VirtualService => "VirtualService",
            MeshKind::DestinationRule => "DestinationRule",
            MeshKind::Gateway => "Gateway",
        }
    }

    /// The resource's plural name in URLs and RBAC messages.
    pub fn plural(self) -> &'static str {
        match self {
            MeshKind::VirtualService => "virtualservices",
            MeshKind::DestinationRule => "destinationrules",
            MeshKind::Gateway => "gateways",
        }
    }
}

/// One message from the cluster side.
// Each event is moved once through a channel; boxing the larger variants would only
// make every consumer's pattern matching noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ClusterEvent {
    Pods {
        namespace: String,
        change: Change<PodRow>,
    },
    Services {
        namespace: String,
        change: Change<ServiceRow>,
    },
    /// Istio resources in the lab namespace.
    Mesh {
        kind: MeshKind,
        change: Change<DynamicObject>,
    },
    Connection(ConnectionState),
}

/// A change to one table.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// A complete list: replace the whole table. Sent only once a (re-)list has finished,
    /// so a re-list never shows an empty table in between.
    Reset(Vec<T>),
    /// An object was added or modified (match rows by name).
    Applied(T),
    Deleted {
        name: String,
    },
}

/// Turns a watcher's event stream into table changes, buffering a re-list until it is complete.
#[derive(Debug)]
pub struct ChangeAssembler<T> {
    listing: Option<Vec<T>>,
}

impl<T> Default for ChangeAssembler<T> {
    fn default() -> Self {
        Self { listing: None }
    }
}

impl<T> ChangeAssembler<T> {
    /// Feeds one event; returns the change to publish, if any.
    ///
    /// `convert` turns an object into its row, `name_of` gives the object's name.
    pub fn on_event<K>(
        &mut self,
        event: watcher::Event<K>,
        convert: impl Fn(&K) -> T,
        name_of: impl Fn(&K) -> String,
    ) -> Option<Change<T>> {
        match event {
            watcher::Event::Init => {
                self.listing = Some(Vec::new());
                None
            }
            watcher::Event::InitApply(object) => {
                // An InitApply without Init only happens if events are fed out of order;
                // starting a buffer keeps the object rather than dropping it.
                self.listing
                    .get_or_insert_with(Vec::new)
                    .push(convert(&object));
                None
            }
            watcher::Event::InitDone => {
                Some(Change::Reset(self.listing.take().unwrap_or_default()))
            }
            watcher::Event::Apply(object) => Some(Change::Applied(convert(&object))),
            watcher::Event::Delete(object) => Some(Change::Deleted {
                name: name_of(&object),
            }),
        }
    }

    /// Forgets a half-finished listing (the stream is being restarted).
    pub fn abandon(&mut self) {
        self.listing = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(
        assembler: &mut ChangeAssembler<String>,
        event: watcher::Event<&'static str>,
    ) -> Option<Change<String>> {
        assembler.on_event(event, |s| s.to_uppercase(), |s| s.to_string())
    }

    #[test]
    fn buffers_init_apply_until_init_done() {
        let mut assembler = ChangeAssembler::default();
        assert_eq!(feed(&mut assembler, watcher::Event::Init), None);
        assert_eq!(feed(&mut assembler, watcher::Event::InitApply("a")), None);
        assert_eq!(feed(&mut assembler, watcher::Event::InitApply("b")), None);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone),
            Some(Change::Reset(vec!["A".to_string(), "B".to_string()]))
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::Apply("c")),
            Some(Change::Applied("C".to_string()))
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::Delete("a")),
            Some(Change::Deleted {
                name: "a".to_string()
            })
        );
    }

    #[test]
    fn a_relist_replaces_instead_of_accumulating() {
        let mut assembler = ChangeAssembler::default();
        feed(&mut assembler, watcher::Event::Init);
        feed(&mut assembler, watcher::Event::InitApply("old"));
        feed(&mut assembler, watcher::Event::InitDone);
        // A 410 forces a second listing; only its objects may appear in the Reset.
        feed(&mut assembler, watcher::Event::Init);
        feed(&mut assembler, watcher::Event::InitApply("new"));
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone),
            Some(Change::Reset(vec!["NEW".to_string()]))
        );
    }

    #[test]
    fn empty_listing_resets_to_empty_and_abandon_drops_partial_lists() {
        let mut assembler = ChangeAssembler::default();
        feed(&mut assembler, watcher::Event::Init);
        feed(&mut assembler, watcher::Event::InitApply("partial"));
        assembler.abandon();
        feed(&mut assembler, watcher::Event::Init);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone),
            Some(Change::Reset(Vec::new()))
        );
    }

    #[test]
    fn mesh_kind_names() {
        let plurals: Vec<&str> = MeshKind::ALL.iter().map(|k| k.plural()).collect();
        assert_eq!(plurals, ["virtualservices", "destinationrules", "gateways"]);
        assert_eq!(MeshKind::DestinationRule.kind_name(), "DestinationRule");
    }
}
