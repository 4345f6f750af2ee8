//! The `istio-lab` binary: parses the command line and starts the TUI or a subcommand.

use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, bail};

use istio_lab::app::{self, init};
use istio_lab::cli::{Cli, Command};
use istio_lab::features::class::learner::{LearnerLink, WorkshopEffect};
use istio_lab::features::cluster::{self, credentials};
use istio_lab::features::lesson::progress::ProgressBook;
use istio_lab::features::lesson::source as lesson_source;
use istio_lab::features::shell;
use istio_lab::runtime::{self, progress_file as progress};
use istio_lab::sim;

fn main() -> ExitCode {
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let _log_guard = runtime::logging::init();
    let result = match &cli.command {
        Some(Command::Lessons) => list_lessons(&cli).map(|()| 0),
        Some(Command::Render { lesson, width }) => render_lesson(&cli, lesson, *width).map(|()| 0),
        Some(Command::Sim {
            port,
            listen,
            tls_san,
            kubeconfig_out,
            sim_speed,
            force,
            learners,
            gateway_port,
        }) => runtime_builder().and_then(|rt| {
            let standalone = sim::Standalone {
                port: *port,
                listen: sim::Listen {
                    addr: *listen,
                    tls_names: tls_san.clone(),
                },
                kubeconfig_out: kubeconfig_out.clone(),
                speed: *sim_speed,
                force: *force,
                learners: *learners,
                gateway_port: *gateway_port,
            };
            // Stopped by a signal: 128 + its number, as the TUI exits.
            rt.block_on(sim::run_standalone(&standalone))
                .wrap_err("데모 클러스터가 멈췄습니다")
                .map(sim::Stopped::exit_code)
        }),
        Some(Command::Istioctl { args }) => Ok(runtime::commands::istioctl(args)),
        Some(Command::Check { lesson, json }) => runtime_builder()
            .and_then(|rt| rt.block_on(runtime::commands::check(&cli, lesson, *json))),
        Some(Command::Class {
            namespaces,
            namespace_selector,
            lead,
        }) => runtime_builder().and_then(|rt| {
            rt.block_on(runtime::commands::class(
                &cli,
                namespaces,
                namespace_selector,
                lead,
            ))
        }),
        Some(Command::Notes) => {
            runtime_builder().and_then(|rt| rt.block_on(runtime::commands::notes(&cli)))
        }
        None => runtime_builder().and_then(|rt| rt.block_on(run_tui(&cli))),
    };
    match result {
        Ok(code) => ExitCode::from(code),
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
        .wrap_err("비동기 런타임을 시작할 수 없습니다")
}

fn list_lessons(cli: &Cli) -> Result<()> {
    let loaded = lesson_source::load(&cli.source)?;
    // Ids may be Korean in a `--guide`: pad by display width, not by characters.
    let id_width = loaded
        .lessons
        .iter()
        .map(|l| istio_lab::ui::text::width(&l.id))
        .max()
        .unwrap_or(0);
    for lesson in &loaded.lessons {
        let pad = id_width - istio_lab::ui::text::width(&lesson.id);
        let (number, id, title) = (lesson.number, &lesson.id, &lesson.title);
        println!("{number:>2}  {id}{:pad$}  {title}", "");
    }
    Ok(())
}

fn render_lesson(cli: &Cli, wanted: &str, width: u16) -> Result<()> {
    let loaded = lesson_source::load(&cli.source)?;
    let lesson = lesson_source::find(&loaded.lessons, wanted)?;
    print!("{}", lesson_source::render_plain(lesson, width));
    Ok(())
}

/// The TUI; returns the exit status (128 + N after signal N).
async fn run_tui(cli: &Cli) -> Result<u8> {
    use std::io::IsTerminal;
    if !cli.cluster.demo
        && let cluster::KubeconfigLookup::Missing { paths, named_by } =
            cluster::find_kubeconfig(cli.cluster.kubeconfig.as_deref())
    {
        let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "kubeconfig 파일이 없습니다: {} ({named_by}로 지정됨). 경로를 고치거나, 데모 클러스터로 하려면 --demo를 쓰세요",
            paths.join(", ")
        );
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "istio-lab 화면은 터미널에서만 열 수 있습니다 (표준 입력이나 출력이 터미널이 아닙니다).\n\
             터미널 없이 쓸 수 있는 명령: istio-lab lessons, istio-lab render LESSON, istio-lab sim"
        );
    }
    let loaded = lesson_source::load(&cli.source)?;
    let mut progress_path = progress::default_path();
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
            if loaded.read_only {
                // A newer version's file: nothing of this run may be written over it.
                progress_path = None;
            }
            loaded.book
        }
        None => ProgressBook::default(),
    };
    let mut connection = connect(cli).await?;
    if connection.namespace.is_empty() {
        connection.namespace = cli
            .cluster
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
    }
    if let Some(problem) = &connection.problem {
        warning = Some(match warning {
            Some(w) => format!("{problem} · {w}"),
            None => problem.clone(),
        });
    }
    let unavailable = connection
        .client
        .is_none()
        .then(|| connection.problem.clone())
        .flatten();
    let (width, height) = crossterm::terminal::size().unwrap_or((80, 24));
    let start = init::Start {
        progress: book.get(&loaded.key),
        lessons: loaded.lessons,
        lesson_source: loaded.key,
        target: app::model::Target {
            demo: connection.demo.is_some(),
            context: connection.context.clone(),
            server: connection.server.clone(),
            namespace: connection.namespace.clone(),
        },
        now: jiff::Timestamp::now(),
        watch: connection.client.is_some(),
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        width,
        height,
        warning,
        unavailable,
    };
    let (mut model, mut effects) = init::new_model(start);
    app::presenter::configure(&mut model, cli.theme, cli.present);
    model.learner = LearnerLink::new(cli.cluster.learner.clone(), cli.cluster.follow.clone());
    if let Some(namespace) = cli.cluster.follow.clone() {
        effects.push(app::Effect::Workshop(WorkshopEffect::Follow { namespace }));
    }
    let area = model.area();
    app::update::relayout(&mut model, area);
    // Kept until the app ends: the shell's kubeconfig files are removed with it.
    let _shell_files = start_shell(cli, &connection, &mut model, &mut effects);
    let context = runtime::Context {
        progress_path,
        progress_book: book,
        client: connection.client,
        // The demo cluster's gateway listens on a real port too, so the probe goes the
        // guide's way (GATEWAY_URL) there as well, falling back to the service proxy.
        try_gateway: true,
        credentials: connection.credentials,
    };
    let result = runtime::run(model, effects, context).await;
    if let Some(sim) = connection.demo {
        sim.shutdown().await;
    }
    result
}

