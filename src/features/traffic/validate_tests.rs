//! Tests of the editor's validation: syntax and identity problems with their places, weights,
//! and the pre-send checks against the watched DestinationRules.

use serde_json::json;

use super::*;
use crate::features::cluster::MeshKind;
use crate::features::traffic::Severity;

fn fixture(path: &str) -> Value {
    let path = format!("{}/tests/fixtures/k8s/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The watched `reviews` VirtualService (90/10 over v1 and v2), as the API server returned it.
fn virtual_service() -> Value {
    fixture("apply/06-virtualservice-reviews.json")["response"]["body"].clone()
}

fn destination_rules() -> Vec<Value> {
    fixture("list/destinationrules.json")["response"]["body"]["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn pods() -> Vec<PodInfo> {
    ["v1", "v2", "v3"]
        .into_iter()
        .map(|version| PodInfo {
            labels: [("app", "reviews"), ("version", version)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ready: true,
        })
        .collect()
}

/// A watched object as the lab stores it, of the kind it names.
fn read(object: &Value) -> MeshObject {
    let kind = MeshKind::ALL
        .into_iter()
        .find(|kind| object["kind"] == kind.kind_name())
        .unwrap();
    MeshObject::from_value(kind, object.clone())
}

/// Validates `text` against the watched `original` and DestinationRules `rules`.
fn validate_against(
    text: &str,
    original: &Value,
    resource_version: &str,
    rules: &[Value],
    pods: &[PodInfo],
) -> Result<Validated, Vec<Problem>> {
    let rules: Vec<MeshObject> = rules
        .iter()
        .map(|rule| MeshObject::from_value(MeshKind::DestinationRule, rule.clone()))
        .collect();
    let rules: Vec<&DestinationRuleView> = rules
        .iter()
        .filter_map(MeshObject::destination_rule)
        .collect();
    validate(text, &read(original), resource_version, &rules, pods)
}

fn run(text: &str) -> Result<Validated, Vec<Problem>> {
    validate_against(
        text,
        &virtual_service(),
        "300",
        &destination_rules(),
        &pods(),
    )
}

/// The 1-based line and column where `needle` starts in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, line)| line.find(needle).map(|col| (i + 1, col + 1)))
        .unwrap()
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

#[test]
fn editable_yaml_leaves_out_server_fields_and_round_trips() {
    let mut original = virtual_service();
    original["status"] = json!({ "validationMessages": [] });
    let yaml = editable_yaml(&original);
    for gone in [
        "managedFields",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "status",
    ] {
        assert!(!yaml.contains(gone), "{gone} still in:\n{yaml}");
    }
    assert!(yaml.starts_with("apiVersion: networking.istio.io/v1\nkind: VirtualService\n"));
    let parsed: Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(parsed["spec"], original["spec"]);
    assert_eq!(
        parsed["metadata"],
        json!({ "name": "reviews", "namespace": "default" })
    );
}

#[test]
fn an_unchanged_document_is_ready_to_put_with_the_resource_version() {
    let yaml = editable_yaml(&virtual_service());
    let validated = run(&yaml).unwrap();
    assert_eq!(validated.warnings, []);
    let object = validated.object;
    assert_eq!(object["metadata"]["resourceVersion"], "300");
    assert_eq!(object["metadata"]["name"], "reviews");
    assert_eq!(object["spec"], virtual_service()["spec"]);
}

#[test]
fn edited_weights_and_a_missing_namespace_are_accepted() {
    let yaml = editable_yaml(&virtual_service());
    let yaml = replace_once(&yaml, "weight: 90", "weight: 50");
    let yaml = replace_once(&yaml, "weight: 10", "weight: 50");
    let yaml = replace_once(&yaml, "  namespace: default\n", "");
    let object = run(&yaml).unwrap().object;
    assert_eq!(object["spec"]["http"][0]["route"][0]["weight"], 50);
    assert_eq!(object["spec"]["http"][0]["route"][1]["weight"], 50);
    assert_eq!(object["metadata"]["namespace"], "default");
}

#[test]
fn broken_yaml_reports_where_the_parser_stopped() {
    let yaml = editable_yaml(&virtual_service());
    let yaml = replace_once(&yaml, "subset: v2", "subset: 'v2");
    let problems = run(&yaml).unwrap_err();
    assert_eq!(problems.len(), 1);
    let (line, column) = position_of(&yaml, "'v2");
    assert_eq!(
        (problems[0].line, problems[0].column),
        (Some(line), Some(column))
    );
    assert!(problems[0].message_ko.starts_with("YAML 문법 오류"));

    let tabbed = replace_once(&yaml, "  hosts:", "\thosts:");
    let problems = run(&tabbed).unwrap_err();
    assert_eq!(problems[0].line, Some(position_of(&tabbed, "\thosts").0));
}

#[test]
fn a_document_that_is_not_a_mapping_is_refused() {
    for text in ["", "- a\n- b\n", "just text\n"] {
        let problems = run(text).unwrap_err();
        assert!(
            problems[0].message_ko.contains("매핑"),
            "{text:?}: {problems:?}"
        );
    }
}

#[test]
fn identity_changes_are_errors_at_the_changed_line() {
    let yaml = editable_yaml(&virtual_service());
    let cases = [
        (
            "kind: VirtualService",
            "kind: DestinationRule",
            "kind: ",
            "kind은(는)",
        ),
        (
            "apiVersion: networking.istio.io/v1\n",
            "apiVersion: networking.istio.io/v1beta1\n",
            "networking",
            "apiVersion은(는)",
        ),
        (
            "name: reviews\n",
            "name: ratings\n",
            "ratings",
            "metadata.name은(는)",
        ),
        (
            "namespace: default",
            "namespace: prod",
            "prod",
            "metadata.namespace은(는)",
        ),
    ];
    for (from, to, at, named) in cases {
        let edited = replace_once(&yaml, from, to);
        let problems = run(&edited).unwrap_err();
        assert_eq!(problems.len(), 1, "{to}: {problems:?}");
        let (line, column) = position_of(&edited, at);
        let column = if at == "kind: " {
            column + at.len()
        } else {
            column
        };
        assert_eq!(
            (problems[0].line, problems[0].column),
            (Some(line), Some(column)),
            "{to}"
        );
        assert!(
            problems[0].message_ko.contains(named),
            "{}",
            problems[0].message_ko
        );
    }
}

#[test]
fn a_removed_name_is_an_error() {
    let yaml = editable_yaml(&virtual_service());
    let edited = replace_once(&yaml, "  name: reviews\n", "");
    let problems = run(&edited).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .message_ko
            .contains("metadata.name이(가) 없습니다")
    );
    // Points at the metadata mapping the name belongs in.
    assert_eq!(problems[0].line, Some(position_of(&edited, "namespace").0));
}

#[test]
fn weights_must_be_integers_from_0_to_100() {
    let yaml = editable_yaml(&virtual_service());
    for bad in ["101", "-1", "12.5", "\"80\""] {
        let edited = replace_once(&yaml, "weight: 10\n", &format!("weight: {bad}\n"));
        let problems = run(&edited).unwrap_err();
        assert_eq!(problems.len(), 1, "{bad}: {problems:?}");
        let (line, column) = position_of(&edited, &format!("weight: {bad}"));
        assert_eq!(problems[0].line, Some(line), "{bad}");
        assert_eq!(problems[0].column, Some(column + "weight: ".len()), "{bad}");
        let message = &problems[0].message_ko;
        assert!(
            message.contains("spec.http[0].route[1].weight는 0–100 정수여야 합니다"),
            "{message}"
        );
    }
    let quoted = replace_once(&yaml, "weight: 10\n", "weight: \"10\"\n");
    assert!(
        run(&quoted).unwrap_err()[0]
            .message_ko
            .contains("따옴표를 빼고")
    );
}

#[test]
fn every_bad_weight_is_reported_in_line_order() {
    let yaml = editable_yaml(&virtual_service());
    let edited = replace_once(&yaml, "weight: 90", "weight: 900");
    let edited = replace_once(&edited, "weight: 10\n", "weight: ten\n");
    let problems = run(&edited).unwrap_err();
    let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
    assert_eq!(
        lines,
        [
            Some(position_of(&edited, "weight: 900").0),
            Some(position_of(&edited, "weight: ten").0)
        ]
    );
}

#[test]
fn a_subset_missing_from_the_destination_rules_is_only_a_warning() {
    let yaml = editable_yaml(&virtual_service());
    let edited = replace_once(&yaml, "subset: v2", "subset: v4");
    let validated = run(&edited).unwrap();
    let codes: Vec<(Option<&str>, Vec<&str>)> = validated
        .warnings
        .iter()
        .map(|f| (f.code, f.subsets.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(codes, [(Some("IST0101"), vec!["v4"])]);
    assert_eq!(
        validated.object["spec"]["http"][0]["route"][1]["destination"]["subset"],
        "v4"
    );
}

#[test]
fn sum_checks_apply_only_to_routes_made_of_subsets() {
    let yaml = editable_yaml(&virtual_service());
    let uneven = replace_once(&yaml, "weight: 90", "weight: 70");
    let warnings = run(&uneven).unwrap().warnings;
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        (warnings[0].code, warnings[0].severity),
        (None, Severity::Error)
    );

    // Half of the traffic to another service: reviews' 50 is not a wrong total.
    let mixed = replace_once(&yaml, "weight: 90", "weight: 50");
    let mixed = replace_once(&mixed, "weight: 10", "weight: 50");
    let mixed = replace_once(
        &mixed,
        "host: reviews\n        subset: v1",
        "host: ratings\n        subset: v1",
    );
    let rules = [destination_rules(), vec![json!({
        "metadata": { "name": "ratings", "namespace": "default" },
        "spec": { "host": "ratings", "subsets": [{ "name": "v1", "labels": { "version": "v1" } }] }
    })]]
    .concat();
    let mut all_pods = pods();
    all_pods.push(PodInfo {
        labels: [("app", "ratings"), ("version", "v1")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ready: true,
    });
    let validated = validate_against(&mixed, &virtual_service(), "300", &rules, &all_pods).unwrap();
    assert_eq!(validated.warnings, []);
}

#[test]
fn other_kinds_skip_the_weight_rules() {
    let rule = destination_rules().remove(0);
    let yaml = editable_yaml(&rule);
    let edited = replace_once(&yaml, "name: v3", "name: v4");
    let validated = validate_against(&edited, &rule, "301", &[], &[]).unwrap();
    assert_eq!(validated.object["spec"]["subsets"][2]["name"], "v4");
    assert_eq!(validated.object["metadata"]["resourceVersion"], "301");
    let renamed = replace_once(&yaml, "kind: DestinationRule", "kind: Gateway");
    assert!(validate_against(&renamed, &rule, "301", &[], &[]).is_err());
}

#[test]
fn the_guides_manifest_with_comments_validates_against_the_watched_object() {
    let path = format!(
        "{}/assets/bookinfo/virtual-service-reviews-80-20.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let validated = run(&text).unwrap();
    assert_eq!(
        validated.object["spec"]["http"][0]["route"][0]["weight"],
        80
    );
    assert_eq!(validated.object["metadata"]["namespace"], "default");
    assert_eq!(validated.warnings, []);
    // Line numbers count the comment lines at the top of the file.
    let broken = replace_once(&text, "weight: 20", "weight: 200");
    let problems = run(&broken).unwrap_err();
    assert_eq!(
        problems[0].line,
        Some(position_of(&broken, "weight: 200").0)
    );
}

#[test]
fn strings_that_look_like_other_types_survive_the_round_trip() {
    let mut original = virtual_service();
    original["metadata"]["labels"] = json!({
        "flag": "true", "number": "1", "float": "1.0", "nothing": "null", "tilde": "~",
        "colon": "가나: 다", "lines": "one\ntwo\n", "empty": "", "octal": "0o17", "hash": "# no"
    });
    let yaml = editable_yaml(&original);
    let validated = run(&yaml).unwrap();
    assert_eq!(
        validated.object["metadata"]["labels"], original["metadata"]["labels"],
        "{yaml}"
    );
}
