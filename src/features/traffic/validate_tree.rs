//! The parsed YAML document as a tree that remembers where each node starts, so problems
//! found in the JSON value can point at a line and column of the buffer.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

use super::Problem;

/// One step of a path into the document.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A YAML node and where it starts (1-based; 0 when the parser could not tell).
#[derive(Debug)]
pub(super) struct Located {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) node: Node,
}

#[derive(Debug)]
pub(super) enum Node {
    Map(Vec<(String, Located)>),
    Seq(Vec<Located>),
    Scalar(Value),
}

impl From<Spanned<Node>> for Located {
    fn from(spanned: Spanned<Node>) -> Self {
        Located {
            line: spanned.referenced.line() as usize,
            column: spanned.referenced.column() as usize,
            node: spanned.value,
        }
    }
}

impl Located {
    /// The node at `path`, or the deepest ancestor that exists (where a missing key belongs).
    pub(super) fn locate<'s, 'p>(
        &'s self,
        path: impl IntoIterator<Item = Step<'p>>,
    ) -> &'s Located {
        let mut here = self;
        for step in path {
            let next = match (&here.node, step) {
                (Node::Map(entries), Step::Key(key)) => entries
                    .iter()
                    .rev()
                    .find(|(name, _)| name == key)
                    .map(|(_, child)| child),
                (Node::Seq(items), Step::Index(index)) => items.get(index),
                _ => None,
            };
            match next {
                Some(child) => here = child,
                None => break,
            }
        }
        here
    }

    pub(super) fn problem(&self, message_ko: String) -> Problem {
        let known = self.line > 0;
        Problem {
            line: known.then_some(self.line),
            column: known.then_some(self.column),
            message_ko,
        }
    }
}

impl Node {
    pub(super) fn to_value(&self) -> Value {
        match self {
            Node::Scalar(value) => value.clone(),
            Node::Seq(items) => Value::Array(items.iter().map(|i| i.node.to_value()).collect()),
            Node::Map(entries) => {
                let mut map = Map::new();
                // A later duplicate key wins, as in the API server's JSON decoding.
                for (key, child) in entries {
                    map.insert(key.clone(), child.node.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        // JSON has no NaN or infinity; keeping the text lets the weight check name it.
        Ok(Node::Scalar(Number::from_f64(v).map_or_else(
            || Value::String(v.to_string()),
            Value::Number,
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v.to_string())))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(
            String::from_utf8_lossy(v).into_owned(),
        )))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(Located::from(item));
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let name = match key.to_value() {
                Value::String(text) => text,
                other => other.to_string(),
            };
            entries.push((name, Located::from(map.next_value::<Spanned<Node>>()?)));
        }
        Ok(Node::Map(entries))
    }
}
