//! The shell pane on a real pseudo-terminal: the app's update and effect runner, as the runtime
//! wires them, with `sh -c …` as the shell. Typed keys arrive and echo, the output lands in the
//! model's screen, a resize reaches the pty, and the shell's end is reported.

mod common;

use std::time::Duration;

use common::harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use istio_lab::app::{Model, Msg, update};
use istio_lab::features::shell::{self, ShellSpec, ShellState};
use istio_lab::runtime::{Context, EffectRunner, next_batch};
use jiff::Timestamp;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// Only a guard against a hung test; nothing here measures speed.
const PATIENCE: Duration = Duration::from_secs(30);

struct Pty {
    model: Model,
    rx: UnboundedReceiver<Msg>,
    runner: EffectRunner,
}

impl Pty {
    fn start(script: &str, width: u16, height: u16) -> Pty {
        let mut model = harness::model(width, height);
        let (tx, rx) = unbounded_channel();
        let mut runner = EffectRunner::new(
            tx,
            Context {
                progress_path: None,
                progress_book: Default::default(),
                client: None,
                try_gateway: false,
                credentials: None,
            },
        );
        let spec = ShellSpec {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![("ISTIO_LAB_TEST".into(), "한글".into())],
            path_prepend: Vec::new(),
            cwd: None,
        };
        let mut effects = Vec::new();
        shell::update::start(&mut model.shell, spec, &mut effects);
        runner.run_all(effects);
        Pty { model, rx, runner }
    }

    fn send(&mut self, msg: Msg) {
        let effects = update(&mut self.model, msg, Timestamp::now());
        self.runner.run_all(effects);
    }

    fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, modifiers)));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    /// Applies the pty's messages until `done` holds for the model.
    async fn until(&mut self, what: &str, done: impl Fn(&Model) -> bool) {
        let wait = async {
            while !done(&self.model) {
                let effects = next_batch(&mut self.model, &mut self.rx).await;
                self.runner.run_all(effects);
            }
        };
        if tokio::time::timeout(PATIENCE, wait).await.is_err() {
            panic!(
                "waiting for {what}; the screen:\n{}\nstate: {:?}",
                self.model.shell.text(),
                self.model.shell.state
            );
        }
    }
}

#[tokio::test]
async fn typed_keys_echo_output_renders_and_the_end_is_reported() {
    let mut pty = Pty::start("echo ready $ISTIO_LAB_TEST; cat; exit 7", 120, 40);
    pty.until("ready", |m| m.shell.text().contains("ready 한글"))
        .await;
    pty.key(KeyCode::F(4), KeyModifiers::NONE);
    pty.type_text("hi 한글");
    pty.key(KeyCode::Enter, KeyModifiers::NONE);
    // The tty echoes the line as typed, then cat writes it back.
    pty.until("the echo and cat's copy", |m| {
        m.shell.text().contains("hi 한글\nhi 한글")
    })
    .await;
    let rows = common::screen_rows(&pty.model);
    assert!(
        rows.iter().filter(|r| r.contains("│hi 한글")).count() == 2,
        "drawn in the shell pane: {rows:#?}"
    );
    // Ctrl-D ends cat; the script exits 7.
    pty.key(KeyCode::Char('d'), KeyModifiers::CONTROL);
    pty.until("the exit", |m| m.shell.state != ShellState::Running)
        .await;
    assert_eq!(
        pty.model.shell.state,
        ShellState::Exited {
            code: 7,
            signal: None
        }
    );
    let rows = common::screen_rows(&pty.model);
    assert!(
        rows.iter()
            .any(|r| r.contains("셸이 끝났습니다 (종료 코드 7). Enter: 새 셸 시작")),
        "{rows:#?}"
    );
    // Enter starts the shell again on a fresh screen.
    pty.key(KeyCode::Enter, KeyModifiers::NONE);
    pty.until("the second shell", |m| m.shell.text().contains("ready"))
        .await;
    assert!(!pty.model.shell.text().contains("hi 한글"));
    pty.runner.shutdown().await;
}

#[tokio::test]
async fn a_resize_reaches_the_pty() {
    let mut pty = Pty::start("stty size; read x; stty size; cat", 120, 40);
    let (rows, cols) = pty.model.shell.screen().size();
    let first = format!("{rows} {cols}");
    pty.until("the first size", |m| m.shell.text().contains(&first))
        .await;
    pty.send(Msg::Resize {
        width: 200,
        height: 50,
    });
    let (new_rows, new_cols) = pty.model.shell.screen().size();
    assert_ne!((new_rows, new_cols), (rows, cols));
    pty.key(KeyCode::F(4), KeyModifiers::NONE);
    pty.key(KeyCode::Enter, KeyModifiers::NONE);
    let second = format!("{new_rows} {new_cols}");
    pty.until("the new size", |m| m.shell.text().contains(&second))
        .await;
    pty.runner.shutdown().await;
}

#[tokio::test]
async fn a_shell_that_cannot_start_is_reported() {
    let mut model = harness::model(120, 40);
    let (tx, mut rx) = unbounded_channel();
    let mut runner = EffectRunner::new(
        tx,
        Context {
            progress_path: None,
            progress_book: Default::default(),
            client: None,
            try_gateway: false,
            credentials: None,
        },
    );
    let spec = ShellSpec {
        program: "/nonexistent/istio-lab-shell".into(),
        args: Vec::new(),
        env: Vec::new(),
        path_prepend: Vec::new(),
        cwd: None,
    };
    let mut effects = Vec::new();
    shell::update::start(&mut model.shell, spec, &mut effects);
    runner.run_all(effects);
    let wait = async {
        while model.shell.running() {
            let effects = next_batch(&mut model, &mut rx).await;
            runner.run_all(effects);
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .expect("the failure is reported");
    let notice = shell::view::notice(&model.shell).expect("a notice");
    assert!(
        matches!(model.shell.state, ShellState::Failed(_)),
        "{:?}",
        model.shell.state
    );
    assert!(
        notice.starts_with("셸을 시작하지 못했습니다: /nonexistent/istio-lab-shell"),
        "{notice}"
    );
}
