//! TLS clients for tests that speak raw HTTP to the demo cluster: they trust the CA the demo
//! cluster made for its run and nothing else, as kubectl does with the kubeconfig's
//! `certificate-authority-data`; and reading that CA and the server back from a kubeconfig.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// A client configuration trusting `ca_der` alone.
pub fn client_config(ca_der: &[u8]) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(ca_der.to_vec()))
        .expect("the demo cluster's CA is a valid certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// The name the client checks the certificate against: the address dialled, as a URL's
/// host would be.
fn server_name(addr: SocketAddr) -> ServerName<'static> {
    ServerName::IpAddress(addr.ip().into())
}

/// A TLS connection to `addr`, the certificate verified against `ca_der`.
pub async fn connect(
    addr: SocketAddr,
    ca_der: &[u8],
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tokio_rustls::TlsConnector::from(client_config(ca_der))
        .connect(server_name(addr), tcp)
        .await
}

/// The same, blocking, for tests without a runtime.
pub fn connect_blocking(
    addr: SocketAddr,
    ca_der: &[u8],
) -> rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream> {
    let tcp = std::net::TcpStream::connect(addr).expect("the demo cluster accepts");
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("a read timeout");
    let connection = rustls::ClientConnection::new(client_config(ca_der), server_name(addr))
        .expect("a TLS client");
    rustls::StreamOwned::new(connection, tcp)
}

/// The value of `key: value` on a line of `kubeconfig`.
fn field<'a>(kubeconfig: &'a str, key: &str) -> &'a str {
    kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix(key)?.strip_prefix(": "))
        .unwrap_or_else(|| panic!("no {key} in the kubeconfig:\n{kubeconfig}"))
}

/// The CA a kubeconfig trusts (`certificate-authority-data`), in DER.
pub fn kubeconfig_ca(kubeconfig: &str) -> Vec<u8> {
    let pem = base64::engine::general_purpose::STANDARD
        .decode(field(kubeconfig, "certificate-authority-data"))
        .expect("certificate-authority-data is base64");
    CertificateDer::from_pem_slice(&pem)
        .expect("certificate-authority-data holds a PEM certificate")
        .to_vec()
}

/// The `https://` server of a kubeconfig, as an address.
pub fn kubeconfig_server(kubeconfig: &str) -> SocketAddr {
    let server = field(kubeconfig, "server");
    server
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("not an https server: {server}"))
        .parse()
        .expect("the server is an address and port")
}

/// The bearer token of a kubeconfig.
pub fn kubeconfig_token(kubeconfig: &str) -> String {
    field(kubeconfig, "token").to_string()
}
