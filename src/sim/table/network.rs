//! Printers for how Services are reached: Services (type, cluster IP, external IP, ports),
//! Endpoints and EndpointSlices (the sim serves Services; the other two are ready for when
//! it serves them).

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::columns::{
    AGE, Column, NAME, Row, TEXT, age, column, format_labels, int, items, name, text, wide,
};

pub const SERVICE_COLUMNS: &[Column] = &[
    NAME,
    column(
        "Type",
        TEXT,
        "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
    ),
    column(
        "Cluster-IP",
        TEXT,
        "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
    ),
    column(
        "External-IP",
        TEXT,
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
    ),
    column(
        "Port(s)",
        TEXT,
        "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
    ),
    AGE,
    wide(
        "Selector",
        TEXT,
        "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
    ),
];

pub const ENDPOINTS_COLUMNS: &[Column] = &[
    NAME,
    column(
        "Endpoints",
        TEXT,
        "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
    ),
    AGE,
];

pub const ENDPOINTSLICE_COLUMNS: &[Column] = &[
    NAME,
    column(
        "AddressType",
        TEXT,
        "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name. (Deprecated) The EndpointSlice controller only generates, and kube-proxy only processes, slices of addressType \"IPv4\" and \"IPv6\". No semantics are defined for the \"FQDN\" type.",
    ),
    column(
        "Ports",
        TEXT,
        "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. Each slice may include a maximum of 100 ports. Services always have at least 1 port, so EndpointSlices generated by the EndpointSlice controller will likewise always have at least 1 port. EndpointSlices used for other purposes may have an empty ports list.",
    ),
    column(
        "Endpoints",
        TEXT,
        "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
    ),
    AGE,
];

/// Past this, kubectl's non-wide load balancer addresses are cut; the server prints wide.
const SHOWN_ADDRESSES: usize = 3;

fn joined(values: &Value) -> String {
    items(values).iter().map(text).collect::<Vec<_>>().join(",")
}

/// `loadBalancerStatusStringer` as the server calls it (wide): the ingress IPs, or their
/// hostnames, sorted and without repeats.
fn load_balancer(status: &Value) -> String {
    let addresses: BTreeSet<&str> = items(&status["loadBalancer"]["ingress"])
        .iter()
        .filter_map(|i| match (text(&i["ip"]), text(&i["hostname"])) {
            ("", "") => None,
            ("", host) => Some(host),
            (ip, _) => Some(ip),
        })
        .collect();
    addresses.into_iter().collect::<Vec<_>>().join(",")
}

fn external_ip(svc: &Value) -> String {
    let spec = &svc["spec"];
    let external = joined(&spec["externalIPs"]);
    match text(&spec["type"]) {
        "ClusterIP" | "NodePort" if external.is_empty() => "<none>".into(),
        "ClusterIP" | "NodePort" => external,
        "LoadBalancer" => {
            let balanced = load_balancer(&svc["status"]);
            match (balanced.is_empty(), external.is_empty()) {
                (true, true) => "<pending>".into(),
                (false, true) => balanced,
                (true, false) => external,
                (false, false) => format!("{balanced},{external}"),
            }
        }
        "ExternalName" => text(&spec["externalName"]).to_string(),
        _ => "<unknown>".into(),
    }
}

/// `80:31198/TCP` with a node port, `9080/TCP` without.
fn ports(spec: &Value) -> String {
    let shown: Vec<String> = items(&spec["ports"])
        .iter()
        .map(|p| {
            let protocol = text(&p["protocol"]);
            match int(&p["nodePort"]) {
                0 => format!("{}/{protocol}", int(&p["port"])),
                node => format!("{}:{node}/{protocol}", int(&p["port"])),
            }
        })
        .collect();
    if shown.is_empty() {
        "<none>".into()
    } else {
        shown.join(",")
    }
}

pub fn service(svc: &Value, now: Timestamp) -> Row {
    let spec = &svc["spec"];
    let cluster_ip = match text(&spec["clusterIPs"][0]) {
        "" => "<none>",
        ip => ip,
    };
    Row::new(vec![
        name(svc),
        json!(text(&spec["type"])),
        json!(cluster_ip),
        json!(external_ip(svc)),
        json!(ports(spec)),
        age(svc, now),
        json!(format_labels(&spec["selector"])),
    ])
}

/// `a,b,c + 2 more...` past three entries.
fn with_more(list: &[String], count: usize) -> String {
    let shown = list.join(",");
    if count > SHOWN_ADDRESSES {
        format!("{shown} + {} more...", count - SHOWN_ADDRESSES)
    } else {
        shown
    }
}

/// `formatEndpoints`: `ip:port` for every address and port, three at most.
fn endpoints_cell(subsets: &Value) -> String {
    if items(subsets).is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    let mut count = 0;
    for subset in items(subsets) {
        let addresses = items(&subset["addresses"]);
        let ports = items(&subset["ports"]);
        // Headless services may have addresses without ports.
        let port_numbers: Vec<Option<i64>> = if ports.is_empty() {
            vec![None]
        } else {
            ports.iter().map(|p| Some(int(&p["port"]))).collect()
        };
        for port in port_numbers {
            count += addresses.len();
            for address in addresses {
                if list.len() == SHOWN_ADDRESSES {
                    break;
                }
                let ip = text(&address["ip"]);
                list.push(match port {
                    Some(port) if ip.contains(':') => format!("[{ip}]:{port}"),
                    Some(port) => format!("{ip}:{port}"),
                    None => ip.to_string(),
                });
            }
        }
    }
    with_more(&list, count)
}

pub fn endpoints(obj: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name(obj),
        json!(endpoints_cell(&obj["subsets"])),
        age(obj, now),
    ])
}

/// `listWithMoreString`: three entries at most, `<unset>` for none.
fn listed(all: Vec<String>) -> String {
    let count = all.len();
    let shown: Vec<String> = all.into_iter().take(SHOWN_ADDRESSES).collect();
    match with_more(&shown, count) {
        empty if empty.is_empty() => "<unset>".into(),
        text => text,
    }
}

pub fn endpointslice(obj: &Value, now: Timestamp) -> Row {
    let ports = items(&obj["ports"])
        .iter()
        .map(|p| match (p["port"].as_i64(), p["name"].as_str()) {
            (Some(port), _) => port.to_string(),
            (None, Some(name)) => name.to_string(),
            (None, None) => "*".to_string(),
        })
        .collect();
    let addresses = items(&obj["endpoints"])
        .iter()
        .flat_map(|e| items(&e["addresses"]).iter().map(|a| text(a).to_string()))
        .collect();
    Row::new(vec![
        name(obj),
        json!(text(&obj["addressType"])),
        json!(listed(ports)),
        json!(listed(addresses)),
        age(obj, now),
    ])
}
