//! The subcommands that are screens or tools of their own: `istio-lab class`, `istio-lab
//! notes` and `istio-lab istioctl`, from their parsed arguments to an exit code.

use color_eyre::eyre::{Result, WrapErr, bail, eyre};

use crate::cli::Cli;
use crate::features::cluster;
use crate::features::lesson::source as lesson_source;

/// `istio-lab check`: the chosen lessons' checks against the kubeconfig's cluster.
pub async fn check(cli: &Cli, wanted: &str, json: bool) -> Result<u8> {
    let loaded = lesson_source::load(&cli.source)?;
    let lessons: Vec<&crate::features::lesson::Lesson> = if wanted == "all" {
        loaded.lessons.iter().collect()
    } else {
        vec![lesson_source::find(&loaded.lessons, wanted)?]
    };
    let client = kubeconfig_client(cli).await?;
    let namespace = cli
        .cluster
        .namespace
        .clone()
        .unwrap_or_else(|| client.default_namespace().to_string());
    let report = super::check::run(&client, &lessons, &namespace)
        .await
        .map_err(|e| {
            eyre!(
                "클러스터를 읽을 수 없습니다: {}",
                cluster::explain::explain(&e)
            )
        })?;
    if json {
        println!("{}", report.json());
    } else {
        print!("{}", report.lines());
    }
    Ok(report.exit_code())
}

/// A client for the kubeconfig's cluster (`--kubeconfig`, `--context`), without the demo.
async fn kubeconfig_client(cli: &Cli) -> Result<kube::Client> {
    let explicit = cli.cluster.kubeconfig.as_deref();
    let (config, _) = cluster::config_from_kubeconfig(explicit, cli.cluster.context.as_deref())
        .await
        // The error names the file and the cause once; eyre's chain would repeat them.
        .map_err(|e| eyre!("{e}"))?;
    let (client, _credentials) = cluster::client_with_credentials(config, Default::default())
        .await
        .map_err(|e| eyre!("클러스터에 연결할 수 없습니다: {e}"))?;
    Ok(client)
}

/// `istio-lab class`: the instructor's view of the learners' progress ConfigMaps.
pub async fn class(
    cli: &Cli,
    namespaces: &[String],
    namespace_selector: &Option<String>,
    lead: &Option<String>,
) -> Result<u8> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!("istio-lab class는 터미널에서만 열 수 있습니다 (표준 출력이 터미널이 아닙니다)");
    }
    let loaded = lesson_source::load(&cli.source)?;
    let client = kubeconfig_client(cli).await?;
    let class = super::class::ClassRun {
        client,
        scope: crate::features::class::effects::Scope {
            namespaces: namespaces.to_vec(),
            namespace_selector: namespace_selector.clone(),
        },
        lesson_titles: loaded.lessons.iter().map(|l| l.title.clone()).collect(),
        lead: lead.clone(),
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        theme: match (cli.theme, cli.present) {
            (Some(theme), _) => theme,
            (None, true) => crate::ui::theme::ThemeName::Contrast,
            (None, false) => crate::ui::theme::ThemeName::default(),
        },
    };
    super::class::run(class)
        .await
        .wrap_err("강의실 화면을 열 수 없습니다")
}

/// `istio-lab notes`: the presenter's notes, following the presenter's app.
pub async fn notes(cli: &Cli) -> Result<u8> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        bail!("istio-lab notes는 터미널에서만 열 수 있습니다 (표준 출력이 터미널이 아닙니다)");
    }
    let loaded = lesson_source::load(&cli.source)?;
    super::notes::run(loaded.lessons)
        .await
        .wrap_err("노트 화면을 열 수 없습니다")
}

/// `istio-lab istioctl …`: parsed as istioctl parses, output and exit codes as istioctl's.
pub fn istioctl(args: &[String]) -> u8 {
    use clap::Parser as _;
    let argv = std::iter::once("istioctl".to_string()).chain(args.iter().cloned());
    let cmd = match crate::istioctl::Istioctl::try_parse_from(argv) {
        Ok(cmd) => cmd,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                crate::istioctl::exit::INCORRECT_USAGE
            } else {
                0
            };
        }
    };
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        return crate::istioctl::exit::UNKNOWN_ERROR;
    };
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    rt.block_on(crate::istioctl::run(&cmd, &mut out, &mut err))
}
