//! Command-line interface: the TUI's flags and the `lessons`, `render` and `sim` subcommands.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::ui::theme::ThemeName;

#[derive(Debug, Parser)]
#[command(
    name = "istio-lab",
    version,
    about = "Istio 서비스 메시 실습 가이드 (interactive terminal lab for the Istio service mesh)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub source: LessonSource,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Colours: dark, light, or contrast (for a projector). `T` cycles them while running.
    #[arg(long, value_name = "THEME", env = "ISTIO_LAB_THEME", value_parser = ThemeName::parse)]
    pub theme: Option<ThemeName>,
    /// Presenter mode: contrast colours (unless --theme says otherwise), no key hints, the
    /// lesson title big, Space reveals a lesson's steps one by one. `P` toggles it.
    #[arg(long)]
    pub present: bool,
    /// Forget the remembered lesson and scroll position.
    #[arg(long)]
    pub reset_progress: bool,
}

/// Where lessons come from; shared by the TUI and the subcommands.
#[derive(Debug, Clone, Args)]
pub struct LessonSource {
    /// Load one Markdown guide in the customer's format instead of the built-in lessons.
    #[arg(long, value_name = "FILE", global = true)]
    pub guide: Option<PathBuf>,
    /// Lesson language.
    #[arg(long, default_value = "ko", global = true)]
    pub lang: String,
}

#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Run against the embedded demo cluster.
    #[arg(long)]
    pub demo: bool,
    /// Kubeconfig file (default: $KUBECONFIG or ~/.kube/config).
    #[arg(long, value_name = "FILE", global = true)]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context.
    #[arg(long, value_name = "CONTEXT", global = true)]
    pub context: Option<String>,
    /// The lab namespace (where Bookinfo runs); default: the kubeconfig context's namespace,
    /// else `default`, as kubectl chooses.
    #[arg(
        short = 'n',
        long = "namespace",
        global = true,
        value_name = "NS",
        value_parser = namespace_name
    )]
    pub namespace: Option<String>,
    /// Workshop: publish your progress as NAME into the lab namespace's ConfigMap
    /// istio-lab-progress, for the instructor's class view.
    #[arg(long, value_name = "NAME", env = "ISTIO_LAB_LEARNER")]
    pub learner: Option<String>,
    /// Workshop: follow the instructor's lesson, published in NAMESPACE (istio-lab class --lead).
    #[arg(long, value_name = "NAMESPACE", value_parser = namespace_name)]
    pub follow: Option<String>,
    /// Speed factor for the demo cluster's pod lifecycle (2 = twice as fast).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub sim_speed: f64,
}

fn namespace_name(name: &str) -> Result<String, String> {
    crate::features::cluster::check_namespace(name).map(|()| name.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the lessons: number, id, title.
    Lessons,
    /// Print a lesson as the lesson pane shows it, as plain text.
    Render {
        /// Lesson number or id.
        lesson: String,
        /// Width in columns.
        #[arg(long, default_value_t = 80)]
        width: u16,
    },
    /// Run the embedded demo cluster on its own (HTTPS) and write a kubeconfig for it.
    Sim {
        /// Port (0 lets the system choose).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Address to listen on: 127.0.0.1 for this machine only; 0.0.0.0 for other
        /// machines too (a workshop room), with --tls-san naming this machine's address.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
        listen: IpAddr,
        /// Another address or host name for the serving certificate, besides 127.0.0.1, ::1
        /// and localhost (repeatable): the one other machines reach this one by.
        #[arg(long = "tls-san", value_name = "ADDR|NAME", value_parser = crate::sim::check_tls_name)]
        tls_san: Vec<String>,
        /// Where to write the kubeconfig (a new file, readable only by you).
        #[arg(long, value_name = "FILE")]
        kubeconfig_out: PathBuf,
        /// Replace FILE if it already exists (it may be your own kubeconfig).
        #[arg(long)]
        force: bool,
        /// Speed factor for the pod lifecycle.
        #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
        sim_speed: f64,
        /// A workshop room: N learners (1-99), each with a namespace learner-NN and a
        /// kubeconfig of their own in room/ beside --kubeconfig-out, plus the instructor's.
        #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=99))]
        learners: u16,
        /// Port of the ingress gateway (the guide's GATEWAY_URL), on the --listen address.
        /// Default: 80 where this process may bind it, else a free port; 0 asks for a free one.
        #[arg(long, value_name = "PORT")]
        gateway_port: Option<u16>,
    },
    /// Evaluate the lessons' step checks against the cluster once, without the screen: one
    /// line per step (or --json); exit 0 only when every automatic check passes.
    Check {
        /// A lesson number or id, or `all`.
        #[arg(long, default_value = "all")]
        lesson: String,
        /// Print the JSON document (schema istio-lab.check/v1) instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// The instructor's class view: every learner's progress, live, from their namespaces.
    Class {
        /// The learners' namespaces, when you may not list ConfigMaps cluster-wide.
        #[arg(long, value_delimiter = ',', value_name = "NS,...")]
        namespaces: Vec<String>,
        /// Or: the learners' namespaces by label, e.g. `istio-lab/learner=true`.
        #[arg(long, value_name = "SELECTOR")]
        namespace_selector: Option<String>,
        /// Publish your current lesson to NAMESPACE for learners started with --follow.
        #[arg(long, value_name = "NAMESPACE", value_parser = namespace_name)]
        lead: Option<String>,
    },
    /// Speaker notes: follow the presenter's app (run in a second terminal).
    Notes,
    /// The demo's stand-in for istioctl: install, analyze, dashboard kiali, uninstall,
    /// manifest generate and version, against the cluster in KUBECONFIG.
    Istioctl {
        /// istioctl's own arguments, e.g. `install --set profile=demo -y`.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "ARGS"
        )]
        args: Vec<String>,
    },
}
