//! Where the demo cluster is reached and its TLS, made anew at every start as kind and k3d
//! make theirs: the listening address, a private CA and a serving certificate it signs for
//! the loopback names and every other name the cluster is reached by, served with rustls on
//! ring (the provider kube's client is built with, so no second crypto library comes in);
//! and each connection's handshake, which answers a plain HTTP request as Go does. The CA's
//! key never leaves memory and dies with the run.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::SimError;

/// What Go's net/http answers, and closes, when a plain HTTP request reaches its TLS port.
const PLAIN_HTTP_ANSWER: &[u8] =
    b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

/// Names every serving certificate carries: what a client on this machine dials.
pub const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// Where the demo cluster listens and which names its certificate holds besides loopback's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// 127.0.0.1 by default; 0.0.0.0 (or ::) for every interface, as a workshop room needs.
    pub addr: IpAddr,
    /// More names and addresses for the serving certificate (`--tls-san`), such as the
    /// address learners' machines reach this one at.
    pub tls_names: Vec<String>,
}

impl Default for Listen {
    fn default() -> Self {
        Listen {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            tls_names: Vec::new(),
        }
    }
}

/// The address a client on this machine dials: the listening one, or loopback of the same
/// family when the server listens on every interface.
pub fn reachable(bound: SocketAddr) -> SocketAddr {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => Ipv4Addr::LOCALHOST.into(),
        IpAddr::V6(ip) if ip.is_unspecified() => Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    SocketAddr::new(ip, bound.port())
}

/// A run's CA and the acceptor that serves its certificate; a restart keeps both, as a
/// restarted apiserver keeps its certificate files.
pub struct Tls {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    names: Vec<String>,
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// A fresh CA and a serving certificate for the loopback names, `listen.addr` when it
    /// is an address of its own (not loopback, not 0.0.0.0 or ::), and `listen.tls_names`.
    pub fn generate(listen: &Listen) -> Result<Tls, SimError> {
        let failed = |err: &dyn std::fmt::Display| SimError::Tls(err.to_string());
        let names = serving_names(listen.addr, &listen.tls_names);
        let (ca_params, ca_key) = ca_params().map_err(|e| failed(&e))?;
        let ca = ca_params.self_signed(&ca_key).map_err(|e| failed(&e))?;
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf_key = KeyPair::generate().map_err(|e| failed(&e))?;
        let leaf = serving_params(&names)
            .map_err(|e| failed(&e))?
            .signed_by(&leaf_key, &issuer)
            .map_err(|e| failed(&e))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed(&e))?
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone()], key)
            .map_err(|e| failed(&e))?;
        // The server speaks HTTP/1.1 only; saying so lets kubectl, which offers h2 first,
        // settle on it in the handshake.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            names,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// The CA certificate in PEM, as a kubeconfig's `certificate-authority-data` holds it
    /// (base64 of this text).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate in DER, as `kube::Config::root_cert` takes it.
    pub fn ca_der(&self) -> &[u8] {
        self.ca_der.as_ref()
    }

    /// The names and addresses the serving certificate is valid for.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The TLS handshake, bounded by `timeout` as Go's net/http bounds it by its
    /// ReadHeaderTimeout; None for a client that did not complete it (plain HTTP, a
    /// certificate it does not trust, silence).
    pub async fn accept(
        &self,
        stream: TcpStream,
        timeout: Duration,
    ) -> Option<TlsStream<TcpStream>> {
        let handshake = async {
            if looks_like_http(&stream).await {
                refuse_plain_http(stream).await;
                return None;
            }
            self.acceptor
                .accept(stream)
                .await
                .inspect_err(|err| tracing::debug!(error = %err, "TLS handshake failed"))
                .ok()
        };
        tokio::time::timeout(timeout, handshake)
            .await
            .ok()
            .flatten()
    }
}

/// Whether the first bytes are an HTTP request line rather than a TLS record: the prefixes
/// Go's net/http checks before the same answer.
async fn looks_like_http(stream: &TcpStream) -> bool {
    let mut head = [0u8; 5];
    match stream.peek(&mut head).await {
        Ok(5) => [b"GET /", b"HEAD ", b"POST ", b"PUT /", b"OPTIO"].contains(&&head),
        _ => false,
    }
}

