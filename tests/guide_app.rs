//! All nine lessons followed through the app on a fresh demo cluster, as a learner does it:
//! the app's update and effect runner, its shell pane on a real pty (`/bin/sh` set up as the
//! app sets it up), and for each step `c` to highlight its code block, `r` and Enter to type
//! it into the shell, then the step's check ticking (✔) or Space ticking it by hand (☑).
//! Lesson 7's last step uses the traffic lab's `4`, lesson 8's dashboard `K` and Enter.
//! Skipped (with a printed reason) where /usr/bin/kubectl or curl is absent.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::harness::SimLab;
use crossterm::event::KeyCode;
use istio_lab::app::model::Overlay;
use istio_lab::app::{Model, Msg, update};
use istio_lab::features::lesson::step_update::{current_step, step_done};
use istio_lab::features::shell::setup::{ShellFiles, ShellTarget, prepare};
use istio_lab::features::traffic::kiali::ForwardState;
use istio_lab::sim::{self, Listen, Scenario, SimOptions};
use istio_lab::ui::layout::Pane;
use jiff::Timestamp;

/// Only a guard against a hung test; nothing here measures speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// Steps whose commands are not typed here, with the reason printed.
fn not_typed(lesson: &str, step: usize) -> Option<&'static str> {
    match (lesson, step) {
        ("download", 0) => Some("no network here; the demo lab already holds the samples"),
        ("download", 1) => Some(
            "the demo shell starts in the samples folder; there is no istio-<version> under it",
        ),
        ("traffic-shifting", 2) => Some("the lesson's traffic lab key 4 sets 0/100"),
        ("kiali", 2) => Some(
            "istioctl dashboard holds the shell until Ctrl-C (tests/guide_shell.rs runs it); the lesson forwards with K",
        ),
        _ => None,
    }
}

struct Guide {
    lab: SimLab,
    marks: usize,
    _state: tempfile::TempDir,
    _files: ShellFiles,
}

impl Guide {
    async fn start() -> Guide {
        let options = SimOptions {
            port: 0,
            speed: 50.0,
            scenario: Scenario::demo().expect("the demo scenario loads"),
        };
        // A free gateway port: tests running side by side must not fight over port 80.
        let sim = sim::start_with_gateway(options, &Listen::default(), Some(0))
            .await
            .expect("the demo cluster starts");
        let client = kube::Client::try_from(sim.kube_config()).expect("client");
        let mut lab = SimLab::attach(sim, client);
        lab.model.focus = Pane::Lesson;
        let state = tempfile::tempdir().expect("temp dir");
        let (mut spec, files) = prepare(&ShellTarget {
            state_dir: &state.path().join("istio-lab"),
            demo_kubeconfig: Some(lab.sim.kubeconfig_yaml()),
            kubeconfig: None,
            context: sim::CONTEXT_NAME,
            namespace: "default",
            exe: Some(PathBuf::from(env!("CARGO_BIN_EXE_istio-lab"))),
            samples: sim::SAMPLE_FILES,
        })
        .expect("the shell's files");
        // The learner's $SHELL may be anything; the guide's lines are POSIX sh.
        spec.program = "/bin/sh".into();
        let mut effects = Vec::new();
        istio_lab::features::shell::update::start(&mut lab.model.shell, spec, &mut effects);
        lab.runner.run_all(effects);
        Guide {
            lab,
            marks: 0,
            _state: state,
            _files: files,
        }
    }

    fn press(&mut self, code: KeyCode) {
        let effects = self.lab.press(code);
        self.lab.runner.run_all(effects);
    }

    fn model(&self) -> &Model {
        &self.lab.model
    }

