//! Exec credential plugins (kubeconfig `users[].user.exec`) against the demo cluster: the
//! plugin (tests/fixtures/exec/credential.sh) runs once for many requests; its stderr goes to
//! the log and the notice, never to the terminal; an expired or refused credential is renewed
//! once, and a plugin that keeps giving bad ones runs once per interval, not per request; only
//! an interactive plugin at start-up gets the terminal.

mod exec_credentials_lab;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use exec_credentials_lab::{Lab, api_code, lab, list_pods, log_capture};
use istio_lab::features::cluster::credentials::{
    ExecCredentials, ExecOptions, RefreshPolicy, Terminal,
};
use istio_lab::features::cluster::{ClientError, client_with_credentials, config_from_kubeconfig};

#[tokio::test]
async fn one_run_serves_many_requests_and_its_stderr_goes_to_the_log_not_the_terminal() {
    let lab = lab(
        "Never",
        &[
            ("EXEC_TEST_SLEEP", "0.3"),
            ("EXEC_TEST_EXPIRES_IN", "3600"),
            (
                "EXEC_TEST_STDERR",
                "deprecated flag --x\\nsession ends in 1h",
            ),
        ],
    )
    .await;
    let (logs, _guard) = log_capture();
    let (client, credentials) = lab.connect_with_terminal(RefreshPolicy::default()).await;
    let credentials = credentials.expect("an exec user gives a credential cache");

    let burst = futures::future::join_all((0..40).map(|_| list_pods(&client))).await;
    assert!(burst.iter().all(Result::is_ok), "{burst:?}");
    for _ in 0..10 {
        list_pods(&client)
            .await
            .expect("a list with the cached token");
    }
    assert_eq!(lab.runs(), ["interactive=false"], "one run for 50 requests");
    assert_eq!(credentials.runs(), 1);

    let notice = credentials.notice();
    assert_eq!(notice.plugin, "credential.sh");
    assert_eq!(notice.last_stderr.as_deref(), Some("session ends in 1h"));
    let logged = logs.text();
    assert!(logged.contains("deprecated flag --x"), "{logged}");
    assert!(logged.contains("session ends in 1h"), "{logged}");
    // The terminal lent at start-up is not the plugin's under interactiveMode Never.
    assert_eq!(
        lab.terminal_stderr(),
        "",
        "nothing of the plugin on the terminal"
    );
    assert_eq!(lab.stdin_read(), "", "nothing read from the terminal");
}

#[tokio::test]
async fn a_plugin_in_never_mode_gets_no_stdin_and_is_told_it_may_not_ask() {
    let lab = lab("Never", &[("EXEC_TEST_STDIN", "drain")]).await;
    let (client, _) = lab.connect_with_terminal(RefreshPolicy::default()).await;
    list_pods(&client).await.expect("the credential works");
    assert_eq!(lab.runs(), ["interactive=false"]);
    assert_eq!(
        lab.stdin_read(),
        "",
        "the keys typed at the terminal stay there"
    );
}

#[tokio::test]
async fn an_interactive_plugin_asks_at_start_up_and_renews_later_without_the_terminal() {
    let lab = lab(
        "IfAvailable",
        &[
            ("EXEC_TEST_STDIN", "prompt"),
            ("EXEC_TEST_CODE", "123456"),
            ("EXEC_TEST_EXPIRES_IN", "2"),
            ("EXEC_TEST_STDERR", "login step"),
        ],
    )
    .await;
    let policy = RefreshPolicy {
        min_interval: Duration::from_millis(200),
        ..RefreshPolicy::default()
    };
    let (client, credentials) = lab.connect_with_terminal(policy).await;
    let credentials = credentials.expect("a cache");
    assert_eq!(lab.runs(), ["interactive=true"]);
    assert_eq!(
        lab.stdin_read(),
        "123456\n",
        "the code typed at the terminal"
    );
    let asked = lab.terminal_stderr();
    assert!(
        asked.contains("MFA 코드"),
        "the prompt is on the terminal: {asked}"
    );

    let expires = credentials.expires().expect("the plugin said when");
    wait_until(expires).await;
    let burst = futures::future::join_all((0..20).map(|_| list_pods(&client))).await;
    assert!(burst.iter().all(Result::is_ok), "{burst:?}");
    assert_eq!(
        lab.runs(),
        ["interactive=true", "interactive=false"],
        "renewed once for 20 requests, told it may not ask"
    );
    assert_eq!(lab.stdin_read(), "123456\n", "the renewal read nothing");
    assert_eq!(
        lab.terminal_stderr().matches("login step").count(),
        1,
        "the renewal's stderr is not on the terminal"
    );
    assert_eq!(
        credentials.notice().last_stderr.as_deref(),
        Some("login step")
    );
    assert!(credentials.expires() > Some(expires), "a new credential");
}

