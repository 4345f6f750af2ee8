//! The app's Kiali forward (`K` in the traffic pane): through the pure update (the prompt, the
//! offered port, the effect, the URL and the Korean reasons), and for real against the demo
//! cluster with a kiali Deployment and Service made here: `forward_kiali` carries each new
//! local connection to the kiali pod, and refuses with a reason when it cannot.

mod common;

use std::time::Duration;

use common::harness::{SimLab, guide_cluster};
use common::kiali::with_kiali;
use common::{key, lab, screen_rows};
use crossterm::event::KeyCode;
use istio_lab::app::{Effect, Msg};
use istio_lab::features::traffic::kiali::{ForwardState, LAST_PORT};
use istio_lab::features::traffic::kiali_forward::{ForwardError, forward_kiali};
use istio_lab::features::traffic::msg::{TrafficEffect, TrafficMsg};
use kube::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn traffic_effects(effects: &[Effect]) -> Vec<TrafficEffect> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Traffic(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The screen's rows joined, wide characters once.
fn shown(m: &istio_lab::app::Model) -> String {
    screen_rows(m).join("\n")
}

fn answer(m: &mut istio_lab::app::Model, msg: TrafficMsg) {
    common::send(m, Msg::Traffic(msg));
}

#[test]
fn k_asks_for_a_port_offers_the_free_one_and_forwards_to_it() {
    let mut m = lab();
    let effects = key(&mut m, KeyCode::Char('K'));
    assert_eq!(
        traffic_effects(&effects),
        vec![TrafficEffect::FindKialiPort {
            first: 8080,
            last: LAST_PORT
        }]
    );
    assert!(shown(&m).contains("빈 포트 찾는 중"), "{}", shown(&m));
    answer(&mut m, TrafficMsg::KialiPortFound(Some(8082)));
    assert!(shown(&m).contains("비우면 8082"), "{}", shown(&m));
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        traffic_effects(&effects),
        vec![TrafficEffect::ForwardKiali { port: 8082 }]
    );
    assert_eq!(
        m.traffic.kiali.forward,
        ForwardState::Starting { port: 8082 }
    );
    answer(&mut m, TrafficMsg::KialiForwarded(Ok(8082)));
    assert!(
        shown(&m).contains("http://127.0.0.1:8082/kiali"),
        "{}",
        shown(&m)
    );
}

#[test]
fn a_typed_port_wins_esc_cancels_and_bad_ports_are_told() {
    let mut m = lab();
    key(&mut m, KeyCode::Char('K'));
    answer(&mut m, TrafficMsg::KialiPortFound(Some(8080)));
    // While the prompt is open, digits are the port's, not the sliders' presets.
    let weights_before = m.traffic.sliders.weights();
    for c in "0".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    assert_eq!(m.traffic.sliders.weights(), weights_before);
    let effects = key(&mut m, KeyCode::Enter);
    assert!(traffic_effects(&effects).is_empty());
    assert!(shown(&m).contains("포트 번호가 아닙니다"), "{}", shown(&m));
    key(&mut m, KeyCode::Backspace);
    for c in "9001".chars() {
        key(&mut m, KeyCode::Char(c));
    }
    let effects = key(&mut m, KeyCode::Enter);
    assert_eq!(
        traffic_effects(&effects),
        vec![TrafficEffect::ForwardKiali { port: 9001 }]
    );

    key(&mut m, KeyCode::Char('K'));
    answer(&mut m, TrafficMsg::KialiPortFound(None));
    let effects = key(&mut m, KeyCode::Enter);
    assert!(traffic_effects(&effects).is_empty());
    assert!(shown(&m).contains("포트가 모두 사용"), "{}", shown(&m));
    let effects = key(&mut m, KeyCode::Esc);
    assert!(traffic_effects(&effects).is_empty());
    assert!(m.traffic.kiali.prompt.is_none());
    // The running forward is still what the pane tells.
    assert_eq!(
        m.traffic.kiali.forward,
        ForwardState::Starting { port: 9001 }
    );
}