/// Starts the shell pane's shell, pointed at the cluster the app watches (see
/// `features::shell::setup`); without one, the pane says why and `r` falls back to the API.
fn start_shell(
    cli: &Cli,
    connection: &Connection,
    model: &mut app::Model,
    effects: &mut Vec<app::Effect>,
) -> Option<shell::setup::ShellFiles> {
    let state_dir = progress::default_path().and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let prepared = state_dir
        .ok_or_else(|| "상태 폴더를 찾을 수 없습니다".to_string())
        .and_then(|dir| {
            shell::setup::prepare(&shell::setup::ShellTarget {
                state_dir: &dir,
                demo_kubeconfig: connection.demo.as_ref().map(|sim| sim.kubeconfig_yaml()),
                kubeconfig: cli.cluster.kubeconfig.as_deref(),
                context: &connection.context,
                namespace: &connection.namespace,
                exe: std::env::current_exe().ok(),
                // The whole samples tree `istio-lab sim` writes: lesson 8 applies
                // samples/addons and lesson 9 runs cleanup.sh from the shell.
                samples: istio_lab::sim::SAMPLE_FILES,
            })
        });
    match prepared {
        Ok((spec, files)) => {
            shell::update::start(&mut model.shell, spec, effects);
            Some(files)
        }
        Err(e) => {
            tracing::warn!("no shell: {e}");
            let reason = format!("셸을 준비하지 못했습니다: {e}");
            model.shell.state = shell::ShellState::Unavailable(reason);
            None
        }
    }
}

