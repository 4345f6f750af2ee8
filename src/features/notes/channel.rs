//! The local channel between the presenter's app and its followers: a Unix socket in
//! `$XDG_RUNTIME_DIR/istio-lab/` (else a private folder in the temporary directory), readable
//! only by this user. The presenter listens; each follower gets the current position at once
//! and every change after it, as JSON lines.

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::position::Position;
use crate::runtime::files::private_dir;

const SOCKET_NAME: &str = "presenter.sock";

/// Where the presenter listens: `$XDG_RUNTIME_DIR/istio-lab/presenter.sock`, or, without a
/// runtime directory, `<tmp>/istio-lab-<user>/presenter.sock`.
pub fn socket_path() -> PathBuf {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("istio-lab"),
        None => {
            let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
            std::env::temp_dir().join(format!("istio-lab-{user}"))
        }
    };
    dir.join(SOCKET_NAME)
}

/// The presenter's side: holds the latest position and serves it to every follower.
pub struct Publisher {
    positions: watch::Sender<Option<Position>>,
    task: JoinHandle<()>,
    path: PathBuf,
}

impl Publisher {
    /// Listens at `path`. A socket file left by a presenter that is gone is replaced; one a
    /// running presenter answers on is not (that is an error naming the path).
    pub async fn start(path: &Path) -> io::Result<Publisher> {
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        if UnixStream::connect(path).await.is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "다른 발표자 화면이 이미 {}에서 노트를 보내고 있습니다",
                    path.display()
                ),
            ));
        }
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path)?;
        let (positions, watching) = watch::channel(None);
        let task = tokio::spawn(accept(listener, watching));
        Ok(Publisher {
            positions,
            task,
            path: path.to_path_buf(),
        })
    }

    /// Sends `position` to every follower, unless it is where they already are.
    pub fn publish(&self, position: Position) {
        self.positions.send_if_modified(|current| {
            let changed = *current != Some(position);
            *current = Some(position);
            changed
        });
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

async fn accept(listener: UnixListener, positions: watch::Receiver<Option<Position>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(serve(stream, positions.clone()));
    }
}

/// One follower: the current position now, then each change, until it hangs up.
async fn serve(mut stream: UnixStream, mut positions: watch::Receiver<Option<Position>>) {
    loop {
        let current = *positions.borrow_and_update();
        if let Some(position) = current
            && stream
                .write_all(position.to_line().as_bytes())
                .await
                .is_err()
        {
            return;
        }
        if positions.changed().await.is_err() {
            return;
        }
    }
}

/// The follower's side: connects and hands each position to `on_position` until the
/// presenter goes away. `Err` when no presenter listens at `path`.
pub async fn follow(path: &Path, mut on_position: impl FnMut(Position)) -> io::Result<()> {
    let stream = UnixStream::connect(path).await?;
    let mut lines = BufReader::new(stream).lines();
    while let Some(line) = lines.next_line().await? {
        if let Some(position) = Position::from_line(&line) {
            on_position(position);
        }
    }
    Ok(())
}
