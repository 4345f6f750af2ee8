//! Pacing of weight changes sent to the cluster, as a pure state machine driven by explicit times.
//!
//! A change is sent at once when the previous send is at least [`MIN_INTERVAL`] old, otherwise
//! when that interval has passed, so holding a key sends at most ten patches a second and the
//! latest value goes out within 100 ms of the last key. At most one request is in flight; a
//! change made meanwhile is sent once the result arrives. The caller always sends the newest
//! slider value, so the last value wins.
//!
//! The app's update function drives it: `on_change` on every slider move (arm a timer for the
//! returned deadline), `on_timer` when that timer fires (send if it returns true, then call
//! `on_sent`), and `on_result` when the request completes (arm a timer again if it returns a
//! deadline).

use std::time::Duration;

use jiff::Timestamp;

/// The shortest time between two sends: ten per second.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// When the caller should call [`Debouncer::on_timer`].
pub type Deadline = Timestamp;

/// How long from `now` until `deadline`; zero once it has passed.
pub fn until(deadline: Deadline, now: Timestamp) -> Duration {
    Duration::try_from(deadline.duration_since(now)).unwrap_or_default()
}

#[derive(Debug, Clone, Default)]
pub struct Debouncer {
    pending: bool,
    in_flight: bool,
    last_sent: Option<Timestamp>,
    deadline: Option<Deadline>,
}

impl Debouncer {
    pub fn new() -> Self {
        Self::default()
    }

    /// A slider moved. Returns when to send, or `None` while a request is in flight (its
    /// result re-arms the timer through [`Debouncer::on_result`]).
    pub fn on_change(&mut self, now: Timestamp) -> Option<Deadline> {
        self.pending = true;
        if self.in_flight {
            return None;
        }
        let deadline = self.earliest_send(now);
        self.deadline = Some(deadline);
        Some(deadline)
    }

    /// The timer fired: true when the newest value should be sent now.
    pub fn on_timer(&self, now: Timestamp) -> bool {
        // A deadline further away than any the pacing sets means the wall clock went back
        // while the timer ran; the timer itself (monotonic) says the interval has passed.
        let passed = |d: Deadline| now >= d || until(d, now) > MIN_INTERVAL;
        self.pending && !self.in_flight && self.deadline.is_some_and(passed)
    }

    /// The newest value was handed to the client.
    pub fn on_sent(&mut self, now: Timestamp) {
        self.pending = false;
        self.in_flight = true;
        self.last_sent = Some(now);
        self.deadline = None;
    }

    /// The in-flight request finished (successfully or not). Returns when to send the value
    /// that changed meanwhile, if any.
    pub fn on_result(&mut self, now: Timestamp) -> Option<Deadline> {
        self.in_flight = false;
        if !self.pending {
            return None;
        }
        let deadline = self.earliest_send(now);
        self.deadline = Some(deadline);
        Some(deadline)
    }

