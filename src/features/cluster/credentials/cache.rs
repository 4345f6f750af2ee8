//! The credential an exec plugin gave, kept until it nears its expiry or the API server
//! refuses it, and renewed by running the plugin again: once for all the requests waiting,
//! never more often than the policy allows, and never with the terminal the TUI owns.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use http::HeaderValue;
use jiff::Timestamp;
use tokio::sync::watch;

use super::output::Credential;
use super::plugin::Plugin;

/// When and how often the plugin runs again.
#[derive(Debug, Clone, Copy)]
pub struct RefreshPolicy {
    /// Renew when this much is left before expiry (at most half the credential's lifetime,
    /// so a short-lived one is not renewed at once).
    pub ahead: Duration,
    /// Never run the plugin again sooner than this after its last run: a refused or
    /// already expired credential costs one run per interval, not one per request.
    pub min_interval: Duration,
    /// A renewal taking longer is stopped (a plugin waiting for a login nobody can see).
    pub timeout: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            ahead: Duration::from_secs(60),
            min_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
        }
    }
}

/// What the app may show about the credential plugin, in one status-bar line or a toast.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthNotice {
    /// The plugin's command's file name (`aws`, `kubelogin`).
    pub plugin: String,
    /// The last line the plugin wrote to stderr (escape sequences removed), from the
    /// current or last run; the whole stderr is in the log.
    pub last_stderr: Option<String>,
    /// Why the credential could not be renewed, in Korean; `None` once it was.
    pub problem: Option<String>,
    /// A renewal is running now.
    pub renewing: bool,
}

/// Shared by the client's auth layer and whoever shows the notice. Cloning shares it.
#[derive(Clone)]
pub struct ExecCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    plugin: Plugin,
    policy: RefreshPolicy,
    state: Mutex<State>,
    notice: watch::Sender<AuthNotice>,
}

struct State {
    credential: Credential,
    renew_at: Option<Timestamp>,
    /// Counts credentials, so a refusal of an older one does not condemn the current one.
    generation: u64,
    refused: bool,
    last_run: Instant,
    running: bool,
    runs: u64,
}

/// What a request has to do before it is sent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// Go with the credential at hand.
    Go,
    /// A renewal was claimed: start it, and wait for it when `wait` (the credential at hand
    /// is expired or was refused).
    Renew { wait: bool },
    /// A renewal is running and the credential at hand is no good: wait for it.
    Join,
}

impl ExecCredentials {
    /// The cache after the plugin's first run (at start-up, with `last_stderr` from it).
    pub fn new(
        plugin: Plugin,
        policy: RefreshPolicy,
        credential: Credential,
        last_stderr: Option<String>,
    ) -> ExecCredentials {
        let notice = AuthNotice {
            plugin: plugin.name(),
            last_stderr,
            ..AuthNotice::default()
        };
        let renew_at = renew_at(&credential, policy.ahead);
        ExecCredentials {
            inner: Arc::new(Inner {
                plugin,
                policy,
                state: Mutex::new(State {
                    credential,
                    renew_at,
                    generation: 0,
                    refused: false,
                    last_run: Instant::now(),
                    running: false,
                    runs: 1,
                }),
                notice: watch::channel(notice).0,
            }),
        }
    }

    /// The notice as it is now.
    pub fn notice(&self) -> AuthNotice {
        self.inner.notice.borrow().clone()
    }

    /// Changes to the notice. The TUI holds the terminal by then, so this is the only way
    /// the learner hears of a renewal: the runtime is meant to forward each change as a
    /// message (a toast for `problem`, the status bar for `last_stderr` and `renewing`).
    pub fn subscribe(&self) -> watch::Receiver<AuthNotice> {
        self.inner.notice.subscribe()
    }

    /// How many times the plugin has run, the first run included.
    pub fn runs(&self) -> u64 {
        self.state().runs
    }

