//! The embedded demo cluster: a Kubernetes API subset served on loopback.