    /// The change cannot be sent (there is nothing to patch): forget it.
    pub fn cancel(&mut self) {
        self.pending = false;
        self.deadline = None;
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// Whether a change has not been sent yet.
    pub fn pending(&self) -> bool {
        self.pending
    }

    pub fn deadline(&self) -> Option<Deadline> {
        self.deadline
    }

    fn earliest_send(&self, now: Timestamp) -> Timestamp {
        match self.last_sent {
            Some(sent) => now.max(sent + MIN_INTERVAL),
            None => now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Run {
        /// (time in ms, value) of each send.
        sends: Vec<(u64, u32)>,
        last_value: u32,
    }

    /// Replays key presses at `keys_ms` against a client whose requests take `latency_ms`,
    /// stepping a synthetic clock one millisecond at a time.
    fn simulate(keys_ms: &[u64], latency_ms: u64) -> Run {
        let base = Timestamp::UNIX_EPOCH;
        let at = |ms: u64| base + Duration::from_millis(ms);
        let mut pacing = Debouncer::new();
        let mut value = 0;
        let mut sends = Vec::new();
        let mut result_due: Option<u64> = None;
        let end = keys_ms.last().copied().unwrap_or(0) + 5 * latency_ms + 1000;
        for ms in 0..=end {
            if result_due == Some(ms) {
                result_due = None;
                pacing.on_result(at(ms));
            }
            for _ in keys_ms.iter().filter(|k| **k == ms) {
                value += 1;
                pacing.on_change(at(ms));
            }
            if pacing.on_timer(at(ms)) {
                assert!(!pacing.in_flight());
                sends.push((ms, value));
                pacing.on_sent(at(ms));
                result_due = Some(ms + latency_ms);
            }
        }
        assert!(!pacing.pending(), "every change was sent");
        Run {
            sends,
            last_value: value,
        }
    }

    fn burst(count: u64, every_ms: u64) -> Vec<u64> {
        (0..count).map(|i| i * every_ms).collect()
    }

    fn assert_paced(run: &Run, keys: &[u64], max_lag_ms: u64) {
        let (first_key, last_key) = (keys[0], keys[keys.len() - 1]);
        let (first_send, _) = run.sends[0];
        let (last_send, last_sent_value) = run.sends[run.sends.len() - 1];
        assert!(first_send - first_key <= 100, "first send at {first_send}");
        assert!(last_send >= last_key && last_send - last_key <= max_lag_ms);
        assert_eq!(last_sent_value, run.last_value, "the last value wins");
        for pair in run.sends.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= 100, "sends {pair:?} too close");
        }
    }

    #[test]
    fn a_held_key_sends_at_most_ten_a_second() {
        let keys = burst(80, 25);
        let run = simulate(&keys, 20);
        assert!(run.sends.len() <= 21, "{} sends", run.sends.len());
        assert!(run.sends.len() >= 15, "{} sends", run.sends.len());
        assert_paced(&run, &keys, 100);
    }

    #[test]
    fn fifty_changes_at_25_ms_coalesce() {
        let keys = burst(50, 25);
        let run = simulate(&keys, 30);
        assert!(run.sends.len() <= 21);
        assert!(run.sends.len() < keys.len());
        assert_paced(&run, &keys, 100);
    }

    #[test]
    fn a_single_key_is_sent_at_once() {
        let run = simulate(&[40], 20);
        assert_eq!(run.sends, [(40, 1)]);
    }

    #[test]
    fn keys_far_apart_are_each_sent_at_once() {
        let run = simulate(&[0, 1000, 2000], 20);
        assert_eq!(run.sends, [(0, 1), (1000, 2), (2000, 3)]);
    }

    #[test]
    fn a_slow_cluster_gets_one_request_at_a_time_and_the_latest_value() {
        let keys = burst(40, 25);
        let run = simulate(&keys, 250);
        for pair in run.sends.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= 250, "overlapping sends {pair:?}");
        }
        assert_paced(&run, &keys, 250 + 100);
    }

    #[test]
    fn a_change_during_flight_waits_for_the_result() {
        let base = Timestamp::UNIX_EPOCH;
        let ms = |n: u64| base + Duration::from_millis(n);
        let mut pacing = Debouncer::new();
        assert_eq!(pacing.on_change(ms(0)), Some(ms(0)));
        assert!(pacing.on_timer(ms(0)));
        pacing.on_sent(ms(0));
        assert_eq!(pacing.on_change(ms(10)), None);
        assert!(!pacing.on_timer(ms(500)));
        assert_eq!(pacing.on_result(ms(40)), Some(ms(100)));
        assert!(!pacing.on_timer(ms(99)));
        assert!(pacing.on_timer(ms(100)));
        pacing.on_sent(ms(100));
        assert_eq!(pacing.on_result(ms(130)), None);
        assert_eq!(pacing.deadline(), None);
    }
}
