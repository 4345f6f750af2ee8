//! Finding Istio's networking kinds (VirtualService, DestinationRule, Gateway) and their version.

use kube::Client;
use kube::discovery::{self, ApiResource};

use super::events::MeshKind;

/// The API group of Istio's traffic resources.
pub const ISTIO_NETWORKING_GROUP: &str = "networking.istio.io";

/// Versions in order of preference; any other served version ranks after these.
const PREFERRED_VERSIONS: [&str; 3] = ["v1", "v1beta1", "v1alpha3"];

/// The outcome of looking for Istio's CRDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IstioDiscovery {
    /// The kinds that are served, each at its newest preferred version.
    Found(Vec<(MeshKind, ApiResource)>),
    /// `networking.istio.io` is not served: Istio is not installed (yet).
    NotInstalled,
}

impl IstioDiscovery {
    /// The resource for one kind, if it is served.
    pub fn resource(&self, kind: MeshKind) -> Option<&ApiResource> {
        match self {
            IstioDiscovery::Found(kinds) => {
                kinds.iter().find(|(k, _)| *k == kind).map(|(_, ar)| ar)
            }
            IstioDiscovery::NotInstalled => None,
        }
    }
}

/// Asks the API server which Istio networking kinds it serves.
///
/// A missing group is a normal answer ([`IstioDiscovery::NotInstalled`]); only transport or
/// server failures are errors.
pub async fn discover_istio(client: &Client) -> Result<IstioDiscovery, kube::Error> {
    let group = match discovery::group(client, ISTIO_NETWORKING_GROUP).await {
        Ok(group) => group,
        Err(kube::Error::Discovery(_)) => return Ok(IstioDiscovery::NotInstalled),
        // The CRDs can vanish between the group list and the version query.
        Err(kube::Error::Api(status)) if status.code == 404 => {
            return Ok(IstioDiscovery::NotInstalled);
        }
        Err(other) => return Err(other),
    };
    let served: Vec<(String, Vec<ApiResource>)> = group
        .versions()
        .map(|version| {
            let resources = group
                .versioned_resources(version)
                .into_iter()
                .map(|(ar, _)| ar)
                .collect();
            (version.to_string(), resources)
        })
        .collect();
    Ok(choose_resources(&served))
}

/// Picks, for each mesh kind, the resource at the most preferred served version.
pub fn choose_resources(served: &[(String, Vec<ApiResource>)]) -> IstioDiscovery {
    let mut ordered: Vec<&(String, Vec<ApiResource>)> = served.iter().collect();
    // Stable sort: preferred versions first in their order, others keep discovery's order.
    ordered.sort_by_key(|(version, _)| {
        PREFERRED_VERSIONS
            .iter()
            .position(|p| p == version)
            .unwrap_or(PREFERRED_VERSIONS.len())
    });
    let found: Vec<(MeshKind, ApiResource)> = MeshKind::ALL
        .iter()
        .filter_map(|kind| {
            ordered.iter().find_map(|(_, resources)| {
                resources
                    .iter()
                    .find(|ar| ar.kind == kind.kind_name())
                    .map(|ar| (*kind, ar.clone()))
            })
        })
        .collect();
    if found.is_empty() {
        IstioDiscovery::NotInstalled
    } else {
        IstioDiscovery::Found(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(version: &str, kind: MeshKind) -> ApiResource {
        ApiResource {
            group: ISTIO_NETWORKING_GROUP.into(),
            version: version.into(),
            api_version: format!("{ISTIO_NETWORKING_GROUP}/{version}"),
            kind: kind.kind_name().into(),
            plural: kind.plural().into(),
        }
    }

    fn version(v: &str, kinds: &[MeshKind]) -> (String, Vec<ApiResource>) {
        (v.into(), kinds.iter().map(|k| resource(v, *k)).collect())
    }

    #[test]
    fn prefers_v1_over_beta_and_alpha_whatever_the_order() {
        use MeshKind::*;
        let served = vec![
            version("v1alpha3", &[VirtualService, DestinationRule, Gateway]),
            version("v1beta1", &[VirtualService, DestinationRule, Gateway]),
            version("v1", &[VirtualService, DestinationRule, Gateway]),
        ];
        let found = choose_resources(&served);
        for kind in MeshKind::ALL {
            assert_eq!(found.resource(kind).map(|r| r.version.as_str()), Some("v1"));
        }
    }

    #[test]
    fn falls_back_per_kind_to_older_versions() {
        use MeshKind::*;
        let served = vec![
            version("v1alpha3", &[VirtualService, DestinationRule, Gateway]),
            version("v1beta1", &[VirtualService]),
        ];
        let found = choose_resources(&served);
        let versions: Vec<&str> = MeshKind::ALL
            .iter()
            .map(|k| found.resource(*k).map_or("-", |r| r.version.as_str()))
            .collect();
        assert_eq!(versions, ["v1beta1", "v1alpha3", "v1alpha3"]);
        assert_eq!(
            found
                .resource(VirtualService)
                .map(|r| r.api_version.as_str()),
            Some("networking.istio.io/v1beta1")
        );
    }

    #[test]
    fn group_without_mesh_kinds_counts_as_not_installed() {
        assert_eq!(choose_resources(&[]), IstioDiscovery::NotInstalled);
        let other = (
            "v1".to_string(),
            vec![ApiResource {
                kind: "Sidecar".into(),
                ..resource("v1", MeshKind::Gateway)
            }],
        );
        assert_eq!(choose_resources(&[other]), IstioDiscovery::NotInstalled);
    }
}