#[tokio::test]
async fn a_plugin_that_keeps_giving_expired_credentials_runs_once_per_interval_not_per_request() {
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_millis(1500);
    let soon = soon
        .round(jiff::Unit::Second)
        .expect("rounding a timestamp");
    let lab = lab("Never", &[("EXEC_TEST_EXPIRES_AT", &soon.to_string())]).await;
    let policy = RefreshPolicy {
        min_interval: Duration::from_millis(500),
        ..RefreshPolicy::default()
    };
    let (client, credentials) = lab.connect(policy, None).await;
    let credentials = credentials.expect("a cache");
    wait_until(soon).await;
    let started = Instant::now();
    let mut requests = 0;
    while started.elapsed() < Duration::from_millis(1200) {
        let burst = futures::future::join_all((0..5).map(|_| list_pods(&client))).await;
        assert!(burst.iter().all(Result::is_ok), "{burst:?}");
        requests += burst.len();
    }
    let runs = lab.runs().len();
    assert!(requests >= 50, "{requests} requests");
    // The start-up run, one at once, then one per 500 ms.
    assert!(
        (2..=4).contains(&runs),
        "{runs} runs for {requests} requests"
    );
    assert_eq!(credentials.runs(), runs as u64);
}

#[tokio::test]
async fn a_refused_credential_is_renewed_once_after_the_interval() {
    let lab = lab("Never", &[("EXEC_TEST_FIRST_TOKEN", "revoked")]).await;
    let policy = RefreshPolicy {
        min_interval: Duration::from_millis(400),
        ..RefreshPolicy::default()
    };
    let (client, _) = lab.connect(policy, None).await;
    let first = list_pods(&client)
        .await
        .expect_err("the first token is refused");
    assert_eq!(api_code(&first), Some(401), "{first:?}");
    // Within the interval the plugin is not run again, however many requests fail.
    let burst = futures::future::join_all((0..10).map(|_| list_pods(&client))).await;
    assert!(
        burst
            .iter()
            .all(|r| r.as_ref().err().and_then(api_code) == Some(401))
    );
    assert_eq!(lab.runs().len(), 1);

    tokio::time::sleep(Duration::from_millis(450)).await;
    let burst = futures::future::join_all((0..10).map(|_| list_pods(&client))).await;
    assert!(
        burst.iter().all(Result::is_ok),
        "renewed before they were sent: {burst:?}"
    );
    assert_eq!(lab.runs().len(), 2);
}

#[tokio::test]
async fn a_plugin_that_needs_the_terminal_is_not_run_again_under_the_tui() {
    let lab = lab("Always", &[("EXEC_TEST_EXPIRES_IN", "1")]).await;
    let policy = RefreshPolicy {
        min_interval: Duration::from_millis(100),
        ..RefreshPolicy::default()
    };
    let (client, credentials) = lab.connect_with_terminal(policy).await;
    let credentials = credentials.expect("a cache");
    assert_eq!(lab.runs(), ["interactive=true"]);
    wait_until(credentials.expires().expect("an expiry")).await;
    // The demo cluster does not check expiry: the old token still works.
    list_pods(&client)
        .await
        .expect("the request is sent anyway");
    assert_eq!(lab.runs().len(), 1, "not run without the terminal");
    let problem = credentials.notice().problem.expect("the learner is told");
    assert!(problem.contains("interactiveMode: Always"), "{problem}");
    assert!(problem.contains("다시 시작"), "{problem}");

    let error = lab.try_connect(RefreshPolicy::default(), None).await.err();
    let said = error.expect("no terminal at all").to_string();
    assert!(said.contains("터미널이 없습니다"), "{said}");
}

