//! The Kiali forward's I/O, as `kubectl port-forward svc/kiali` does it but through kube-rs:
//! find the `kiali` Service in istio-system, a Ready pod behind its selector and the target
//! port, listen on 127.0.0.1, and carry each accepted connection over its own
//! `Api::<Pod>::portforward`. `forward_kiali` is reusable (an `istioctl dashboard kiali`
//! stand-in calls it too); the forward lasts as long as its `ForwardHandle`.

use std::io::ErrorKind;

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::Client;
use kube::api::{Api, ListParams};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub const KIALI_NAMESPACE: &str = "istio-system";
pub const KIALI_SERVICE: &str = "kiali";
/// Kiali's port in the Istio addon, used when the Service names no `http` port.
const KIALI_PORT: i32 = 20001;

#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("istio-system 네임스페이스에 kiali Service가 없습니다. 먼저 Kiali 애드온을 설치하세요")]
    NoService,
    #[error("kiali Service에 selector가 없어 연결할 Pod를 찾을 수 없습니다")]
    NoSelector,
    #[error(
        "kiali Service 뒤에 준비된(Ready) Pod가 없습니다. Pod가 뜰 때까지 기다린 뒤 다시 시도하세요"
    )]
    NoReadyPod,
    #[error("로컬 포트 {0}을(를) 이미 다른 프로그램이 쓰고 있습니다. 다른 포트를 고르세요")]
    PortInUse(u16),
    #[error("로컬 포트 {port}에서 연결을 받을 수 없습니다: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("클러스터에서 kiali를 찾지 못했습니다: {0}")]
    Api(String),
}

/// A running forward: its local port; dropping it stops accepting connections.
#[derive(Debug)]
pub struct ForwardHandle {
    port: u16,
    task: JoinHandle<()>,
}

impl ForwardHandle {
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        super::kiali::url(self.port)
    }
}

impl Drop for ForwardHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Forwards 127.0.0.1:`local_port` (0: any free port) to Kiali's pod.
pub async fn forward_kiali(client: Client, local_port: u16) -> Result<ForwardHandle, ForwardError> {
    let (pod, port) = find_target(&client).await?;
    let listener =
        TcpListener::bind(("127.0.0.1", local_port))
            .await
            .map_err(|source| match source.kind() {
                ErrorKind::AddrInUse => ForwardError::PortInUse(local_port),
                _ => ForwardError::Listen {
                    port: local_port,
                    source,
                },
            })?;
    let bound = listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or(local_port);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of descriptors, say: wait for connections to close instead of spinning.
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            };
            let (client, pod) = (client.clone(), pod.clone());
            tokio::spawn(async move {
                // A new pod (a restart) is found again; the first one is the fallback.
                let target = find_target(&client).await.map(|(p, _)| p).unwrap_or(pod);
                if let Err(err) = carry(&client, &target, port, stream).await {
                    tracing::warn!(error = %err, pod = %target, "kiali forward connection failed");
                }
            });
        }
    });
    Ok(ForwardHandle { port: bound, task })
}

/// One local connection over its own port-forward stream.
async fn carry(client: &Client, pod: &str, port: u16, mut local: TcpStream) -> Result<(), String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), KIALI_NAMESPACE);
    let mut forwarder = pods
        .portforward(pod, &[port])
        .await
        .map_err(|e| e.to_string())?;
    let mut remote = forwarder
        .take_stream(port)
        .ok_or_else(|| format!("포트 {port}의 스트림이 없습니다"))?;
    tokio::io::copy_bidirectional(&mut local, &mut remote)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The pod to forward to and its port, from the Service.
async fn find_target(client: &Client) -> Result<(String, u16), ForwardError> {
    let services: Api<Service> = Api::namespaced(client.clone(), KIALI_NAMESPACE);
    let service = match services.get_opt(KIALI_SERVICE).await {
        Ok(Some(service)) => service,
        Ok(None) => return Err(ForwardError::NoService),
        Err(err) => return Err(ForwardError::Api(err.to_string())),
    };
    let spec = service.spec.unwrap_or_default();
    let selector = spec.selector.unwrap_or_default();
    if selector.is_empty() {
        return Err(ForwardError::NoSelector);
    }
    let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let pods: Api<Pod> = Api::namespaced(client.clone(), KIALI_NAMESPACE);
    let list = pods
        .list(&ListParams::default().labels(&labels.join(",")))
        .await
        .map_err(|err| ForwardError::Api(err.to_string()))?;
    let mut ready: Vec<Pod> = list.items.into_iter().filter(is_ready).collect();
    ready.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let pod = ready.into_iter().next().ok_or(ForwardError::NoReadyPod)?;
    let ports = spec.ports.unwrap_or_default();
    let entry = ports
        .iter()
        .find(|p| p.name.as_deref() == Some("http"))
        .or_else(|| ports.iter().find(|p| p.port == KIALI_PORT))
        .or_else(|| ports.first());
    let port = match entry.and_then(|p| p.target_port.clone()) {
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => n,
        // A named targetPort is the container port of that name.
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(name)) => {
            container_port(&pod, &name).unwrap_or(KIALI_PORT)
        }
        None => entry.map_or(KIALI_PORT, |p| p.port),
    };
    let name = pod.metadata.name.clone().unwrap_or_default();
    let port = u16::try_from(port).map_err(|_| ForwardError::Api(format!("port {port}")))?;
    Ok((name, port))
}

fn container_port(pod: &Pod, name: &str) -> Option<i32> {
    pod.spec
        .as_ref()?
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .map(|p| p.container_port)
}

fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|conditions| {
                conditions
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True")
            })
}

/// The first port of `first..=last` that 127.0.0.1 can listen on now.
pub async fn first_free_port(first: u16, last: u16) -> Option<u16> {
    for port in first..=last {
        if TcpListener::bind(("127.0.0.1", port)).await.is_ok() {
            return Some(port);
        }
    }
    None
}
