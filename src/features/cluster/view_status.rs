//! The cluster pane's first line: the connection's state, and what the credential plugin does.

use crate::features::cluster::ConnectionState;
use crate::features::cluster::model::ClusterView;
use crate::ui::theme::Theme;

/// What the credential plugin is doing, after the connection state.
pub fn auth_text(auth: &crate::features::cluster::credentials::AuthNotice) -> String {
    let plugin = &auth.plugin;
    match (&auth.problem, auth.renewing, &auth.last_stderr) {
        (Some(problem), _, _) => format!(" · 인증 플러그인 '{plugin}': {problem}"),
        (None, true, Some(line)) => format!(" · 인증 갱신 중 ('{plugin}': {line})"),
        (None, true, None) => format!(" · 인증 갱신 중 ('{plugin}')"),
        (None, false, _) => String::new(),
    }
}

pub fn connection_text(
    view: &ClusterView,
    server: &str,
    theme: Theme,
) -> (String, ratatui::style::Style) {
    if view.generation == 0 {
        return match &view.unavailable {
            Some(reason) => (
                format!(
                    "✖ 클러스터에 연결할 수 없습니다 (레슨은 그대로 볼 수 있습니다) · {reason}"
                ),
                theme.bad(),
            ),
            None => (
                "○ 클러스터에 연결되지 않음 (레슨은 그대로 볼 수 있습니다)".into(),
                theme.muted(),
            ),
        };
    }
    match &view.connection {
        ConnectionState::Connecting => ("◌ 연결 중…".into(), theme.warning()),
        ConnectionState::Connected { kinds } => {
            (format!("● 연결됨 · {kinds}종류 감시 중"), theme.good())
        }
        ConnectionState::Reconnecting {
            attempt,
            next_in,
            reason,
        } => {
            let waited = view
                .now
                .duration_since(view.connection_since)
                .as_secs_f64()
                .max(0.0);
            let remaining = (next_in.as_secs_f64() - waited).max(0.0).ceil();
            (
                format!("◌ 재연결 중 (시도 {attempt}, {remaining}초 후) · {server} · {reason}"),
                theme.warning(),
            )
        }
        ConnectionState::Forbidden {
            verb,
            resource,
            namespace,
        } => (
            format!(
                "✖ 권한 없음: {resource}에 대한 {verb} 권한이 없습니다 (네임스페이스 {namespace})"
            ),
            theme.bad(),
        ),
        ConnectionState::IstioNotInstalled => (
            "● 연결됨 · Istio CRD가 설치되어 있지 않습니다 (레슨은 계속 볼 수 있습니다)".into(),
            theme.warning(),
        ),
    }
}
