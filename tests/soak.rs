//! Soak test of `janus-signal-socket` against the real default Janus (`tests/janus/janus-server
//! start`), once over WebSocket and once over HTTP (long poll): many concurrent sessions, each a
//! `Janus` value with its own connection(s), driven round-robin by a few threads, each session
//! running echotest cycles for a bounded time.
//!
//! Per transport: `SOAK_SESSIONS` sessions (default 200) over `SOAK_THREADS` threads (default 8);
//! each session connects, creates its session, attaches `janus.plugin.echotest` and sends one
//! warm-up `message`. Then, for `SOAK_SECONDS` (default 8), every thread cycles through its
//! sessions sending `{"audio":true,"video":true}` (every tenth cycle `{"bitrate":N}`) and
//! checking the answer; finally every session detaches and destroys. The two transports run one
//! after the other (a lock), so that each one's RSS is its own.
//!
//! Checked, per session:
//! - exact-once answers: every request gets exactly one reply (requests sent = replies
//!   received), no `Error` of any kind, every `message` answered by an echotest `event` with
//!   `result: ok` whose `sender` is the session's own handle and whose transaction is not the
//!   one of an earlier answer;
//! - exact-once events: no `Event::Handle` for another handle, no unsolicited event twice (same
//!   JSON), none repeating an answer's transaction, no `RequestFailed`/`SessionTimedOut`/
//!   `SessionEnded` while cycling; after `detach` exactly one `HandleDetached(handle)`, after
//!   `destroy` exactly one `SessionEnded(session, Destroyed)`;
//! - flat memory: `VmRSS` sampled once all sessions are warm and again when cycling stops (all
//!   sessions still open) grows less than 20 MiB. Every session's state has a fixed size (a
//!   fixed-capacity core client, a 1 MiB buffer allocated at connect, replies capped at 512)
//!   and the test records latencies in a preallocated histogram, so a steady state should not
//!   grow at all (measured: 0–60 KiB); 20 MiB leaves room for allocator noise (glibc
//!   per-thread arenas) and still catches a leak of ~400 bytes per request at the 50 000+
//!   requests a CI-size run makes in 8 s (release and debug alike), ~100 bytes in a 30 s run.
//!
//! A summary line per transport gives sessions, cycles, requests/s, p50/p99 latency of the
//! `message` round trips, the unsolicited events by kind (echotest's `done` and Janus's
//! `detached` when they overtake the `detach` answer) and the RSS samples. Long runs:
//! `SOAK_SESSIONS=1000 SOAK_SECONDS=30 cargo test --release --test soak -- --ignored --nocapture`
//! (add `soak_ws` or `soak_http` to pick one transport). Over HTTP each session holds two
//! connections (requests + long poll); the default Janus's HTTP transport stops answering new
//! connections at roughly a thousand of them, so about 500 HTTP sessions is the most it
//! takes; above that, setup stops at the first session that cannot be created and the test
//! fails with "create: no answer in time".
//!
//! Every wait has a deadline, so the test stops by itself. Janus comes from `JANUS_HTTP_URL` /
//! `JANUS_WS_URL` (defaults: ports 8088/8188). The tests are `#[ignore]`d (live): `tests/run`
//! runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;
#[path = "support/metrics.rs"]
mod metrics;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::client::SessionEnd;
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::{HandleId, SessionId};
use janus_signal_socket::{Error, Event, Janus, Options, OwnedMessage};

use live::{ECHO, Transport};
use metrics::Histogram;

/// The RSS growth allowed between the two samples (see the module docs).
const RSS_BOUND_KIB: u64 = 20 * 1024;
/// Errors kept (with their text) per thread; the rest are only counted.
const ERRORS_KEPT: usize = 20;
/// Answer transactions remembered per session to catch a repeated answer.
const RECENT: usize = 16;

/// The soak size, from the environment.
#[derive(Debug, Clone, Copy)]
struct Settings {
    sessions: usize,
    threads: usize,
    cycle_time: Duration,
}

