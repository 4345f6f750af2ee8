//! What can stop the demo cluster from starting or running, in the words a user reads.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{addr}에서 연결을 받을 수 없습니다: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("데모 클러스터의 인증서를 만들지 못했습니다: {0}")]
    Tls(String),
    #[error("invalid scenario: {0}")]
    Scenario(String),
    #[error("cannot write the kubeconfig to {path}: {source}")]
    Kubeconfig {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "kubeconfig 파일이 이미 있습니다: {path} — 그 안의 설정을 지우지 않도록 쓰지 않았습니다. 덮어쓰려면 --force를 붙이세요"
    )]
    KubeconfigExists { path: String },
    #[error("cannot make the demo cluster's tokens from /dev/urandom: {0}")]
    Token(std::io::Error),
    #[error("Ctrl-C나 SIGTERM을 기다릴 수 없습니다: {0}")]
    Signal(std::io::Error),
}
