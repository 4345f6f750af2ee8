//! The demo cluster serves HTTPS as kind and k3d do (issue 11, point 1): a CA made for the
//! run signs a certificate for 127.0.0.1, ::1 and localhost; the kubeconfig it writes and the
//! app's client trust that CA alone and verify the certificate; a wrong token gets the
//! apiserver's 401 over TLS; a client that does not trust the CA, or speaks plain HTTP, gets
//! no answer from the API at all.

mod common {
    pub mod sim;
}

use std::time::Duration;

use common::sim::{Tester, fixture, tls};
use istio_lab::sim::{self, Listen, Scenario, SimHandle, SimOptions};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn demo() -> SimHandle {
    sim::start(SimOptions {
        port: 0,
        speed: 20.0,
        scenario: Scenario::demo().unwrap(),
    })
    .await
    .unwrap()
}

async fn pod_names(config: kube::Config) -> Result<Vec<String>, kube::Error> {
    let client = kube::Client::try_from(config)?;
    let pods = Api::<Pod>::all(client).list(&ListParams::default()).await?;
    Ok(pods
        .items
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kube_client_from_the_written_kubeconfig_lists_pods_over_tls() {
    let sim = demo().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, sim.kubeconfig_yaml()).unwrap();
    let kubeconfig = Kubeconfig::read_from(&path).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    assert_eq!(config.cluster_url.scheme_str(), Some("https"));
    assert_eq!(
        config.cluster_url.to_string(),
        format!("{}/", sim.server_url())
    );
    assert_eq!(config.root_cert, Some(vec![sim.ca_der().to_vec()]));
    assert!(!config.accept_invalid_certs);
    let names = pod_names(config).await.unwrap();
    assert!(names.iter().any(|n| n.starts_with("istiod-")), "{names:?}");

    // The app's own path (`--demo`): the same URL, the same CA, verified.
    let app = sim.kube_config();
    assert_eq!(app.cluster_url.scheme_str(), Some("https"));
    assert_eq!(app.root_cert, Some(vec![sim.ca_der().to_vec()]));
    assert!(!app.accept_invalid_certs);
    assert_eq!(pod_names(app).await.unwrap(), names);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_gets_the_apiservers_401_over_tls() {
    let t = Tester::start().await;
    let refused = pod_names(t.sim.kube_config_with_token("not-this-runs-token")).await;
    match refused {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 401);
            assert_eq!(status.reason, "Unauthorized");
            assert_eq!(status.message, "Unauthorized");
        }
        other => panic!("expected the apiserver's 401, got {other:?}"),
    }
    let recorded = fixture("errors/unauthorized-401");
    let reply = t
        .raw(
            "GET",
            "/api/v1/namespaces/default/pods?limit=500",
            None,
            Vec::new(),
            "not-this-runs-token",
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.content_type, "application/json");
    assert_eq!(reply.body, recorded["response"]["body"]);
    t.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_trust_the_runs_ca_is_refused() {
    let sim = demo().await;
    let other_run = demo().await;

    // kube-rs with another run's CA: the certificate does not verify (every run's CA has
    // the same name, so the check fails on its signature), no request is served.
    let mut config = sim.kube_config();
    config.root_cert = Some(vec![other_run.ca_der().to_vec()]);
    let refused = pod_names(config).await.unwrap_err();
    let said = format!("{refused:?}");
    assert!(said.contains("InvalidCertificate(BadSignature)"), "{said}");

    // kube-rs without a CA at all falls back to the system's roots, which do not hold it.
    let mut config = sim.kube_config();
    config.root_cert = None;
    let said = format!("{:?}", pod_names(config).await.unwrap_err());
    assert!(said.to_lowercase().contains("certificate"), "{said}");

    // A raw TLS client trusting another CA fails in the handshake.
    let handshake = tls::connect(sim.addr(), other_run.ca_der()).await;
    let Err(err) = handshake else {
        panic!("the handshake succeeded with another run's CA");
    };
    assert!(format!("{err:?}").contains("InvalidCertificate"), "{err:?}");

    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
    sim.shutdown().await;
    other_run.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_holds_the_loopback_names_and_no_others() {
    let sim = demo().await;
    let connector = tokio_rustls::TlsConnector::from(tls::client_config(sim.ca_der()));
    let attempt = |name: &'static str| {
        let connector = connector.clone();
        let addr = sim.addr();
        async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            let name = ServerName::try_from(name).unwrap();
            connector.connect(name, tcp).await.map(|_| ())
        }
    };
    for name in ["127.0.0.1", "::1", "localhost"] {
        attempt(name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let err = attempt("example.com").await.unwrap_err();
    assert!(format!("{err:?}").contains("NotValidForName"), "{err:?}");
    assert_eq!(sim.tls_names(), ["127.0.0.1", "::1", "localhost"]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_gets_gos_answer_and_never_reaches_the_api() {
    let sim = demo().await;
    let mut stream = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let request = format!(
        "GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        sim.token()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&answer),
        "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
    );
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_certificate_so_clients_carry_on() {
    let mut sim = demo().await;
    let config = sim.kube_config();
    let before = pod_names(config.clone()).await.unwrap();
    let ca = sim.ca_der().to_vec();
    sim.restart().await.unwrap();
    assert_eq!(sim.ca_der(), ca);
    assert_eq!(pod_names(config).await.unwrap(), before);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_every_interface_clients_here_dial_loopback_and_the_certificate_names_the_room() {
    let listen = Listen {
        addr: "0.0.0.0".parse().unwrap(),
        tls_names: vec!["192.0.2.10".into(), "lab.example".into()],
    };
    let options = SimOptions {
        port: 0,
        speed: 20.0,
        scenario: Scenario::demo().unwrap(),
    };
    let sim = sim::start_on(options, &listen).await.unwrap();
    assert!(sim.listen_addr().ip().is_unspecified());
    assert_eq!(sim.addr().ip().to_string(), "127.0.0.1");
    assert_eq!(
        sim.server_url(),
        format!("https://127.0.0.1:{}", sim.addr().port())
    );
    assert_eq!(
        sim.tls_names(),
        ["127.0.0.1", "::1", "localhost", "192.0.2.10", "lab.example"]
    );
    assert!(!pod_names(sim.kube_config()).await.unwrap().is_empty());
    sim.shutdown().await;
}
