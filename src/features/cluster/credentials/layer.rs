//! The client's `tower` layer that sets `Authorization` from the exec credential cache,
//! renews the credential before a request when it is due, and reports 401 answers back.
//!
//! kube's client runs its service stack behind a `Buffer`, whose single worker calls
//! `poll_ready` before each request: a renewal awaited there holds every queued request until
//! the new credential is in place, so one plugin run serves them all.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::header::AUTHORIZATION;
use http::{Request, Response, StatusCode};
use tower::{Layer, Service};

use super::cache::{ExecCredentials, Readiness};

/// Adds [`ExecAuth`] around the client's service.
#[derive(Clone)]
pub struct ExecAuthLayer {
    credentials: ExecCredentials,
}

impl ExecAuthLayer {
    pub fn new(credentials: ExecCredentials) -> ExecAuthLayer {
        ExecAuthLayer { credentials }
    }
}

impl<S> Layer<S> for ExecAuthLayer {
    type Service = ExecAuth<S>;

    fn layer(&self, inner: S) -> ExecAuth<S> {
        ExecAuth {
            inner,
            credentials: self.credentials.clone(),
            waiting: None,
        }
    }
}

pub struct ExecAuth<S> {
    inner: S,
    credentials: ExecCredentials,
    /// A renewal this service waits for before it is ready.
    waiting: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ExecAuth<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    ResBody: 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        if self.waiting.is_none() {
            let wait = match self.credentials.readiness() {
                Readiness::Go => false,
                Readiness::Join => true,
                Readiness::Renew { wait } => {
                    // Spawned, so the run ends (and releases its claim) even if this
                    // service is dropped meanwhile.
                    match tokio::runtime::Handle::try_current() {
                        Ok(runtime) => {
                            runtime.spawn(self.credentials.clone().renew());
                            wait
                        }
                        Err(_) => {
                            tracing::warn!("no async runtime to renew the exec credential on");
                            self.credentials.release();
                            false
                        }
                    }
                }
            };
            if wait {
                self.waiting = Some(Box::pin(self.credentials.renewed()));
            }
        }
        if let Some(waiting) = &mut self.waiting {
            if waiting.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.waiting = None;
        }
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let (header, generation) = self.credentials.header();
        if let Some(header) = header {
            request.headers_mut().insert(AUTHORIZATION, header);
        }
        let answer = self.inner.call(request);
        let credentials = self.credentials.clone();
        Box::pin(async move {
            let response = answer.await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                credentials.refused(generation);
            }
            Ok(response)
        })
    }
}
