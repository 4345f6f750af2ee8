//! The workshop on one demo cluster over HTTPS: two learners and an instructor, each with
//! the kubeconfig `istio-lab sim --learners` writes. A learner's token stays in their own
//! namespace (with kube-apiserver's words when refused); their app publishes progress that
//! the instructor's class view receives; they follow the instructor's lesson; and
//! `istio-lab check --json` reports their steps as they progress.

mod common;

use common::harness;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::init::{Start, new_model};
use istio_lab::app::model::Target;
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::class::effects::{Scope, publish_lead, watch};
use istio_lab::features::class::learner::{LearnerLink, WorkshopEffect};
use istio_lab::features::class::{ClassModel, ClassMsg, LeadDoc};
use istio_lab::features::cluster::apply::apply_manifest;
use istio_lab::runtime::{Context, EffectRunner, next_batch};
use istio_lab::sim::{self, Scenario, SimHandle, SimOptions};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use tokio::sync::mpsc::unbounded_channel;

const BOOKINFO: &str = include_str!("../assets/bookinfo/bookinfo.yaml");

async fn room() -> SimHandle {
    sim::start(SimOptions {
        port: 0,
        speed: 50.0,
        scenario: Scenario::demo().expect("demo scenario").with_room(2),
    })
    .await
    .expect("the room's demo cluster starts")
}

async fn client_of(sim: &SimHandle, user: &str) -> Client {
    let text = sim.room_kubeconfig(user).expect("a room user");
    let kubeconfig = Kubeconfig::from_yaml(&text).expect("a kubeconfig");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("its configuration");
    Client::try_from(config).expect("a client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_s_token_stays_in_their_namespace() {
    let sim = room().await;
    assert_eq!(sim.room_users(), ["instructor", "learner-01", "learner-02"]);
    let learner = client_of(&sim, "learner-01").await;
    assert_eq!(learner.default_namespace(), "learner-01");
    let own: Api<Pod> = Api::namespaced(learner.clone(), "learner-01");
    own.list(&ListParams::default())
        .await
        .expect("their own namespace");
    let system: Api<Pod> = Api::namespaced(learner.clone(), "istio-system");
    system
        .list(&ListParams::default())
        .await
        .expect("istio-system is readable");
    let other: Api<Pod> = Api::namespaced(learner.clone(), "learner-02");
    let Err(kube::Error::Api(status)) = other.list(&ListParams::default()).await else {
        panic!("another learner's namespace was readable");
    };
    assert_eq!(status.code, 403);
    assert_eq!(
        status.message,
        "pods is forbidden: User \"learner-01\" cannot list resource \"pods\" in API group \"\" in the namespace \"learner-02\""
    );
    let everywhere: Api<Pod> = Api::all(learner);
    let Err(kube::Error::Api(status)) = everywhere.list(&ListParams::default()).await else {
        panic!("a cluster-wide list was allowed");
    };
    assert!(
        status.message.ends_with("at the cluster scope"),
        "{}",
        status.message
    );
    let instructor = client_of(&sim, "instructor").await;
    Api::<Pod>::all(instructor)
        .list(&ListParams::default())
        .await
        .expect("the instructor sees everything");
    sim.shutdown().await;
}

/// The learner's app on `namespace`, publishing as `name` and following istio-system.
fn learner_app(
    client: Client,
    namespace: &str,
    name: &str,
) -> (
    Model,
    EffectRunner,
    tokio::sync::mpsc::UnboundedReceiver<Msg>,
) {
    let (mut model, mut effects) = new_model(Start {
        target: Target {
            demo: false,
            context: "istio-lab-demo".into(),
            server: "127.0.0.1".into(),
            namespace: namespace.into(),
        },
        color: false,
        now: Timestamp::now(),
        watch: true,
        ..harness::start(120, 40)
    });
    model.learner = LearnerLink::new(Some(name.into()), Some("istio-system".into()));
    effects.push(Effect::Workshop(WorkshopEffect::Follow {
        namespace: "istio-system".into(),
    }));
    let (tx, rx) = unbounded_channel();
    let mut runner = EffectRunner::new(
        tx,
        Context {
            progress_path: None,
            progress_book: Default::default(),
            client: Some(client),
            try_gateway: false,
            credentials: None,
        },
    );
    runner.run_all(effects);
    (model, runner, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reaches_the_class_view_and_learners_follow_the_instructor() {
    let sim = room().await;
    let instructor = client_of(&sim, "instructor").await;
    let (class_tx, mut class_rx) = unbounded_channel();
    tokio::spawn(watch(instructor.clone(), Scope::default(), class_tx));
    let titles = istio_lab::features::lesson::builtin("ko")
        .expect("lessons")
        .iter()
        .map(|l| l.title.clone())
        .collect();
    let mut class = ClassModel::new(titles, None, Timestamp::now());

    let mut learners = Vec::new();
    for (ns, name) in [("learner-01", "ana"), ("learner-02", "bo")] {
        learners.push(learner_app(client_of(&sim, ns).await, ns, name));
    }
    // Both apps run (ticks and watch events) until the class view has both learners.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while class.learners.len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "class view: {:?}",
            class.learners.keys()
        );
        for (model, runner, rx) in &mut learners {
            let effects = update(model, Msg::Tick, Timestamp::now());
            runner.run_all(effects);
            if let Ok(effects) =
                tokio::time::timeout(Duration::from_millis(50), next_batch(model, rx)).await
            {
                runner.run_all(effects);
            }
        }
        while let Ok(msg) = class_rx.try_recv() {
            istio_lab::features::class::update(&mut class, msg);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let names: Vec<String> = class
        .visible()
        .iter()
        .map(|l| l.name().to_string())
        .collect();
    assert!(
        names.contains(&"ana".to_string()) && names.contains(&"bo".to_string()),
        "{names:?}"
    );
    let ana = &class.learners["learner-01"];
    let doc = ana.doc.as_ref().expect("a readable document");
    assert_eq!(doc.lessons.len(), 9);
    assert_eq!(doc.lesson, 1);

    // The instructor moves to lesson 7; ana's header says so and L takes her there.
    publish_lead(
        &instructor,
        "istio-system",
        &LeadDoc {
            lesson: 7,
            title: "트래픽 전환".into(),
        },
    )
    .await
    .expect("the lead is published");
    let (model, runner, rx) = &mut learners[0];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while model.learner.lead.is_none() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the lead never arrived"
        );
        if let Ok(effects) =
            tokio::time::timeout(Duration::from_millis(200), next_batch(model, rx)).await
        {
            runner.run_all(effects);
        }
    }
    assert_eq!(model.lesson.index, 0, "nobody is moved without asking");
    let header = common::screen(model);
    assert!(header.contains("강사: 7. 트래픽 전환 · L 이동"), "{header}");
    let key = Msg::Key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::NONE));
    runner.run_all(update(model, key, Timestamp::now()));
    assert_eq!(model.lesson.index, 6);

    // Her move reaches the class view (within the 5 s publishing interval).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        runner.run_all(update(model, Msg::Tick, Timestamp::now()));
        if let Ok(effects) =
            tokio::time::timeout(Duration::from_millis(200), next_batch(model, rx)).await
        {
            runner.run_all(effects);
        }
        while let Ok(msg) = class_rx.try_recv() {
            istio_lab::features::class::update(&mut class, msg);
        }
        let lesson = class.learners["learner-01"].doc.as_ref().map(|d| d.lesson);
        if lesson == Ok(7) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "class view still shows {lesson:?}"
        );
    }
    let _ = ClassMsg::Quit;
    sim.shutdown().await;
}