    /// Lets messages arrive, ticking the clock, until `done`.
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        // Probes run at the app's own interval (every 3 s): cutting it short here, as
        // lesson_checks_demo does, overlaps them and with two workers the in-process cluster
        // then leaves kubectl's dials unanswered (see the report).
        loop {
            let effects = update(&mut self.lab.model, Msg::Tick, Timestamp::now());
            self.lab.runner.run_all(effects);
            if done(&self.lab.model) {
                return;
            }
            let m = &self.lab.model;
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {:?} {:?} {:?}\nshell:\n{}",
                m.lesson.steps_done,
                m.lesson.step_reasons,
                m.toast,
                m.shell.text()
            );
            if let Ok(effects) =
                tokio::time::timeout(Duration::from_millis(200), self.lab.batch()).await
            {
                self.lab.runner.run_all(effects);
            }
        }
    }

    fn goto(&mut self, id: &str) {
        let index = common::lesson_index(self.model(), id);
        while self.model().lesson.index < index {
            self.press(KeyCode::Right);
        }
    }

    /// `c` until the highlighted block holds `command`; returns the block's commands.
    fn highlight(&mut self, command: &str) -> Vec<String> {
        let blocks = self.model().lesson.rendered.code_blocks.len();
        for _ in 0..=blocks {
            self.press(KeyCode::Char('c'));
            let m = self.model();
            let selected = m
                .lesson
                .selected_code
                .map(|i| &m.lesson.rendered.code_blocks[i]);
            if let Some(block) = selected.filter(|b| b.commands.iter().any(|c| c == command)) {
                return block.commands.clone();
            }
        }
        let shown: Vec<_> = self
            .model()
            .lesson
            .rendered
            .code_blocks
            .iter()
            .map(|b| &b.commands)
            .collect();
        panic!("no code block holds {command:?}: {shown:?}");
    }

    /// `r`, Enter: the block is typed into the shell; then the shell is asked for the last
    /// command's exit code, which must be 0. Returns the shell's screen.
    async fn run_in_shell(&mut self, what: &str) -> String {
        self.press(KeyCode::Char('r'));
        assert!(
            matches!(self.model().overlay, Some(Overlay::Confirm(_))),
            "r asks first: {:?}",
            self.model().overlay
        );
        self.press(KeyCode::Enter);
        assert_eq!(self.model().focus, Pane::Shell, "{what}");
        self.marks += 1;
        let mark = format!("guide-mark-{} rc=", self.marks);
        for c in format!("echo {mark}$?").chars() {
            self.press(KeyCode::Char(c));
        }
        self.press(KeyCode::Enter);
        // The echo's answer, not the typed line (whose `$?` follows the mark).
        let wanted = mark.clone();
        self.until(what, move |m| {
            m.shell
                .text()
                .split(wanted.as_str())
                .skip(1)
                .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .await;
        let screen = self.model().shell.text();
        assert!(
            screen.contains(&format!("{mark}0")),
            "{what} failed:\n{screen}"
        );
        self.press(KeyCode::F(1));
        screen
    }

    /// Moves the highlighted step to `step` with `[` and `]`.
    fn cursor_to(&mut self, step: usize) {
        for _ in 0..20 {
            match current_step(self.model()) {
                Some(now) if now == step => return,
                Some(now) if now < step => self.press(KeyCode::Char(']')),
                _ => self.press(KeyCode::Char('[')),
            }
        }
        panic!("cannot highlight step {step}");
    }

    /// The lab's `K`, Enter on the offered port: Kiali forwarded.
    async fn forward_kiali(&mut self) {
        self.press(KeyCode::F(3));
        self.press(KeyCode::Char('K'));
        self.until("the Kiali prompt", |m| {
            m.traffic.kiali.prompt.as_ref().is_some_and(|p| !p.looking)
        })
        .await;
        let offered = self
            .model()
            .traffic
            .kiali
            .prompt
            .as_ref()
            .and_then(|p| p.suggested);
        assert!(offered.is_some(), "a free port of 8080–8089 is offered");
        self.press(KeyCode::Enter);
        self.until("the Kiali forward", |m| {
            !matches!(
                m.traffic.kiali.forward,
                ForwardState::Starting { .. } | ForwardState::Off
            )
        })
        .await;
        assert!(
            matches!(self.model().traffic.kiali.forward, ForwardState::Up { .. }),
            "{:?}",
            self.model().traffic.kiali.forward
        );
        self.press(KeyCode::F(1));
    }
}

fn tools_installed() -> bool {
    for tool in ["/usr/bin/kubectl", "/usr/bin/curl"] {
        if !Path::new(tool).exists() {
            eprintln!("skipped: {tool} is not installed; the guide's commands need it");
            return false;
        }
    }
    true
}

/// Each step's mark as the checklist shows it: ✔ checked, ☑ ticked by hand.
fn marks(m: &Model) -> Vec<&'static str> {
    (0..m.lesson.steps_done.len())
        .map(|i| match m.lesson.steps_done[i] {
            Some(true) => "✔",
            None if step_done(m, i) => "☑",
            _ => "·",
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_guide_followed_through_the_app_ticks_every_step() {
    if !tools_installed() {
        return;
    }
    let mut guide = Guide::start().await;
    guide
        .until("the shell's prompt", |m| !m.shell.text().trim().is_empty())
        .await;
    let lessons = guide.model().lessons.clone();
    let mut finished = Vec::new();
    for lesson in &lessons {
        guide.goto(&lesson.id);
        for (step, spec) in lesson.steps.iter().enumerate() {
            let what = format!("{} {}단계 ({})", lesson.id, step + 1, spec.title);
            match not_typed(&lesson.id, step) {
                Some(reason) => eprintln!("not typed: {what} — {reason}"),
                None => {
                    // A step's commands may share a block with the next step's, or span two.
                    let mut typed: Vec<String> = Vec::new();
                    for command in &spec.commands {
                        if typed.contains(command) {
                            continue;
                        }
                        typed.extend(guide.highlight(command));
                        let screen = guide.run_in_shell(&what).await;
                        if command.contains("<title>") {
                            assert!(
                                screen.contains("<title>Simple Bookstore App</title>"),
                                "{what}:\n{screen}"
                            );
                        }
                    }
                }
            }
            match (lesson.id.as_str(), step) {
                ("traffic-shifting", 2) => {
                    guide.press(KeyCode::F(3));
                    guide.press(KeyCode::Char('4'));
                    guide.press(KeyCode::F(1));
                }
                ("kiali", 2) => guide.forward_kiali().await,
                _ => {}
            }
            guide.cursor_to(step);
            if guide.model().lesson.steps_done[step].is_some() {
                guide
                    .until(&what, move |m| m.lesson.steps_done[step] == Some(true))
                    .await;
            } else {
                guide.press(KeyCode::Char(' '));
                assert!(step_done(guide.model(), step), "{what} ticked by hand");
            }
        }
        let shown = marks(guide.model());
        eprintln!("{}: {}", lesson.id, shown.join(" "));
        finished.push((lesson.id.clone(), shown));
    }
    assert_eq!(finished.len(), 9, "all nine lessons");
    for (id, shown) in &finished {
        assert!(
            shown.iter().all(|m| *m == "✔" || *m == "☑"),
            "{id}: {shown:?}"
        );
    }
    // Lesson 1 has no checks; lesson 9's all hold.
    assert!(finished[0].1.iter().all(|m| *m == "☑"));
    assert!(finished[8].1.iter().all(|m| *m == "✔"));
}
