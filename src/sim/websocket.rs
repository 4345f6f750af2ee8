//! WebSocket upgrades of the streaming subresources (exec, portforward): reading the client's
//! offer, picking a subprotocol as the apiserver's `wsstream` does, answering 101 and handing
//! the upgraded stream to the session that runs on it.

use std::future::Future;

use hyper::body::Incoming;
use hyper::upgrade::Upgraded;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_util::sync::CancellationToken;

use super::http::{Body, full};

/// The upgraded connection, framed by tungstenite.
pub type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// The channel subprotocols exec accepts, newest first (kubectl 1.32 offers v5 alone, kube-rs
/// offers v5 then v4; older clients fall back to v4 and below).
pub const EXEC_PROTOCOLS: &[&str] = &[
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v3.channel.k8s.io",
    "v2.channel.k8s.io",
    "channel.k8s.io",
];

/// The kubelet's port-forward subprotocols: the binary v4 channel protocol (kube-rs) and the
/// bare `portforward.k8s.io`. kubectl's SPDY-in-WebSocket (`SPDY/3.1+portforward.k8s.io`) is
/// not among them.
pub const PORTFORWARD_PROTOCOLS: &[&str] = &["v4.channel.k8s.io", "portforward.k8s.io"];

/// What a client's upgrade request offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub key: String,
    /// `Sec-WebSocket-Protocol`, split at commas (one header or several), in the client's order.
    pub protocols: Vec<String>,
}

/// The WebSocket offer of a request, None when it does not ask for a WebSocket upgrade.
pub fn offer<B>(req: &Request<B>) -> Option<Offer> {
    let headers = req.headers();
    let upgrade = headers.get(hyper::header::UPGRADE)?.to_str().ok()?;
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return None;
    }
    let key = headers
        .get(hyper::header::SEC_WEBSOCKET_KEY)?
        .to_str()
        .ok()?
        .trim()
        .to_string();
    let protocols = headers
        .get_all(hyper::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    Some(Offer { key, protocols })
}

/// The first protocol the client offered that the server supports, as Go's wsstream picks it.
pub fn choose(offer: &Offer, supported: &[&'static str]) -> Option<&'static str> {
    offer
        .protocols
        .iter()
        .find_map(|p| supported.iter().find(|s| **s == p.as_str()).copied())
}

/// wsstream's answer when no offered subprotocol is supported.
pub fn unsupported(offer: &Offer, supported: &[&str]) -> Response<Body> {
    let text = format!(
        "unable to upgrade: requested protocol(s) are not supported: [{}]; supports [{}]",
        offer.protocols.join(" "),
        supported.join(" ")
    );
    Response::builder()
        .status(400)
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(full(text))
        .unwrap_or_else(|_| Response::new(full("")))
}

/// Answers 101 and runs `session` on the upgraded stream in its own task; the session's
/// future is dropped when `cancel` fires (the server stops or drops its connections).
pub fn accept<F, Fut>(
    req: &mut Request<Incoming>,
    offer: &Offer,
    protocol: &'static str,
    cancel: CancellationToken,
    session: F,
) -> Response<Body>
where
    F: FnOnce(Socket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let pending = hyper::upgrade::on(req);
    tokio::spawn(async move {
        let upgraded = tokio::select! {
            upgraded = pending => upgraded,
            _ = cancel.cancelled() => return,
        };
        let upgraded = match upgraded {
            Ok(upgraded) => upgraded,
            Err(err) => {
                tracing::debug!(error = %err, "WebSocket upgrade did not complete");
                return;
            }
        };
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        tokio::select! {
            _ = session(socket) => {}
            _ = cancel.cancelled() => {}
        }
    });
    Response::builder()
        .status(101)
        .header("Upgrade", "websocket")
        .header("Connection", "Upgrade")
        .header(
            "Sec-WebSocket-Accept",
            derive_accept_key(offer.key.as_bytes()),
        )
        .header("Sec-WebSocket-Protocol", protocol)
        .body(full(""))
        .unwrap_or_else(|_| Response::new(full("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(protocols: &[&str]) -> Request<()> {
        let mut builder = Request::builder()
            .header("Upgrade", "websocket")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Key", "oNyVxDoNZV9ExEKJGcApCw==");
        for p in protocols {
            builder = builder.header("Sec-WebSocket-Protocol", *p);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn the_first_supported_offer_wins_in_the_clients_order() {
        let both = offer(&request(&["v5.channel.k8s.io, v4.channel.k8s.io"])).unwrap();
        assert_eq!(choose(&both, EXEC_PROTOCOLS), Some("v5.channel.k8s.io"));
        assert_eq!(
            choose(&both, PORTFORWARD_PROTOCOLS),
            Some("v4.channel.k8s.io")
        );
        let spdy = offer(&request(&["SPDY/3.1+portforward.k8s.io"])).unwrap();
        assert_eq!(choose(&spdy, PORTFORWARD_PROTOCOLS), None);
    }

    #[test]
    fn the_accept_key_is_the_recorded_one() {
        // tests/fixtures: the real apiserver's answer to kubectl's key.
        assert_eq!(
            derive_accept_key(b"oNyVxDoNZV9ExEKJGcApCw=="),
            "2VRJjV6fS++rCtt40f6E0ALrf3M="
        );
    }

    #[test]
    fn plain_requests_are_no_offer() {
        let req = Request::builder().body(()).unwrap();
        assert!(offer(&req).is_none());
    }
}
