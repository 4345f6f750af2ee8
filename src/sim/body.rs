//! What arrives with a request before any handler sees it: the body, read up to the
//! apiserver's size limit, and the URL path with its escapes decoded.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use super::status::ApiError;

/// kube-apiserver's default `--max-request-bytes`: 3 MiB.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Reads the body without ever holding more than the limit: a declared length over it is
/// refused before a byte is read, and a body that grows past it stops being read there.
pub async fn read_limited(body: Incoming, declared: Option<u64>) -> Result<Bytes, ApiError> {
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ApiError::too_large(MAX_BODY_BYTES));
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            Err(ApiError::too_large(MAX_BODY_BYTES))
        }
        Err(_) => Err(ApiError::bad_request("error reading request body")),
    }
}

/// The path with its `%XX` escapes decoded, as Go's `url.URL.Path` holds it, so `a%2Fb`
/// is two segments and a name reads the same however it was escaped. None for a
/// malformed escape, which Go's server refuses before routing.
pub fn decode_path(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let text = std::str::from_utf8(hex).ok()?;
            decoded.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&decoded).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_before_routing() {
        assert_eq!(decode_path("/a/b%2Fc").as_deref(), Some("/a/b/c"));
        assert_eq!(decode_path("/a/%72eviews").as_deref(), Some("/a/reviews"));
        assert_eq!(decode_path("/a/100%25").as_deref(), Some("/a/100%"));
        assert_eq!(decode_path("/a/%zz"), None);
        assert_eq!(decode_path("/a/%2"), None);
        assert_eq!(decode_path("/a/%+1"), None);
    }
}
