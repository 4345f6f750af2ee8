//! One learner of the room bench: their client from their own kubeconfig, Bookinfo and the
//! guide's routing applied into their namespace, the app's watchers on it, and the load the
//! app makes while the learner works: the probe at 5 requests a second and a slider patch
//! every 2 seconds, each patch timed until it answers and until the watchers see it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use istio_lab::features::cluster::apply::{Writer, apply_manifest};
use istio_lab::features::cluster::mesh::{MeshObject, ServiceRef, Weight};
use istio_lab::features::cluster::{
    Change, ClusterEvent, ConnectionState, MeshKind, WatchHandle, spawn_watchers,
};
use istio_lab::features::traffic::probe_route::{is_productpage, via_api_proxy};
use istio_lab::features::traffic::{merge_patch, weighted_route};
use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::sync::mpsc::unbounded_channel;
use tokio::time::MissedTickBehavior;

use super::common::harness::{BOOKINFO, ROUTE, RULE};

pub const PROBE_EVERY: Duration = Duration::from_millis(200);
pub const PATCH_EVERY: Duration = Duration::from_secs(2);
const VIRTUAL_SERVICE: &str = "reviews";

/// A patch sent and not yet seen by the learner's watchers.
struct Pending {
    weights: Vec<(String, Weight)>,
    sent: Instant,
}

/// What the learner's watchers saw, shared with the task reading their events.
#[derive(Default)]
struct Seen {
    latest: Mutex<Option<MeshObject>>,
    pending: Mutex<Option<Pending>>,
    delays: Mutex<Vec<Duration>>,
    /// Patches whose change the watchers had not shown by the time the next was sent.
    missed: AtomicUsize,
    /// The watchers' combined state, as the app's connection line shows it.
    connection: Mutex<Option<ConnectionState>>,
}

pub struct Learner {
    pub namespace: String,
    client: Client,
    writer: Writer,
    seen: Arc<Seen>,
    watch: WatchHandle,
}

