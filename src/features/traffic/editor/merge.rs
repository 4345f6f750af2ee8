//! The three-way merge after a 409: which fields the learner changed (base → yours), which the
//! other writer changed (base → theirs), where both did, and the learner's changes carried onto
//! theirs, as `kubectl edit` re-applies its patch onto the newer object.
//!
//! Lists are compared element by element while their length is unchanged and are otherwise one
//! value, as the API server treats the atomic lists of Istio's resources: an index-based patch
//! carried onto a list someone else reshaped would land on the wrong element.

use std::fmt;

use serde_json::{Map, Value};

/// One step of a field's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a field is, as `spec.http[0].route[1].weight`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    fn child(&self, seg: Seg) -> FieldPath {
        let mut segs = self.0.clone();
        segs.push(seg);
        FieldPath(segs)
    }

    fn starts_with(&self, prefix: &FieldPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// One of the two contains the other: a change at either touches the same field.
    fn overlaps(&self, other: &FieldPath) -> bool {
        self.starts_with(other) || other.starts_with(self)
    }

    /// The value at this path, `None` when a step is missing.
    pub fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(root, |value, seg| match seg {
            Seg::Key(key) => value.get(key),
            Seg::Index(index) => value.get(index),
        })
    }

    /// Sets (or with `None` removes) the value at this path, adding the maps a new key needs.
    /// A missing list element is left alone: lists are only entered while both sides keep
    /// their length, so the merge never writes past one.
    fn set(&self, root: &mut Value, value: Option<Value>) {
        let Some((last, parents)) = self.0.split_last() else {
            if let Some(value) = value {
                *root = value;
            }
            return;
        };
        let adding = value.is_some();
        let mut parent = root;
        for seg in parents {
            let next = match (seg, parent) {
                (Seg::Key(key), Value::Object(map)) => {
                    if adding {
                        Some(
                            map.entry(key.clone())
                                .or_insert_with(|| Value::Object(Map::new())),
                        )
                    } else {
                        map.get_mut(key)
                    }
                }
                (Seg::Index(index), Value::Array(items)) => items.get_mut(*index),
                _ => None,
            };
            match next {
                Some(next) => parent = next,
                None => return,
            }
        }
        match (last, parent, value) {
            (Seg::Key(key), Value::Object(map), Some(value)) => {
                map.insert(key.clone(), value);
            }
            (Seg::Key(key), Value::Object(map), None) => {
                map.remove(key);
            }
            (Seg::Index(index), Value::Array(items), Some(value)) if *index < items.len() => {
                items[*index] = value;
            }
            _ => {}
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if i == 0 => write!(f, "{key}")?,
                Seg::Key(key) => write!(f, ".{key}")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// One field one side changed: its value before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: FieldPath,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A field both sides changed to different values.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub path: FieldPath,
    pub base: Option<Value>,
    pub theirs: Option<Value>,
    pub yours: Option<Value>,
}

/// The comparison of the three documents and the merged one.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreeWay {
    /// base → yours, without the fields in `conflicts`.
    pub yours: Vec<Change>,
    /// base → theirs, without the fields in `conflicts` or `agreed`.
    pub theirs: Vec<Change>,
    /// Fields both changed to the same value: nothing to decide.
    pub agreed: Vec<Change>,
    pub conflicts: Vec<Conflict>,
    /// Theirs with every change of yours on top; in `conflicts` yours wins, so it may only be
    /// sent once the learner agrees to overwrite those fields.
    pub merged: Value,
}

/// The fields that differ between `from` and `to`, each at the highest path that differs.
pub fn changes(from: &Value, to: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff(&FieldPath::default(), from, to, &mut out);
    out
}

fn diff(path: &FieldPath, from: &Value, to: &Value, out: &mut Vec<Change>) {
    if from == to {
        return;
    }
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, before) in a {
                let here = path.child(Seg::Key(key.clone()));
                match b.get(key) {
                    Some(after) => diff(&here, before, after, out),
                    None => out.push(Change {
                        path: here,
                        before: Some(before.clone()),
                        after: None,
                    }),
                }
            }
            for (key, after) in b.iter().filter(|(key, _)| !a.contains_key(*key)) {
                added(path.child(Seg::Key(key.clone())), after, out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (before, after)) in a.iter().zip(b).enumerate() {
                diff(&path.child(Seg::Index(index)), before, after, out);
            }
        }
        _ => out.push(Change {
            path: path.clone(),
            before: Some(from.clone()),
            after: Some(to.clone()),
        }),
    }
}

/// A new key, as one change per new leaf: two writers adding different labels to a map that
/// did not exist both keep theirs.
fn added(path: FieldPath, value: &Value, out: &mut Vec<Change>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                added(path.child(Seg::Key(key.clone())), child, out);
            }
        }
        _ => out.push(Change {
            path,
            before: None,
            after: Some(value.clone()),
        }),
    }
}

/// Compares the three documents and carries the changes of yours onto theirs.
pub fn three_way(base: &Value, theirs: &Value, yours: &Value) -> ThreeWay {
    let their_changes = changes(base, theirs);
    let your_changes = changes(base, yours);
    // Where both sides touched a field, the decision is taken at the shorter of the two paths:
    // replacing a whole list and changing one of its elements touch the same list.
    let mut touched: Vec<FieldPath> = Vec::new();
    for mine in &your_changes {
        let Some(theirs_path) = their_changes
            .iter()
            .map(|t| &t.path)
            .filter(|path| path.overlaps(&mine.path))
            .min_by_key(|path| path.0.len())
        else {
            continue;
        };
        let path = if theirs_path.0.len() < mine.path.0.len() {
            theirs_path
        } else {
            &mine.path
        };
        if !touched.iter().any(|known| path.starts_with(known)) {
            touched.retain(|known| !known.starts_with(path));
            touched.push(path.clone());
        }
    }
    let in_touched = |path: &FieldPath| touched.iter().any(|t| t.overlaps(path));

    let mut merged = theirs.clone();
    let mut conflicts = Vec::new();
    let mut agreed = Vec::new();
    for path in &touched {
        let (theirs_value, yours_value) = (path.get(theirs), path.get(yours));
        if theirs_value == yours_value {
            agreed.push(Change {
                path: path.clone(),
                before: path.get(base).cloned(),
                after: yours_value.cloned(),
            });
            continue;
        }
        path.set(&mut merged, yours_value.cloned());
        conflicts.push(Conflict {
            path: path.clone(),
            base: path.get(base).cloned(),
            theirs: theirs_value.cloned(),
            yours: yours_value.cloned(),
        });
    }
    let yours: Vec<Change> = your_changes
        .into_iter()
        .filter(|c| !in_touched(&c.path))
        .collect();
    for change in &yours {
        // Untouched by theirs, so its parent is in theirs as it was in base.
        change.path.set(&mut merged, change.after.clone());
    }
    let theirs = their_changes
        .into_iter()
        .filter(|c| !in_touched(&c.path))
        .collect();
    ThreeWay {
        yours,
        theirs,
        agreed,
        conflicts,
        merged,
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
