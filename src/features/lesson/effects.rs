//! The lesson feature's cluster effect: applying the bundled manifests behind a lesson command
//! (`r`), in its own task, reporting back as `Msg::Lesson`.

use kube::Client;
use tokio::sync::mpsc::UnboundedSender;

use super::msg::LessonMsg;
use crate::app::Msg;
use crate::features::cluster::apply::{WriteError, apply_manifest};

pub fn apply_command(
    tx: &UnboundedSender<Msg>,
    client: Option<Client>,
    namespace: String,
    yaml: String,
) {
    let tx = tx.clone();
    let Some(client) = client else {
        let _ = tx.send(Msg::Lesson(LessonMsg::CommandApplied(Err(
            WriteError::no_cluster(),
        ))));
        return;
    };
    tokio::spawn(async move {
        let result = apply_manifest(&client, &namespace, &yaml).await;
        let _ = tx.send(Msg::Lesson(LessonMsg::CommandApplied(result)));
    });
}
