//! The stand-in's command line, spelled as istioctl spells it, so the guide's commands parse.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "istioctl",
    about = "istio-lab demo stand-in for istioctl (install, analyze, dashboard kiali, uninstall, manifest generate, version)",
    disable_version_flag = true
)]
pub struct Istioctl {
    #[command(subcommand)]
    pub command: IstioctlCommand,
    /// Kubernetes configuration file. Without it, `$KUBECONFIG` is read as kubectl reads it:
    /// a list of files (the app's shell sets `<overlay>:<kubeconfig>`), which clap's `env`
    /// would take as one path.
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubernetes configuration context.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// Config namespace.
    #[arg(long, short = 'n', global = true)]
    pub namespace: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum IstioctlCommand {
    /// Prints out build version information.
    Version,
    /// Applies an Istio control plane profile to the cluster.
    Install(InstallArgs),
    /// Uninstall Istio from a cluster.
    Uninstall(UninstallArgs),
    /// Analyze Istio configuration and print validation messages.
    Analyze(AnalyzeArgs),
    /// Commands related to Istio manifests.
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Access to Istio web UIs.
    #[command(subcommand, alias = "d", alias = "dash")]
    Dashboard(DashboardCommand),
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Override an IstioOperator value, e.g. `profile=demo`.
    #[arg(long = "set", short = 's', value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y', alias = "skip-confirmation")]
    pub yes: bool,
}

impl InstallArgs {
    /// The profile named by `--set profile=…` (istioctl's default is `default`).
    pub fn profile(&self) -> &str {
        profile_of(&self.set)
    }
}

pub(super) fn profile_of(set: &[String]) -> &str {
    set.iter()
        .rev()
        .find_map(|s| s.strip_prefix("profile="))
        .unwrap_or("default")
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Remove all Istio resources, including cluster-scoped ones.
    #[arg(long)]
    pub purge: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y', alias = "skip-confirmation")]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Analyze all namespaces.
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
}

#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Generates an Istio install manifest.
    Generate {
        #[arg(long = "set", short = 's', value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DashboardCommand {
    /// Open Kiali web UI.
    Kiali {
        /// Local port to listen on.
        #[arg(long, short = 'p', default_value_t = 20001)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "localhost")]
        address: String,
        /// Do not open a browser.
        #[arg(long)]
        browser: Option<bool>,
    },
}
