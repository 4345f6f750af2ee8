//! The traffic lab's state: sliders for the `reviews` VirtualService, what the cluster holds,
//! send pacing and status, pre-send findings, and the probe's observed split.

use std::collections::BTreeMap;

use crate::features::cluster::MeshKind;
use crate::features::cluster::mesh::{DestinationRuleView, MeshObject, ServiceRef, Weight};
use crate::features::cluster::model::ClusterView;
use crate::features::traffic::kiali_state::KialiView;
use crate::features::traffic::{
    Debouncer, Finding, ObservedSplit, PodInfo, Severity, Sliders, WeightedRoute, check,
    field_manager_of_last_change, weighted_route,
};

/// The service and VirtualService the lab drives, as in the guide.
pub const HOST: &str = "reviews";
pub const VIRTUAL_SERVICE: &str = "reviews";
pub const DEFAULT_PROBE_RATE: u32 = 5;
pub const MAX_PROBE_RATE: u32 = 50;

/// Where the last change of the weights stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendState {
    Idle,
    Applying,
    Applied {
        millis: u64,
        resource_version: String,
    },
    Failed(SendError),
}

pub use crate::features::cluster::apply::WriteError as SendError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub on: bool,
    pub rate: u32,
    /// How the probe reaches productpage: "GATEWAY_URL 1.2.3.4:80" or "API 서버 프록시".
    pub via: Option<String>,
    pub last_error: Option<String>,
    /// Bumped on every start/stop so results of a stopped probe are dropped.
    pub generation: u64,
}

#[derive(Debug, Clone)]
pub struct TrafficView {
    pub sliders: Sliders,
    pub debouncer: Debouncer,
    pub send: SendState,
    /// The learner moved a slider and the cluster does not have that value yet.
    pub local_changes: bool,
    /// `spec.http` route the sliders drive, from the latest watched VirtualService.
    pub route: Option<WeightedRoute>,
    /// Who made the latest change of `spec.http` (from managedFields).
    pub changed_by: Option<String>,
    pub findings: Vec<Finding>,
    pub observed: ObservedSplit,
    pub probe: Probe,
    /// Digits typed for the selected subset after `=`.
    pub number_input: Option<String>,
    /// The split the probe should see: the weights the cluster holds, or without a
    /// VirtualService Kubernetes' round robin over the ready pods.
    pub expected: Vec<(String, Weight)>,
    /// The Kiali forward (`K`): its port prompt and whether it is up.
    pub kiali: KialiView,
    /// The resourceVersion of the watched VirtualService, to tell its changes apart.
    cluster_version: Option<String>,
}

impl Default for TrafficView {
    fn default() -> Self {
        TrafficView {
            sliders: Sliders::from_routes(&[], &[]),
            debouncer: Debouncer::new(),
            send: SendState::Idle,
            local_changes: false,
            route: None,
            changed_by: None,
            findings: Vec::new(),
            observed: ObservedSplit::new(),
            probe: Probe {
                on: false,
                rate: DEFAULT_PROBE_RATE,
                via: None,
                last_error: None,
                generation: 0,
            },
            number_input: None,
            expected: Vec::new(),
            kiali: KialiView::default(),
            cluster_version: None,
        }
    }
}

/// Whether the lab's `reviews` VirtualService is in the watch cache.
pub fn has_virtual_service(cluster: &ClusterView) -> bool {
    virtual_service(cluster).is_some()
}

/// The service the lab routes: `reviews` in the lab namespace. Hosts of watched objects are
/// compared with it as resolved services, so `reviews.other` is never taken for it.
pub fn lab_service(lab_namespace: &str) -> ServiceRef {
    ServiceRef::resolve(HOST, lab_namespace)
}

/// The watched `reviews` VirtualService.
pub fn virtual_service(cluster: &ClusterView) -> Option<&MeshObject> {
    cluster
        .mesh
        .get(&MeshKind::VirtualService)?
        .get(VIRTUAL_SERVICE)
}

