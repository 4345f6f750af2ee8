//! Talking to a Kubernetes cluster: client, watchers, row types, mesh resources, apply.