/// What one learner measured over the run.
#[derive(Default)]
pub struct Measured {
    pub patch_latencies: Vec<Duration>,
    pub patch_errors: Vec<String>,
    pub watch_delays: Vec<Duration>,
    pub unseen_patches: usize,
    pub probes_ok: usize,
    pub probes_other: usize,
    pub probe_latencies: Vec<Duration>,
    /// The watchers' state at the end, when it is not "connected" (e.g. a refusal).
    pub not_connected: Option<String>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking bench task aborts the run anyway; the data is still what was measured.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Learner {
    /// The learner's client from their kubeconfig, their Bookinfo applied and ready, the
    /// app's watchers started and one patch seen through them.
    pub async fn start(
        namespace: String,
        kubeconfig: &str,
        limit: Duration,
    ) -> Result<Learner, String> {
        let kubeconfig =
            Kubeconfig::from_yaml(kubeconfig).map_err(|e| format!("{namespace}: {e}"))?;
        let config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .map_err(|e| format!("{namespace}: {e}"))?;
        if config.default_namespace != namespace {
            return Err(format!(
                "{namespace}'s kubeconfig names {}",
                config.default_namespace
            ));
        }
        let client = istio_lab::features::cluster::client_from_config(config)
            .map_err(|e| format!("{namespace}: {e:?}"))?;
        for manifest in [BOOKINFO, RULE, ROUTE] {
            apply_manifest(&client, &namespace, manifest)
                .await
                .map_err(|e| format!("{namespace}: applying the guide's objects: {e:?}"))?;
        }
        let seen = Arc::new(Seen::default());
        let (tx, mut rx) = unbounded_channel();
        let watch = spawn_watchers(client.clone(), &namespace, tx);
        let service = ServiceRef {
            name: VIRTUAL_SERVICE.into(),
            namespace: namespace.clone(),
        };
        let reader = seen.clone();
        tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                saw(&reader, &service, event);
            }
        });
        let learner = Learner {
            namespace,
            client,
            writer: Writer::default(),
            seen,
            watch,
        };
        let ready = async {
            while !is_productpage(&via_api_proxy(&learner.client, &learner.namespace).await)
                || lock(&learner.seen.latest).is_none()
                || learner.not_connected().is_some()
            {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            // One patch seen end to end: the writer's discovery is done before the run.
            learner.patch(50).await?;
            while lock(&learner.seen.pending).is_some() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok::<(), String>(())
        };
        tokio::time::timeout(limit, ready).await.map_err(|_| {
            format!(
                "{}: Bookinfo or its watchers not ready in {limit:?} ({})",
                learner.namespace,
                learner.not_connected().unwrap_or_default()
            )
        })??;
        lock(&learner.seen.delays).clear();
        Ok(learner)
    }

    /// The watchers' state unless every one has listed and is watching.
    fn not_connected(&self) -> Option<String> {
        match &*lock(&self.seen.connection) {
            Some(ConnectionState::Connected { .. }) => None,
            other => Some(format!("{}: {other:?}", self.namespace)),
        }
    }

    /// Sets v1 to `v1` and the other subset of the route to the rest, as the slider does,
    /// from the latest watched VirtualService. Returns the request's round trip.
    async fn patch(&self, v1: Weight) -> Result<Duration, String> {
        let Some(vs) = lock(&self.seen.latest).clone() else {
            return Err(format!("{}: no VirtualService watched", self.namespace));
        };
        let service = ServiceRef {
            name: VIRTUAL_SERVICE.into(),
            namespace: self.namespace.clone(),
        };
        let route = weighted_route(&vs, &service).ok_or("no weighted route")?;
        let weights: Vec<(String, Weight)> = route
            .weights
            .iter()
            .enumerate()
            .map(|(i, (subset, _))| {
                let weight = match i {
                    0 => v1,
                    1 => 100 - v1,
                    _ => 0,
                };
                (subset.clone(), weight)
            })
            .collect();
        let body = merge_patch(&vs, route.http_index, &weights);
        let sent = Instant::now();
        if lock(&self.seen.pending)
            .replace(Pending { weights, sent })
            .is_some()
        {
            self.seen.missed.fetch_add(1, Ordering::Relaxed);
        }
        self.writer
            .merge_patch_virtual_service(&self.client, &self.namespace, VIRTUAL_SERVICE, &body)
            .await
            .map_err(|e| format!("{}: patch: {e:?}", self.namespace))?;
        Ok(sent.elapsed())
    }

    /// The probe and the slider for `duration`; the first patch after `offset`, so the
    /// room's patches are spread over the 2 seconds as learners' would be.
    pub async fn work(self, duration: Duration, offset: Duration) -> Measured {
        let end = Instant::now() + duration;
        let (client, namespace) = (self.client.clone(), self.namespace.clone());
        let probing = tokio::spawn(async move {
            let mut every = tokio::time::interval(PROBE_EVERY);
            every.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut measured = Measured::default();
            while Instant::now() < end {
                every.tick().await;
                let started = Instant::now();
                let result = via_api_proxy(&client, &namespace).await;
                measured.probe_latencies.push(started.elapsed());
                if is_productpage(&result) {
                    measured.probes_ok += 1;
                } else {
                    measured.probes_other += 1;
                }
            }
            measured
        });
        let mut measured = Measured::default();
        tokio::time::sleep(offset).await;
        let mut every = tokio::time::interval(PATCH_EVERY);
        every.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut step: u8 = 0;
        while Instant::now() < end {
            every.tick().await;
            // 10..90 in steps of 10: every patch changes the weights.
            step = step % 9 + 1;
            match self.patch(step * 10).await {
                Ok(latency) => measured.patch_latencies.push(latency),
                Err(e) => measured.patch_errors.push(e),
            }
        }
        // The last change has a second (the target) to reach the watchers.
        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Ok(probes) = probing.await {
            measured.probes_ok = probes.probes_ok;
            measured.probes_other = probes.probes_other;
            measured.probe_latencies = probes.probe_latencies;
        }
        measured.watch_delays = std::mem::take(&mut *lock(&self.seen.delays));
        measured.unseen_patches = self.seen.missed.load(Ordering::Relaxed)
            + usize::from(lock(&self.seen.pending).is_some());
        measured.not_connected = self.not_connected();
        self.watch.stop();
        measured
    }
}

/// One event from the learner's watchers: the reviews VirtualService as now watched, and
/// the delay of the pending patch when this is its change.
fn saw(seen: &Seen, service: &ServiceRef, event: ClusterEvent) {
    if let ClusterEvent::Connection(state) = &event {
        *lock(&seen.connection) = Some(state.clone());
    }
    let ClusterEvent::Mesh {
        kind: MeshKind::VirtualService,
        change,
    } = event
    else {
        return;
    };
    let objects = match change {
        Change::Applied(object) => vec![object],
        Change::Reset(objects) => objects,
        Change::Listing(batch) => batch.rows,
        Change::Deleted { .. } => Vec::new(),
    };
    for object in objects {
        let vs = MeshObject::read(MeshKind::VirtualService, &object);
        if vs.name != VIRTUAL_SERVICE {
            continue;
        }
        let weights = weighted_route(&vs, service).map(|route| route.weights);
        let mut pending = lock(&seen.pending);
        if let Some(p) = pending.as_ref()
            && weights.as_ref() == Some(&p.weights)
        {
            lock(&seen.delays).push(p.sent.elapsed());
            *pending = None;
        }
        drop(pending);
        *lock(&seen.latest) = Some(vs);
    }
}
