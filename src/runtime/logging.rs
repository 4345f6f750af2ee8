//! The log file: tracing goes to `istio-lab.log` in the state folder (0600), never to the
//! screen, which belongs to the TUI.

/// Logs go to a file: the screen belongs to the TUI.
pub fn init() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = super::progress_file::default_path()?
        .parent()?
        .to_path_buf();
    super::files::private_dir(&dir).ok()?;
    let file = super::files::open_private(&dir.join("istio-lab.log"), true).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("ISTIO_LAB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
