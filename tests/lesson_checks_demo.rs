//! Lessons 3 to 7 followed on a fresh demo cluster through the app's update and effect runner:
//! `R` brings the cluster to lesson 3's start, each step's command is run as `r` runs it, and
//! the steps tick as the cluster gets there (manual steps with Space, lesson 7's last with the
//! traffic lab's `4`).

mod common;

use std::time::Duration;

use common::harness::{NAMESPACE, SimLab};
use crossterm::event::KeyCode;
use istio_lab::app::model::Overlay;
use istio_lab::app::{Effect, Model, Msg, update};
use istio_lab::features::lesson::msg::LessonEffect;
use istio_lab::features::lesson::run_command::{Action, action_for};
use istio_lab::sim::{self, Scenario, SimOptions};
use istio_lab::ui::layout::Pane;
use jiff::Timestamp;

async fn fresh_lab() -> SimLab {
    let scenario = Scenario::demo().expect("the demo scenario loads");
    let sim = sim::start(SimOptions {
        port: 0,
        speed: 50.0,
        scenario,
    })
    .await
    .expect("the demo cluster starts");
    let client = kube::Client::try_from(sim.kube_config()).expect("client");
    let mut lab = SimLab::attach(sim, client);
    lab.model.focus = Pane::Lesson;
    lab
}

fn press(lab: &mut SimLab, code: KeyCode) {
    let effects = lab.press(code);
    lab.runner.run_all(effects);
}

/// Runs a step's command the way `r` does: the bundled manifest, server-side applied.
fn run(lab: &mut SimLab, command: &str) {
    let Some(Action::Apply { manifest }) = action_for(command, NAMESPACE) else {
        panic!("the app runs `{command}` itself");
    };
    lab.runner
        .run_all(vec![Effect::Lesson(LessonEffect::ApplyCommand {
            namespace: NAMESPACE.into(),
            yaml: manifest,
        })]);
}

/// Lets messages arrive and ticks once a second's worth, probing each time, until `done`.
async fn until(lab: &mut SimLab, what: &str, done: impl Fn(&Model) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        // A tick as the runtime sends it; the probes' interval is cut short so the test does
        // not wait three seconds per answer.
        lab.model.lesson.probed_at = None;
        let effects = update(&mut lab.model, Msg::Tick, Timestamp::now());
        lab.runner.run_all(effects);
        if done(&lab.model) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {:?} {:?} {:?} {:?}",
            lab.model.lesson.steps_done,
            lab.model.lesson.step_reasons,
            lab.model.lesson.answers,
            lab.model.toast
        );
        if let Ok(effects) = tokio::time::timeout(Duration::from_millis(200), lab.batch()).await {
            lab.runner.run_all(effects);
        }
    }
}

fn goto(lab: &mut SimLab, id: &str) {
    let index = common::lesson_index(&lab.model, id);
    while lab.model.lesson.index < index {
        press(lab, KeyCode::Right);
    }
    assert_eq!(lab.model.current_lesson().map(|l| l.id.as_str()), Some(id));
}

fn all_done(m: &Model) -> bool {
    (0..m.lesson.steps_done.len())
        .all(|i| istio_lab::features::lesson::step_update::step_done(m, i))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lessons_3_to_7_tick_step_by_step_on_the_demo_cluster() {
    let mut lab = fresh_lab().await;
    goto(&mut lab, "bookinfo");
    until(&mut lab, "the first lists", |m| {
        m.lesson.step_reasons[0].as_deref() == Some("Service productpage이(가) default에 없습니다")
    })
    .await;

    // R: lesson 3 starts with the injection label.
    press(&mut lab, KeyCode::Char('R'));
    assert!(matches!(lab.model.overlay, Some(Overlay::Confirm(_))));
    press(&mut lab, KeyCode::Enter);
    until(&mut lab, "the reset's label", |m| {
        m.lesson
            .answers
            .values()
            .any(|a| format!("{a:?}").contains("istio-injection"))
    })
    .await;

    // Lesson 3: Bookinfo, its services, 2/2 pods with their sidecars, the page's title.
    run(
        &mut lab,
        "kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml",
    );
    until(&mut lab, "lesson 3's steps", all_done).await;
    assert_eq!(lab.model.lesson.steps_done, [Some(true); 4]);

    // Lesson 4: the gateway, and an analysis without errors or warnings.
    goto(&mut lab, "gateway");
    until(&mut lab, "lesson 4 waits for its gateway", |m| {
        m.lesson.steps_done[0] == Some(false)
    })
    .await;
    run(
        &mut lab,
        "kubectl apply -f samples/bookinfo/networking/bookinfo-gateway.yaml",
    );
    until(&mut lab, "lesson 4's steps", all_done).await;

    // Lesson 5: the ingress gateway's address is checked; the shell's variables are ticked by
    // hand, the highlighted step moving on with each Space.
    goto(&mut lab, "ingress-address");
    until(&mut lab, "the ingress address", |m| {
        m.lesson.steps_done[0] == Some(true)
    })
    .await;
    for _ in 0..3 {
        press(&mut lab, KeyCode::Char(' '));
    }
    assert!(all_done(&lab.model), "{:?}", lab.model.lesson.ticks);

    // Lesson 6: the address by hand, the page through the API server's service proxy.
    goto(&mut lab, "verify-access");
    press(&mut lab, KeyCode::Char(' '));
    until(&mut lab, "lesson 6's steps", all_done).await;

    // Lesson 7: the rule, the 80/20 route, then 0/100 with the traffic lab's preset.
    goto(&mut lab, "traffic-shifting");
    run(
        &mut lab,
        "kubectl apply -f samples/bookinfo/networking/destination-rule-reviews.yaml",
    );
    until(&mut lab, "the DestinationRule", |m| {
        m.lesson.steps_done[0] == Some(true)
    })
    .await;
    run(
        &mut lab,
        "kubectl apply -f samples/bookinfo/networking/virtual-service-reviews-80-20.yaml",
    );
    until(&mut lab, "the 80/20 route", |m| {
        m.lesson.steps_done[1] == Some(true) && m.traffic.sliders.weights().len() == 3
    })
    .await;
    assert_eq!(lab.model.lesson.steps_done[2], Some(false));
    press(&mut lab, KeyCode::F(3));
    press(&mut lab, KeyCode::Char('4'));
    until(&mut lab, "0/100", all_done).await;
}
