//! One exec on the WebSocket channel protocol: 0 stdin, 1 stdout, 2 stderr, 3 the error channel
//! (a `Status` from v4 on, plain text before), 4 resize, 255 a stream closed (v5). A command runs
//! once; `sh` with stdin runs a prompt loop (echoing and line editing as a pty does under
//! `-t`). A client that goes away mid-exec only ends this session.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::super::http::Shared;
use super::super::websocket::Socket;
use super::Output;
use super::bookinfo::Cluster;
use super::shell::{self, Container, NotFound, UNTERMINATED, words};

/// This container's `sh` runs one command per line: no pipes, lists, redirections or
/// expansions. Said plainly, so a learner pipes on their own side (as the guide does).
const SHELL_SYNTAX: &str = "sh: 1: pipes, lists, redirections and $ expansions are not available in this demo container; pipe on your side: kubectl exec … -- curl … | grep …\n";

const SHELL_SYNTAX_CHARS: [char; 7] = ['|', ';', '&', '>', '<', '`', '$'];

/// How long a finished session waits for the client's answer to its close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// What the client asked to run, and which streams it attached.
#[derive(Debug, Clone)]
pub struct Exec {
    pub namespace: String,
    pub pod: String,
    pub command: Vec<String>,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
}

struct Session {
    socket: Socket,
    exec: Exec,
    shared: Arc<Shared>,
}

pub async fn run(socket: Socket, protocol: &'static str, exec: Exec, shared: Arc<Shared>) {
    let mut session = Session {
        socket,
        exec,
        shared,
    };
    // The apiserver opens stdout with an empty frame (recorded), before any output.
    if session.exec.stdout && !session.send(1, &[]).await {
        return;
    }
    let command = session.exec.command.clone();
    let program = command[0].rsplit('/').next().unwrap_or_default();
    let is_shell = matches!(program, "sh" | "bash" | "ash");
    let code = match command.as_slice() {
        [_, flag, script, ..] if is_shell && flag == "-c" => {
            let output = match words(script) {
                _ if script.contains(SHELL_SYNTAX_CHARS) => {
                    Output::fail(2, SHELL_SYNTAX.to_string())
                }
                Some(argv) => session.command(&argv, NotFound::Shell),
                None => Output::fail(2, UNTERMINATED.to_string()),
            };
            session.write(&output).await.then_some(output.code)
        }
        [_] if is_shell && session.exec.stdin => session.prompt().await,
        [_] if is_shell => Some(0),
        _ => {
            let output = session.command(&command, NotFound::Runtime);
            session.write(&output).await.then_some(output.code)
        }
    };
    // None: the client went away; there is nobody to tell how it ended.
    let Some(code) = code else { return };
    let status = status(protocol, &command, code);
    if let Some(status) = status
        && !session.send(3, status.as_bytes()).await
    {
        return;
    }
    let close = CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    };
    if session
        .socket
        .send(Message::Close(Some(close)))
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(Ok(_)) = session.socket.next().await {}
    })
    .await;
}

