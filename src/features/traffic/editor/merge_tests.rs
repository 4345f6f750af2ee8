//! Tests of the three-way merge: who changed which field, conflicts, and the merged document.

use serde_json::{Value, json};

use super::*;

fn vs(weights: (u64, u64), labels: Option<Value>) -> Value {
    let mut object = json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": { "name": "reviews", "namespace": "default" },
        "spec": {
            "hosts": ["reviews"],
            "http": [{ "route": [
                { "destination": { "host": "reviews", "subset": "v1" }, "weight": weights.0 },
                { "destination": { "host": "reviews", "subset": "v2" }, "weight": weights.1 }
            ]}]
        }
    });
    if let Some(labels) = labels {
        object["metadata"]["labels"] = labels;
    }
    object
}

fn paths<'a>(paths: impl IntoIterator<Item = &'a FieldPath>) -> Vec<String> {
    paths.into_iter().map(ToString::to_string).collect()
}

#[test]
fn paths_read_as_in_kubectl_explain() {
    let path = FieldPath(vec![
        Seg::Key("spec".into()),
        Seg::Key("http".into()),
        Seg::Index(0),
        Seg::Key("route".into()),
        Seg::Index(1),
        Seg::Key("weight".into()),
    ]);
    assert_eq!(path.to_string(), "spec.http[0].route[1].weight");
    assert_eq!(path.get(&vs((90, 10), None)), Some(&json!(10)));
}

#[test]
fn changes_are_reported_at_the_highest_differing_field() {
    let base = vs((90, 10), None);
    let theirs = vs((10, 90), Some(json!({ "team": "blue" })));
    let found = changes(&base, &theirs);
    assert_eq!(
        paths(found.iter().map(|c| &c.path)),
        [
            "metadata.labels.team",
            "spec.http[0].route[0].weight",
            "spec.http[0].route[1].weight",
        ]
    );
    assert_eq!(found[0].before, None);
    assert_eq!(found[0].after, Some(json!("blue")));
    assert_eq!(
        (&found[1].before, &found[1].after),
        (&Some(json!(90)), &Some(json!(10)))
    );

    // A list that changed length is one value, as the API server treats atomic lists.
    let mut shorter = base.clone();
    shorter["spec"]["http"][0]["route"] =
        json!([{ "destination": { "host": "reviews", "subset": "v1" } }]);
    let found = changes(&base, &shorter);
    assert_eq!(paths(found.iter().map(|c| &c.path)), ["spec.http[0].route"]);
}

#[test]
fn both_changing_the_weights_is_a_conflict_and_the_label_survives() {
    let base = vs((90, 10), None);
    let yours = vs((60, 40), None);
    let theirs = vs((10, 90), Some(json!({ "team": "blue" })));
    let merge = three_way(&base, &theirs, &yours);

    assert_eq!(
        paths(merge.conflicts.iter().map(|c| &c.path)),
        [
            "spec.http[0].route[0].weight",
            "spec.http[0].route[1].weight"
        ]
    );
    let first = &merge.conflicts[0];
    assert_eq!(
        (&first.base, &first.theirs, &first.yours),
        (&Some(json!(90)), &Some(json!(10)), &Some(json!(60)))
    );
    assert!(merge.yours.is_empty(), "every change of yours conflicts");
    assert_eq!(
        paths(merge.theirs.iter().map(|c| &c.path)),
        ["metadata.labels.team"]
    );
    // Yours wins in the merged document; the caller asks before sending it.
    assert_eq!(merge.merged, vs((60, 40), Some(json!({ "team": "blue" }))));
}

#[test]
fn a_label_added_elsewhere_merges_without_a_conflict() {
    let base = vs((90, 10), None);
    let yours = vs((60, 40), None);
    let theirs = vs((90, 10), Some(json!({ "team": "blue" })));
    let merge = three_way(&base, &theirs, &yours);
    assert!(merge.conflicts.is_empty());
    assert_eq!(merge.yours.len(), 2);
    assert_eq!(merge.merged, vs((60, 40), Some(json!({ "team": "blue" }))));
}

#[test]
fn the_same_change_on_both_sides_is_agreed_not_a_conflict() {
    let base = vs((90, 10), None);
    let both = vs((60, 40), None);
    let merge = three_way(&base, &both, &both);
    assert!(merge.conflicts.is_empty());
    assert_eq!(merge.agreed.len(), 2);
    assert!(merge.yours.is_empty() && merge.theirs.is_empty());
    assert_eq!(merge.merged, both);
}

#[test]
fn labels_added_on_both_sides_to_a_new_map_are_both_kept() {
    let base = vs((90, 10), None);
    let yours = vs((90, 10), Some(json!({ "mine": "a" })));
    let theirs = vs((90, 10), Some(json!({ "team": "blue" })));
    let merge = three_way(&base, &theirs, &yours);
    assert!(merge.conflicts.is_empty());
    assert_eq!(
        merge.merged["metadata"]["labels"],
        json!({ "mine": "a", "team": "blue" })
    );
}

#[test]
fn a_reshaped_list_conflicts_with_an_element_changed_in_it() {
    let base = vs((90, 10), None);
    let yours = vs((70, 30), None);
    let mut theirs = base.clone();
    theirs["spec"]["http"][0]["route"] =
        json!([{ "destination": { "host": "reviews", "subset": "v1" }, "weight": 100 }]);
    let merge = three_way(&base, &theirs, &yours);
    // One decision for the whole list, not an index carried onto the wrong element.
    assert_eq!(
        paths(merge.conflicts.iter().map(|c| &c.path)),
        ["spec.http[0].route"]
    );
    assert_eq!(merge.merged, yours);
}

#[test]
fn removals_are_carried_and_removed_fields_conflict_with_edits() {
    let base = vs((90, 10), Some(json!({ "team": "blue", "tier": "web" })));
    // Yours removes one label, theirs edits the other: both apply.
    let yours = vs((90, 10), Some(json!({ "team": "blue" })));
    let theirs = vs((90, 10), Some(json!({ "team": "red", "tier": "web" })));
    let merge = three_way(&base, &theirs, &yours);
    assert!(merge.conflicts.is_empty());
    assert_eq!(merge.merged["metadata"]["labels"], json!({ "team": "red" }));

    // Theirs removes the map yours edits in: the learner decides.
    let mut theirs = base.clone();
    if let Some(metadata) = theirs["metadata"].as_object_mut() {
        metadata.remove("labels");
    }
    let yours = vs((90, 10), Some(json!({ "team": "green", "tier": "web" })));
    let merge = three_way(&base, &theirs, &yours);
    assert_eq!(
        paths(merge.conflicts.iter().map(|c| &c.path)),
        ["metadata.labels"]
    );
    assert_eq!(merge.conflicts[0].theirs, None);
    assert_eq!(merge.merged, yours);
}

#[test]
fn nothing_changed_on_either_side_merges_to_theirs() {
    let base = vs((90, 10), None);
    let merge = three_way(&base, &base, &base);
    assert!(merge.yours.is_empty() && merge.theirs.is_empty() && merge.conflicts.is_empty());
    assert_eq!(merge.merged, base);
}
