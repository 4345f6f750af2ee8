//! Checks run on the slider weights before a change is sent, with plain Korean explanations.
//!
//! Codes follow `istioctl analyze`: IST0101 (ReferencedResourceNotFound) for a routed subset no
//! DestinationRule defines, IST0173 (DestinationRule subset not selecting any pod).

use std::collections::BTreeMap;

use crate::features::cluster::mesh::{DestinationRuleView, FULL, ServiceRef, Weight};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    /// What the learner should know, not a problem (such as how traffic goes without a route).
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The `istioctl analyze` code, when the finding has one.
    pub code: Option<&'static str>,
    pub severity: Severity,
    pub message_ko: String,
    /// The subsets the finding is about, so the sliders can mark them. One finding names every
    /// subset with the same cause, so the same sentence is never shown twice.
    pub subsets: Vec<String>,
}

/// What the checks need to know about a pod.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodInfo {
    pub labels: BTreeMap<String, String>,
    pub ready: bool,
}

/// Checks `weights` (every subset the route will list) against the DestinationRules and pods.
/// `host` is the service the route sends to, as written in an object of `namespace`; only
/// rules for that same service count.
///
/// Pods with an `app` label other than the service's short name are ignored, because Bookinfo
/// reuses `version` labels across services (ratings-v1 must not satisfy reviews' v1).
pub fn check(
    weights: &[(String, Weight)],
    destination_rules: &[&DestinationRuleView],
    pods: &[PodInfo],
    host: &str,
    namespace: &str,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let total: u32 = weights.iter().map(|(_, w)| u32::from(*w)).sum();
    if total == 0 {
        findings.push(Finding {
            code: None,
            severity: Severity::Error,
            message_ko: "모든 가중치가 0입니다. 요청을 보낼 곳이 없어 트래픽이 전달되지 않습니다."
                .to_string(),
            subsets: Vec::new(),
        });
    } else if weights.len() > 1 && total != u32::from(FULL) {
        findings.push(Finding {
            code: None,
            severity: Severity::Error,
            message_ko: format!(
                "가중치 합계가 {total}입니다. 목적지가 둘 이상이면 Istio는 합계가 정확히 100이어야 합니다."
            ),
            subsets: Vec::new(),
        });
    }

    let service = ServiceRef::resolve(host, namespace);
    let rules: Vec<&DestinationRuleView> = destination_rules
        .iter()
        .copied()
        .filter(|rule| rule.service == service)
        .collect();
    let service_pods: Vec<&PodInfo> = pods
        .iter()
        .filter(|pod| pod.labels.get("app").is_none_or(|app| *app == service.name))
        .collect();

    for (subset, weight) in weights {
        match subset_labels(&rules, subset) {
            None => findings.push(missing_subset(subset, *weight, host, rules.is_empty())),
            Some(labels) => {
                let selected = service_pods.iter().any(|pod| {
                    pod.ready
                        && labels
                            .iter()
                            .all(|(key, value)| pod.labels.get(key) == Some(value))
                });
                if !selected {
                    findings.push(no_ready_pod(subset, labels));
                }
            }
        }
    }
    merge_same_causes(findings)
}

/// Findings that say the same thing (code, severity and sentence) become one that names all
/// their subsets.
fn merge_same_causes(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings {
        match merged.iter_mut().find(|m| {
            m.code == finding.code
                && m.severity == finding.severity
                && m.message_ko == finding.message_ko
        }) {
            Some(same) => same.subsets.extend(finding.subsets),
            None => merged.push(finding),
        }
    }
    merged
}

/// The labels of `subset` in the first rule that defines it.
fn subset_labels<'a>(
    rules: &[&'a DestinationRuleView],
    subset: &str,
) -> Option<&'a BTreeMap<String, String>> {
    rules
        .iter()
        .flat_map(|rule| &rule.subsets)
        .find(|entry| entry.name == subset)
        .map(|entry| &entry.labels)
}

