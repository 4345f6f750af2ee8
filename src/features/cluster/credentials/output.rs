//! What a credential plugin writes: the ExecCredential on stdout, read into a [`Credential`],
//! and its stderr, read line by line and made fit for one status-bar line.

use std::fmt;

use jiff::Timestamp;
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

/// An ExecCredential is a few kilobytes; more is not one.
const MAX_OUTPUT: u64 = 1 << 20;
/// A status bar has one line; longer stderr lines are cut.
const MAX_LINE_CHARS: usize = 300;

/// What the plugin handed back. `Debug` never shows the secret.
#[derive(Clone)]
pub enum Credential {
    Token {
        token: String,
        expires: Option<Timestamp>,
    },
    Certificate {
        certificate_pem: String,
        key_pem: String,
        expires: Option<Timestamp>,
    },
}

impl Credential {
    pub fn expires(&self) -> Option<Timestamp> {
        match self {
            Credential::Token { expires, .. } | Credential::Certificate { expires, .. } => *expires,
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Credential::Token { .. } => "Token",
            Credential::Certificate { .. } => "Certificate",
        };
        write!(f, "{kind} {{ expires: {:?}, .. }}", self.expires())
    }
}

pub async fn read_capped(stream: Option<impl AsyncRead + Unpin>) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(stream) = stream {
        // A read error leaves what was read; the parse says what is wrong with it.
        let _ = stream.take(MAX_OUTPUT).read_to_end(&mut out).await;
    }
    out
}

/// Hands each non-empty line of `stream`, made fit for one status-bar line, to `each`.
pub async fn read_lines(stream: Option<impl AsyncRead + Unpin>, mut each: impl FnMut(&str)) {
    let Some(stream) = stream else { return };
    let mut reader = BufReader::new(stream);
    let mut raw = Vec::new();
    loop {
        raw.clear();
        match reader.read_until(b'\n', &mut raw).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                // Progress bars redraw with `\r`: the last redraw is the line.
                let text = String::from_utf8_lossy(&raw);
                let last = text.rsplit('\r').find(|part| !part.trim().is_empty());
                let line = last.map(printable).unwrap_or_default();
                if !line.is_empty() {
                    each(&line);
                }
            }
        }
    }
}

/// The line without terminal escape sequences and control characters, which would move the
/// cursor or change colours in the middle of the app's screen.
pub fn printable(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters… final byte in @..~; other escapes are two characters.
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else if c == '\t' {
            out.push(' ');
        } else if !c.is_control() {
            out.push(c);
        }
    }
    let out = out.trim();
    match out.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out.to_string(),
    }
}

#[derive(Deserialize)]
struct ExecCredential {
    kind: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    expiration_timestamp: Option<String>,
    token: Option<String>,
    client_certificate_data: Option<String>,
    client_key_data: Option<String>,
}

/// Reads the plugin's stdout: JSON, or YAML as client-go also accepts.
pub fn parse(out: &[u8], api_version: &str) -> Result<Credential, String> {
    let text = String::from_utf8_lossy(out);
    let credential: ExecCredential = serde_json::from_str(&text)
        .or_else(|_| serde_saphyr::from_str(&text))
        .map_err(|e| e.to_string())?;
    if let Some(kind) = credential.kind.filter(|k| k != "ExecCredential") {
        return Err(format!("kind가 ExecCredential이 아니라 {kind}입니다"));
    }
    if let Some(version) = credential.api_version.filter(|v| v != api_version) {
        return Err(format!(
            "kubeconfig는 apiVersion {api_version}을(를) 요청했는데 {version}이(가) 왔습니다"
        ));
    }
    let status = credential.status.ok_or("status가 없습니다")?;
    let expires = status
        .expiration_timestamp
        .map(|t| t.parse::<Timestamp>())
        .transpose()
        .map_err(|e| format!("expirationTimestamp를 읽을 수 없습니다: {e}"))?;
    match (
        status.token,
        status.client_certificate_data,
        status.client_key_data,
    ) {
        (_, Some(certificate_pem), Some(key_pem)) => Ok(Credential::Certificate {
            certificate_pem,
            key_pem,
            expires,
        }),
        (Some(token), _, _) if !token.is_empty() => Ok(Credential::Token { token, expires }),
        _ => Err("status에 token도 clientCertificateData/clientKeyData도 없습니다".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "client.authentication.k8s.io/v1";

    #[test]
    fn json_and_yaml_credentials_are_read_and_other_output_is_refused() {
        let json = br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",
            "status":{"token":"t1","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#;
        let Ok(Credential::Token { token, expires }) = parse(json, V1) else {
            panic!("a token")
        };
        assert_eq!(token, "t1");
        assert_eq!(expires, Some("2030-01-01T00:00:00Z".parse().unwrap()));
        let yaml = b"kind: ExecCredential\nstatus:\n  token: t2\n";
        assert!(matches!(
            parse(yaml, V1),
            Ok(Credential::Token { expires: None, .. })
        ));
        let other_version =
            br#"{"apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}"#;
        assert!(parse(other_version, V1).unwrap_err().contains("v1beta1"));
        assert!(parse(b"{\"status\":{}}", V1).unwrap_err().contains("token"));
        assert!(parse(b"not json: [", V1).is_err());
        let bad_time = br#"{"status":{"token":"t","expirationTimestamp":"tomorrow"}}"#;
        assert!(
            parse(bad_time, V1)
                .unwrap_err()
                .contains("expirationTimestamp")
        );
    }

    #[test]
    fn stderr_lines_lose_escapes_and_control_characters() {
        assert_eq!(
            printable("\u{1b}[31merror:\u{1b}[0m\tlogin\u{7}"),
            "error: login"
        );
        let long = "가".repeat(400);
        let cut = printable(&long);
        assert_eq!(cut.chars().count(), MAX_LINE_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn the_secret_is_not_in_debug_output() {
        let credential = Credential::Token {
            token: "s3cret".into(),
            expires: None,
        };
        assert!(!format!("{credential:?}").contains("s3cret"));
    }
}
