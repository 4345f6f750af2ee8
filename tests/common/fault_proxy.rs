//! A loopback TCP proxy that puts network faults between a client and the demo cluster,
//! switchable while it runs: `drop_all` resets every open connection and keeps accepting;
//! `Fault::Delay` holds each forwarded chunk for a while; `Fault::Freeze` forwards nothing
//! either way yet keeps every socket open, as a laptop that slept or a VPN that dropped leaves
//! half-open connections. Connections accepted during a freeze are frozen too, and a frozen
//! connection stays frozen after the freeze ends (its path is gone), so the client has to
//! notice the silence and open new ones.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// What the proxy does to the bytes it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Forwards every chunk as it arrives.
    #[default]
    Normal,
    /// Forwards every chunk this much later (a latency, not a throughput cap).
    Delay(Duration),
    /// Forwards nothing and closes nothing; every open connection is frozen for good.
    Freeze,
}

/// What the proxy has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    pub accepted: u64,
    /// Connections closed with a reset by `drop_all`.
    pub reset: u64,
    /// Connections frozen, whether open at a freeze or accepted during one.
    pub frozen: u64,
    /// Connections open now.
    pub open: u64,
}

/// The proxy's switch; clones share it.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    fault: Mutex<Fault>,
    links: Mutex<Vec<Weak<Link>>>,
    accepted: AtomicU64,
    reset: AtomicU64,
    frozen: AtomicU64,
    stop: CancellationToken,
}

/// One accepted connection.
#[derive(Debug, Default)]
struct Link {
    frozen: AtomicBool,
    reset: CancellationToken,
}

impl Link {
    fn frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FaultProxy {
    /// Listens on an OS-chosen loopback port and forwards to `upstream`. Must be called
    /// inside a Tokio runtime; the proxy runs until `stop` or the runtime ends.
    pub async fn start(upstream: SocketAddr) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            fault: Mutex::new(Fault::Normal),
            links: Mutex::new(Vec::new()),
            accepted: AtomicU64::new(0),
            reset: AtomicU64::new(0),
            frozen: AtomicU64::new(0),
            stop: CancellationToken::new(),
        });
        tokio::spawn(accept(listener, shared.clone()));
        Ok(FaultProxy { addr, shared })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for a client's `cluster_url`.
    /// The proxy relays bytes, so TLS passes through it: the client still talks HTTPS to the
    /// demo cluster, whose certificate names 127.0.0.1 as the proxy's address does.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// `config` (e.g. the demo cluster's `kube_config()`) pointed at this proxy.
    pub fn kube_config(&self, mut config: kube::Config) -> kube::Config {
        config.cluster_url = self
            .url()
            .parse()
            .expect("a loopback address is a valid URI");
        config
    }

    pub fn fault(&self) -> Fault {
        *lock(&self.shared.fault)
    }

    /// Switches the fault for every chunk from now on. `Fault::Freeze` also freezes every
    /// connection open now; leaving a freeze thaws none of them.
    pub fn set(&self, fault: Fault) {
        // Under the links lock, so a connection accepted meanwhile is frozen either way.
        let links = lock(&self.shared.links);
        *lock(&self.shared.fault) = fault;
        if fault == Fault::Freeze {
            for link in links.iter().filter_map(Weak::upgrade) {
                self.shared.freeze(&link);
            }
        }
    }

    /// Resets every open connection, frozen ones included, and goes on accepting.
    pub fn drop_all(&self) {
        let links = std::mem::take(&mut *lock(&self.shared.links));
        for link in links.iter().filter_map(Weak::upgrade) {
            if !link.reset.is_cancelled() {
                self.shared.reset.fetch_add(1, Ordering::SeqCst);
                link.reset.cancel();
            }
        }
    }

    pub fn stats(&self) -> ProxyStats {
        let mut links = lock(&self.shared.links);
        links.retain(|link| link.strong_count() > 0);
        ProxyStats {
            accepted: self.shared.accepted.load(Ordering::SeqCst),
            reset: self.shared.reset.load(Ordering::SeqCst),
            frozen: self.shared.frozen.load(Ordering::SeqCst),
            open: links.len() as u64,
        }
    }

    /// Stops accepting and closes every connection.
    pub fn stop(&self) {
        self.shared.stop.cancel();
        self.drop_all();
    }
}