fn missing_subset(subset: &str, weight: Weight, host: &str, no_rule: bool) -> Finding {
    let where_ = if no_rule {
        format!("{host} 호스트의 DestinationRule이 아직 없습니다.")
    } else {
        format!("{host} 호스트의 DestinationRule에 {subset} subset이 정의되어 있지 않습니다.")
    };
    let (severity, consequence) = if weight > 0 {
        (
            Severity::Error,
            "이 subset으로 보내는 요청은 DestinationRule이 subset을 정의할 때까지 503 오류로 실패합니다. \
             가이드처럼 VirtualService를 먼저 적용하면 바로 이 상태가 됩니다. \
             DestinationRule을 먼저 적용하면 피할 수 있습니다."
                .to_string(),
        )
    } else {
        (
            Severity::Warning,
            "지금은 가중치가 0이라 요청이 가지 않지만, 가중치를 올리면 503 오류가 납니다. \
             DestinationRule에 subset을 먼저 추가하세요."
                .to_string(),
        )
    };
    Finding {
        code: Some("IST0101"),
        severity,
        message_ko: format!("{where_} {consequence}"),
        subsets: vec![subset.to_string()],
    }
}

fn no_ready_pod(subset: &str, labels: &BTreeMap<String, String>) -> Finding {
    let selector = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    Finding {
        code: Some("IST0173"),
        severity: Severity::Warning,
        message_ko: format!(
            "{subset} subset의 라벨({selector})과 일치하는 Ready 상태의 Pod가 없습니다. \
             이 subset으로 가는 요청은 처리할 Pod가 없어 실패합니다."
        ),
        subsets: vec![subset.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::cluster::MeshKind;
    use crate::features::cluster::mesh::MeshObject;
    use serde_json::{Value, json};

    fn weights(pairs: &[(&str, Weight)]) -> Vec<(String, Weight)> {
        pairs.iter().map(|(n, w)| (n.to_string(), *w)).collect()
    }

    /// A DestinationRule in namespace `default`, read as the lab reads watched ones.
    fn rule(host: &str, subsets: &[&str]) -> DestinationRuleView {
        let subsets: Vec<Value> = subsets
            .iter()
            .map(|name| json!({ "name": name, "labels": { "version": name } }))
            .collect();
        let object = MeshObject::from_value(
            MeshKind::DestinationRule,
            json!({
                "apiVersion": "networking.istio.io/v1",
                "kind": "DestinationRule",
                "metadata": { "name": "reviews", "namespace": "default" },
                "spec": { "host": host, "subsets": subsets }
            }),
        );
        object.destination_rule().cloned().unwrap()
    }

    /// The checks for `reviews` in namespace `default`.
    fn run(
        weights: &[(String, Weight)],
        rules: &[DestinationRuleView],
        pods: &[PodInfo],
    ) -> Vec<Finding> {
        let rules: Vec<&DestinationRuleView> = rules.iter().collect();
        check(weights, &rules, pods, "reviews", "default")
    }

    fn pod(app: &str, version: &str, ready: bool) -> PodInfo {
        PodInfo {
            labels: [("app", app), ("version", version)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ready,
        }
    }

    fn bookinfo_pods() -> Vec<PodInfo> {
        vec![
            pod("reviews", "v1", true),
            pod("reviews", "v2", true),
            pod("reviews", "v3", true),
        ]
    }

    fn codes(findings: &[Finding]) -> Vec<(Option<&str>, Severity, Vec<&str>)> {
        findings
            .iter()
            .map(|f| {
                (
                    f.code,
                    f.severity,
                    f.subsets.iter().map(String::as_str).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_consistent_setup_has_no_findings() {
        let rules = [rule("reviews", &["v1", "v2", "v3"])];
        let found = run(
            &weights(&[("v1", 80), ("v2", 20), ("v3", 0)]),
            &rules,
            &bookinfo_pods(),
        );
        assert_eq!(found, []);
    }

    #[test]
    fn the_guides_order_reports_ist0101_for_every_routed_subset() {
        let found = run(&weights(&[("v1", 80), ("v2", 20)]), &[], &bookinfo_pods());
        assert_eq!(
            codes(&found),
            [(Some("IST0101"), Severity::Error, vec!["v1", "v2"])],
            "one finding names every routed subset, so the sentence shows once"
        );
        assert!(found[0].message_ko.contains("503"));
        assert!(found[0].message_ko.contains("DestinationRule을 먼저 적용"));
    }

    #[test]
    fn an_undefined_subset_at_weight_zero_is_a_warning() {
        let rules = [rule("reviews.default.svc.cluster.local", &["v1", "v2"])];
        let found = run(
            &weights(&[("v1", 50), ("v2", 50), ("v3", 0)]),
            &rules,
            &bookinfo_pods(),
        );
        assert_eq!(
            codes(&found),
            [(Some("IST0101"), Severity::Warning, vec!["v3"])]
        );
        assert!(
            found[0]
                .message_ko
                .contains("v3 subset이 정의되어 있지 않습니다")
        );
    }

    #[test]
    fn rules_for_other_hosts_do_not_define_subsets() {
        let rules = [rule("ratings", &["v1", "v2"])];
        let found = run(&weights(&[("v1", 100)]), &rules, &bookinfo_pods());
        assert_eq!(
            codes(&found),
            [(Some("IST0101"), Severity::Error, vec!["v1"])]
        );
    }

    #[test]
    fn a_rule_for_the_same_name_in_another_namespace_is_not_the_rule() {
        for host in ["reviews.other", "reviews.other.svc.cluster.local"] {
            let found = run(
                &weights(&[("v1", 80), ("v2", 20)]),
                &[rule(host, &["v1", "v2"])],
                &bookinfo_pods(),
            );
            assert_eq!(
                codes(&found),
                [(Some("IST0101"), Severity::Error, vec!["v1", "v2"])],
                "{host}"
            );
            assert!(
                found[0]
                    .message_ko
                    .contains("DestinationRule이 아직 없습니다")
            );
        }
        let qualified = [rule("reviews.default.svc", &["v1", "v2"])];
        assert_eq!(
            run(
                &weights(&[("v1", 80), ("v2", 20)]),
                &qualified,
                &bookinfo_pods()
            ),
            []
        );
    }

    #[test]
    fn a_subset_without_a_ready_pod_reports_ist0173() {
        let rules = [rule("reviews", &["v1", "v2", "v3"])];
        let pods = vec![
            pod("reviews", "v1", true),
            pod("reviews", "v2", true),
            pod("reviews", "v3", false),
            pod("ratings", "v3", true),
        ];
        let found = run(
            &weights(&[("v1", 0), ("v2", 50), ("v3", 50)]),
            &rules,
            &pods,
        );
        assert_eq!(
            codes(&found),
            [(Some("IST0173"), Severity::Warning, vec!["v3"])]
        );
        assert!(found[0].message_ko.contains("version=v3"));
    }

    #[test]
    fn all_zero_weights_are_an_error() {
        let rules = [rule("reviews", &["v1", "v2"])];
        let found = run(&weights(&[("v1", 0), ("v2", 0)]), &rules, &bookinfo_pods());
        assert_eq!(codes(&found), [(None, Severity::Error, vec![])]);
        assert!(found[0].message_ko.contains("모든 가중치가 0"));
    }

    #[test]
    fn a_total_other_than_100_is_an_error_with_several_destinations() {
        let rules = [rule("reviews", &["v1", "v2"])];
        let found = run(
            &weights(&[("v1", 70), ("v2", 20)]),
            &rules,
            &bookinfo_pods(),
        );
        assert_eq!(codes(&found), [(None, Severity::Error, vec![])]);
        assert!(found[0].message_ko.contains("합계가 90"));
        let single = run(&weights(&[("v1", 70)]), &rules, &bookinfo_pods());
        assert_eq!(single, []);
    }
}
