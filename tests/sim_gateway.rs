//! The demo cluster's ingress gateway from a learner's shell: the guide's three export lines
//! and its curl, run as written in `sh` with the real kubectl and curl, print Bookinfo's
//! title; without the Gateway (or without a VirtualService bound to it) Envoy's empty 404
//! answers; the reviews weights decide the stars each page shows; Bookinfo's JSON API is
//! served; and Kiali's page, through the API server's service proxy, counts that traffic.

mod common {
    pub mod gateway;
    pub mod harness;
    pub mod sim;
}

use common::gateway::{GATEWAY, Lab, get, missing, reviews_route};

/// Lesson 05's lines, as the guide has them (see lessons/ko/05-ingress-address.md).
const EXPORTS: &str = r#"
export INGRESS_HOST=$(kubectl -n istio-system get service istio-ingressgateway -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
export INGRESS_PORT=$(kubectl -n istio-system get service istio-ingressgateway -o jsonpath='{.spec.ports[?(@.name=="http2")].port}')
export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_s_export_lines_and_curl_reach_bookinfo() {
    if missing("kubectl") || missing("curl") {
        return;
    }
    let lab = Lab::start().await;
    lab.with_gateway().await;
    let script = format!(
        "{EXPORTS}\necho \"GATEWAY_URL=$GATEWAY_URL\"\ncurl -s \"http://${{GATEWAY_URL}}/productpage\" | grep -o \"<title>.*</title>\"\n"
    );
    let (code, stdout, stderr) = lab.sh(&script).await;
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let gateway = lab.sim().gateway_addr();
    assert!(
        stdout.contains(&format!("GATEWAY_URL=127.0.0.1:{}\n", gateway.port())),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("<title>Simple Bookstore App</title>\n"),
        "{stdout}"
    );
    let (_, service, _) = lab
        .kubectl(&[
            "-n",
            "istio-system",
            "get",
            "service",
            "istio-ingressgateway",
            "-o",
            "json",
        ])
        .await;
    let service: serde_json::Value = serde_json::from_str(&service).unwrap();
    assert_eq!(
        service["status"]["loadBalancer"]["ingress"][0],
        serde_json::json!({"ip": "127.0.0.1", "ipMode": "VIP"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_gateway_or_a_bound_route_envoy_answers_404() {
    let lab = Lab::start().await;
    let addr = lab.sim().gateway_addr();
    let (status, headers, body) = get(addr, "/productpage").await;
    assert_eq!(status, 404);
    assert!(body.is_empty(), "{body}");
    assert!(
        headers.contains(&"server: istio-envoy".to_string()),
        "{headers:?}"
    );
    // The Gateway alone: no VirtualService is bound to it yet.
    let gateway_only: String = GATEWAY.split("\n---\n").next().unwrap().to_string();
    lab.apply(&gateway_only).await;
    assert_eq!(get(addr, "/productpage").await.0, 404);
    lab.with_gateway().await;
    assert_eq!(get(addr, "/productpage").await.0, 200);
    // Paths the VirtualService does not match stay Envoy's.
    let (status, headers, body) = get(addr, "/").await;
    assert_eq!((status, body.as_str()), (404, ""));
    assert!(
        headers.contains(&"server: istio-envoy".to_string()),
        "{headers:?}"
    );
}

/// Which stars `pages` pages showed: (none, black, red).
async fn stars(addr: std::net::SocketAddr, pages: usize) -> (usize, usize, usize) {
    let mut seen = (0, 0, 0);
    for _ in 0..pages {
        let (status, _, body) = get(addr, "/productpage").await;
        assert_eq!(status, 200, "{body}");
        if body.contains("flex gap-x-1 text-red-500") {
            seen.2 += 1;
        } else if body.contains("flex gap-x-1 text-black") {
            seen.1 += 1;
        } else {
            assert!(body.contains("Reviews served by:"), "{body}");
            seen.0 += 1;
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reviews_weights_decide_the_stars_of_each_page() {
    let lab = Lab::start().await;
    lab.with_gateway().await;
    let addr = lab.sim().gateway_addr();
    lab.apply(&reviews_route(&[("v3", 100)])).await;
    assert_eq!(stars(addr, 30).await, (0, 0, 30));
    lab.apply(&reviews_route(&[("v1", 100)])).await;
    assert_eq!(stars(addr, 30).await, (30, 0, 0));
    // An even split: each page picks by the weights, so both show among 100 pages (the
    // chance that one never does is 2 in 2^100).
    lab.apply(&reviews_route(&[("v1", 50), ("v2", 50)])).await;
    let (none, black, red) = stars(addr, 100).await;
    assert!(none > 0 && black > 0 && red == 0, "{none} {black} {red}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookinfo_s_json_api_answers_through_the_gateway() {
    let lab = Lab::start().await;
    lab.with_gateway().await;
    let addr = lab.sim().gateway_addr();
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    let (status, _, products) = get(addr, "/api/v1/products").await;
    assert_eq!(status, 200);
    assert_eq!(json(&products)[0]["title"], "The Comedy of Errors");
    let (_, _, details) = get(addr, "/api/v1/products/0").await;
    assert_eq!(json(&details)["ISBN-10"], "1234567890");
    lab.apply(&reviews_route(&[("v3", 100)])).await;
    let (_, _, reviews) = get(addr, "/api/v1/products/0/reviews").await;
    let reviews = json(&reviews);
    assert_eq!(reviews["reviews"][0]["rating"]["color"], "red", "{reviews}");
    assert!(
        reviews["podname"]
            .as_str()
            .unwrap()
            .starts_with("reviews-v3-")
    );
    let (_, _, ratings) = get(addr, "/api/v1/products/0/ratings").await;
    assert_eq!(json(&ratings)["ratings"]["Reviewer1"], 5);
    let (status, headers, _) = get(addr, "/login").await;
    assert_eq!(status, 302);
    assert!(
        headers.contains(&"location: /productpage".to_string()),
        "{headers:?}"
    );
}

const KIALI: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kiali\n  namespace: istio-system\n  labels: {app: kiali}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: kiali}\n  template:\n    metadata:\n      labels: {app: kiali, sidecar.istio.io/inject: \"false\"}\n    spec:\n      containers:\n      - name: kiali\n        image: quay.io/kiali/kiali:v2.17\n        ports:\n        - containerPort: 20001\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: kiali\n  namespace: istio-system\nspec:\n  selector: {app: kiali}\n  ports:\n  - {name: http, port: 20001}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiali_s_graph_counts_the_traffic_the_cluster_served() {
    let lab = Lab::start().await;
    lab.with_gateway().await;
    lab.apply(&reviews_route(&[("v3", 100)])).await;
    let addr = lab.sim().gateway_addr();
    let kiali = "/api/v1/namespaces/istio-system/services/kiali:20001/proxy/kiali/";
    let refused = lab.api_get(kiali).await;
    assert_eq!(refused.status, 503, "no Kiali before its Deployment");
    assert_eq!(
        refused.body["message"],
        "no endpoints available for service \"kiali\""
    );
    lab.apply_in("istio-system", KIALI).await;
    for _ in 0..10 {
        assert_eq!(get(addr, "/productpage").await.0, 200);
    }
    let mut page = String::new();
    for _ in 0..500 {
        let reply = lab.api_get(kiali).await;
        if reply.status == 200 {
            page = reply.body.as_str().unwrap_or_default().to_string();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(page.contains("<title>Kiali</title>"), "{page}");
    // Every page since the 100% v3 route went to reviews-v3 and from there to ratings.
    assert!(
        page.contains(">reviews-v3<") && page.contains(">ratings-v1<"),
        "{page}"
    );
    assert!(page.contains(">istio-ingressgateway<"), "{page}");
    let graph = lab
        .api_get(
            "/api/v1/namespaces/istio-system/services/kiali:20001/proxy/kiali/api/namespaces/graph",
        )
        .await
        .body;
    let edge = graph["elements"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["data"]["source"] == "reviews-v3" && e["data"]["target"] == "ratings-v1")
        .cloned()
        .unwrap_or_default();
    assert!(
        edge["data"]["traffic"]["requests"].as_u64().unwrap_or(0) >= 10,
        "{graph}"
    );
}
