//! What the pods' exec sessions and port forwards report to, and serve through, code that lives
//! elsewhere: an access-log recorder told of every HTTP request a pod answered, and the Kiali
//! server behind the kiali pod's port.

use std::sync::{Arc, RwLock};

use bytes::Bytes;

use super::super::store::SimStore;

/// One HTTP request a pod of the mesh answered (curl inside a pod, or a port forward).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRequest {
    pub namespace: String,
    /// The pod that answered (for a Service, the one the mesh picked).
    pub pod: String,
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    pub status: u16,
    /// Body bytes sent back.
    pub bytes: u64,
}

/// Receives every request a pod answered; an access-log feature implements it.
pub trait AccessLog: Send + Sync {
    fn on_request(&self, request: &PodRequest);
}

/// An HTTP answer of a pod's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Bytes,
}

impl HttpAnswer {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        HttpAnswer {
            status,
            content_type,
            body: body.into(),
        }
    }
}

/// The Kiali server: (store, method, path with query) to its answer.
pub type KialiServe = Arc<dyn Fn(&SimStore, &str, &str) -> HttpAnswer + Send + Sync>;

/// The hooks of one demo cluster; both start empty (no recorder; Kiali's placeholder).
#[derive(Default)]
pub struct Hooks {
    access_log: RwLock<Option<Arc<dyn AccessLog>>>,
    kiali: RwLock<Option<KialiServe>>,
}

impl Hooks {
    pub fn set_access_log(&self, log: Arc<dyn AccessLog>) {
        *self
            .access_log
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(log);
    }

    pub fn set_kiali(&self, serve: KialiServe) {
        *self
            .kiali
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(serve);
    }

    pub fn record(&self, request: &PodRequest) {
        let log = self
            .access_log
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if let Some(log) = log {
            log.on_request(request);
        }
    }

    /// Kiali's answer, or the placeholder page until a Kiali server is connected.
    pub fn kiali(&self, store: &SimStore, method: &str, path: &str) -> HttpAnswer {
        let serve = self
            .kiali
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        match serve {
            Some(serve) => serve(store, method, path),
            None => kiali_placeholder(path),
        }
    }
}

/// Until a Kiali server is connected: its paths (and the root) answer a minimal console page.
fn kiali_placeholder(path: &str) -> HttpAnswer {
    let path = path.split('?').next().unwrap_or_default();
    if path == "/kiali" || path.starts_with("/kiali/") || path == "/" {
        HttpAnswer::new(
            200,
            "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Kiali</title>\n</head>\n\
             <body>\n<div id=\"root\">Kiali Console</div>\n</body>\n</html>\n",
        )
    } else {
        HttpAnswer::new(404, "text/plain; charset=utf-8", "404 page not found\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<PodRequest>>);

    impl AccessLog for Recorder {
        fn on_request(&self, request: &PodRequest) {
            self.0.lock().unwrap().push(request.clone());
        }
    }

    #[test]
    fn a_connected_recorder_and_kiali_are_used() {
        let hooks = Hooks::default();
        let request = PodRequest {
            namespace: "default".into(),
            pod: "p".into(),
            method: "GET".into(),
            path: "/".into(),
            status: 200,
            bytes: 3,
        };
        hooks.record(&request);
        let recorder = Arc::new(Recorder::default());
        hooks.set_access_log(recorder.clone());
        hooks.record(&request);
        assert_eq!(*recorder.0.lock().unwrap(), vec![request]);
        let store = SimStore::new();
        assert_eq!(hooks.kiali(&store, "GET", "/kiali").status, 200);
        assert_eq!(hooks.kiali(&store, "GET", "/nope").status, 404);
        hooks.set_kiali(Arc::new(|_, _, _| HttpAnswer::new(204, "text/plain", "")));
        assert_eq!(hooks.kiali(&store, "GET", "/kiali").status, 204);
    }
}
