//! The built-in lessons cover every section of the customer's guide, and the CLI prints them.

mod common {
    pub mod tls;
}

use std::process::Command;

use common::tls;
use istio_lab::features::lesson;

/// Each section of the customer's guide, the lesson that teaches it, and commands it must keep exact.
const COVERAGE: &[(&str, &str, &[&str])] = &[
    (
        "Download Istio",
        "download",
        &[
            "curl -L https://istio.io/downloadIstio | sh -",
            "export PATH=$PWD/bin:$PATH",
        ],
    ),
    (
        "Install Istio",
        "install",
        &[
            "istioctl install --set profile=demo -y",
            "kubectl label namespace default istio-injection=enabled",
        ],
    ),
    (
        "Deploy the sample application bookinfo",
        "bookinfo",
        &[
            "kubectl apply -f samples/bookinfo/platform/kube/bookinfo.yaml",
            "kubectl get services",
            "kubectl get pods",
            "<title>Simple Bookstore App</title>",
        ],
    ),
    (
        "Open the application to outside traffic",
        "gateway",
        &[
            "kubectl apply -f samples/bookinfo/networking/bookinfo-gateway.yaml",
            "istioctl analyze",
        ],
    ),
    (
        "Determining the ingress IP and ports",
        "ingress-address",
        &[
            "kubectl get svc istio-ingressgateway -n istio-system",
            "export INGRESS_PORT=$(kubectl -n istio-system get service istio-ingressgateway -o jsonpath='{.spec.ports[?(@.name==\"http2\")].port}')",
            "export SECURE_INGRESS_PORT=",
            "{.status.loadBalancer.ingress[0].hostname}",
            "export GATEWAY_URL=$INGRESS_HOST:$INGRESS_PORT",
        ],
    ),
    (
        "Verify external access",
        "verify-access",
        &["echo \"http://$GATEWAY_URL/productpage\""],
    ),
    (
        "동적 트래픽 제어 테스트",
        "traffic-shifting",
        &[
            "kubectl apply -f samples/bookinfo/networking/destination-rule-reviews.yaml",
            "kubectl apply -f samples/bookinfo/networking/virtual-service-reviews-80-20.yaml",
        ],
    ),
    (
        "View the dashboard",
        "kiali",
        &[
            "kubectl apply -f samples/addons",
            "kubectl rollout status deployment/kiali -n istio-system",
            "istioctl dashboard kiali",
            "iptables -A PREROUTING -t nat -i eth0 -p tcp --dport 8080 -j REDIRECT --to-port 20001",
            "kubectl edit svc kiali -n istio-system",
        ],
    ),
    (
        "Uninstall",
        "uninstall",
        &[
            "kubectl delete -f samples/addons",
            "istioctl manifest generate --set profile=demo | kubectl delete --ignore-not-found=true -f -",
            "kubectl delete namespace istio-system",
        ],
    ),
];

#[test]
fn every_guide_section_has_its_lesson_in_order_with_its_key_commands() {
    let lessons = lesson::builtin("ko").expect("built-in lessons parse");
    assert_eq!(lessons.len(), COVERAGE.len());
    for (position, ((section, id, commands), lesson)) in COVERAGE.iter().zip(&lessons).enumerate() {
        assert_eq!(
            lesson.id,
            *id,
            "section '{section}' should be lesson {}",
            position + 1
        );
        assert_eq!(lesson.number, position + 1);
        assert!(!lesson.title.is_empty());
        assert!(!lesson.steps.is_empty(), "lesson {id} has steps");
        for command in *commands {
            assert!(
                lesson.body.contains(command),
                "lesson {id} keeps `{command}` exactly"
            );
        }
    }
}

#[test]
fn step_commands_appear_in_their_lesson_body() {
    for lesson in lesson::builtin("ko").unwrap() {
        for step in &lesson.steps {
            for command in &step.commands {
                assert!(
                    lesson.body.contains(command.as_str()),
                    "{}: step command `{command}`",
                    lesson.id
                );
            }
        }
    }
}

