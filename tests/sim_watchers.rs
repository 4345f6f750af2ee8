//! The demo cluster through an ordinary kube-rs client: lists, watchers following pods to
//! 2/2, discovery, and the patch flavours the traffic lab uses.

use std::time::Duration;

use futures::StreamExt;
use istio_lab::sim::{self, Scenario, SimOptions};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Discovery;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Client, Error};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

fn ready_containers(pod: &Pod) -> (usize, usize) {
    let Some(status) = &pod.status else {
        return (0, 0);
    };
    let spec = pod.spec.clone().unwrap_or_default();
    let sidecars: Vec<String> = spec
        .init_containers
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .map(|c| c.name)
        .collect();
    let mut total = spec.containers.len() + sidecars.len();
    let mut ready = status
        .container_statuses
        .iter()
        .flatten()
        .filter(|c| c.ready)
        .count();
    ready += status
        .init_container_statuses
        .iter()
        .flatten()
        .filter(|c| sidecars.contains(&c.name) && c.ready)
        .count();
    if total == 0 {
        total = 1;
    }
    (ready, total)
}

fn deployment(name: &str, replicas: u32) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": "reviews", "version": "v2"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "reviews", "version": "v2"}},
            "template": {"metadata": {"labels": {"app": "reviews", "version": "v2"}},
                "spec": {"containers": [{"name": "reviews", "image": "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3",
                    "ports": [{"containerPort": 9080}]}]}}}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_client_sees_a_live_cluster() {
    let scenario = Scenario::demo().unwrap();
    let sim = sim::start(SimOptions {
        port: 0,
        speed: 50.0,
        scenario,
    })
    .await
    .unwrap();
    let client = Client::try_from(sim.kube_config()).unwrap();

    let system_pods = Api::<Pod>::namespaced(client.clone(), "istio-system")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(system_pods.items.len(), 3);
    assert!(
        system_pods
            .items
            .iter()
            .all(|p| ready_containers(p) == (1, 1))
    );
    let ingress = Api::<Service>::namespaced(client.clone(), "istio-system")
        .get("istio-ingressgateway")
        .await
        .unwrap();
    let lb = ingress
        .status
        .unwrap()
        .load_balancer
        .unwrap()
        .ingress
        .unwrap();
    assert_eq!(lb[0].ip_mode.as_deref(), Some("VIP"));

    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    assert!(discovery.has_group("networking.istio.io") && discovery.has_group("apps"));

    let label = json!({"metadata": {"labels": {"istio-injection": "enabled"}}});
    Api::<Namespace>::all(client.clone())
        .patch("default", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();

    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let mut events = watcher::watcher(pods.clone(), watcher::Config::default()).boxed();
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let apply = PatchParams::apply("istio-lab").force();
    deployments.apply_in("reviews-v2", 2, &apply).await;

    let mut stages_seen = std::collections::BTreeSet::new();
    let mut ready_pods = std::collections::BTreeMap::new();
    tokio::time::timeout(WAIT, async {
        while let Some(event) = events.next().await {
            if let Ok(Event::Apply(pod) | Event::InitApply(pod)) = event {
                let (ready, total) = ready_containers(&pod);
                stages_seen.insert((
                    pod.status
                        .as_ref()
                        .and_then(|s| s.phase.clone())
                        .unwrap_or_default(),
                    ready,
                ));
                ready_pods.insert(pod.metadata.name.clone().unwrap(), ready == 2 && total == 2);
                if ready_pods.len() == 2 && ready_pods.values().all(|r| *r) {
                    return;
                }
            }
        }
    })
    .await
    .expect("pods reach 2/2");
    assert!(
        stages_seen.contains(&("Pending".to_string(), 0)),
        "{stages_seen:?}"
    );
    assert!(
        stages_seen.contains(&("Running".to_string(), 1)),
        "{stages_seen:?}"
    );

    // Scaling down and deleting cascade to the pods.
    deployments.apply_in("reviews-v2", 1, &apply).await;
    wait_for_pod_count(&pods, 1).await;
    deployments
        .delete("reviews-v2", &DeleteParams::default())
        .await
        .unwrap();
    wait_for_pod_count(&pods, 0).await;

    virtual_service_patches(client.clone()).await;

    let store = sim.store();
    store.set_forbidden("list", "pods", "default");
    let viewer = Client::try_from(sim.kube_config_with_token(sim.viewer_token())).unwrap();
    match Api::<Pod>::default_namespaced(viewer)
        .list(&ListParams::default())
        .await
    {
        Err(Error::Api(status)) => assert_eq!(status.code, 403),
        other => panic!("expected 403, got {other:?}"),
    }
    sim.shutdown().await;
}

trait ApplyIn {
    async fn apply_in(&self, name: &str, replicas: u32, params: &PatchParams);
}

impl ApplyIn for Api<Deployment> {
    async fn apply_in(&self, name: &str, replicas: u32, params: &PatchParams) {
        self.patch(name, params, &Patch::Apply(deployment(name, replicas)))
            .await
            .unwrap();
    }
}

async fn wait_for_pod_count(pods: &Api<Pod>, wanted: usize) {
    tokio::time::timeout(WAIT, async {
        loop {
            let listed = pods.list(&ListParams::default()).await.unwrap();
            if listed.items.len() == wanted {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("pod count settles");
}

async fn virtual_service_patches(client: Client) {
    let gvk = GroupVersionKind::gvk("networking.istio.io", "v1", "VirtualService");
    let vs: Api<DynamicObject> = Api::default_namespaced_with(client, &ApiResource::from_gvk(&gvk));
    let route = |v1: u32, v2: u32| {
        json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "reviews"},
            "spec": {"hosts": ["reviews"], "http": [{"route": [
                {"destination": {"host": "reviews", "subset": "v1"}, "weight": v1},
                {"destination": {"host": "reviews", "subset": "v2"}, "weight": v2}]}]}})
    };
    let applied = vs
        .patch(
            "reviews",
            &PatchParams::apply("istio-lab"),
            &Patch::Apply(route(90, 10)),
        )
        .await
        .unwrap();
    assert_eq!(applied.data["spec"]["http"][0]["route"][0]["weight"], 90);
    let merged = vs
        .patch(
            "reviews",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": route(70, 30)["spec"]})),
        )
        .await
        .unwrap();
    assert_eq!(merged.data["spec"]["http"][0]["route"][1]["weight"], 30);
    match vs
        .patch(
            "reviews",
            &PatchParams::default(),
            &Patch::Strategic(json!({"spec": {}})),
        )
        .await
    {
        Err(Error::Api(status)) => assert_eq!(status.code, 415),
        other => panic!("expected 415, got {other:?}"),
    }
    match vs
        .patch(
            "reviews",
            &PatchParams::apply("istio-lab"),
            &Patch::Apply(route(50, 50)),
        )
        .await
    {
        Err(Error::Api(status)) => assert_eq!(status.code, 409),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_relist_after_a_restart() {
    let scenario = Scenario::demo().unwrap();
    let mut sim = sim::start(SimOptions {
        port: 0,
        speed: 50.0,
        scenario,
    })
    .await
    .unwrap();
    let client = Client::try_from(sim.kube_config()).unwrap();
    let pods: Api<Pod> = Api::default_namespaced(client);
    let mut events = watcher::watcher(pods, watcher::Config::default())
        .default_backoff()
        .boxed();
    let pod = |name: &str| -> Pod {
        serde_json::from_value(json!({"metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "docker.io/library/nginx:1.27"}]}}))
        .unwrap()
    };
    let mut inits = 0;
    let mut wait_for = async |name: &str, phase: &str| {
        tokio::time::timeout(WAIT, async {
            while let Some(event) = events.next().await {
                match event {
                    Ok(Event::Init) => inits += 1,
                    Ok(Event::Apply(p) | Event::InitApply(p))
                        if p.metadata.name.as_deref() == Some(name)
                            && p.status.as_ref().and_then(|s| s.phase.as_deref())
                                == Some(phase) =>
                    {
                        return;
                    }
                    _ => {}
                }
            }
        })
        .await
        .expect("the watcher sees the pod");
    };

    let fresh_client = |sim: &sim::SimHandle| {
        Api::<Pod>::default_namespaced(Client::try_from(sim.kube_config()).unwrap())
    };
    fresh_client(&sim)
        .create(&Default::default(), &pod("before"))
        .await
        .unwrap();
    wait_for("before", "Running").await;
    sim.restart().await.unwrap();
    fresh_client(&sim)
        .create(&Default::default(), &pod("after"))
        .await
        .unwrap();
    // Pods created without a node are scheduled and started like any other.
    wait_for("after", "Running").await;
    assert!(
        inits >= 2,
        "the expired watch made the watcher list again ({inits} lists)"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_lists_page_and_select() {
    let sim = sim::start(SimOptions {
        port: 0,
        speed: 50.0,
        scenario: Scenario::empty(),
    })
    .await
    .unwrap();
    assert_eq!(sim.store().insert_pods(250).len(), 250);
    // This time through the generated kubeconfig, as `istio-lab sim` hands it out.
    let kubeconfig = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig_yaml()).unwrap();
    let options = kube::config::KubeConfigOptions {
        context: Some(sim::CONTEXT_NAME.into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    assert_eq!(config.default_namespace, "default");
    let pods: Api<Pod> = Api::default_namespaced(Client::try_from(config).unwrap());
    let mut params = ListParams::default().limit(100);
    let mut pages = Vec::new();
    loop {
        let page = pods.list(&params).await.unwrap();
        pages.push(page.items.len());
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    assert_eq!(pages, vec![100, 100, 50]);
    let one = pods
        .list(&ListParams::default().fields("metadata.name=load-00007"))
        .await
        .unwrap();
    assert_eq!(one.items.len(), 1);
    let none = pods
        .list(&ListParams::default().labels("app=load,version!=v1"))
        .await
        .unwrap();
    assert!(none.items.is_empty());
    sim.shutdown().await;
}
