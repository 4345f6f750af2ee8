//! Turns one watcher's event stream into table changes: a watch's first list is shown in
//! batches while it arrives, every later list (after a 410) is held until complete and then
//! replaces the table at once.

use std::time::{Duration, Instant};

use kube::runtime::watcher;

use crate::features::cluster::events::{Change, ListBatch};

/// Rows after which a batch goes out whatever the time.
pub const BATCH_ROWS: usize = 1_000;
/// How long rows of a first list wait for more before they go out: a few frames' worth, so
/// the table grows smoothly while a list of 50,000 costs tens of redraws.
pub const BATCH_INTERVAL: Duration = Duration::from_millis(50);

/// The list in progress.
#[derive(Debug)]
enum Listing<T> {
    /// Held whole until `InitDone`.
    Held(Vec<T>),
    /// Shown in batches: the rows not sent yet.
    Shown {
        pending: Vec<T>,
        loaded: usize,
        /// Nothing of this list has gone out yet.
        first: bool,
        sent_at: Instant,
    },
}

#[derive(Debug)]
pub struct ChangeAssembler<T> {
    /// Whether a first list is shown as it arrives. The Istio kinds are not: the lab's
    /// checks read them whole, and there are few.
    show_first_list: bool,
    /// A list has completed since the watch started, so later lists are re-lists.
    listed: bool,
    listing: Option<Listing<T>>,
    total: Option<usize>,
}

impl<T> ChangeAssembler<T> {
    pub fn new(show_first_list: bool) -> Self {
        Self {
            show_first_list,
            listed: false,
            listing: None,
            total: None,
        }
    }

    /// The size of the first list, counted apart from it; None when it could not be.
    pub fn set_total(&mut self, total: Option<usize>) {
        self.total = total;
    }

    /// Feeds one event at `now`; returns the change to publish, if any.
    ///
    /// `convert` turns an object into its row, `name_of` gives the object's name.
    pub fn on_event<K>(
        &mut self,
        event: watcher::Event<K>,
        convert: impl Fn(&K) -> T,
        name_of: impl Fn(&K) -> String,
        now: Instant,
    ) -> Option<Change<T>> {
        match event {
            watcher::Event::Init => {
                self.listing = Some(self.new_listing(now));
                None
            }
            watcher::Event::InitApply(object) => {
                // An InitApply without Init only happens if events are fed out of order;
                // starting a list keeps the object rather than dropping it.
                if self.listing.is_none() {
                    self.listing = Some(self.new_listing(now));
                }
                match self.listing.as_mut()? {
                    Listing::Held(rows) => {
                        rows.push(convert(&object));
                        None
                    }
                    Listing::Shown {
                        pending,
                        loaded,
                        first,
                        sent_at,
                    } => {
                        pending.push(convert(&object));
                        *loaded += 1;
                        // The first rows go out at once: an empty table is what is slow.
                        let due = *first
                            || pending.len() >= BATCH_ROWS
                            || now.duration_since(*sent_at) >= BATCH_INTERVAL;
                        due.then(|| self.batch(now, false)).flatten()
                    }
                }
            }
            watcher::Event::InitDone => {
                self.listed = true;
                if matches!(self.listing, Some(Listing::Shown { .. })) {
                    return self.batch(now, true);
                }
                let rows = match self.listing.take() {
                    Some(Listing::Held(rows)) => rows,
                    _ => Vec::new(),
                };
                Some(Change::Reset(rows))
            }
            watcher::Event::Apply(object) => Some(Change::Applied(convert(&object))),
            watcher::Event::Delete(object) => Some(Change::Deleted {
                name: name_of(&object),
            }),
        }
    }

    /// When the rows waiting in a shown list are due, if some are waiting: the stream may
    /// pause (between pages, or a slow server), and they must not wait for the next object.
    pub fn due_at(&self) -> Option<Instant> {
        match &self.listing {
            Some(Listing::Shown {
                pending, sent_at, ..
            }) if !pending.is_empty() => Some(*sent_at + BATCH_INTERVAL),
            _ => None,
        }
    }

    /// Sends the rows waiting in a shown list now.
    pub fn flush(&mut self, now: Instant) -> Option<Change<T>> {
        self.batch(now, false)
    }

    /// Forgets a half-finished list (the stream is being restarted). Rows of a first list
    /// already shown stay until the next list, which confirms or drops them.
    pub fn abandon(&mut self) {
        self.listing = None;
    }

    fn new_listing(&self, now: Instant) -> Listing<T> {
        if self.show_first_list && !self.listed {
            Listing::Shown {
                pending: Vec::new(),
                loaded: 0,
                first: true,
                sent_at: now,
            }
        } else {
            Listing::Held(Vec::new())
        }
    }

