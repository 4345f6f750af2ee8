//! The OpenAPI documents kubectl downloads before it writes: the `/openapi/v3` index, one
//! v3 document per served group-version, and the `/openapi/v2` protobuf document, served as
//! a kube-apiserver v1.36 serves them (content types, ETags, caching headers, 304s).

use std::io::Read;
use std::sync::OnceLock;

use hyper::Response;
use serde_json::Value;

use super::http::{Body, full};

/// Recorded from the real server for the group-versions the demo cluster serves. The v3
/// documents and the v2 document are stored gzipped (they are 2.5 MB as text).
const INDEX: &str = include_str!("../../assets/sim/openapi/v3-index.json");
const V3_DOCUMENTS: &[(&str, &[u8])] = &[
    (
        "api/v1",
        include_bytes!("../../assets/sim/openapi/v3-api-v1.json.gz"),
    ),
    (
        "apis/apps/v1",
        include_bytes!("../../assets/sim/openapi/v3-apis-apps-v1.json.gz"),
    ),
    (
        "apis/networking.istio.io/v1",
        include_bytes!("../../assets/sim/openapi/v3-apis-networking.istio.io-v1.json.gz"),
    ),
];
/// The whole recorded `/openapi/v2` document, gzipped exactly as the server sent it.
const V2_GZIP: &[u8] = include_bytes!("../../assets/sim/openapi/v2.pb.gz");
const V2_ETAG: &str = "\"C58D055225D4D377DA84E7341450684D501DF1BEBBEFCBCD919B65D976A5F6E1FD7D7BF14DB1B8EF266374C590910FCF3A082C62390645FF9CC8F2BB3721A550\"";
const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const HTTP_DATE: &str = "%a, %d %b %Y %H:%M:%S GMT";

/// The request headers the OpenAPI answers depend on.
#[derive(Debug, Default, Clone)]
pub struct Conditions {
    pub if_modified_since: Option<String>,
    pub if_none_match: Option<String>,
    pub accept_gzip: bool,
}

/// When the documents last changed: when this process first served one, which is the
/// server's start as far as a client can tell.
fn last_modified() -> jiff::Timestamp {
    static STARTED: OnceLock<jiff::Timestamp> = OnceLock::new();
    *STARTED.get_or_init(|| {
        let now = jiff::Timestamp::now();
        // HTTP dates have whole seconds; a fraction would make every If-Modified-Since look older.
        jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
    })
}

fn http_date(at: jiff::Timestamp) -> String {
    at.strftime(HTTP_DATE).to_string()
}

fn not_modified(conditions: &Conditions, etag: Option<&str>) -> bool {
    if let (Some(asked), Some(etag)) = (&conditions.if_none_match, etag) {
        return asked
            .split(',')
            .any(|t| t.trim() == etag || t.trim() == "*");
    }
    let Some(since) = &conditions.if_modified_since else {
        return false;
    };
    // Go's http.ServeContent: not modified when the copy is at least as new, by seconds.
    jiff::fmt::strtime::parse(HTTP_DATE, since)
        .and_then(|t| t.to_datetime())
        .and_then(|t| t.to_zoned(jiff::tz::TimeZone::UTC))
        .is_ok_and(|since| last_modified().as_second() <= since.timestamp().as_second())
}

fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// The text of a v3 document by its index key (`api/v1`), unpacked on each call: kubectl
/// fetches each one once and then caches it, so 2.5 MB of text need not stay in memory.
pub fn v3_document(key: &str) -> Option<Vec<u8>> {
    let (_, packed) = V3_DOCUMENTS.iter().find(|(k, _)| *k == key)?;
    gunzip(packed)
}

/// The hash the index gives a document, which is also its ETag.
fn v3_hash(key: &str) -> Option<String> {
    let index: Value = serde_json::from_str(INDEX).ok()?;
    let url = index["paths"][key]["serverRelativeURL"].as_str()?;
    Some(url.split_once("hash=")?.1.to_string())
}

fn builder(status: u16, cache: &str) -> http::response::Builder {
    Response::builder()
        .status(status)
        .header("Cache-Control", cache)
        .header("Last-Modified", http_date(last_modified()))
}

