//! Why a request to the cluster failed, said in the lessons' language: the connection was
//! refused, there is no route, the name is unknown, TLS or the certificate failed, the
//! credentials were refused, the server stayed silent. The raw error goes to the log only.

use std::error::Error as StdError;
use std::io::ErrorKind;

/// The cause of a failed request, as the learner can act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    Refused,
    NoRoute,
    UnknownName,
    Tls,
    Unauthorized,
    Timeout,
    Closed,
    /// The API server answered with an error status of its own.
    Server {
        code: u16,
        message: String,
    },
    Other,
}

impl Cause {
    pub fn korean(&self) -> String {
        match self {
            Cause::Refused => "연결 거부: 그 주소와 포트에서 API 서버가 듣고 있지 않습니다".into(),
            Cause::NoRoute => {
                "경로 없음: 네트워크에서 그 주소에 닿을 수 없습니다 (VPN·방화벽을 확인하세요)"
                    .into()
            }
            Cause::UnknownName => "주소를 찾을 수 없음: 서버 이름이 DNS에 없습니다".into(),
            Cause::Tls => "TLS·인증서 문제: 서버 인증서를 확인할 수 없습니다 \
                           (kubeconfig의 certificate-authority를 확인하세요)"
                .into(),
            Cause::Unauthorized => {
                "인증 실패 (401): 서버가 kubeconfig의 토큰이나 인증서를 받아들이지 않습니다".into()
            }
            Cause::Timeout => "시간 초과: 서버가 제때 응답하지 않습니다".into(),
            Cause::Closed => "연결이 끊겼습니다".into(),
            Cause::Server { code, message } if message.is_empty() => {
                format!("API 서버 오류 ({code})")
            }
            Cause::Server { code, message } => format!("API 서버 오류 ({code}): {message}"),
            Cause::Other => "요청이 실패했습니다 (자세한 내용은 로그에 있습니다)".into(),
        }
    }
}

/// The cause of a kube-rs error; the whole error chain is logged.
pub fn cause_of(error: &kube::Error) -> Cause {
    tracing::warn!("cluster request failed: {error:?}");
    if let kube::Error::Api(status) = error {
        return match status.code {
            401 => Cause::Unauthorized,
            code => Cause::Server {
                code,
                message: status.message.clone(),
            },
        };
    }
    if matches!(error, kube::Error::RustlsTls(_) | kube::Error::TlsRequired) {
        return Cause::Tls;
    }
    cause_in_chain(error)
}

/// Walks the error's sources for an I/O error or a recognisable message.
pub fn cause_in_chain(error: &(dyn StdError + 'static)) -> Cause {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    let mut text = String::new();
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(cause) = io_cause(io.kind())
        {
            return cause;
        }
        text.push_str(&e.to_string().to_lowercase());
        text.push(' ');
        current = e.source();
    }
    from_text(&text)
}

fn io_cause(kind: ErrorKind) -> Option<Cause> {
    Some(match kind {
        ErrorKind::ConnectionRefused => Cause::Refused,
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => Cause::NoRoute,
        ErrorKind::TimedOut => Cause::Timeout,
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::UnexpectedEof => Cause::Closed,
        _ => return None,
    })
}

/// Errors that arrive as text only (hyper's connect errors, rustls inside them).
fn from_text(text: &str) -> Cause {
    let has = |needle: &str| text.contains(needle);
    if has("connection refused") {
        Cause::Refused
    } else if has("certificate") || has("tls") || has("handshake") {
        Cause::Tls
    } else if has("dns error") || has("failed to lookup address") || has("name or service") {
        Cause::UnknownName
    } else if has("no route to host") || has("network is unreachable") {
        Cause::NoRoute
    } else if has("timed out") || has("deadline has elapsed") || has("timeout") {
        Cause::Timeout
    } else if has("connection reset") || has("connection closed") || has("broken pipe") {
        Cause::Closed
    } else {
        Cause::Other
    }
}

/// The Korean sentence for a kube-rs error.
pub fn explain(error: &kube::Error) -> String {
    cause_of(error).korean()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, message: &str) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code,
            message: message.into(),
            ..Default::default()
        }))
    }

    #[test]
    fn each_cause_reads_in_korean() {
        let cases = [
            (Cause::Refused, "연결 거부"),
            (Cause::NoRoute, "경로 없음"),
            (Cause::UnknownName, "주소를 찾을 수 없음"),
            (Cause::Tls, "인증서"),
            (Cause::Unauthorized, "401"),
            (Cause::Timeout, "시간 초과"),
            (Cause::Closed, "끊겼습니다"),
        ];
        for (cause, words) in cases {
            let text = cause.korean();
            assert!(text.contains(words), "{cause:?}: {text}");
            assert!(!text.contains("error"), "{text}");
        }
    }

    #[test]
    fn io_errors_anywhere_in_the_chain_give_the_cause() {
        #[derive(Debug)]
        struct Wrapper(std::io::Error);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl StdError for Wrapper {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let refused = Wrapper(std::io::Error::from(ErrorKind::ConnectionRefused));
        assert_eq!(cause_in_chain(&refused), Cause::Refused);
        let unreachable = Wrapper(std::io::Error::from(ErrorKind::HostUnreachable));
        assert_eq!(cause_in_chain(&unreachable), Cause::NoRoute);
        let timeout = Wrapper(std::io::Error::from(ErrorKind::TimedOut));
        assert_eq!(cause_in_chain(&timeout), Cause::Timeout);
    }

    #[test]
    fn texts_without_an_io_error_are_read_too() {
        assert_eq!(
            from_text("invalid peer certificate: unknownissuer"),
            Cause::Tls
        );
        assert_eq!(
            from_text("dns error: failed to lookup address information"),
            Cause::UnknownName
        );
        assert_eq!(from_text("something else"), Cause::Other);
    }

    #[test]
    fn api_statuses_keep_their_code() {
        assert_eq!(cause_of(&status(401, "Unauthorized")), Cause::Unauthorized);
        assert_eq!(
            cause_of(&status(500, "etcdserver: request timed out")).korean(),
            "API 서버 오류 (500): etcdserver: request timed out"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_a_refused_connection() {
        // Bind, note the port, close: nothing listens there any more.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let mut config = kube::Config::new(format!("http://127.0.0.1:{port}").parse().unwrap());
        config.default_namespace = "default".into();
        let client = kube::Client::try_from(config).unwrap();
        let api: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::default_namespaced(client);
        let error = api
            .list(&Default::default())
            .await
            .expect_err("nothing listens");
        assert_eq!(cause_of(&error), Cause::Refused, "{error:?}");
    }
}
