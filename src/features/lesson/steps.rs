//! Lesson steps that tick themselves: each step's `check` evaluated against the watch caches
//! and the lesson's probe answers, with the reason a failing one is not done yet.

use std::collections::BTreeMap;

use super::analysis::{self, Level, Objects, has_sidecar, injection_enabled};
use super::probe::{Answer, Answers, Probe, resource_of};
use crate::features::cluster::MeshKind;
use crate::features::cluster::mesh::{MeshObject, ServiceRef};
use crate::features::cluster::model::ClusterView;
use crate::features::lesson::Lesson;
use crate::features::lesson::check::Check;
use crate::features::traffic::weighted_route;

/// Everything a check may read.
pub struct Facts<'a> {
    pub cluster: &'a ClusterView,
    pub lab_namespace: &'a str,
    pub answers: &'a Answers,
    /// The app's Kiali port-forward's local port, while it is up.
    pub kiali_forward: Option<u16>,
}

/// A step's check: done, or not yet and why (in Korean, shown under the step).
pub type Outcome = Result<(), String>;

/// Per step: its check's outcome, `None` without a check.
pub fn states(lesson: &Lesson, facts: &Facts) -> Vec<Option<Outcome>> {
    lesson
        .steps
        .iter()
        .map(|step| step.check.as_ref().map(|check| evaluate(check, facts)))
        .collect()
}

pub fn holds(check: &Check, facts: &Facts) -> bool {
    evaluate(check, facts).is_ok()
}

/// Not yet answered: the first probe is on its way.
const WAITING: &str = "확인하는 중입니다";

pub fn evaluate(check: &Check, facts: &Facts) -> Outcome {
    let ns = |namespace: &Option<String>| {
        namespace
            .clone()
            .unwrap_or_else(|| facts.lab_namespace.to_string())
    };
    let cluster = facts.cluster;
    match check {
        Check::PodsReady {
            namespace,
            selector,
            min,
            sidecar,
        } => pods_ready(facts, &ns(namespace), selector.as_deref(), *min, *sidecar),
        Check::Service { namespace, name } => {
            let namespace = ns(namespace);
            let found = cluster
                .services
                .get(&namespace)
                .is_some_and(|s| s.contains_key(name));
            ok_or(found, || {
                format!("Service {name}이(가) {namespace}에 없습니다")
            })
        }
        Check::ExternalIp { namespace, name } => {
            let namespace = ns(namespace);
            match cluster.services.get(&namespace).and_then(|s| s.get(name)) {
                None => Err(format!("Service {name}이(가) {namespace}에 없습니다")),
                Some(s) if matches!(s.external_ip.as_str(), "<pending>" | "<none>" | "") => {
                    Err(format!(
                        "Service {name}의 EXTERNAL-IP가 아직 {}입니다",
                        s.external_ip
                    ))
                }
                Some(_) => Ok(()),
            }
        }
        Check::Mesh { kind, name } => {
            if mesh_kind(kind).is_some_and(|k| !cluster.listed(k)) {
                return Err(WAITING.into());
            }
            let found = mesh_kind(kind)
                .and_then(|kind| cluster.mesh.get(&kind))
                .is_some_and(|objects| objects.contains_key(name));
            ok_or(found, || format!("{kind} {name}이(가) 없습니다"))
        }
        Check::Weights { name, weights } => {
            if !cluster.listed(MeshKind::VirtualService) {
                return Err(WAITING.into());
            }
            let vs = cluster
                .mesh
                .get(&MeshKind::VirtualService)
                .and_then(|o| o.get(name));
            let Some(vs) = vs else {
                return Err(format!("VirtualService {name}이(가) 없습니다"));
            };
            let now = route_weights(vs);
            ok_or(now == *weights, || {
                format!(
                    "가중치가 지금 {}입니다 (목표: {})",
                    weights_text(&now),
                    weights_text(weights)
                )
            })
        }
        Check::Label {
            namespace,
            key,
            value,
            absent,
        } => label(facts, &ns(namespace), key, value.as_deref(), *absent),
        Check::Absent {
            namespace,
            kinds,
            names,
        } => absent(facts, &ns(namespace), kinds, names),
        Check::Analyze { namespace } => analyze(facts, &ns(namespace)),
        Check::PortForward {} => ok_or(facts.kiali_forward.is_some(), || {
            "Kiali 포트 포워딩이 꺼져 있습니다. K를 누르세요".to_string()
        }),
        Check::Http { contains, .. } => {
            let probe = check
                .probes(facts.lab_namespace)
                .into_iter()
                .next()
                .ok_or_else(|| WAITING.to_string())?;
            match facts.answers.get(&probe) {
                Some(Answer::Body(body)) => ok_or(body.contains(contains.as_str()), || {
                    format!("응답에 \"{contains}\"이(가) 없습니다")
                }),
                Some(Answer::Failed(why)) => Err(format!("응답이 없습니다: {why}")),
                _ => Err(WAITING.into()),
            }
        }
    }
}

fn ok_or(holds: bool, reason: impl FnOnce() -> String) -> Outcome {
    if holds { Ok(()) } else { Err(reason()) }
}

/// The namespace's labels from the probe: `Ok(None)` when it does not exist.
fn namespace_labels<'a>(
    facts: &'a Facts,
    namespace: &str,
) -> Result<Option<&'a BTreeMap<String, String>>, String> {
    match facts.answers.get(&Probe::Namespace(namespace.to_string())) {
        Some(Answer::Namespace(labels)) => Ok(labels.as_ref()),
        Some(Answer::Failed(why)) => Err(why.clone()),
        _ => Err(WAITING.into()),
    }
}