impl Shared {
    fn freeze(&self, link: &Link) {
        if !link.frozen.swap(true, Ordering::SeqCst) {
            self.frozen.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn fault(&self) -> Fault {
        *lock(&self.fault)
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            () = shared.stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((client, _)) = accepted else {
            // Out of descriptors or the like: try again shortly rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = client.set_nodelay(true);
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let link = Arc::new(Link::default());
        {
            let mut links = lock(&shared.links);
            links.retain(|link| link.strong_count() > 0);
            if shared.fault() == Fault::Freeze {
                shared.freeze(&link);
            }
            links.push(Arc::downgrade(&link));
        }
        tokio::spawn(carry(client, link, shared.clone()));
    }
}

/// Relays one connection until either side closes it, or until `drop_all` resets it.
async fn carry(client: TcpStream, link: Arc<Link>, shared: Arc<Shared>) {
    let reset = link.reset.clone();
    let relay = async {
        // A connection frozen from the start never reaches the server.
        let upstream = if link.frozen() {
            None
        } else {
            match TcpStream::connect(shared.upstream).await {
                Ok(upstream) => Some(upstream),
                Err(_) => return,
            }
        };
        let Some(upstream) = upstream else {
            black_hole(&client).await;
            return;
        };
        let _ = upstream.set_nodelay(true);
        let to_server = direction(&client, &upstream, &link, &shared);
        let to_client = direction(&upstream, &client, &link, &shared);
        tokio::pin!(to_server, to_client);
        tokio::select! {
            // The client closed (or the server stopped taking bytes): close both sides.
            () = &mut to_server => {}
            () = &mut to_client => {
                // The server closed. A frozen connection keeps the client's side open and
                // silent, as the network would, until the client gives up on it.
                if link.frozen() {
                    to_server.await;
                }
            }
        }
    };
    tokio::select! {
        () = relay => {}
        () = reset.cancelled() => {
            // SO_LINGER 0 makes the close a RST: the client reads "connection reset" even in
            // the middle of a watch, where a plain close could read as the watch's clean end.
            let _ = client.set_zero_linger();
        }
    }
}

/// Reads and discards whatever the client sends until it closes.
async fn black_hole(client: &TcpStream) {
    let mut buf = vec![0_u8; 16 * 1024];
    while let Ok(n) = read_some(client, &mut buf).await {
        if n == 0 {
            return;
        }
    }
}

/// Carries one direction until `from` ends or `to` fails: each chunk waits out the delay in
/// force when it arrived, and is dropped if the connection is frozen by the time it is due.
async fn direction(from: &TcpStream, to: &TcpStream, link: &Link, shared: &Shared) {
    let (chunks_tx, mut chunks) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let read = async move {
        let mut buf = vec![0_u8; 16 * 1024];
        loop {
            match read_some(from, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if link.frozen() {
                        continue;
                    }
                    let due = match shared.fault() {
                        Fault::Delay(delay) => Instant::now() + delay,
                        Fault::Normal | Fault::Freeze => Instant::now(),
                    };
                    if chunks_tx.send((due, buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
            }
        }
    };
    let write = async {
        while let Some((due, chunk)) = chunks.recv().await {
            tokio::time::sleep_until(due).await;
            if link.frozen() {
                continue;
            }
            if write_all(to, &chunk).await.is_err() {
                return;
            }
        }
    };
    // The writer drains what the reader queued before the reader's end (its sender dropped).
    tokio::pin!(write);
    tokio::select! {
        () = read => (&mut write).await,
        () = &mut write => {}
    }
}

async fn read_some(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        stream.readable().await?;
        match stream.try_read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
