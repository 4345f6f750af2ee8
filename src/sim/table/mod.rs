//! Server-side printing, as `kubectl get` asks for it: the `Accept` negotiation of
//! `as=Table;g=meta.k8s.io;v=v1` (or `v1beta1`), and the `Table` the apiserver answers with
//! for a get, a list or each watch event: the kind's column definitions, and one row per
//! object with its cells and the object itself as `includeObject` says (metadata only by
//! default, which is what kubectl's `--show-labels` and `-L` read).
//!
//! The cells come from one printer per kind (`pods`, `apps`, `core`, `network`, `istio`),
//! worded as kube-apiserver v1.36's printers word them; kinds without a printer get the
//! apiserver's default Name and Created At columns.

mod apps;
mod columns;
mod core;
mod istio;
mod network;
mod pods;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::http::Call;
use super::resources::{RESOURCES, ResourceDef};
use super::status::ApiError;
use columns::{Printer, Row};

/// How each row carries its object (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Include {
    Metadata,
    Object,
    None,
}

/// A request answered with Tables: what they look like, and for a watch whether the
/// column definitions went out already (only the first event carries them).
pub struct Tables {
    group_version: &'static str,
    include: Include,
    def: &'static ResourceDef,
    version: String,
    printer: Printer,
    headers_sent: AtomicBool,
}

/// The media types the apiserver lists when it can satisfy no clause of an `Accept`.
const NOT_ACCEPTABLE: &str = "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf";

/// What one `Accept` clause asks for, if the demo cluster can answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// The object or list itself. The demo cluster writes JSON whatever the clause's media
    /// type, so protobuf and YAML clauses land here as well.
    Plain,
    Table(&'static str),
}

/// `Some` when the request's `Accept` is answered with Tables. Refuses (406) an `Accept`
/// none of whose clauses the apiserver could serve, and (400) an unknown `includeObject`.
pub fn negotiate(call: &Call) -> Result<Option<Tables>, ApiError> {
    let group_version = match wanted(&call.accept) {
        Some(Wanted::Plain) => return Ok(None),
        Some(Wanted::Table(group_version)) => group_version,
        None => {
            return Err(ApiError::new(
                406,
                Some("NotAcceptable"),
                NOT_ACCEPTABLE,
                None,
            ));
        }
    };
    let include = match call.param("includeObject").unwrap_or_default() {
        "" | "Metadata" => Include::Metadata,
        "Object" => Include::Object,
        "None" => Include::None,
        other => {
            let message = format!(
                "Unable to convert to Table as requested: includeObject: Unsupported value: {}: supported values: \"Metadata\", \"None\", \"Object\"",
                super::names::go_quote(other)
            );
            return Err(ApiError::bad_request(&message));
        }
    };
    let def = &RESOURCES[call.target.resource];
    Ok(Some(Tables {
        group_version,
        include,
        def,
        version: call.target.version.clone(),
        printer: printer_for(def.group, def.plural),
        headers_sent: AtomicBool::new(false),
    }))
}

/// The first clause the server can answer, taking clauses by `q` (highest first, then
/// concrete types before wildcards, else in the order given), as apimachinery's
/// `NegotiateMediaTypeOptions` does. `None` when no clause can be answered.
fn wanted(accept: &str) -> Option<Wanted> {
    if accept.trim().is_empty() {
        return Some(Wanted::Plain);
    }
    let mut clauses: Vec<(f64, bool, bool, Option<Wanted>)> = accept
        .split(',')
        .filter_map(clause)
        .map(|(q, kind, subtype, params)| {
            (
                q,
                kind == "*",
                subtype == "*",
                answer(kind, subtype, &params),
            )
        })
        .collect();
    clauses.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    clauses.into_iter().find_map(|(.., wanted)| wanted)
}

type Clause<'a> = (f64, &'a str, &'a str, Vec<(&'a str, &'a str)>);

/// `type/subtype;k=v;q=0.5` split up; `*` alone means `*/*`; malformed ranges are skipped.
fn clause(text: &str) -> Option<Clause<'_>> {
    let mut parts = text.split(';');
    let range = parts.next()?.trim();
    let (kind, subtype) = match range.split_once('/') {
        Some((kind, subtype)) if !subtype.contains('/') => (kind.trim(), subtype.trim()),
        None if range == "*" => ("*", "*"),
        _ => return None,
    };
    let mut q = 1.0;
    let mut params = Vec::new();
    for param in parts {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        match key.trim() {
            "q" => q = value.trim().parse().unwrap_or(0.0),
            key => params.push((key, value.trim())),
        }
    }
    Some((q, kind, subtype, params))
}

