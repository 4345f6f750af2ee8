//! Tests of shell and YAML highlighting, language guessing and command extraction.

use super::*;

fn kinds_of(spans: &[StyledSpan]) -> Vec<(String, SpanKind)> {
    spans
        .iter()
        .filter(|span| !span.text.trim().is_empty())
        .map(|span| (span.text.trim().to_string(), span.kind))
        .collect()
}

#[test]
fn guesses_shell_and_yaml() {
    assert_eq!(guess_language("   $ kubectl get pods\nNAME READY"), "sh");
    assert_eq!(guess_language("apiVersion: v1\nkind: Pod\n"), "yaml");
    assert_eq!(guess_language("metadata:\n  name: reviews\n"), "yaml");
    assert_eq!(guess_language("✔ Istio core installed\n"), "");
    assert_eq!(
        guess_language("kubectl apply -f a.yaml\n# 확인\nistioctl analyze\n"),
        "sh"
    );
    assert_eq!(
        guess_language("kubectl apply -f a.yaml\nservice/a created\n"),
        ""
    );
    assert_eq!(guess_language(""), "");
}

#[test]
fn commands_strip_prompt_and_join_continuations() {
    let code =
        "   $ istioctl install \\\n     --set profile=demo -y\n ✔ done\n$ kubectl get pods\n";
    assert_eq!(
        extract_commands(code),
        vec![
            "istioctl install --set profile=demo -y".to_string(),
            "kubectl get pods".to_string()
        ]
    );
}

#[test]
fn commands_without_prompt_are_the_non_empty_lines() {
    assert_eq!(
        extract_commands("kubectl get svc\n\n  istioctl version  \n"),
        vec![
            "kubectl get svc".to_string(),
            "  istioctl version".to_string()
        ]
    );
}

#[test]
fn shell_line_kinds() {
    let spans = shell_command(
        "$ export GATEWAY_URL=$INGRESS_HOST:${PORT} && curl -s \"http://x\" $(pwd) # 확인",
    );
    assert_eq!(
        kinds_of(&spans),
        vec![
            ("$".into(), SpanKind::CodePrompt),
            ("export".into(), SpanKind::CodeCommand),
            ("GATEWAY_URL=".into(), SpanKind::CodeText),
            ("$INGRESS_HOST".into(), SpanKind::CodeVariable),
            (":".into(), SpanKind::CodeText),
            ("${PORT}".into(), SpanKind::CodeVariable),
            ("&&".into(), SpanKind::CodeText),
            ("curl".into(), SpanKind::CodeCommand),
            ("-s".into(), SpanKind::CodeFlag),
            ("\"http://x\"".into(), SpanKind::CodeString),
            ("$(pwd)".into(), SpanKind::CodeVariable),
            ("# 확인".into(), SpanKind::CodeComment),
        ]
    );
}

#[test]
fn output_lines_follow_prompts() {
    let lines = highlight_block(
        "$ kubectl label ns default a=b\nnamespace/default labeled",
        Syntax::Shell,
    );
    assert_eq!(
        lines[1],
        vec![StyledSpan::new(
            "namespace/default labeled",
            SpanKind::CodeOutput
        )]
    );
    assert_eq!(lines[0][1], StyledSpan::new(" ", SpanKind::CodeText));
    assert_eq!(
        lines[0][2],
        StyledSpan::new("kubectl", SpanKind::CodeCommand)
    );
}

#[test]
fn yaml_line_kinds() {
    assert_eq!(
        kinds_of(&yaml_line("  - name: \"v1\" # 기본")),
        vec![
            ("-".into(), SpanKind::CodePunct),
            ("name".into(), SpanKind::CodeKey),
            (":".into(), SpanKind::CodePunct),
            ("\"v1\"".into(), SpanKind::CodeString),
            ("# 기본".into(), SpanKind::CodeComment),
        ]
    );
    assert_eq!(
        kinds_of(&yaml_line("weight: 50")),
        vec![
            ("weight".into(), SpanKind::CodeKey),
            (":".into(), SpanKind::CodePunct),
            ("50".into(), SpanKind::CodeValue),
        ]
    );
}
