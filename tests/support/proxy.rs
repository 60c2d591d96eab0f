//! A loopback TCP fault proxy for tests: accepts on `127.0.0.1:<ephemeral>`, forwards each
//! connection to an upstream address with one thread per direction, and applies [`Fault`]s
//! that the test changes at any time, for every connection or one of them, per direction.
//!
//! Bounded: at most [`MAX_CONNECTIONS`] connections, and it stops by itself after
//! [`LIFETIME`] or when dropped (every thread is joined).
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The most connections one proxy accepts.
pub const MAX_CONNECTIONS: usize = 64;
/// A proxy stops by itself after this long.
pub const LIFETIME: Duration = Duration::from_secs(60);
/// How often blocked threads look at the stop flag and the faults.
const TICK: Duration = Duration::from_millis(10);

/// A direction of a proxied connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Client → server (requests).
    Up,
    /// Server → client (responses, events).
    Down,
}

/// What the proxy does to the bytes of one direction. Byte counts (`cut_after`) and one-shot
/// actions (`garbage`, `corrupt_json`) start anew each time the fault is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fault {
    /// Wait this long before forwarding each chunk read.
    pub delay: Duration,
    /// Stop forwarding (what was read is held until the stall is lifted).
    pub stall: bool,
    /// Forward only this many more bytes, then close the connection (both sides).
    pub cut_after: Option<usize>,
    /// Bytes written once before the next chunk.
    pub garbage: Option<Vec<u8>>,
    /// Replace the next `{` by `#` once (the JSON becomes undecodable, lengths stay right).
    pub corrupt_json: bool,
}

/// Which connections a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every connection without a fault of its own.
    All,
    /// The connection accepted `n`-th (from 0).
    Conn(usize),
}

#[derive(Debug, Default)]
struct Faults {
    by_scope: HashMap<(Scope, Dir), (Fault, u64)>,
    generation: u64,
}