/// Says in Go's words that this port speaks TLS, then closes. The request is read and
/// dropped first (briefly, and a bounded amount), since closing with unread bytes would
/// reset the connection before the client read the answer.
async fn refuse_plain_http(mut stream: TcpStream) {
    let _ = stream.write_all(PLAIN_HTTP_ANSWER).await;
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let drain = async {
        let mut left = 64 * 1024usize;
        while left > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

/// The serving certificate's names, loopback first, each once.
fn serving_names(listen: IpAddr, extra: &[String]) -> Vec<String> {
    let own = (!listen.is_loopback() && !listen.is_unspecified()).then(|| listen.to_string());
    let mut names: Vec<String> = Vec::new();
    for name in LOOPBACK_NAMES
        .iter()
        .map(|n| n.to_string())
        .chain(own)
        .chain(extra.iter().cloned())
    {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Today's date in UTC, for the certificates' validity.
fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Valid from yesterday, so a learner's laptop whose clock runs a little behind the
/// instructor's still accepts the certificate, for a year (kubeadm's serving certificates
/// last as long).
fn validity(params: &mut CertificateParams) {
    let today = today();
    let from = today.yesterday().unwrap_or(today);
    let until = today
        .checked_add(jiff::Span::new().years(1))
        .unwrap_or(today);
    let ymd = |d: jiff::civil::Date| {
        // jiff's months and days are 1..=12 and 1..=31: they always fit in a u8.
        rcgen::date_time_ymd(
            i32::from(d.year()),
            u8::try_from(d.month()).unwrap_or(1),
            u8::try_from(d.day()).unwrap_or(1),
        )
    };
    params.not_before = ymd(from);
    params.not_after = ymd(until);
}

fn ca_params() -> Result<(CertificateParams, KeyPair), rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "istio-lab demo cluster CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    validity(&mut params);
    Ok((params, KeyPair::generate()?))
}

fn serving_params(names: &[String]) -> Result<CertificateParams, rcgen::Error> {
    // IP strings become IP SANs, the rest DNS SANs: kubectl and rustls check the URL's host
    // against these.
    let mut params = CertificateParams::new(names.to_vec())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "istio-lab-demo-apiserver");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    validity(&mut params);
    Ok(params)
}

/// A `--tls-san` value: an IP address, or a host name as DNS allows it (letters, digits and
/// hyphens in dot-separated labels of at most 63). Returned as the certificate will hold it.
pub fn check_name(name: &str) -> Result<String, String> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(ip.to_string());
    }
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    if lower.len() <= 253 && lower.split('.').all(label_ok) {
        Ok(lower)
    } else {
        Err(format!(
            "인증서에 넣을 수 없는 이름입니다: {name:?} (IP 주소나 호스트 이름을 쓰세요. 예: 192.168.0.10, lab.example.com)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_names_loopback_and_the_address_it_is_reached_by() {
        let loopback = serving_names("127.0.0.1".parse().unwrap(), &[]);
        assert_eq!(loopback, ["127.0.0.1", "::1", "localhost"]);
        let any = serving_names("0.0.0.0".parse().unwrap(), &["10.1.2.3".into()]);
        assert_eq!(any, ["127.0.0.1", "::1", "localhost", "10.1.2.3"]);
        let own = serving_names("10.1.2.3".parse().unwrap(), &["10.1.2.3".into()]);
        assert_eq!(own, ["127.0.0.1", "::1", "localhost", "10.1.2.3"]);
    }

    #[test]
    fn on_every_interface_clients_here_dial_loopback() {
        let any: SocketAddr = "0.0.0.0:6443".parse().unwrap();
        assert_eq!(reachable(any).to_string(), "127.0.0.1:6443");
        let any6: SocketAddr = "[::]:6443".parse().unwrap();
        assert_eq!(reachable(any6).to_string(), "[::1]:6443");
        let own: SocketAddr = "10.1.2.3:6443".parse().unwrap();
        assert_eq!(reachable(own), own);
    }

    #[test]
    fn tls_san_values_are_addresses_or_host_names() {
        assert_eq!(check_name("192.168.0.10").unwrap(), "192.168.0.10");
        assert_eq!(check_name("fe80::1").unwrap(), "fe80::1");
        assert_eq!(
            check_name("Lab-1.Example.com.").unwrap(),
            "lab-1.example.com"
        );
        for bad in ["", "a b", "-lab", "lab..x", "例.com", &"a".repeat(64)] {
            let refused = check_name(bad).unwrap_err();
            assert!(
                refused.contains("인증서에 넣을 수 없는 이름"),
                "{bad}: {refused}"
            );
        }
    }

    #[test]
    fn every_run_makes_its_own_ca() {
        let first = Tls::generate(&Listen::default()).unwrap();
        let second = Tls::generate(&Listen::default()).unwrap();
        assert!(first.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert_ne!(first.ca_der(), second.ca_der());
        assert_eq!(first.names(), ["127.0.0.1", "::1", "localhost"]);
    }
}