/// The error channel's message: a `Status` from v4 on (also on success), text before (only on
/// failure).
fn status(protocol: &str, command: &[String], code: i32) -> Option<String> {
    let structured = protocol.starts_with("v4.") || protocol.starts_with("v5.");
    let message = format!(
        "command terminated with non-zero exit code: error executing command [{}], exit code {code}",
        command.join(" ")
    );
    if !structured {
        return (code != 0).then_some(message);
    }
    let status = if code == 0 {
        json!({"metadata": {}, "status": "Success"})
    } else {
        json!({"metadata": {}, "status": "Failure", "message": message, "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}})
    };
    Some(status.to_string())
}

impl Session {
    fn command(&self, argv: &[String], not_found: NotFound) -> Output {
        let cluster = Cluster {
            store: &self.shared.store,
            hooks: &self.shared.hooks,
            roll: self.shared.store.allocator().roll(100_000),
        };
        let at = Container {
            namespace: &self.exec.namespace,
            pod: &self.exec.pod,
        };
        shell::run(&cluster, &at, argv, not_found)
    }

    /// One frame on `channel`; false when the client is gone.
    async fn send(&mut self, channel: u8, data: &[u8]) -> bool {
        let mut frame = Vec::with_capacity(data.len() + 1);
        frame.push(channel);
        frame.extend_from_slice(data);
        self.socket.send(Message::binary(frame)).await.is_ok()
    }

    /// A command's output on the streams the client attached; under a tty both go to stdout
    /// with `\r\n` line ends, as a pty writes them.
    async fn write(&mut self, output: &Output) -> bool {
        let tty = self.exec.tty;
        let crlf = |bytes: &[u8]| -> Vec<u8> {
            if !tty {
                return bytes.to_vec();
            }
            let mut out = Vec::with_capacity(bytes.len() + 8);
            for &b in bytes {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            out
        };
        if self.exec.stdout
            && !output.stdout.is_empty()
            && !self.send(1, &crlf(&output.stdout)).await
        {
            return false;
        }
        if !output.stderr.is_empty() {
            let channel = if tty { 1 } else { 2 };
            let attached = if tty {
                self.exec.stdout
            } else {
                self.exec.stderr
            };
            if attached && !self.send(channel, &crlf(&output.stderr)).await {
                return false;
            }
        }
        true
    }

    async fn echo(&mut self, text: &[u8]) -> bool {
        !self.exec.tty || self.send(1, text).await
    }

    /// `sh` reading stdin: the exit code, or None when the client went away first.
    async fn prompt(&mut self) -> Option<i32> {
        let mut last = 0;
        let mut line: Vec<u8> = Vec::new();
        if !self.echo(b"$ ").await {
            return None;
        }
        loop {
            let data = match self.socket.next().await {
                Some(Ok(Message::Binary(data))) => data,
                Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
                Some(Ok(_)) => continue,
            };
            let Some((&channel, rest)) = data.split_first() else {
                continue;
            };
            match channel {
                0 => {}
                // v5: the client closed stdin, which is end of input.
                255 if rest.first() == Some(&0) => return Some(last),
                _ => continue,
            }
            for &byte in rest {
                match byte {
                    b'\r' | b'\n' => {
                        if !self.echo(b"\r\n").await {
                            return None;
                        }
                        let typed = String::from_utf8_lossy(&line).into_owned();
                        line.clear();
                        let argv = words(&typed).unwrap_or_default();
                        if argv.first().map(String::as_str) == Some("exit") {
                            return Some(argv.get(1).and_then(|c| c.parse().ok()).unwrap_or(last));
                        }
                        if !typed.trim().is_empty() {
                            let output = match words(&typed) {
                                _ if typed.contains(SHELL_SYNTAX_CHARS) => {
                                    Output::fail(2, SHELL_SYNTAX.to_string())
                                }
                                Some(argv) => self.command(&argv, NotFound::Shell),
                                None => Output::fail(2, UNTERMINATED.to_string()),
                            };
                            last = output.code;
                            if !self.write(&output).await {
                                return None;
                            }
                        }
                        if !self.echo(b"$ ").await {
                            return None;
                        }
                    }
                    0x7f | 0x08 => {
                        if line.pop().is_some() && !self.echo(b"\x08 \x08").await {
                            return None;
                        }
                    }
                    0x03 => {
                        line.clear();
                        if !self.echo(b"^C\r\n$ ").await {
                            return None;
                        }
                    }
                    0x04 if line.is_empty() => return Some(last),
                    other => {
                        line.push(other);
                        if !self.echo(&[other]).await {
                            return None;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_carries_the_exit_code_as_the_kubelet_words_it() {
        let command = vec!["foo".to_string()];
        let failure = status("v5.channel.k8s.io", &command, 127).unwrap();
        let failure: serde_json::Value = serde_json::from_str(&failure).unwrap();
        assert_eq!(failure["reason"], "NonZeroExitCode");
        assert_eq!(failure["details"]["causes"][0]["message"], "127");
        assert_eq!(
            failure["message"],
            "command terminated with non-zero exit code: error executing command [foo], exit code 127"
        );
        assert_eq!(
            status("v4.channel.k8s.io", &command, 0).unwrap(),
            r#"{"metadata":{},"status":"Success"}"#
        );
        assert_eq!(status("channel.k8s.io", &command, 0), None);
    }
}