impl Faults {
    fn get(&self, conn: usize, dir: Dir) -> (Fault, u64) {
        self.by_scope
            .get(&(Scope::Conn(conn), dir))
            .or_else(|| self.by_scope.get(&(Scope::All, dir)))
            .cloned()
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct Link {
    client: TcpStream,
    server: TcpStream,
}

#[derive(Debug)]
struct Shared {
    faults: Mutex<Faults>,
    stop: AtomicBool,
    links: Mutex<Vec<Link>>,
    accepted: AtomicU64,
    started: Instant,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.started.elapsed() > LIFETIME
    }
}

/// A running proxy; dropping it closes every connection and joins its threads.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Proxy {
    /// Starts a proxy to `upstream` (`host:port`).
    pub fn start(upstream: &str) -> Self {
        let upstream: SocketAddr = upstream.parse().unwrap_or_else(|e| panic!("upstream {upstream}: {e}"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            faults: Mutex::new(Faults::default()),
            stop: AtomicBool::new(false),
            links: Mutex::new(Vec::new()),
            accepted: AtomicU64::new(0),
            started: Instant::now(),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("fault-proxy-accept".into())
                .spawn(move || accept_loop(&listener, upstream, &shared))
                .expect("spawn the proxy")
        };
        Self { addr, shared, acceptor: Some(acceptor) }
    }

    /// `127.0.0.1:PORT`.
    pub fn authority(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT/janus`.
    pub fn http_url(&self) -> String {
        format!("http://{}/janus", self.addr)
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Sets the fault of `dir` for `scope` (replacing the previous one).
    pub fn set(&self, scope: Scope, dir: Dir, fault: Fault) {
        let mut faults = lock(&self.shared.faults);
        faults.generation += 1;
        let generation = faults.generation;
        faults.by_scope.insert((scope, dir), (fault, generation));
    }

    /// Removes every fault.
    pub fn clear(&self) {
        let mut faults = lock(&self.shared.faults);
        faults.generation += 1;
        faults.by_scope.clear();
    }

    /// How many connections were accepted so far.
    pub fn accepted(&self) -> usize {
        usize::try_from(self.shared.accepted.load(Ordering::Relaxed)).unwrap_or(usize::MAX)
    }

    /// Closes every open connection (both sides), as a middlebox dropping idle connections.
    pub fn drop_connections(&self) {
        for link in lock(&self.shared.links).drain(..) {
            let _ = link.client.shutdown(Shutdown::Both);
            let _ = link.server.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.drop_connections();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, upstream: SocketAddr, shared: &Arc<Shared>) {
    let mut pumps = Vec::new();
    while !shared.stopped() {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(TICK);
                continue;
            }
            Err(_) => break,
        };
        let conn = usize::try_from(shared.accepted.fetch_add(1, Ordering::Relaxed)).unwrap_or(usize::MAX);
        if conn >= MAX_CONNECTIONS {
            continue; // dropped: refused
        }
        let _ = client.set_nonblocking(false);
        let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(2)) else { continue };
        let _ = client.set_nodelay(true);
        let _ = server.set_nodelay(true);
        let clones = (client.try_clone(), server.try_clone(), client.try_clone(), server.try_clone());
        let (Ok(c1), Ok(s1), Ok(c2), Ok(s2)) = clones else { continue };
        lock(&shared.links).push(Link { client, server });
        for (from, to, dir) in [(c1, s1, Dir::Up), (s2, c2, Dir::Down)] {
            let shared = Arc::clone(shared);
            let pump = std::thread::Builder::new()
                .name(format!("fault-proxy-{conn}-{dir:?}"))
                .spawn(move || pump(from, to, conn, dir, &shared));
            pumps.extend(pump.ok());
        }
    }
    // Stopped: unblock and join everything.
    for link in lock(&shared.links).drain(..) {
        let _ = link.client.shutdown(Shutdown::Both);
        let _ = link.server.shutdown(Shutdown::Both);
    }
    for pump in pumps {
        let _ = pump.join();
    }
}

/// Forwards `from` → `to` under the faults of (`conn`, `dir`).
fn pump(mut from: TcpStream, mut to: TcpStream, conn: usize, dir: Dir, shared: &Shared) {
    let _ = from.set_read_timeout(Some(TICK * 5));
    let mut chunk = vec![0u8; 16 * 1024];
    // Per fault generation: bytes forwarded, one-shot actions done.
    let mut seen_generation = 0;
    let mut forwarded = 0usize;
    let mut garbage_done = false;
    let mut corrupt_done = false;
    'outer: while !shared.stopped() {
        let n = match from.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                continue;
            }
            Err(_) => break,
        };
        let read_at = Instant::now();
        // Stall and delay: wait, looking at the (changing) fault.
        let fault = loop {
            if shared.stopped() {
                break 'outer;
            }
            let (fault, generation) = lock(&shared.faults).get(conn, dir);
            if generation != seen_generation {
                seen_generation = generation;
                forwarded = 0;
                garbage_done = false;
                corrupt_done = false;
            }
            if !fault.stall && read_at.elapsed() >= fault.delay {
                break fault;
            }
            std::thread::sleep(TICK);
        };
        let mut data = chunk[..n].to_vec();
        if fault.corrupt_json
            && !corrupt_done
            && let Some(i) = data.iter().position(|&b| b == b'{')
        {
            data[i] = b'#';
            corrupt_done = true;
        }
        if let Some(garbage) = fault.garbage.as_ref().filter(|_| !garbage_done) {
            garbage_done = true;
            if to.write_all(garbage).is_err() {
                break;
            }
        }
        if let Some(limit) = fault.cut_after {
            let allowed = limit.saturating_sub(forwarded).min(data.len());
            let _ = to.write_all(&data[..allowed]);
            forwarded += allowed;
            if forwarded >= limit {
                let _ = to.flush();
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
                break;
            }
            continue;
        }
        if to.write_all(&data).is_err() {
            break;
        }
        forwarded += data.len();
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}
