//! The `istio-lab` binary: parses the command line and starts the TUI or a subcommand.

use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr};

use istio_lab::app::{self, init};
use istio_lab::cli::{Cli, Command};
use istio_lab::features::lesson::progress::ProgressBook;
use istio_lab::features::{cluster, lesson::source as lesson_source};
use istio_lab::runtime::{self, progress_file as progress};
use istio_lab::sim;

fn main() -> ExitCode {
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let _log_guard = init_logging();
    let result = match &cli.command {
        Some(Command::Lessons) => list_lessons(&cli),
        Some(Command::Render { lesson, width }) => render_lesson(&cli, lesson, *width),
        Some(Command::Sim {
            port,
            kubeconfig_out,
            sim_speed,
        }) => runtime_builder().and_then(|rt| {
            rt.block_on(istio_lab::sim::run_standalone(
                *port,
                kubeconfig_out,
                *sim_speed,
            ))
            .wrap_err("demo cluster failed")
        }),
        None => runtime_builder().and_then(|rt| rt.block_on(run_tui(&cli))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("istio-lab: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime_builder() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// Logs go to a file: the screen belongs to the TUI.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = progress::default_path()?.parent()?.to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::never(&dir, "istio-lab.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
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

fn list_lessons(cli: &Cli) -> Result<()> {
    let loaded = lesson_source::load(&cli.source)?;
    for lesson in &loaded.lessons {
        println!("{:>2}  {:<20}  {}", lesson.number, lesson.id, lesson.title);
    }
    Ok(())
}

fn render_lesson(cli: &Cli, wanted: &str, width: u16) -> Result<()> {
    let loaded = lesson_source::load(&cli.source)?;
    let lesson = lesson_source::find(&loaded.lessons, wanted)?;
    print!("{}", lesson_source::render_plain(lesson, width));
    Ok(())
}

async fn run_tui(cli: &Cli) -> Result<()> {
    let loaded = lesson_source::load(&cli.source)?;
    let progress_path = progress::default_path();
    let mut warning = None;
    let book = match &progress_path {
        Some(path) if cli.reset_progress => {
            if let Err(e) = progress::reset(path) {
                warning = Some(format!(
                    "진행 상태를 지우지 못했습니다: {}: {e}",
                    path.display()
                ));
            }
            ProgressBook::default()
        }
        Some(path) => {
            let loaded = progress::load(path);
            warning = loaded.warning;
            loaded.book
        }
        None => ProgressBook::default(),
    };
    let connection = connect(cli).await;
    if let Some(problem) = &connection.problem {
        warning = Some(match warning {
            Some(w) => format!("{problem} · {w}"),
            None => problem.clone(),
        });
    }
    let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
    let start = init::Start {
        progress: book.get(&loaded.key),
        lessons: loaded.lessons,
        lesson_source: loaded.key,
        target: app::model::Target {
            demo: connection.demo.is_some(),
            context: connection.context.clone(),
            namespace: cli.cluster.namespace.clone(),
        },
        now: jiff::Timestamp::now(),
        watch: connection.client.is_some(),
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width,
        height,
        warning,
    };
    let (model, effects) = init::new_model(start);
    let context = runtime::Context {
        progress_path,
        progress_book: book,
        client: connection.client,
        try_gateway: connection.demo.is_none(),
    };
    let result = runtime::run(model, effects, context).await;
    if let Some(sim) = connection.demo {
        sim.shutdown().await;
    }
    result
}

struct Connection {
    client: Option<kube::Client>,
    /// The embedded demo cluster, kept alive while the TUI runs.
    demo: Option<sim::SimHandle>,
    context: String,
    /// Why there is no client, shown once; the lessons work regardless.
    problem: Option<String>,
}

/// The demo cluster with `--demo` or when no kubeconfig exists; otherwise the kubeconfig's cluster.
async fn connect(cli: &Cli) -> Connection {
    let args = &cli.cluster;
    let explicit = args.kubeconfig.as_deref();
    if args.demo || !cluster::kubeconfig_exists(explicit) {
        return start_demo(args.sim_speed).await;
    }
    let context = args.context.clone().or_else(|| {
        let kubeconfig = match explicit {
            Some(path) => kube::config::Kubeconfig::read_from(path).ok()?,
            None => kube::config::Kubeconfig::read().ok()?,
        };
        kubeconfig.current_context
    });
    match cluster::client_from_kubeconfig(explicit, args.context.as_deref()).await {
        Ok(client) => Connection {
            client: Some(client),
            demo: None,
            context: context.unwrap_or_default(),
            problem: None,
        },
        Err(e) => Connection {
            client: None,
            demo: None,
            context: context.unwrap_or_default(),
            problem: Some(format!("클러스터에 연결할 수 없습니다: {e}")),
        },
    }
}

async fn start_demo(speed: f64) -> Connection {
    let started = match sim::Scenario::demo() {
        Ok(scenario) => {
            sim::start(sim::SimOptions {
                port: 0,
                speed,
                scenario,
            })
            .await
        }
        Err(e) => Err(e),
    };
    match started {
        Ok(handle) => Connection {
            client: cluster::client_from_config(handle.kube_config()).ok(),
            demo: Some(handle),
            context: sim::CONTEXT_NAME.to_string(),
            problem: None,
        },
        Err(e) => Connection {
            client: None,
            demo: None,
            context: String::new(),
            problem: Some(format!("데모 클러스터를 시작하지 못했습니다: {e}")),
        },
    }
}
