//! `istioctl analyze`: the app's own checks of the namespace's Istio configuration, reported
//! in istioctl's format with IST codes, and its exit codes (79 when a warning or error is found).

use std::io::Write;

use kube::Client;

use super::args::{AnalyzeArgs, Istioctl};
use super::{StandInError, exit};
use crate::features::lesson::analysis::{Finding, Level};

/// The report and the exit code istioctl gives for these findings in `scope` (e.g.
/// "namespace: default"): warnings and errors fail the run (istioctl's default threshold).
pub fn format_report(findings: &[Finding], scope: &str) -> (String, u8) {
    if findings.is_empty() {
        return (
            format!("✔ No validation issues found when analyzing {scope}.\n"),
            exit::OK,
        );
    }
    let mut text = String::new();
    for f in findings {
        text.push_str(&f.line());
        text.push('\n');
    }
    if findings.iter().any(|f| f.level >= Level::Warning) {
        text.push_str(&format!(
            "Error: Analyzers found issues when analyzing {scope}.\n\
             See https://istio.io/v{}/docs/reference/config/analysis for more information about causes and resolutions.\n",
            short_version()
        ));
        return (text, exit::ANALYZER_FOUND_ISSUES);
    }
    (text, exit::OK)
}

fn short_version() -> &'static str {
    super::VERSION
        .rsplit_once('.')
        .map_or(super::VERSION, |(major_minor, _)| major_minor)
}

pub async fn run(
    client: &Client,
    cmd: &Istioctl,
    args: &AnalyzeArgs,
    out: &mut dyn Write,
) -> Result<u8, StandInError> {
    let namespace = cmd
        .namespace
        .clone()
        .unwrap_or_else(|| client.default_namespace().to_string());
    let scope = if args.all_namespaces {
        "all namespaces".to_string()
    } else {
        format!("namespace: {namespace}")
    };
    let findings =
        super::findings::collect(client, (!args.all_namespaces).then_some(namespace.as_str()))
            .await?;
    let (text, code) = format_report(&findings, &scope);
    let _ = write!(out, "{text}");
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(level: Level) -> Finding {
        Finding {
            level,
            code: "IST0101",
            resource: "VirtualService reviews.default".into(),
            message: "Referenced host+subset in destinationrule not found: \"reviews+v3\"".into(),
        }
    }

    #[test]
    fn nothing_found_is_the_check_mark_line_and_exit_zero() {
        let (text, code) = format_report(&[], "namespace: default");
        assert_eq!(
            text,
            "✔ No validation issues found when analyzing namespace: default.\n"
        );
        assert_eq!(code, 0);
    }

    #[test]
    fn an_error_is_listed_and_exits_79() {
        let (text, code) = format_report(&[finding(Level::Error)], "namespace: default");
        assert!(text.starts_with(
            "Error [IST0101] (VirtualService reviews.default) Referenced host+subset in destinationrule not found: \"reviews+v3\"\n"
        ));
        assert!(
            text.contains("Error: Analyzers found issues when analyzing namespace: default.\n")
        );
        assert!(text.contains("https://istio.io/v1.28/docs/reference/config/analysis"));
        assert_eq!(code, 79);
    }

    #[test]
    fn info_alone_does_not_fail() {
        let (text, code) = format_report(&[finding(Level::Info)], "namespace: default");
        assert!(text.starts_with("Info [IST0101]"));
        assert!(!text.contains("Analyzers found issues"));
        assert_eq!(code, 0);
    }
}
