//! `ServiceRow`: a Service reduced to the columns of `kubectl get services`.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{LoadBalancerStatus, Service, ServicePort};

use super::age::format_age;
use super::health::Health;

/// kubectl clips the load-balancer address list to this many bytes outside `-o wide`.
const LOAD_BALANCER_WIDTH: usize = 16;

/// One line of the services table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    /// CLUSTER-IP: the first cluster IP, `None` for headless services, `<none>` when unset.
    pub cluster_ip: String,
    /// EXTERNAL-IP exactly as kubectl prints it (`<none>`, `<pending>`, addresses, a DNS name).
    pub external_ip: String,
    /// PORT(S): `80:31380/TCP,443:31390/TCP`, `9080/TCP`, or `<none>`.
    pub ports: String,
    pub created: Option<Timestamp>,
    pub health: Health,
}

impl ServiceRow {
    /// AGE as kubectl prints it; `<unknown>` without a creation timestamp.
    pub fn age_text(&self, now: Timestamp) -> String {
        self.created
            .map_or_else(|| "<unknown>".to_string(), |at| format_age(at, now))
    }
}

impl From<&Service> for ServiceRow {
    fn from(service: &Service) -> Self {
        let meta = &service.metadata;
        let spec = service.spec.clone().unwrap_or_default();
        // The API server defaults the type; objects built by hand may leave it out.
        let type_ = spec
            .type_
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "ClusterIP".to_string());
        let cluster_ip = spec
            .cluster_ips
            .as_ref()
            .and_then(|ips| ips.first().cloned())
            .or_else(|| spec.cluster_ip.clone())
            .filter(|ip| !ip.is_empty())
            .unwrap_or_else(|| "<none>".to_string());
        let external_ips = spec.external_ips.clone().unwrap_or_default();
        let load_balancer = service
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref());
        let external_ip = external_ip_text(
            &type_,
            &external_ips,
            load_balancer,
            spec.external_name.as_deref(),
        );
        let health = if external_ip == "<pending>" {
            Health::Progressing
        } else {
            Health::Good
        };
        ServiceRow {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            ports: ports_text(spec.ports.as_deref().unwrap_or(&[])),
            type_,
            cluster_ip,
            external_ip,
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            health,
        }
    }
}

/// kubectl's `getServiceExternalIP` (non-wide).
fn external_ip_text(
    type_: &str,
    external_ips: &[String],
    load_balancer: Option<&LoadBalancerStatus>,
    external_name: Option<&str>,
) -> String {
    match type_ {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let addresses = load_balancer_text(load_balancer);
            if !external_ips.is_empty() {
                let mut all: Vec<&str> = Vec::new();
                if !addresses.is_empty() {
                    all.extend(addresses.split(','));
                }
                all.extend(external_ips.iter().map(String::as_str));
                return all.join(",");
            }
            if addresses.is_empty() {
                "<pending>".to_string()
            } else {
                addresses
            }
        }
        "ExternalName" => external_name.unwrap_or_default().to_string(),
        _ => "<unknown>".to_string(),
    }
}

/// kubectl's `loadBalancerStatusStringer`: IPs (else hostnames), sorted and de-duplicated,
/// clipped to 16 bytes with `...`.
fn load_balancer_text(status: Option<&LoadBalancerStatus>) -> String {
    let mut addresses: Vec<&str> = status
        .and_then(|s| s.ingress.as_deref())
        .unwrap_or(&[])
        .iter()
        .filter_map(|ingress| {
            ingress
                .ip
                .as_deref()
                .filter(|ip| !ip.is_empty())
                .or_else(|| ingress.hostname.as_deref().filter(|h| !h.is_empty()))
        })
        .collect();
    addresses.sort_unstable();
    addresses.dedup();
    let joined = addresses.join(",");
    if joined.len() > LOAD_BALANCER_WIDTH {
        let mut cut = LOAD_BALANCER_WIDTH - 3;
        // Go slices bytes; addresses are ASCII in practice, but never split a character.
        while !joined.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &joined[..cut])
    } else {
        joined
    }
}

/// kubectl's `makePortString`, with `<none>` for a service without ports.
fn ports_text(ports: &[ServicePort]) -> String {
    if ports.is_empty() {
        return "<none>".to_string();
    }
    ports
        .iter()
        .map(|port| {
            // The API server defaults the protocol to TCP.
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            match port.node_port.filter(|n| *n > 0) {
                Some(node_port) => format!("{}:{node_port}/{protocol}", port.port),
                None => format!("{}/{protocol}", port.port),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::LoadBalancerIngress;

    fn lb(entries: &[(&str, &str)]) -> LoadBalancerStatus {
        LoadBalancerStatus {
            ingress: Some(
                entries
                    .iter()
                    .map(|(ip, host)| LoadBalancerIngress {
                        ip: (!ip.is_empty()).then(|| ip.to_string()),
                        hostname: (!host.is_empty()).then(|| host.to_string()),
                        ..Default::default()
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn load_balancer_addresses_are_sorted_deduplicated_and_clipped() {
        let status = lb(&[("1.1.1.9", ""), ("1.1.1.1", ""), ("1.1.1.9", "")]);
        assert_eq!(load_balancer_text(Some(&status)), "1.1.1.1,1.1.1.9");
        let status = lb(&[("10.0.0.9", ""), ("10.0.0.1", "")]);
        assert_eq!(load_balancer_text(Some(&status)), "10.0.0.1,10.0...");
        let status = lb(&[("", "a1b2c3d4.elb.amazonaws.com")]);
        assert_eq!(load_balancer_text(Some(&status)), "a1b2c3d4.elb....");
        let status = lb(&[("130.211.10.121", "ignored.example.com")]);
        assert_eq!(load_balancer_text(Some(&status)), "130.211.10.121");
    }

    #[test]
    fn load_balancer_with_external_ips_lists_both() {
        let status = lb(&[("1.2.3.4", "")]);
        let ext = vec!["5.6.7.8".to_string()];
        assert_eq!(
            external_ip_text("LoadBalancer", &ext, Some(&status), None),
            "1.2.3.4,5.6.7.8"
        );
        assert_eq!(
            external_ip_text("LoadBalancer", &ext, None, None),
            "5.6.7.8"
        );
        assert_eq!(
            external_ip_text("LoadBalancer", &[], None, None),
            "<pending>"
        );
        assert_eq!(external_ip_text("Weird", &[], None, None), "<unknown>");
    }

    #[test]
    fn ports_use_node_port_when_set() {
        let ports = vec![
            ServicePort {
                port: 80,
                node_port: Some(31380),
                protocol: Some("TCP".into()),
                ..Default::default()
            },
            ServicePort {
                port: 53,
                protocol: Some("UDP".into()),
                ..Default::default()
            },
        ];
        assert_eq!(ports_text(&ports), "80:31380/TCP,53/UDP");
        assert_eq!(ports_text(&[]), "<none>");
    }
}