/// What the server would answer for one clause, or `None` when it cannot.
fn answer(kind: &str, subtype: &str, params: &[(&str, &str)]) -> Option<Wanted> {
    let json_like = match (kind, subtype) {
        ("*", "*") | ("application", "*" | "json" | "yaml") => true,
        ("application", "vnd.kubernetes.protobuf") => false,
        _ => return None,
    };
    let param = |key: &str| params.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    // Only watch streams have a streaming form.
    if param("stream").is_some_and(|s| !s.is_empty() && s != "watch") {
        return None;
    }
    if ["as", "g", "v"].iter().all(|key| param(key).is_none()) {
        return Some(Wanted::Plain);
    }
    if param("g") != Some("meta.k8s.io") {
        return None;
    }
    let group_version = match param("v") {
        Some("v1") => "meta.k8s.io/v1",
        Some("v1beta1") => "meta.k8s.io/v1beta1",
        _ => return None,
    };
    match param("as") {
        // Asked in YAML, a Table is written in JSON like everything else.
        Some("Table") if json_like => Some(Wanted::Table(group_version)),
        // Served as the full objects, which carry the metadata asked for.
        Some("PartialObjectMetadata" | "PartialObjectMetadataList") => Some(Wanted::Plain),
        _ => None,
    }
}

/// The printer of a kind, by API group and plural; kinds the demo cluster does not serve
/// yet have theirs here too, so they print right once they are served.
fn printer_for(group: &str, plural: &str) -> Printer {
    match (group, plural) {
        ("", "pods") => Printer::of(pods::COLUMNS, pods::row),
        ("", "services") => Printer::of(network::SERVICE_COLUMNS, network::service),
        ("", "endpoints") => Printer::of(network::ENDPOINTS_COLUMNS, network::endpoints),
        ("discovery.k8s.io", "endpointslices") => {
            Printer::of(network::ENDPOINTSLICE_COLUMNS, network::endpointslice)
        }
        ("", "namespaces") => Printer::of(core::NAMESPACE_COLUMNS, core::namespace),
        ("", "serviceaccounts") => Printer::of(core::SERVICEACCOUNT_COLUMNS, core::serviceaccount),
        ("", "configmaps") => Printer::of(core::CONFIGMAP_COLUMNS, core::configmap),
        ("", "secrets") => Printer::of(core::SECRET_COLUMNS, core::secret),
        ("", "events") => Printer::of(core::EVENT_COLUMNS, core::event),
        ("apps", "deployments") => Printer::of(apps::DEPLOYMENT_COLUMNS, apps::deployment),
        ("apps", "replicasets") => Printer::of(apps::REPLICASET_COLUMNS, apps::replicaset),
        ("networking.istio.io", "virtualservices") => {
            Printer::of(istio::VIRTUALSERVICE_COLUMNS, istio::virtualservice)
        }
        ("networking.istio.io", "destinationrules") => {
            Printer::of(istio::DESTINATIONRULE_COLUMNS, istio::destinationrule)
        }
        ("networking.istio.io", "gateways") => Printer::of(istio::GATEWAY_COLUMNS, istio::gateway),
        _ => Printer::of(columns::DEFAULT, columns::default_row),
    }
}

impl Tables {
    /// One row: the cells, then the object as `includeObject` asks.
    pub fn row(&self, obj: &Value, now: Timestamp) -> Value {
        let Row { cells, conditions } = (self.printer.row)(obj, now);
        let object = match self.include {
            Include::Metadata => json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": self.group_version,
                "metadata": obj["metadata"],
            }),
            Include::Object => self.def.present(&self.version, obj),
            Include::None => Value::Null,
        };
        let mut row = json!({"cells": cells});
        if let Some(conditions) = conditions {
            row["conditions"] = conditions;
        }
        row["object"] = object;
        row
    }

    fn columns(&self, headers: bool) -> Value {
        if headers {
            self.printer.columns.iter().map(|c| c.to_json()).collect()
        } else {
            Value::Null
        }
    }

    /// A list's Table around rows already written out; the list's `continue` and
    /// `remainingItemCount` carry over, an empty `continue` does not.
    pub fn list_text(&self, list_metadata: &Value, rows: &[String]) -> String {
        let mut metadata = json!({"resourceVersion": list_metadata["resourceVersion"]});
        if list_metadata["continue"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
        {
            metadata["continue"] = list_metadata["continue"].clone();
        }
        if !list_metadata["remainingItemCount"].is_null() {
            metadata["remainingItemCount"] = list_metadata["remainingItemCount"].clone();
        }
        // The rows go in as written, so a list's rows are never parsed again.
        format!(
            "{{\"kind\":\"Table\",\"apiVersion\":{},\"metadata\":{},\"columnDefinitions\":{},\"rows\":[{}]}}",
            json!(self.group_version),
            metadata,
            self.columns(true),
            rows.join(",")
        )
    }

    /// A Table of one object, whose resourceVersion it takes.
    fn single(&self, obj: &Value, headers: bool) -> Value {
        json!({
            "kind": "Table",
            "apiVersion": self.group_version,
            "metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]},
            "columnDefinitions": self.columns(headers),
            "rows": [self.row(obj, Timestamp::now())],
        })
    }

    /// The answer to a get.
    pub fn get(&self, obj: &Value) -> Value {
        self.single(obj, true)
    }

    /// A watch event's object: a one-row Table, with the column definitions only in the
    /// watch's first event. Bookmarks are printed too, as the apiserver prints them.
    pub fn event(&self, obj: &Value) -> Value {
        let first = !self.headers_sent.swap(true, Ordering::Relaxed);
        self.single(obj, first)
    }
}