/// Every watched DestinationRule, whichever host it is for.
pub fn destination_rules(cluster: &ClusterView) -> Vec<&DestinationRuleView> {
    cluster
        .mesh
        .get(&MeshKind::DestinationRule)
        .into_iter()
        .flat_map(BTreeMap::values)
        .filter_map(MeshObject::destination_rule)
        .collect()
}

/// Subset names: from the DestinationRules for the lab's service, else from the pods'
/// `version` labels.
fn known_subsets(
    cluster: &ClusterView,
    lab_namespace: &str,
    rules: &[&DestinationRuleView],
) -> Vec<String> {
    let service = lab_service(lab_namespace);
    let mut names: Vec<String> = rules
        .iter()
        .filter(|rule| rule.service == service)
        .flat_map(|rule| &rule.subsets)
        .map(|subset| subset.name.clone())
        .collect();
    if names.is_empty() {
        names = cluster
            .pod_groups(lab_namespace)
            .iter()
            .filter(|(labels, _)| labels.get("app").map(String::as_str) == Some(HOST))
            .filter_map(|(labels, _)| labels.get("version").cloned())
            .collect();
    }
    names.sort();
    names.dedup();
    names
}

/// Kubernetes' own split without a VirtualService: requests go round robin over the ready
/// endpoints, so each version gets its share of ready pods (in whole percents summing to 100).
pub fn round_robin(
    cluster: &ClusterView,
    lab_namespace: &str,
    subsets: &[String],
) -> Vec<(String, Weight)> {
    let ready: Vec<usize> = subsets
        .iter()
        .map(|name| {
            cluster
                .pod_groups(lab_namespace)
                .count_matching(&[("app", HOST), ("version", name)])
                .ready
        })
        .collect();
    let total: usize = ready.iter().sum();
    if total == 0 {
        return subsets.iter().map(|name| (name.clone(), 0)).collect();
    }
    // Largest remainder, so the shares add up to exactly 100.
    let exact: Vec<f64> = ready
        .iter()
        .map(|r| *r as f64 * 100.0 / total as f64)
        .collect();
    let mut shares: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let missing = 100 - shares.iter().sum::<usize>();
    for &index in order.iter().take(missing) {
        shares[index] += 1;
    }
    subsets
        .iter()
        .zip(shares)
        .map(|(name, share)| (name.clone(), Weight::try_from(share).unwrap_or(0)))
        .collect()
}

fn no_route_yet(split: &[(String, Weight)]) -> Finding {
    let shares: Vec<String> = split
        .iter()
        .map(|(name, w)| format!("{name} {w}%"))
        .collect();
    let split = if shares.is_empty() {
        String::new()
    } else {
        format!(" (지금은 {})", shares.join(" · "))
    };
    Finding {
        code: None,
        severity: Severity::Info,
        message_ko: format!(
            "{VIRTUAL_SERVICE} VirtualService가 아직 없어 Kubernetes가 요청을 준비된 Pod에 \
             차례로(라운드 로빈) 나눕니다{split}. 슬라이더를 움직이거나 a 키로 가이드의 \
             VirtualService를 만들 수 있습니다."
        ),
        subsets: Vec::new(),
    }
}

/// What the checks need to know about the lab namespace's pods: one entry per label set,
/// ready when any pod with those labels is.
pub fn pod_infos(cluster: &ClusterView, lab_namespace: &str) -> Vec<PodInfo> {
    cluster
        .pod_groups(lab_namespace)
        .iter()
        .map(|(labels, count)| PodInfo {
            labels: labels.clone(),
            ready: count.ready > 0,
        })
        .collect()
}

