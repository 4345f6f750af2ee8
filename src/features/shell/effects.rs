//! The shell's pty: started, written to, resized and ended here. A reader thread sends the
//! shell's output back as `ShellMsg::Output` and, when the pty closes, its exit status.

use std::io::{Read, Write};
use std::sync::mpsc;

use portable_pty::{ChildKiller, CommandBuilder, MasterPty, PtySize, native_pty_system};
use tokio::sync::mpsc::UnboundedSender;

use super::model::ShellSpec;
use super::msg::{ShellEffect, ShellMsg};
use crate::app::Msg;

/// The running shell's handles; dropping them ends the shell.
struct Session {
    master: Box<dyn MasterPty + Send>,
    /// Writes go through a thread: a shell that stops reading must not block the app.
    input: mpsc::Sender<Vec<u8>>,
    killer: Box<dyn ChildKiller + Send + Sync>,
}

pub struct ShellEffects {
    tx: UnboundedSender<Msg>,
    session: Option<Session>,
}

impl ShellEffects {
    pub fn new(tx: UnboundedSender<Msg>) -> ShellEffects {
        ShellEffects { tx, session: None }
    }

    pub fn run(&mut self, effect: ShellEffect) {
        match effect {
            ShellEffect::Spawn {
                session,
                spec,
                rows,
                cols,
            } => {
                self.stop();
                match spawn(&spec, rows, cols, session, &self.tx) {
                    Ok(running) => self.session = Some(running),
                    Err(reason) => {
                        tracing::warn!("shell {}: {reason}", spec.program);
                        let _ = self
                            .tx
                            .send(Msg::Shell(ShellMsg::SpawnFailed { session, reason }));
                    }
                }
            }
            ShellEffect::Write(bytes) => {
                if let Some(session) = &self.session {
                    let _ = session.input.send(bytes);
                }
            }
            ShellEffect::Resize { rows, cols } => {
                if let Some(session) = &self.session
                    && let Err(e) = session.master.resize(size(rows, cols))
                {
                    tracing::warn!("shell resize to {rows}x{cols}: {e}");
                }
            }
        }
    }

    /// Ends the shell (the app quits, or a new one replaces it).
    pub fn stop(&mut self) {
        if let Some(mut session) = self.session.take() {
            let _ = session.killer.kill();
        }
    }
}

impl Drop for ShellEffects {
    fn drop(&mut self) {
        self.stop();
    }
}

fn size(rows: u16, cols: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The command `spec` describes, with its environment on top of the app's.
pub fn command(spec: &ShellSpec) -> CommandBuilder {
    let mut command = CommandBuilder::new(&spec.program);
    command.args(&spec.args);
    command.env("TERM", "xterm-256color");
    for (key, value) in &spec.env {
        command.env(key, value);
    }
    if !spec.path_prepend.is_empty() {
        let mut paths = spec.path_prepend.clone();
        if let Some(path) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&path));
        }
        if let Ok(joined) = std::env::join_paths(paths) {
            command.env("PATH", joined);
        }
    }
    if let Some(cwd) = &spec.cwd {
        command.cwd(cwd);
    }
    command
}

fn spawn(
    spec: &ShellSpec,
    rows: u16,
    cols: u16,
    session: u64,
    tx: &UnboundedSender<Msg>,
) -> Result<Session, String> {
    let pair = native_pty_system()
        .openpty(size(rows, cols))
        .map_err(|e| format!("가상 터미널을 열 수 없습니다: {e}"))?;
    let mut child = pair
        .slave
        .spawn_command(command(spec))
        .map_err(|e| format!("{}을(를) 시작할 수 없습니다: {e}", spec.program))?;
    // Only the child keeps the slave open, so the reader sees the end when the shell ends.
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .map_err(|e| format!("가상 터미널을 읽을 수 없습니다: {e}"))?;
    let mut writer = pair
        .master
        .take_writer()
        .map_err(|e| format!("가상 터미널에 쓸 수 없습니다: {e}"))?;
    let killer = child.clone_killer();
    let (input, typed) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        for bytes in typed {
            if writer
                .write_all(&bytes)
                .and_then(|()| writer.flush())
                .is_err()
            {
                break;
            }
        }
    });
    let tx = tx.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf) {
                // EIO is how Linux reports a pty whose other side closed.
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let bytes = buf[..n].to_vec();
                    if tx
                        .send(Msg::Shell(ShellMsg::Output { session, bytes }))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        let (code, signal) = match child.wait() {
            Ok(status) => (status.exit_code(), status.signal().map(str::to_string)),
            Err(e) => (1, Some(e.to_string())),
        };
        let _ = tx.send(Msg::Shell(ShellMsg::Exited {
            session,
            code,
            signal,
        }));
    });
    Ok(Session {
        master: pair.master,
        input,
        killer,
    })
}
