//! How the store keeps objects: compact JSON text, LZ4-compressed against a recent object of
//! the same resource, parsed when read.
//!
//! A parsed `Value` of a pod takes about ten times the memory of its text, and the demo
//! cluster may hold thousands of pods that differ only in names, uids, addresses and times.
//! Compressed against a sibling's text they take a few hundred bytes each.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

/// Writes of one resource after which its dictionary is replaced by the newest object anyway,
/// so it follows what the resource's objects look like now.
const REFRESH_EVERY: u32 = 256;
/// An object packed to more than this share of its text gets a dictionary of its own kind.
const POOR_RATIO_DIVISOR: usize = 4;

#[derive(Debug)]
pub struct Stored {
    /// LZ4 block with the text's length in front.
    packed: Box<[u8]>,
    /// The text the block refers back into; shared by many objects.
    dictionary: Option<Arc<[u8]>>,
    /// The dictionary is this object's own text: it was unlike the one before, so it
    /// started a new one, and keeps it alive at least as long as itself.
    own_dictionary: bool,
}

impl Stored {
    /// Packs `value` on its own, without a dictionary.
    pub fn new(value: &Value) -> Stored {
        Stored::pack(&to_text(value), None)
    }

    fn pack(text: &[u8], dictionary: Option<Arc<[u8]>>) -> Stored {
        let packed = match &dictionary {
            Some(dict) => lz4_flex::block::compress_prepend_size_with_dict(text, dict),
            None => lz4_flex::block::compress_prepend_size(text),
        };
        Stored {
            packed: packed.into_boxed_slice(),
            dictionary,
            own_dictionary: false,
        }
    }

    /// The object's JSON text (empty if the block were ever unreadable, which packing rules out).
    pub fn text(&self) -> Vec<u8> {
        let dict = self.dictionary.as_deref().unwrap_or_default();
        lz4_flex::block::decompress_size_prepended_with_dict(&self.packed, dict).unwrap_or_default()
    }

    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.text()).unwrap_or(Value::Null)
    }

    /// Reads only the fields `T` names, skipping the rest of the text without building it.
    pub fn fields<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.text()).ok()
    }

    /// Bytes this object keeps for itself (its dictionary is shared, so not counted).
    pub fn packed_len(&self) -> usize {
        self.packed.len()
    }

    /// Bytes this object holds: its block, and its dictionary when that is its own text.
    /// A huge object unlike any other is counted at its full size.
    pub fn held_len(&self) -> usize {
        let own = match (&self.dictionary, self.own_dictionary) {
            (Some(dict), true) => dict.len(),
            _ => 0,
        };
        self.packed.len() + own
    }
}

fn to_text(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Per resource, the text new objects are compressed against, and how often it was used.
#[derive(Debug, Default)]
pub struct Dictionaries {
    per_resource: HashMap<usize, (Arc<[u8]>, u32)>,
}

impl Dictionaries {
    /// Packs an object of `resource`, choosing or renewing that resource's dictionary.
    pub fn pack(&mut self, resource: usize, value: &Value) -> Stored {
        let text = to_text(value);
        if let Some((dict, uses)) = self.per_resource.get_mut(&resource)
            && *uses < REFRESH_EVERY
        {
            *uses += 1;
            let stored = Stored::pack(&text, Some(dict.clone()));
            if stored.packed.len() * POOR_RATIO_DIVISOR <= text.len() {
                return stored;
            }
        }
        // First of its resource, due for renewal, or unlike the current dictionary: this
        // object becomes the dictionary, so the next ones like it pack small.
        let dict: Arc<[u8]> = Arc::from(text.as_slice());
        self.per_resource.insert(resource, (dict.clone(), 0));
        Stored {
            own_dictionary: true,
            ..Stored::pack(&text, Some(dict))
        }
    }
}

/// One object of a list, parsed only when needed.
pub struct ListEntry {
    pub namespace: String,
    pub name: String,
    pub object: Arc<Stored>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(index: usize) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("reviews-v1-7f99cc4496-{index:05}"), "namespace": "default",
                         "uid": format!("0000-{index}"), "labels": {"app": "reviews", "version": "v1"}},
            "spec": {"containers": [{"name": "reviews", "image": "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
                                     "ports": [{"containerPort": 9080, "protocol": "TCP"}]}],
                     "nodeName": "demo-node"},
            "status": {"phase": "Running", "podIP": format!("10.244.{}.{}", index / 250, index % 250)}
        })
    }

    #[test]
    fn every_object_reads_back_as_written() {
        let mut dictionaries = Dictionaries::default();
        let service =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "reviews"}});
        for index in 0..600 {
            let value = pod(index);
            assert_eq!(dictionaries.pack(0, &value).value(), value);
            assert_eq!(dictionaries.pack(1, &service).value(), service);
        }
        assert_eq!(Stored::new(&service).value(), service);
    }

    #[test]
    fn siblings_pack_to_a_fraction_of_their_text() {
        let mut dictionaries = Dictionaries::default();
        dictionaries.pack(0, &pod(0));
        let text_len = to_text(&pod(1)).len();
        let stored = dictionaries.pack(0, &pod(1));
        assert!(
            stored.packed_len() * 4 < text_len,
            "{} bytes packed of {text_len}",
            stored.packed_len()
        );
    }

    #[test]
    fn an_object_unlike_the_dictionary_becomes_the_next_one() {
        let mut dictionaries = Dictionaries::default();
        dictionaries.pack(0, &json!({"a": "x".repeat(400)}));
        let other = json!({"b": (0..200).map(|n| n.to_string()).collect::<Vec<_>>()});
        let stored = dictionaries.pack(0, &other);
        assert_eq!(stored.value(), other);
        assert_eq!(
            dictionaries.per_resource[&0].0.as_ref(),
            to_text(&other).as_slice()
        );
    }
}