    /// The waiting rows of a shown list as one batch; `done` ends the list (and is sent
    /// even with no rows, so an empty list still completes).
    fn batch(&mut self, now: Instant, done: bool) -> Option<Change<T>> {
        let Some(Listing::Shown {
            pending,
            loaded,
            first,
            sent_at,
        }) = &mut self.listing
        else {
            return None;
        };
        if pending.is_empty() && !done {
            return None;
        }
        let batch = ListBatch {
            first: *first,
            rows: std::mem::take(pending),
            loaded: *loaded,
            total: self.total,
            done,
        };
        *first = false;
        *sent_at = now;
        if done {
            self.listing = None;
        }
        Some(Change::Listing(batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(
        assembler: &mut ChangeAssembler<String>,
        event: watcher::Event<&'static str>,
        now: Instant,
    ) -> Option<Change<String>> {
        assembler.on_event(event, |s| s.to_uppercase(), |s| s.to_string(), now)
    }

    fn batch(first: bool, rows: &[&str], loaded: usize, done: bool) -> Option<Change<String>> {
        Some(Change::Listing(ListBatch {
            first,
            rows: rows.iter().map(|r| r.to_string()).collect(),
            loaded,
            total: Some(3),
            done,
        }))
    }

    #[test]
    fn a_first_list_goes_out_at_once_then_in_timed_batches() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut assembler = ChangeAssembler::new(true);
        assembler.set_total(Some(3));
        assert_eq!(feed(&mut assembler, watcher::Event::Init, t0), None);
        assert_eq!(assembler.due_at(), None);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("a"), ms(1)),
            batch(true, &["A"], 1, false)
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("b"), ms(2)),
            None
        );
        // Waiting rows are due a batch interval after the last batch, stream or no stream.
        assert_eq!(assembler.due_at(), Some(ms(1) + BATCH_INTERVAL));
        assert_eq!(assembler.flush(ms(51)), batch(false, &["B"], 2, false));
        assert_eq!(assembler.flush(ms(52)), None);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("c"), ms(60)),
            None
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("d"), ms(101)),
            Some(Change::Listing(ListBatch {
                first: false,
                rows: vec!["C".into(), "D".into()],
                loaded: 4,
                total: Some(3),
                done: false,
            }))
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone, ms(102)),
            batch(false, &[], 4, true)
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::Apply("c"), ms(103)),
            Some(Change::Applied("C".to_string()))
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::Delete("a"), ms(104)),
            Some(Change::Deleted {
                name: "a".to_string()
            })
        );
    }

    #[test]
    fn a_batch_goes_out_when_full_whatever_the_time() {
        let now = Instant::now();
        let mut assembler = ChangeAssembler::new(true);
        feed(&mut assembler, watcher::Event::Init, now);
        feed(&mut assembler, watcher::Event::InitApply("first"), now);
        let sizes: Vec<usize> = (0..2 * BATCH_ROWS)
            .filter_map(|_| feed(&mut assembler, watcher::Event::InitApply("x"), now))
            .map(|change| match change {
                Change::Listing(batch) => batch.rows.len(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(sizes, [BATCH_ROWS, BATCH_ROWS]);
    }

    #[test]
    fn a_relist_replaces_at_once_instead_of_showing_its_progress() {
        let now = Instant::now();
        let mut assembler = ChangeAssembler::new(true);
        feed(&mut assembler, watcher::Event::Init, now);
        feed(&mut assembler, watcher::Event::InitApply("old"), now);
        assert!(matches!(
            feed(&mut assembler, watcher::Event::InitDone, now),
            Some(Change::Listing(ListBatch { done: true, .. }))
        ));
        // A 410 forces a second listing; only its objects may appear in the Reset.
        feed(&mut assembler, watcher::Event::Init, now);
        let later = now + Duration::from_secs(1);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("new"), later),
            None
        );
        assert_eq!(assembler.due_at(), None);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone, later),
            Some(Change::Reset(vec!["NEW".to_string()]))
        );
    }

    #[test]
    fn held_lists_buffer_until_done_and_abandon_drops_them() {
        let now = Instant::now();
        let mut assembler = ChangeAssembler::new(false);
        feed(&mut assembler, watcher::Event::Init, now);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("a"), now),
            None
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitApply("b"), now),
            None
        );
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone, now),
            Some(Change::Reset(vec!["A".to_string(), "B".to_string()]))
        );
        feed(&mut assembler, watcher::Event::Init, now);
        feed(&mut assembler, watcher::Event::InitApply("partial"), now);
        assembler.abandon();
        feed(&mut assembler, watcher::Event::Init, now);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone, now),
            Some(Change::Reset(Vec::new()))
        );
    }

    #[test]
    fn a_first_list_cut_short_starts_over_and_an_empty_one_still_completes() {
        let now = Instant::now();
        let mut assembler = ChangeAssembler::new(true);
        feed(&mut assembler, watcher::Event::Init, now);
        feed(&mut assembler, watcher::Event::InitApply("a"), now);
        feed(&mut assembler, watcher::Event::InitApply("b"), now);
        assembler.abandon();
        assert_eq!(assembler.due_at(), None);
        // Still the first list: shown as it comes, starting over.
        feed(&mut assembler, watcher::Event::Init, now);
        assert_eq!(
            feed(&mut assembler, watcher::Event::InitDone, now),
            Some(Change::Listing(ListBatch {
                first: true,
                rows: Vec::new(),
                loaded: 0,
                total: None,
                done: true,
            }))
        );
    }
}