struct Connection {
    client: Option<kube::Client>,
    /// The embedded demo cluster, kept alive while the TUI runs.
    demo: Option<sim::SimHandle>,
    context: String,
    /// The API server's `host:port`.
    server: String,
    /// The lab namespace: `-n`, else the context's, else `default`.
    namespace: String,
    /// Why there is no client (shown in the cluster pane for as long as that holds), or a
    /// note about the demo cluster or from the credential plugin; the lessons work regardless.
    problem: Option<String>,
    /// The kubeconfig's exec plugin, whose later notices the app shows.
    credentials: Option<credentials::ExecCredentials>,
}

/// The demo cluster with `--demo` or when there is no kubeconfig anywhere; otherwise the
/// kubeconfig's cluster. A kubeconfig that was named but is missing is an error, as in kubectl.
async fn connect(cli: &Cli) -> Result<Connection> {
    use std::io::IsTerminal;
    let args = &cli.cluster;
    let explicit = args.kubeconfig.as_deref();
    if args.demo {
        return Ok(start_demo(args.sim_speed, None).await);
    }
    match cluster::find_kubeconfig(explicit) {
        // A missing named kubeconfig was refused before the terminal was taken.
        cluster::KubeconfigLookup::Found | cluster::KubeconfigLookup::Missing { .. } => {}
        cluster::KubeconfigLookup::Nowhere { looked_at } => {
            let looked: Vec<String> = looked_at.iter().map(|p| p.display().to_string()).collect();
            let note = format!(
                "kubeconfig가 없어({}) 내장 데모 클러스터로 시작합니다",
                looked.join(", ")
            );
            return Ok(start_demo(args.sim_speed, Some(note)).await);
        }
    }
    let (config, context) =
        match cluster::config_from_kubeconfig(explicit, args.context.as_deref()).await {
            Ok(found) => found,
            Err(e) => return Ok(no_client(explicit, args.context.clone(), e)),
        };
    let server = cluster::server_of(&config);
    // `-n`, else the context's namespace, as kubectl chooses.
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    if let Some(command) = credentials::plugin_command(&config) {
        // The terminal is not taken yet: a slow login says what the wait is, and a plugin
        // that asks (an MFA code) reads and writes the terminal now, never under the TUI.
        eprintln!("istio-lab: 인증 중… (인증 플러그인 '{command}')");
    }
    let options = credentials::ExecOptions {
        terminal: std::io::stdin()
            .is_terminal()
            .then(credentials::Terminal::inherited),
        ..Default::default()
    };
    Ok(
        match cluster::client_with_credentials(config, options).await {
            Ok((client, credentials)) => Connection {
                client: Some(client),
                demo: None,
                context: context.unwrap_or_default(),
                server,
                namespace,
                // What the plugin said on stderr (only in the log otherwise), once.
                problem: credentials.as_ref().map(|c| c.notice()).and_then(|notice| {
                    let line = notice.last_stderr?;
                    Some(format!("인증 플러그인 '{}': {line}", notice.plugin))
                }),
                credentials,
            },
            Err(e) => no_client(explicit, context, e),
        },
    )
}

/// No cluster: the lessons still work, and the cluster pane says why.
fn no_client(
    explicit: Option<&std::path::Path>,
    context: Option<String>,
    error: cluster::ClientError,
) -> Connection {
    let place = explicit.map_or_else(
        || "kubectl이 읽는 kubeconfig".to_string(),
        |p| p.display().to_string(),
    );
    tracing::error!("no cluster client from {place}: {error:?}");
    Connection {
        namespace: String::new(),
        client: None,
        demo: None,
        context: context.unwrap_or_default(),
        server: String::new(),
        problem: Some(format!("{place}: {error}")),
        credentials: None,
    }
}

/// Starts the demo cluster; `note` says why, once, when the learner did not ask for it.
async fn start_demo(speed: f64, note: Option<String>) -> Connection {
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
            namespace: String::new(),
            client: cluster::client_from_config(handle.kube_config()).ok(),
            server: cluster::server_of(&handle.kube_config()),
            demo: Some(handle),
            context: sim::CONTEXT_NAME.to_string(),
            problem: note,
            credentials: None,
        },
        Err(e) => Connection {
            namespace: String::new(),
            client: None,
            demo: None,
            context: String::new(),
            server: String::new(),
            problem: Some(format!("데모 클러스터를 시작하지 못했습니다: {e}")),
            credentials: None,
        },
    }
}
