//! One store's generators: ClusterIPs, nodePorts and pod IPs handed out in turn, and one
//! seeded random source for name suffixes and the productpage's routing dice. Each store has
//! its own, so two demo clusters (or two tests) never draw from each other's sequences.

use std::sync::{Mutex, MutexGuard};

/// Lower-case letters and digits without vowels, as Kubernetes name suffixes are (so no
/// generated name spells a word).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
const SUFFIX_LEN: usize = 5;

#[derive(Debug)]
pub struct Allocator {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    rng: fastrand::Rng,
    cluster_ips: u32,
    node_ports: u32,
    pod_ips: u32,
}

impl Default for Allocator {
    /// Seeded from the process's random source.
    fn default() -> Self {
        Self::with_rng(fastrand::Rng::new())
    }
}

impl Allocator {
    /// The same seed gives the same suffixes and rolls, for tests that need to predict them.
    pub fn with_seed(seed: u64) -> Self {
        Self::with_rng(fastrand::Rng::with_seed(seed))
    }

    fn with_rng(rng: fastrand::Rng) -> Self {
        Allocator {
            state: Mutex::new(State {
                rng,
                cluster_ips: 0,
                node_ports: 0,
                pod_ips: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a single assignment, so a panicking holder leaves usable state.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// From 10.96.0.0/16, skipping the first addresses as kube-apiserver's own Service has one.
    pub fn cluster_ip(&self) -> String {
        let mut state = self.lock();
        let n = state.cluster_ips + 10;
        state.cluster_ips += 1;
        format!("10.96.{}.{}", (n / 250) % 256, n % 250 + 1)
    }

    /// From 30000-32767, spread out the way a random pick would look.
    pub fn node_port(&self) -> u32 {
        let mut state = self.lock();
        let n = state.node_ports;
        state.node_ports += 1;
        30000 + (n * 7919 + 1234) % 2768
    }

    /// From the node's 10.244.0.0/16 pod range: 62,500 addresses before one repeats.
    pub fn pod_ip(&self) -> String {
        let mut state = self.lock();
        let n = state.pod_ips + 10;
        state.pod_ips += 1;
        format!("10.244.{}.{}", 1 + (n / 250) % 250, n % 250 + 1)
    }

    /// Five characters for a generated name (`reviews-v1-6bdf74cc7d-b8czw`).
    pub fn name_suffix(&self) -> String {
        let mut state = self.lock();
        (0..SUFFIX_LEN)
            .map(|_| SUFFIX_ALPHABET[state.rng.usize(..SUFFIX_ALPHABET.len())] as char)
            .collect()
    }

    /// A uniform number in `0..below` (no cryptographic needs here).
    pub fn roll(&self, below: u32) -> u32 {
        self.lock().rng.u32(..below.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_suffixes_avoid_vowels() {
        let alloc = Allocator::default();
        let suffix = alloc.name_suffix();
        assert_eq!(suffix.len(), 5);
        assert!(suffix.chars().all(|c| !"aeiou".contains(c)));
        assert_ne!(alloc.name_suffix(), alloc.name_suffix());
    }

    #[test]
    fn allocators_do_not_share_sequences() {
        let first = Allocator::with_seed(7);
        let drawn: Vec<String> = (0..3).map(|_| first.name_suffix()).collect();
        let ips: Vec<String> = (0..3).map(|_| first.pod_ip()).collect();
        let second = Allocator::with_seed(7);
        // The first allocator's draws moved nothing in the second one.
        assert_eq!(second.name_suffix(), drawn[0]);
        assert_eq!(second.pod_ip(), ips[0]);
        assert_ne!(ips[0], ips[1]);
        assert!((0..100).all(|_| first.roll(3) < 3));
    }
}