fn finish(builder: http::response::Builder, body: impl Into<bytes::Bytes>) -> Response<Body> {
    builder
        .body(full(body))
        .unwrap_or_else(|_| Response::new(full("")))
}

/// The answer to an OpenAPI path, or None when `path` is not one (the caller 404s).
pub fn serve(path: &str, conditions: &Conditions) -> Option<Response<Body>> {
    if path == "/openapi/v3" {
        if not_modified(conditions, None) {
            return Some(finish(builder(304, "no-cache, private"), ""));
        }
        // Recorded: the index comes as text/plain, which kubectl accepts.
        let b = builder(200, "no-cache, private")
            .header("Accept-Ranges", "bytes")
            .header("Content-Type", "text/plain; charset=utf-8");
        return Some(finish(b, INDEX.trim_end().to_string()));
    }
    if path == "/openapi/v2" {
        let b = builder(200, "no-cache, private")
            .header("Accept-Ranges", "bytes")
            .header("Etag", V2_ETAG)
            .header("Vary", "Accept-Encoding")
            .header("Vary", "Accept");
        if not_modified(conditions, Some(V2_ETAG)) {
            return Some(finish(
                builder(304, "no-cache, private").header("Etag", V2_ETAG),
                "",
            ));
        }
        let b = b.header("Content-Type", V2_PROTOBUF);
        if conditions.accept_gzip {
            return Some(finish(b.header("Content-Encoding", "gzip"), V2_GZIP));
        }
        return Some(finish(b, gunzip(V2_GZIP).unwrap_or_default()));
    }
    let key = path.strip_prefix("/openapi/v3/")?;
    let Some(document) = v3_document(key) else {
        return Some(not_found());
    };
    let etag = format!("\"{}\"", v3_hash(key).unwrap_or_default());
    if not_modified(conditions, Some(&etag)) {
        return Some(finish(
            builder(304, "public, immutable").header("Etag", etag),
            "",
        ));
    }
    let expires = last_modified()
        .checked_add(jiff::SignedDuration::from_hours(24 * 365))
        .unwrap_or(last_modified());
    let b = builder(200, "public, immutable")
        .header("Accept-Ranges", "bytes")
        .header("Content-Type", "application/json")
        .header("Etag", etag)
        .header(
            "Expires",
            expires.strftime("%a, %d %b %Y %H:%M:%S UTC").to_string(),
        )
        .header("Vary", "Accept");
    Some(finish(b, document))
}

/// The apiserver's plain-text 404 for an unknown group-version document.
fn not_found() -> Response<Body> {
    Response::builder()
        .status(404)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("X-Content-Type-Options", "nosniff")
        .body(full("404 page not found\n"))
        .unwrap_or_else(|_| Response::new(full("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_unpack_and_name_their_kinds() {
        for (key, _) in V3_DOCUMENTS {
            let text = v3_document(key).expect(key);
            let doc: Value = serde_json::from_slice(&text).unwrap();
            assert!(doc["components"]["schemas"].is_object(), "{key}");
            assert_eq!(v3_hash(key).map(|h| h.len()), Some(128), "{key}");
        }
        assert!(v3_document("apis/batch/v1").is_none());
        assert!(gunzip(V2_GZIP).is_some_and(|v2| v2.len() == 2_073_955));
    }

    #[test]
    fn a_copy_as_new_as_the_documents_is_not_modified() {
        let now = http_date(last_modified());
        let fresh = Conditions {
            if_modified_since: Some(now),
            ..Conditions::default()
        };
        assert!(not_modified(&fresh, None));
        let old = Conditions {
            if_modified_since: Some("Mon, 30 Nov 2020 02:22:17 GMT".into()),
            ..Conditions::default()
        };
        assert!(!not_modified(&old, None));
        let garbage = Conditions {
            if_modified_since: Some("yesterday".into()),
            ..Conditions::default()
        };
        assert!(!not_modified(&garbage, None));
        let tagged = Conditions {
            if_none_match: Some("\"abc\"".into()),
            ..Conditions::default()
        };
        assert!(not_modified(&tagged, Some("\"abc\"")));
        assert!(!not_modified(&tagged, Some("\"abd\"")));
    }
}
