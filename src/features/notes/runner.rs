//! The presenter's side of the notes channel inside the app: one task owns the socket's
//! publisher, started on the first position (so an app that never presents opens nothing).

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::channel::{Publisher, socket_path};
use super::position::Position;

#[derive(Default)]
pub struct NotesRunner {
    tx: Option<UnboundedSender<Position>>,
}

impl NotesRunner {
    pub fn publish(&mut self, position: Position) {
        let tx = self.tx.get_or_insert_with(|| {
            let (tx, mut rx) = unbounded_channel::<Position>();
            tokio::spawn(async move {
                let path = socket_path();
                let publisher = match Publisher::start(&path).await {
                    Ok(publisher) => publisher,
                    Err(e) => {
                        tracing::warn!(path = %path.display(), "speaker notes not served: {e}");
                        return;
                    }
                };
                while let Some(position) = rx.recv().await {
                    publisher.publish(position);
                }
            });
            tx
        });
        let _ = tx.send(position);
    }
}