impl TrafficView {
    /// Re-reads the cluster side after a watch event: the route, who changed it, the subsets,
    /// and, unless the learner has unsent changes, the slider positions.
    pub fn sync(&mut self, cluster: &ClusterView, lab_namespace: &str) {
        let vs = virtual_service(cluster);
        let rules = destination_rules(cluster);
        let before = self.route.as_ref().map(|r| r.weights.clone());
        self.route = vs.and_then(|vs| weighted_route(vs, &lab_service(lab_namespace)));
        self.changed_by = vs.and_then(|vs| field_manager_of_last_change(&vs.raw));
        let version = vs.and_then(|vs| vs.resource_version.clone());
        let changed = version != self.cluster_version;
        self.cluster_version = version;
        // A refused change (403, 404, 422) is not sent again: once the cluster's object changes
        // (the guide's `a`, the editor, another client), the sliders follow it again.
        let refused = matches!(
            self.send,
            SendState::Failed(SendError { code: Some(_), .. })
        );
        if refused && changed {
            self.local_changes = false;
            self.debouncer.cancel();
            self.send = SendState::Idle;
        }
        // Whoever changed the weights the cluster holds, earlier probe results no longer apply.
        if before != self.route.as_ref().map(|r| r.weights.clone()) {
            self.observed.clear();
        }
        let known = known_subsets(cluster, lab_namespace, &rules);
        let keep_local =
            self.local_changes || self.debouncer.in_flight() || self.debouncer.pending();
        if !keep_local {
            let route = match &self.route {
                Some(route) => route.weights.clone(),
                // No route: show the split traffic really takes, so a key moves from there.
                None => round_robin(cluster, lab_namespace, &known),
            };
            let mut sliders = Sliders::from_routes(&known, &route);
            for subset in &mut sliders.subsets {
                subset.locked = self
                    .sliders
                    .subsets
                    .iter()
                    .any(|s| s.name == subset.name && s.locked);
            }
            sliders.selected = self
                .sliders
                .selected
                .min(sliders.subsets.len().saturating_sub(1));
            self.sliders = sliders;
        } else {
            // New subsets still appear; the learner's values stay.
            for name in &known {
                if !self.sliders.subsets.iter().any(|s| s.name == *name) {
                    self.sliders.subsets.push(crate::features::traffic::Subset {
                        name: name.clone(),
                        weight: 0,
                        locked: false,
                    });
                }
            }
        }
        self.expected = match &self.route {
            Some(_) => self.configured(),
            None => round_robin(cluster, lab_namespace, &known),
        };
        self.refresh_findings(cluster, lab_namespace);
    }

    /// Re-runs the pre-send checks for the current slider values. Without a VirtualService
    /// there is nothing to check until the learner moves a slider: one line says how traffic
    /// goes meanwhile.
    pub fn refresh_findings(&mut self, cluster: &ClusterView, lab_namespace: &str) {
        if self.route.is_none() && !self.local_changes {
            // Before the first list nothing is known to be missing.
            // With no subsets there is no reviews traffic to describe (the pane says why).
            self.findings = if cluster.listed(MeshKind::VirtualService) && !self.expected.is_empty()
            {
                vec![no_route_yet(&self.expected)]
            } else {
                Vec::new()
            };
            return;
        }
        let rules = destination_rules(cluster);
        self.findings = check(
            &self.sliders.weights(),
            &rules,
            &pod_infos(cluster, lab_namespace),
            HOST,
            lab_namespace,
        );
    }

    /// The weights the cluster holds, per slider subset (0 where the route lacks it).
    pub fn configured(&self) -> Vec<(String, Weight)> {
        let route = self
            .route
            .as_ref()
            .map(|r| r.weights.as_slice())
            .unwrap_or_default();
        self.sliders
            .subsets
            .iter()
            .map(|s| {
                let weight = route
                    .iter()
                    .find(|(name, _)| *name == s.name)
                    .map_or(0, |(_, w)| *w);
                (s.name.clone(), weight)
            })
            .collect()
    }

    /// Ready pods behind each subset, "ready/total", from the watch cache.
    pub fn pods_behind(
        &self,
        cluster: &ClusterView,
        lab_namespace: &str,
        subset: &str,
    ) -> (usize, usize) {
        let count = cluster
            .pod_groups(lab_namespace)
            .count_matching(&[("app", HOST), ("version", subset)]);
        (count.ready, count.total)
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
