//! Snapshots of the screen with the shell pane: all four panes at 120×40 and 200×50, and the
//! shell zoomed at 80×24. The shell's screen is fixed bytes fed to the model's parser, as a
//! live shell would have written them.

mod common;

use common::shell::with_shell;
use common::{key, screen, send};
use crossterm::event::KeyCode;
use istio_lab::app::{Model, Msg};
use istio_lab::features::shell::ShellMsg;

/// A prompt, a kubectl table and a Korean line, with colour and bold, then a new prompt.
const OUTPUT: &str = "\x1b[1;32mlearner@lab\x1b[0m:\x1b[1;34m~\x1b[0m$ kubectl get pods\r\n\
NAME                              READY   STATUS    RESTARTS   AGE\r\n\
productpage-v1-6b746f74dc-9stvs   2/2     Running   0          12m\r\n\
reviews-v1-545db77b95-v2h9r       2/2     Running   0          12m\r\n\
\x1b[1;32mlearner@lab\x1b[0m:\x1b[1;34m~\x1b[0m$ echo 준비됨\r\n\
준비됨\r\n\
\x1b[1;32mlearner@lab\x1b[0m:\x1b[1;34m~\x1b[0m$ ";

fn with_output(width: u16, height: u16) -> Model {
    let (mut m, _) = with_shell(width, height);
    let output = ShellMsg::Output {
        session: m.shell.session,
        bytes: OUTPUT.as_bytes().to_vec(),
    };
    send(&mut m, Msg::Shell(output));
    m
}

#[test]
fn four_panes_at_120x40_and_200x50() {
    for (w, h) in [(120, 40), (200, 50)] {
        let mut m = with_output(w, h);
        for pane in istio_lab::ui::layout::Pane::ALL {
            assert!(m.layout.pane(pane).is_some(), "{pane:?} at {w}x{h}");
        }
        key(&mut m, KeyCode::F(4));
        insta::assert_snapshot!(format!("four_panes_{w}x{h}"), screen(&m));
    }
}

#[test]
fn the_shell_zoomed_at_80x24() {
    let mut m = with_output(80, 24);
    key(&mut m, KeyCode::Char('z'));
    key(&mut m, KeyCode::F(4));
    assert!(m.zoomed);
    assert!(m.shell.text().contains("준비됨"));
    insta::assert_snapshot!("shell_zoomed_80x24", screen(&m));
}