impl Settings {
    fn from_env() -> Self {
        let var = |name: &str, default: u64| {
            std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok()).filter(|v| *v > 0).unwrap_or(default)
        };
        let sessions = var("SOAK_SESSIONS", 200) as usize;
        let threads = (var("SOAK_THREADS", 8) as usize).min(sessions);
        Self { sessions, threads, cycle_time: Duration::from_secs(var("SOAK_SECONDS", 8)) }
    }
}

/// `{"bitrate": N}`.
#[derive(serde::Serialize)]
struct Bitrate {
    bitrate: u32,
}

/// What the main thread and the workers share.
#[derive(Debug, Default)]
struct Phases {
    /// Workers whose sessions are all set up and warm.
    warm: AtomicUsize,
    /// Set by the main thread once it sampled the RSS: start cycling (until `cycle_end`).
    go: AtomicBool,
    cycle_end: OnceLock<Instant>,
    /// Workers done cycling.
    cycled: AtomicUsize,
    /// Set by the main thread once it sampled the RSS again: tear down.
    teardown: AtomicBool,
}

/// Waits until `flag` is set, at most until `deadline`.
fn wait_for(flag: &AtomicBool, deadline: Instant) {
    while !flag.load(Ordering::Acquire) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// What one worker saw.
#[derive(Debug, Default)]
struct Tally {
    sessions: usize,
    cycles: u64,
    cycle_requests: u64,
    sent: u64,
    answered: u64,
    unsolicited: u64,
    /// Unsolicited events by `janus` kind.
    kinds: BTreeMap<String, u64>,
    examples: Vec<String>,
    errors: u64,
    kept: Vec<String>,
    latency: Histogram,
}

impl Tally {
    fn error(&mut self, text: String) {
        self.errors += 1;
        if self.kept.len() < ERRORS_KEPT {
            self.kept.push(text);
        }
    }

    fn merge(&mut self, other: Self) {
        self.sessions += other.sessions;
        self.cycles += other.cycles;
        self.cycle_requests += other.cycle_requests;
        self.sent += other.sent;
        self.answered += other.answered;
        self.unsolicited += other.unsolicited;
        self.examples.extend(other.examples.into_iter().take(4usize.saturating_sub(self.examples.len())));
        for (kind, n) in other.kinds {
            *self.kinds.entry(kind).or_default() += n;
        }
        self.errors += other.errors;
        let room = ERRORS_KEPT.saturating_sub(self.kept.len());
        self.kept.extend(other.kept.into_iter().take(room));
        self.latency.merge(&other.latency);
    }
}

/// One session under test.
struct Soaked {
    name: String,
    janus: Janus,
    session: SessionId,
    handle: HandleId,
    /// Requests sent / answered on this session.
    sent: u64,
    answered: u64,
    cycles: u64,
    /// Still usable (no error so far).
    healthy: bool,
    recent: VecDeque<String>,
    /// Unsolicited events seen (their JSON), to catch one delivered twice.
    seen: HashSet<String>,
    detached: usize,
    ended: usize,
}

impl Soaked {
    /// Connects, creates the session and attaches echotest.
    fn open(url: &str, name: String, tally: &mut Tally) -> Option<Self> {
        let options = Options { request_timeout: Duration::from_secs(10), ..Options::default() };
        let mut janus = match Janus::connect(url, options) {
            Ok(janus) => janus,
            Err(e) => {
                tally.error(format!("{name}: connect: {e}"));
                return None;
            }
        };
        tally.sent += 1;
        let session = match janus.create_session() {
            Ok(session) => session,
            Err(e) => {
                tally.error(format!("{name}: create: {e}"));
                return None;
            }
        };
        tally.answered += 1;
        let mut soaked = Self {
            name,
            janus,
            session,
            handle: HandleId(0),
            sent: 1,
            answered: 1,
            cycles: 0,
            healthy: true,
            recent: VecDeque::with_capacity(RECENT),
            seen: HashSet::new(),
            detached: 0,
            ended: 0,
        };
        soaked.handle = soaked.request(tally, "attach", |j| j.attach("janus.plugin.echotest", None))?;
        Some(soaked)
    }

    /// One request: counted, timed, its error recorded (which retires the session).
    fn request<T>(
        &mut self,
        tally: &mut Tally,
        what: &str,
        call: impl FnOnce(&mut Janus) -> Result<T, Error>,
    ) -> Option<T> {
        self.sent += 1;
        tally.sent += 1;
        match call(&mut self.janus) {
            Ok(value) => {
                self.answered += 1;
                tally.answered += 1;
                Some(value)
            }
            Err(e) => {
                self.healthy = false;
                tally.error(format!("{} ({}, handle {}): {what}: {e}", self.name, self.session, self.handle));
                None
            }
        }
    }

    /// One echotest cycle: a `message` and its checked answer, then the unsolicited events
    /// already received.
    fn cycle(&mut self, tally: &mut Tally) {
        let handle = self.handle;
        let started = Instant::now();
        let reply = if self.cycles % 10 == 9 {
            let body = Bitrate { bitrate: 64_000 + 8_000 * (self.cycles % 16) as u32 };
            self.request(tally, "message bitrate", |j| j.message(handle, &body))
        } else {
            self.request(tally, "message", |j| j.message(handle, &ECHO))
        };
        tally.latency.record(started.elapsed());
        self.cycles += 1;
        if let Some(reply) = reply
            && let Err(problem) = self.check_answer(&reply)
        {
            self.healthy = false;
            tally.error(format!("{}: {problem}: {reply}", self.name));
        }
        self.drain(tally, Duration::ZERO, false);
    }

    /// The answer of a `message`: an echotest event from our handle, `result: ok`, answering a
    /// request not answered before.
    fn check_answer(&mut self, reply: &OwnedMessage) -> Result<(), String> {
        let message = reply.message();
        let Message::Event(event) = message else { return Err("answered without an event".into()) };
        if event.sender != self.handle {
            return Err(format!("answer from handle {} instead of {}", event.sender, self.handle));
        }
        let data = live::plugin_data(reply);
        if live::plugin_name(reply) != "janus.plugin.echotest" || data["echotest"] != "event" || data["result"] != "ok"
        {
            return Err("not an echotest ok".into());
        }
        let transaction = message.transaction().map(|t| t.to_string()).ok_or("answer without a transaction")?;
        if self.recent.contains(&transaction) {
            return Err(format!("transaction {transaction} answered twice"));
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(transaction);
        Ok(())
    }

    /// Takes the events that come within `window` (with `Duration::ZERO`, those already
    /// received), checking each. `closing`: detach/destroy events are expected.
    fn drain(&mut self, tally: &mut Tally, window: Duration, closing: bool) {
        let deadline = Instant::now() + window;
        // Bounded: a flood of events is an error by itself.
        for _ in 0..256 {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = match self.janus.next_event(left) {
                Ok(Some(event)) => event,
                Ok(None) if Instant::now() < deadline => continue,
                Ok(None) => return,
                Err(e) => {
                    if !closing {
                        self.healthy = false;
                        tally.error(format!("{}: next_event: {e}", self.name));
                    }
                    return;
                }
            };
            if let Err(problem) = self.check_event(&event, closing) {
                tally.error(format!("{} ({}, handle {}): {problem}: {event:?}", self.name, self.session, self.handle));
            }
        }
        tally.error(format!("{}: more than 256 events at once", self.name));
    }

    fn check_event(&mut self, event: &Event, closing: bool) -> Result<(), String> {
        match event {
            Event::Handle { handle, message } => {
                if *handle != self.handle {
                    return Err("event for another session's handle".into());
                }
                if message.message().sender() != Some(self.handle) {
                    return Err("handle event with another sender".into());
                }
                let transaction = message.message().transaction().map(|t| t.to_string());
                if transaction.is_some_and(|t| self.recent.contains(&t)) {
                    return Err("event repeating an answer".into());
                }
                if !self.seen.insert(message.json().to_owned()) {
                    return Err("event delivered twice".into());
                }
                Ok(())
            }
            Event::HandleDetached(handle) if closing && *handle == self.handle => {
                self.detached += 1;
                Ok(())
            }
            Event::SessionEnded(session, SessionEnd::Destroyed) if closing && *session == self.session => {
                self.ended += 1;
                Ok(())
            }
            _ => Err("unexpected event".into()),
        }
    }
}

/// One worker: its sessions through all phases.
fn worker(url: &str, first: usize, count: usize, phases: &Phases, setup_deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut sessions: Vec<Soaked> = Vec::with_capacity(count);

    // Setup and warm-up.
    for index in first..first + count {
        if Instant::now() >= setup_deadline {
            tally.error(format!("setup deadline passed before session #{index}"));
            break;
        }
        // The first session that cannot be set up stops the setup (a server at its limit
        // would make every further one wait for its timeout).
        let Some(mut soaked) = Soaked::open(url, format!("session #{index}"), &mut tally) else { break };
        soaked.cycle(&mut tally);
        sessions.push(soaked);
    }
    tally.sessions = sessions.len();
    tally.latency = Histogram::default();
    phases.warm.fetch_add(1, Ordering::AcqRel);

    // Cycles, round-robin, until the main thread's deadline.
    wait_for(&phases.go, setup_deadline + Duration::from_secs(5));
    let end = phases.cycle_end.get().copied().unwrap_or_else(Instant::now);
    let cycles_before: u64 = sessions.iter().map(|s| s.cycles).sum();
    'cycling: while Instant::now() < end {
        let mut any = false;
        for soaked in sessions.iter_mut().filter(|s| s.healthy) {
            if Instant::now() >= end {
                break 'cycling;
            }
            soaked.cycle(&mut tally);
            any = true;
        }
        if !any {
            break;
        }
    }
    let cycles_after: u64 = sessions.iter().map(|s| s.cycles).sum();
    tally.cycles = cycles_after - cycles_before;
    tally.cycle_requests = tally.latency.count();
    phases.cycled.fetch_add(1, Ordering::AcqRel);

    // Teardown: detach all, take the events; destroy all, take the events.
    wait_for(&phases.teardown, end + Duration::from_secs(15));
    for soaked in &mut sessions {
        let handle = soaked.handle;
        soaked.request(&mut tally, "detach", |j| j.detach(handle));
    }
    for soaked in &mut sessions {
        soaked.drain(&mut tally, Duration::from_millis(20), true);
        soaked.request(&mut tally, "destroy", Janus::destroy_session);
    }
    for soaked in &mut sessions {
        soaked.drain(&mut tally, Duration::from_millis(20), true);
        if soaked.detached != 1 {
            tally.error(format!(
                "{}: HandleDetached({}) delivered {} times",
                soaked.name, soaked.handle, soaked.detached
            ));
        }
        if soaked.ended != 1 {
            tally.error(format!("{}: SessionEnded({}) delivered {} times", soaked.name, soaked.session, soaked.ended));
        }
        if soaked.sent != soaked.answered {
            tally.error(format!("{}: {} requests sent, {} answered", soaked.name, soaked.sent, soaked.answered));
        }
        tally.unsolicited += soaked.seen.len() as u64;
        for json in &soaked.seen {
            let kind = serde_json::from_str::<serde_json::Value>(json).ok().map(|v| v["janus"].to_string());
            let count = tally.kinds.entry(kind.unwrap_or_default()).or_default();
            *count += 1;
            if *count == 1 {
                // One example of each kind, for the summary.
                tally.examples.push(json.split_whitespace().collect());
            }
        }
    }
    tally
}

/// Waits until `counter` reaches `target`, every worker finished, or `deadline`.
fn wait_count(counter: &AtomicUsize, target: usize, workers: &[JoinHandle<Tally>], deadline: Instant) {
    while counter.load(Ordering::Acquire) < target
        && !workers.iter().all(JoinHandle::is_finished)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn soak(transport: Transport) {
    // One transport at a time: the RSS is the process's.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let endpoints = live::janus();
    let url = endpoints.url(transport).to_owned();
    let settings = Settings::from_env();
    let started = Instant::now();
    // Setup takes a few ms per session; allow far more.
    let setup_deadline = started + Duration::from_secs(30) + Duration::from_millis(100) * settings.sessions as u32;
    let phases = Arc::new(Phases::default());

    let mut workers = Vec::new();
    let mut first = 0;
    for t in 0..settings.threads {
        let count = settings.sessions / settings.threads + usize::from(t < settings.sessions % settings.threads);
        let (url, phases) = (url.clone(), Arc::clone(&phases));
        let worker = std::thread::Builder::new()
            .name(format!("soak-{transport:?}-{t}"))
            .spawn(move || worker(&url, first, count, &phases, setup_deadline))
            .expect("spawn a worker");
        workers.push(worker);
        first += count;
    }

    wait_count(&phases.warm, settings.threads, &workers, setup_deadline + Duration::from_secs(1));
    let setup_time = started.elapsed();
    let rss_start = metrics::rss_kib().unwrap_or(0);
    let cycle_start = Instant::now();
    let _ = phases.cycle_end.set(cycle_start + settings.cycle_time);
    phases.go.store(true, Ordering::Release);

    wait_count(&phases.cycled, settings.threads, &workers, cycle_start + settings.cycle_time + Duration::from_secs(12));
    let cycle_time = cycle_start.elapsed();
    let rss_end = metrics::rss_kib().unwrap_or(0);
    phases.teardown.store(true, Ordering::Release);

    let join_deadline = Instant::now() + Duration::from_secs(30) + Duration::from_millis(20) * settings.sessions as u32;
    while !workers.iter().all(JoinHandle::is_finished) && Instant::now() < join_deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(workers.iter().all(JoinHandle::is_finished), "{transport:?}: workers still running after teardown");
    let mut total = Tally::default();
    for worker in workers {
        match worker.join() {
            Ok(tally) => total.merge(tally),
            Err(_) => total.error("a worker panicked".into()),
        }
    }
    let rss_after = metrics::rss_kib().unwrap_or(0);

    let secs = cycle_time.as_secs_f64();
    println!(
        "soak {transport:?}: {} sessions ({} threads), {} cycles in {secs:.1} s ({:.0} requests/s), \
         latency p50 {:?} p99 {:?} max {:?}, setup {:.1} s, total {:.1} s, {} requests / {} answers, \
         {} unsolicited events {:?}, {} errors; RSS start {} end {} (growth {} KiB), after teardown {}",
        total.sessions,
        settings.threads,
        total.cycles,
        total.cycle_requests as f64 / secs,
        total.latency.quantile(0.5),
        total.latency.quantile(0.99),
        total.latency.max(),
        setup_time.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        total.sent,
        total.answered,
        total.unsolicited,
        total.kinds,
        total.errors,
        metrics::mib(rss_start),
        metrics::mib(rss_end),
        rss_end as i64 - rss_start as i64,
        metrics::mib(rss_after),
    );
    for example in &total.examples {
        println!("  unsolicited event, e.g.: {example}");
    }

    assert_eq!(total.errors, 0, "{transport:?}: {} errors, first ones:\n{}", total.errors, total.kept.join("\n"));
    assert_eq!(total.sessions, settings.sessions, "{transport:?}: not every session was set up");
    assert_eq!(total.sent, total.answered, "{transport:?}: requests sent vs answered");
    assert!(total.cycles >= total.sessions as u64, "{transport:?}: fewer cycles than sessions: {}", total.cycles);
    assert!(rss_start > 0 && rss_end > 0, "VmRSS unreadable");
    assert!(
        rss_end < rss_start + RSS_BOUND_KIB,
        "{transport:?}: RSS grew from {} to {} while cycling (bound {})",
        metrics::mib(rss_start),
        metrics::mib(rss_end),
        metrics::mib(RSS_BOUND_KIB)
    );
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn soak_ws() {
    soak(Transport::Ws);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn soak_http() {
    soak(Transport::Http);
}
