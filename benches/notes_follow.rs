//! Speaker notes: from the presenter's app publishing a new position to the follower's
//! screen showing it (socket, JSON line, the follower's update, a 100×30 frame). Target: p99
//! under 100 ms.

use std::time::{Duration, Instant};

use istio_lab::features::lesson;
use istio_lab::features::notes::{Follower, NotesMsg, Position, Publisher, channel, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::unbounded_channel;

const SAMPLES: usize = 500;
const TARGET_P99: Duration = Duration::from_millis(100);
const LIMIT: Duration = Duration::from_secs(5);

fn main() -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("notes_follow: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("notes_follow: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<bool, String> {
    let lessons = lesson::builtin("ko").map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("presenter.sock");
    let publisher = Publisher::start(&path).await.map_err(|e| e.to_string())?;
    let (tx, mut rx) = unbounded_channel();
    let follow_path = path.clone();
    tokio::spawn(async move {
        let _ = channel::follow(&follow_path, |p| {
            let _ = tx.send(p);
        })
        .await;
    });
    let mut model = Follower::new(lessons.clone(), istio_lab::runtime::now());
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).map_err(|e| e.to_string())?;
    let mut samples = Vec::with_capacity(SAMPLES);
    for i in 0..=SAMPLES {
        let lesson = i % lessons.len();
        let steps = lessons[lesson].steps.len().max(1);
        let position = Position {
            lesson,
            step: Some(i % steps),
            started: i as i64,
        };
        let sent = Instant::now();
        publisher.publish(position);
        loop {
            let got = tokio::time::timeout(LIMIT, rx.recv())
                .await
                .map_err(|_| format!("sample {i}: nothing within {LIMIT:?}"))?
                .ok_or("the follower stopped")?;
            model.update(NotesMsg::Position(got));
            if got == position {
                break;
            }
        }
        terminal
            .draw(|f| view::render(&model, f))
            .map_err(|e| e.to_string())?;
        // The first sample connects and warms up; it is not counted.
        if i > 0 {
            samples.push(sent.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let (p50, p99, max) = (at(0.5), at(0.99), at(1.0));
    println!(
        "notes_follow: publish → follower's frame drawn, {SAMPLES} samples: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < {} ms)",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        TARGET_P99.as_millis()
    );
    Ok(p99 < TARGET_P99)
}