fn check(kubeconfig: &std::path::Path) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_istio-lab"))
        .args([
            "check",
            "--lesson",
            "3",
            "--json",
            "-n",
            "learner-01",
            "--kubeconfig",
        ])
        .arg(kubeconfig)
        .output()
        .expect("istio-lab check runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        out.status.code(),
        Some(if report["passed"] == true { 0 } else { 1 })
    );
    report
}

fn results(report: &serde_json::Value) -> Vec<String> {
    report["lessons"][0]["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| s["result"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_json_follows_a_learner_through_lesson_3() {
    let sim = room().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("learner-01.kubeconfig");
    std::fs::write(
        &kubeconfig,
        sim.room_kubeconfig("learner-01").expect("learner"),
    )
    .expect("written");

    let before = check(&kubeconfig);
    assert_eq!(before["schema"], "istio-lab.check/v1");
    assert_eq!(before["namespace"], "learner-01");
    assert_eq!(before["passed"], false);
    assert_eq!(results(&before)[0], "fail", "{before:#}");
    assert!(before["lessons"][0]["steps"][0]["reason"].is_string());

    let learner = client_of(&sim, "learner-01").await;
    apply_manifest(&learner, "learner-01", BOOKINFO)
        .await
        .expect("Bookinfo applied");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let after = loop {
        let report = check(&kubeconfig);
        if report["passed"] == true {
            break report;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "lesson 3 never passed: {report:#}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(
        results(&after).iter().all(|r| r == "pass" || r == "manual"),
        "{after:#}"
    );
    sim.shutdown().await;
}