#[test]
fn the_destination_rule_is_applied_before_the_80_20_virtual_service() {
    let lessons = lesson::builtin("ko").unwrap();
    let traffic = lessons.iter().find(|l| l.id == "traffic-shifting").unwrap();
    let rule = traffic.body.find("destination-rule-reviews.yaml").unwrap();
    let route = traffic
        .body
        .find("virtual-service-reviews-80-20.yaml")
        .unwrap();
    assert!(
        rule < route,
        "the DestinationRule must come first (subsets must exist, otherwise 503)"
    );
    assert!(traffic.body.contains("503"));
    let steps: Vec<&str> = traffic
        .steps
        .iter()
        .flat_map(|s| s.commands.iter().map(String::as_str))
        .collect();
    assert!(steps[0].contains("destination-rule-reviews.yaml"));
}

#[test]
fn the_native_sidecar_note_is_there() {
    let lessons = lesson::builtin("ko").unwrap();
    let bookinfo = lessons.iter().find(|l| l.id == "bookinfo").unwrap();
    assert!(bookinfo.body.contains("1.27"));
    assert!(bookinfo.body.contains("2/2"));
}

#[test]
fn the_guide_typos_are_not_carried_over() {
    for lesson in lesson::builtin("ko").unwrap() {
        for typo in ["ㄹ드밸런서", "리프래스", "핼쓰", "ClusterIp ", "{{<"] {
            assert!(!lesson.body.contains(typo), "{}: {typo}", lesson.id);
        }
    }
}

#[test]
fn no_particle_is_cut_off_from_its_word_by_a_line_break_in_the_source() {
    // A source line that starts with a particle leaves "… (https://…)) 을" on screen.
    for lesson in lesson::builtin("ko").expect("lessons") {
        let text = lesson::render(&lesson.body, 200).plain_text();
        for particle in ["을", "를", "이", "가", "은", "는", "에", "의", "와", "과"] {
            for closing in [")", "]"] {
                let cut = format!("{closing} {particle} ");
                assert!(
                    !text.contains(&cut),
                    "{}: '{cut}' in the rendered text",
                    lesson.id
                );
            }
        }
    }
}

fn istio_lab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_istio-lab"))
        .args(args)
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("istio-lab-test-state"),
        )
        .output()
        .expect("binary runs")
}

#[test]
fn lessons_subcommand_lists_number_id_and_title() {
    let out = istio_lab(&["lessons"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), COVERAGE.len());
    for (line, (_, id, _)) in lines.iter().zip(COVERAGE) {
        assert!(line.contains(id), "{line}");
    }
    assert!(lines[0].trim_start().starts_with("1 "));
}