fn pods_ready(
    facts: &Facts,
    namespace: &str,
    selector: Option<&str>,
    min: Option<usize>,
    sidecar: Option<bool>,
) -> Outcome {
    let selector_pairs = Check::selector_pairs(selector);
    let pods: Vec<_> = facts
        .cluster
        .pods
        .get(namespace)
        .into_iter()
        .flat_map(BTreeMap::values)
        .filter(|pod| {
            selector_pairs
                .iter()
                .all(|(k, v)| pod.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .filter(|pod| !pod.deleting)
        .collect();
    let min = min.unwrap_or(1);
    if pods.len() < min {
        return Err(format!("Pod가 {}개입니다 (필요: {min}개 이상)", pods.len()));
    }
    if let Some(pod) = pods.iter().find(|pod| !pod.is_ready()) {
        return Err(format!(
            "{}이(가) 아직 {} {}입니다",
            pod.name,
            pod.ready_text(),
            pod.status
        ));
    }
    let labels = namespace_labels(facts, namespace);
    let injected_namespace = labels
        .as_ref()
        .ok()
        .copied()
        .flatten()
        .is_some_and(injection_enabled);
    let wanted = match sidecar {
        Some(wanted) => wanted,
        None => injected_namespace,
    };
    if !wanted {
        return Ok(());
    }
    let Some(pod) = pods.iter().find(|pod| !has_sidecar(pod)) else {
        return Ok(());
    };
    let why = if injected_namespace {
        "라벨은 있지만 Pod가 라벨 전에 만들어졌습니다. 다시 만드세요"
    } else {
        "네임스페이스에 istio-injection 라벨이 없습니다"
    };
    Err(format!(
        "사이드카 없음 ({} {}): {why}",
        pod.name,
        pod.ready_text()
    ))
}

fn label(facts: &Facts, namespace: &str, key: &str, value: Option<&str>, absent: bool) -> Outcome {
    let labels = namespace_labels(facts, namespace)?
        .ok_or_else(|| format!("네임스페이스 {namespace}이(가) 없습니다"))?;
    let now = labels.get(key).map(String::as_str);
    match (now, absent, value) {
        (None, true, _) => Ok(()),
        (Some(now), true, _) => Err(format!("라벨 {key}={now}이(가) 아직 있습니다")),
        (Some(now), false, Some(wanted)) if now != wanted => {
            Err(format!("라벨 {key}이(가) {now}입니다 (목표: {wanted})"))
        }
        (Some(_), false, _) => Ok(()),
        (None, false, _) => Err(format!("네임스페이스 {namespace}에 {key} 라벨이 없습니다")),
    }
}

fn absent(facts: &Facts, namespace: &str, kinds: &[String], names: &[String]) -> Outcome {
    if kinds.is_empty() {
        return match namespace_labels(facts, namespace)? {
            None => Ok(()),
            Some(_) => Err(format!("네임스페이스 {namespace}이(가) 아직 있습니다")),
        };
    }
    let mut left = Vec::new();
    for kind in kinds {
        let Some((_, _, kind_name)) = resource_of(kind) else {
            return Err(format!("알 수 없는 종류입니다: {kind}"));
        };
        let probe = Probe::List {
            namespace: namespace.to_string(),
            kind: kind.clone(),
        };
        let found = match facts.answers.get(&probe) {
            Some(Answer::Names(found)) => found,
            Some(Answer::Failed(why)) => return Err(why.clone()),
            _ => return Err(WAITING.into()),
        };
        left.extend(
            found
                .iter()
                .filter(|name| names.is_empty() || names.contains(name))
                .map(|name| format!("{kind_name} {name}")),
        );
    }
    match left.as_slice() {
        [] => Ok(()),
        [one] => Err(format!("아직 남아 있습니다: {one}")),
        [first, rest @ ..] => Err(format!("아직 남아 있습니다: {first} 외 {}개", rest.len())),
    }
}

fn analyze(facts: &Facts, namespace: &str) -> Outcome {
    let objects = Objects {
        pods: &facts.cluster.pods,
        services: &facts.cluster.services,
        mesh: &facts.cluster.mesh,
        namespace_labels: namespace_labels(facts, namespace).ok().flatten(),
    };
    let findings = analysis::analysis(&objects, namespace);
    match findings.iter().find(|f| f.level >= Level::Warning) {
        None => Ok(()),
        Some(first) => Err(first.line()),
    }
}

fn mesh_kind(kind: &str) -> Option<MeshKind> {
    MeshKind::ALL
        .into_iter()
        .find(|k| k.kind_name().eq_ignore_ascii_case(kind))
}

fn weights_text(weights: &BTreeMap<String, u32>) -> String {
    if weights.is_empty() {
        return "없음".into();
    }
    weights
        .iter()
        .map(|(subset, w)| format!("{subset} {w}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Subset → weight of the route the traffic lab drives (the default route, not a `match` one)
/// to the VirtualService's first host, leaving out zero weights (absent and 0 read the same).
/// Widened to the lesson file's numbers, which may be written out of range and then never hold.
pub(crate) fn route_weights(vs: &MeshObject) -> BTreeMap<String, u32> {
    let host = vs
        .virtual_service()
        .and_then(|view| view.hosts.first())
        .map_or("", String::as_str);
    weighted_route(vs, &ServiceRef::resolve(host, &vs.namespace))
        .map(|route| {
            route
                .weights
                .into_iter()
                .filter(|(_, w)| *w > 0)
                .map(|(subset, w)| (subset, u32::from(w)))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "steps_tests.rs"]
mod tests;
