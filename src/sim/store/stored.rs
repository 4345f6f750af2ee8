//! How the store keeps objects: compact JSON text, parsed when read.

use std::sync::Arc;

use serde_json::Value;

/// A stored object as compact JSON text. A parsed `Value` of a pod takes about ten times the
/// memory of its text, and the demo cluster may hold thousands; objects are parsed when read.
#[derive(Debug)]
pub struct Stored(Box<str>);

impl Stored {
    pub fn new(value: &Value) -> Stored {
        Stored(
            serde_json::to_string(value)
                .unwrap_or_default()
                .into_boxed_str(),
        )
    }

    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// Reads only the fields `T` names, skipping the rest of the text without building it.
    pub fn fields<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(&self.0).ok()
    }
}

/// One object of a list, parsed only when needed.
pub struct ListEntry {
    pub namespace: String,
    pub name: String,
    pub object: Arc<Stored>,
}