    /// When the credential at hand expires, if it said.
    pub fn expires(&self) -> Option<Timestamp> {
        self.state().credential.expires()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent at every step, so a panic elsewhere leaves it usable.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The `Authorization` header for the credential at hand (none for a client
    /// certificate), and its generation.
    pub(crate) fn header(&self) -> (Option<HeaderValue>, u64) {
        let state = self.state();
        let header = match &state.credential {
            Credential::Token { token, .. } => {
                match HeaderValue::try_from(format!("Bearer {token}")) {
                    Ok(mut value) => {
                        value.set_sensitive(true);
                        Some(value)
                    }
                    // Sent without one, the request is refused and the plugin runs again.
                    Err(_) => {
                        tracing::warn!("the exec plugin's token cannot be an HTTP header");
                        None
                    }
                }
            }
            Credential::Certificate { .. } => None,
        };
        (header, state.generation)
    }

    /// The API server answered 401 to a request sent with `generation`'s credential.
    pub(crate) fn refused(&self, generation: u64) {
        let mut state = self.state();
        if state.generation == generation && !state.refused {
            tracing::warn!(plugin = %self.inner.plugin.command(), "the API server refused the exec credential (401)");
            state.refused = true;
        }
    }

    /// Decides, for one request, whether the plugin must run first; claims the run if so.
    pub(crate) fn readiness(&self) -> Readiness {
        let now = Timestamp::now();
        let mut state = self.state();
        let expired = state.credential.expires().is_some_and(|e| now >= e);
        let useless = state.refused || expired;
        if state.running {
            return if useless {
                Readiness::Join
            } else {
                Readiness::Go
            };
        }
        let due = state.refused || state.renew_at.is_some_and(|at| now >= at);
        if !due || state.last_run.elapsed() < self.inner.policy.min_interval {
            return Readiness::Go;
        }
        state.last_run = Instant::now();
        let why = if state.refused {
            "API 서버에서 거부되었습니다"
        } else if expired {
            "만료되었습니다"
        } else {
            "곧 만료됩니다"
        };
        if let Some(problem) = self.unattended_problem(&state.credential, why) {
            drop(state);
            self.inner.notice.send_if_modified(|notice| {
                let changed = notice.problem.as_deref() != Some(&problem);
                notice.problem = Some(problem);
                changed
            });
            return Readiness::Go;
        }
        state.running = true;
        drop(state);
        self.inner
            .notice
            .send_modify(|notice| notice.renewing = true);
        Readiness::Renew { wait: useless }
    }

    /// Why the plugin cannot be run again while the TUI holds the terminal, if it cannot.
    fn unattended_problem(&self, credential: &Credential, why: &str) -> Option<String> {
        let command = self.inner.plugin.name();
        if self.inner.plugin.needs_terminal() {
            return Some(format!(
                "인증 정보가 {why}: 인증 플러그인 '{command}'은(는) 터미널에서 물어야 해서(interactiveMode: Always) \
                 화면 안에서는 다시 실행하지 않습니다. istio-lab을 끝내고 다시 시작하세요"
            ));
        }
        if matches!(credential, Credential::Certificate { .. }) {
            return Some(format!(
                "'{command}'이(가) 준 클라이언트 인증서가 {why}: 실행 중에는 인증서를 바꿀 수 없으니 \
                 istio-lab을 다시 시작하세요"
            ));
        }
        None
    }

    /// Runs the plugin without the terminal and puts what it gave in place. The caller
    /// claimed the run with `readiness`.
    pub(crate) async fn renew(self) {
        let inner = &self.inner;
        let command = inner.plugin.command().to_string();
        tracing::info!(plugin = %command, "renewing the exec credential");
        let result = inner
            .plugin
            .run(None, Some(inner.policy.timeout), |line| {
                inner.notice.send_modify(|notice| {
                    notice.last_stderr = Some(line.to_string());
                });
            })
            .await;
        let problem = match result {
            Ok(credential) => {
                let mut state = self.state();
                state.renew_at = renew_at(&credential, inner.policy.ahead);
                state.credential = credential;
                state.generation += 1;
                state.refused = false;
                None
            }
            Err(e) => {
                tracing::warn!(plugin = %command, "exec credential renewal failed: {e}");
                Some(e.to_string())
            }
        };
        {
            let mut state = self.state();
            state.running = false;
            state.runs += 1;
            // The interval counts from the end of a slow run, not its start.
            state.last_run = Instant::now();
        }
        inner.notice.send_modify(|notice| {
            notice.renewing = false;
            notice.problem = problem;
        });
    }

    /// Resolves once no renewal is running.
    pub(crate) fn renewed(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut notices = self.subscribe();
        async move {
            // An error means the cache is gone, and with it anything to wait for.
            let _ = notices.wait_for(|notice| !notice.renewing).await;
        }
    }

    /// Abandons a claimed run that could not be started.
    pub(crate) fn release(&self) {
        self.state().running = false;
        self.inner
            .notice
            .send_modify(|notice| notice.renewing = false);
    }
}

/// When to renew: `ahead` before expiry, but no earlier than half-way through the lifetime.
fn renew_at(credential: &Credential, ahead: Duration) -> Option<Timestamp> {
    let expires = credential.expires()?;
    let now = Timestamp::now();
    let lifetime = expires.duration_since(now).max(jiff::SignedDuration::ZERO);
    let ahead = jiff::SignedDuration::try_from(ahead)
        .unwrap_or(jiff::SignedDuration::MAX)
        .min(lifetime / 2);
    Some(expires - ahead)
}