#[test]
fn why_a_forward_cannot_start_is_told_in_korean() {
    for (error, text) in [
        (ForwardError::NoService, "kiali Service가 없습니다"),
        (ForwardError::NoReadyPod, "준비된(Ready) Pod가 없습니다"),
        (ForwardError::PortInUse(8080), "로컬 포트 8080을(를) 이미"),
    ] {
        let mut m = lab();
        key(&mut m, KeyCode::Char('K'));
        answer(&mut m, TrafficMsg::KialiPortFound(Some(8080)));
        key(&mut m, KeyCode::Enter);
        answer(&mut m, TrafficMsg::KialiForwarded(Err(error.to_string())));
        let shown = shown(&m);
        assert!(shown.contains("Kiali 포워드 실패"), "{shown}");
        assert!(shown.contains(text), "{text}: {shown}");
    }
}

/// One HTTP/1.0 GET on a fresh local connection: the whole answer.
async fn get(port: u16, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("the forward listens");
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer))
        .await
        .expect("an answer in time")
        .expect("the answer reads");
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_kiali_refuses_without_kiali_and_carries_each_connection_once_it_runs() {
    let sim = guide_cluster(50.0).await.expect("the guide's cluster");
    let client = Client::try_from(sim.kube_config()).unwrap();
    let err = forward_kiali(client.clone(), 0)
        .await
        .expect_err("no kiali");
    assert!(matches!(err, ForwardError::NoService), "{err:?}");

    with_kiali(&sim, &client).await;
    let handle = forward_kiali(client.clone(), 0).await.expect("forwards");
    assert!(handle.url().ends_with(&format!(":{}/kiali", handle.port())));
    for _ in 0..2 {
        let answer = get(handle.port(), "/kiali").await;
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("<title>Kiali</title>"), "{answer}");
    }
    let taken = handle.port();
    let err = forward_kiali(client.clone(), taken)
        .await
        .expect_err("in use");
    assert!(
        matches!(err, ForwardError::PortInUse(p) if p == taken),
        "{err:?}"
    );
    drop(handle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_k_key_forwards_a_local_port_to_the_demo_clusters_kiali() {
    let mut lab = SimLab::start(50.0)
        .await
        .expect("the app on the demo cluster");
    let client = lab.client.clone();
    with_kiali(&lab.sim, &client).await;
    let effects = lab.press(KeyCode::Char('K'));
    lab.runner.run_all(effects);
    let mut port = None;
    for _ in 0..200 {
        let effects = lab.batch().await;
        lab.runner.run_all(effects);
        if let Some(prompt) = &lab.model.traffic.kiali.prompt
            && !prompt.looking
        {
            break;
        }
    }
    // Enter takes the offered port (8080–8089), or 0 typed would not do: type a free one.
    let offered = lab
        .model
        .traffic
        .kiali
        .prompt
        .as_ref()
        .and_then(|p| p.suggested);
    if offered.is_none() {
        eprintln!("every port of 8080–8089 is taken here; the forward is tested by forward_kiali");
        return;
    }
    let effects = lab.press(KeyCode::Enter);
    lab.runner.run_all(effects);
    for _ in 0..200 {
        let effects = lab.batch().await;
        lab.runner.run_all(effects);
        match &lab.model.traffic.kiali.forward {
            ForwardState::Up { port: up } => {
                port = Some(*up);
                break;
            }
            ForwardState::Failed { message } => {
                // Another program took the port between the offer and the forward.
                assert!(message.contains("이미 다른 프로그램이"), "{message}");
                return;
            }
            _ => {}
        }
    }
    let port = port.expect("the forward came up");
    assert_eq!(Some(port), offered);
    let answer = get(port, "/kiali/console").await;
    assert!(answer.contains("<title>Kiali</title>"), "{answer}");
}