#[test]
fn render_prints_a_lesson_by_number_or_id_within_the_width() {
    for (lesson, width) in [("3", 60), ("traffic-shifting", 100), ("09", 40)] {
        let out = istio_lab(&["render", lesson, "--width", &width.to_string()]);
        assert!(out.status.success(), "{lesson}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.lines().count() > 10);
        for line in text.lines() {
            assert!(
                unicode_width::UnicodeWidthStr::width(line) <= width,
                "{lesson} at {width}: {line}"
            );
        }
    }
    let by_number = istio_lab(&["render", "7", "--width", "100"]).stdout;
    let by_id = istio_lab(&["render", "traffic-shifting", "--width", "100"]).stdout;
    assert_eq!(by_number, by_id);
}

#[test]
fn render_of_an_unknown_lesson_fails_with_a_clear_message() {
    let out = istio_lab(&["render", "nope", "--width", "80"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("'nope' 레슨이 없습니다"), "{err}");
    assert!(err.contains("traffic-shifting"), "{err}");
}

#[test]
fn guide_flag_turns_each_section_of_a_customer_guide_into_a_lesson() {
    let guide = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/guide/sample-guide.md"
    );
    let lessons = lesson::load_guide(std::path::Path::new(guide)).expect("guide parses");
    let text = std::fs::read_to_string(guide).unwrap();
    let sections: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(lessons.len(), sections.len());
    for (lesson, section) in lessons.iter().zip(&sections) {
        assert_eq!(lesson.title, section.trim());
    }
    let out = istio_lab(&["--guide", guide, "lessons"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().count(),
        sections.len()
    );
    let rendered = istio_lab(&["--guide", guide, "render", "1", "--width", "70"]);
    let text = String::from_utf8(rendered.stdout).unwrap();
    assert!(!text.contains("{{<"), "{text}");
}

#[test]
fn a_missing_guide_file_is_a_clear_error() {
    let out = istio_lab(&["--guide", "/nonexistent/guide.md", "lessons"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("/nonexistent/guide.md")
    );
}

#[test]
fn sim_subcommand_serves_the_demo_cluster_and_writes_a_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut child = Command::new(env!("CARGO_BIN_EXE_istio-lab"))
        .args(["sim", "--port", "0", "--kubeconfig-out"])
        .arg(&kubeconfig)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sim starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&kubeconfig)
            && text.contains("current-context")
        {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no kubeconfig written"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let token = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("token: "))
        .expect("token line")
        .to_string();
    let address = tls::kubeconfig_server(&text);
    let response = {
        use std::io::{Read, Write};
        let mut stream = tls::connect_blocking(address, &tls::kubeconfig_ca(&text));
        write!(stream, "GET /api/v1/namespaces/istio-system/services/istio-ingressgateway HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("LoadBalancer"), "{response}");
    assert!(text.contains("istio-lab-demo"));
}

/// Words the glossary in lessons/README.md rules out, in the notes as in the lessons.
const NOT_OUR_WORDS: &[&str] = &[
    "파드",
    "포드",
    "레이블",
    "서브셋",
    "비중",
    "디플로이먼트",
    "가상 서비스",
];

#[test]
fn every_step_has_speaker_notes_of_the_documented_shape() {
    // The presenter's second screen shows the current step's notes; a step without them, or
    // notes without the timing, leaves the presenter guessing in front of the room.
    for lesson in lesson::builtin("ko").expect("lessons") {
        let pane = lesson::source::render_plain(&lesson, 200);
        for (index, step) in lesson.steps.iter().enumerate() {
            let at = format!("{} step {}", lesson.id, index + 1);
            let notes = step
                .notes
                .as_deref()
                .unwrap_or_else(|| panic!("{at}: no notes"));
            let lines: Vec<&str> = notes.lines().filter(|l| !l.trim().is_empty()).collect();
            assert!((2..=5).contains(&lines.len()), "{at}: {notes}");
            for line in &lines {
                assert!(
                    line.chars().any(|c| ('가'..='힣').contains(&c)),
                    "{at}: not Korean: {line}"
                );
                assert!(
                    unicode_width::UnicodeWidthStr::width(*line) <= 120,
                    "{at}: a note line is a glance, not a paragraph: {line}"
                );
                assert!(
                    !pane.contains(line),
                    "{at}: notes must stay off the lesson pane: {line}"
                );
                for word in NOT_OUR_WORDS {
                    assert!(!line.contains(word), "{at}: `{word}` (see the glossary)");
                }
            }
            assert!(
                lines.iter().any(|l| l.starts_with("화면: ")),
                "{at}: what to look at"
            );
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with("질문: ") && l.contains(" → ")),
                "{at}: a question with its answer"
            );
            let timing = lines.iter().find_map(|l| l.strip_prefix("시간: 약 "));
            let minutes = timing.map(|t| t.chars().take_while(char::is_ascii_digit).count());
            assert!(
                timing
                    .zip(minutes)
                    .is_some_and(|(t, n)| n > 0 && t[n..].starts_with('분')),
                "{at}: a timing hint such as `시간: 약 2분`"
            );
        }
    }
}