#[tokio::test]
async fn a_renewal_that_hangs_is_stopped_and_the_request_goes_on() {
    let lab = lab(
        "Never",
        &[
            ("EXEC_TEST_EXPIRES_IN", "1"),
            ("EXEC_TEST_LATER_SLEEP", "30"),
        ],
    )
    .await;
    let policy = RefreshPolicy {
        min_interval: Duration::from_millis(100),
        timeout: Duration::from_millis(400),
        ..RefreshPolicy::default()
    };
    let (client, credentials) = lab.connect(policy, None).await;
    let credentials = credentials.expect("a cache");
    wait_until(credentials.expires().expect("an expiry")).await;
    let started = Instant::now();
    list_pods(&client).await.expect("sent with the old token");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let problem = credentials.notice().problem.expect("the time-out is said");
    assert!(problem.contains("끝나지 않아"), "{problem}");
    assert!(!credentials.notice().renewing);
}

#[tokio::test]
async fn a_failing_or_missing_plugin_says_why_with_its_last_stderr_line() {
    let lab = lab(
        "Never",
        &[(
            "EXEC_TEST_FAIL",
            "error: SSO session expired, run aws sso login",
        )],
    )
    .await;
    let said = lab.try_connect(RefreshPolicy::default(), None).await.err();
    let said = said.expect("no credential").to_string();
    assert!(said.contains("run aws sso login"), "{said}");
    assert!(said.contains("credential.sh"), "{said}");

    let yaml = std::fs::read_to_string(&lab.kubeconfig).expect("kubeconfig");
    let missing = yaml.replace(
        "command: ",
        "installHint: brew install aws-iam-authenticator\n      command: /nowhere/",
    );
    std::fs::write(&lab.kubeconfig, missing).expect("kubeconfig");
    let said = lab.try_connect(RefreshPolicy::default(), None).await.err();
    let said = said.expect("no plugin").to_string();
    assert!(said.contains("찾을 수 없습니다"), "{said}");
    assert!(
        said.contains("brew install aws-iam-authenticator"),
        "{said}"
    );
}

async fn wait_until(at: jiff::Timestamp) {
    let left = at.duration_since(jiff::Timestamp::now());
    if let Ok(left) = Duration::try_from(left) {
        tokio::time::sleep(left + Duration::from_millis(50)).await;
    }
}

impl Lab {
    async fn connect(
        &self,
        policy: RefreshPolicy,
        terminal: Option<Terminal>,
    ) -> (kube::Client, Option<ExecCredentials>) {
        self.try_connect(policy, terminal)
            .await
            .expect("a client from the kubeconfig")
    }

    /// With a stand-in terminal: `123456` typed on its stdin, its stderr kept in a file.
    async fn connect_with_terminal(
        &self,
        policy: RefreshPolicy,
    ) -> (kube::Client, Option<ExecCredentials>) {
        let keys = self.dir.path().join("keys");
        std::fs::write(&keys, "123456\n").expect("keys");
        let stdin = std::fs::File::open(&keys).expect("keys");
        let stderr = std::fs::File::create(self.terminal_path()).expect("terminal");
        let terminal = Terminal::from_parts(stdin, stderr);
        self.connect(policy, Some(terminal)).await
    }

    async fn try_connect(
        &self,
        policy: RefreshPolicy,
        terminal: Option<Terminal>,
    ) -> Result<(kube::Client, Option<ExecCredentials>), ClientError> {
        let (config, context) = config_from_kubeconfig(Some(&self.kubeconfig), None).await?;
        assert_eq!(context.as_deref(), Some("lab"));
        client_with_credentials(config, ExecOptions { terminal, policy }).await
    }

    fn terminal_path(&self) -> PathBuf {
        self.dir.path().join("terminal-stderr")
    }

    fn terminal_stderr(&self) -> String {
        read(&self.terminal_path())
    }

    fn stdin_read(&self) -> String {
        read(&self.dir.path().join("stdin"))
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
