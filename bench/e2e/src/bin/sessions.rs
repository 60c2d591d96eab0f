//! Many sessions on ONE connection (`janus_signal_socket::Connection`) against a real Janus:
//! throughput, latency, routing and memory.
//!
//! Settings (environment): `URL` (default `ws://127.0.0.1:8188`), `SESSIONS` (default 1000),
//! `THREADS` (default 8), `SECONDS` of load (default 30), `IDLE` sessions per hundred that get
//! no request during the load and live on keepalives alone (default 10), `OFFER_EVERY` (every
//! Nth round of a thread over its handles is one of SDP offers, each followed by a `hangup`,
//! whose `hangup` event the handle must get exactly once; default 20), `QUEUE` (the
//! connection's `max_queued_events`; default its default, 1024, which a connection raises to
//! four a session).
//!
//! Setup: one connection; `SESSIONS` sessions, each with an echotest handle, made from
//! `THREADS` threads. Load: for `SECONDS`, every thread goes round its busy handles sending
//! `{"audio":true,"video":true}` (or an offer + hangup), timing each answer. Then every idle
//! session is asked once (it must have survived on keepalives: Janus ends a silent session
//! after 60 s), every handle's waiting events are taken, and every session destroyed.
//!
//! Checked (the run fails otherwise): every request answered without error; every answer
//! from its own handle; every event taken by a handle is its own; every offer's `hangup`
//! event arrives exactly once; no event dropped. Printed: one JSON line with sessions,
//! threads, seconds, requests, requests/s, p50/p99/max latency (ms), keepalive-only sessions
//! answered, events checked, RSS before the connection, after setup, per session, and at the
//! end of the load (latencies go to a fixed histogram of 10 µs buckets, made before the first
//! sample).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Connection, Handle, Options, Session};

const OFFER: &str = include_str!("../../../../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
    video: bool,
}

const ECHO: Echo = Echo { audio: true, video: true };

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Resident memory of this process, in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Latency buckets of 10 µs up to 200 ms (and one for everything slower): fixed size, made
/// before the first RSS sample, so that the records of a long run do not show as the client's
/// memory.
const BUCKETS: usize = 20_000;
const BUCKET_US: u128 = 10;

/// What one thread of the load saw.
struct Tally {
    requests: u64,
    offers: u64,
    hangups: u64,
    /// echotest's `result: done` (its PeerConnection is gone).
    dones: u64,
    events: u64,
    histogram: Vec<u64>,
    max_us: u128,
}

impl Tally {
    fn new() -> Self {
        // Written, not just reserved: every page is resident now.
        let histogram = std::hint::black_box(vec![u64::MAX; BUCKETS + 1]).into_iter().map(|_| 0).collect();
        Self { requests: 0, offers: 0, hangups: 0, dones: 0, events: 0, histogram, max_us: 0 }
    }

    fn record(&mut self, micros: u128) {
        let bucket = usize::try_from(micros / BUCKET_US).unwrap_or(BUCKETS).min(BUCKETS);
        self.histogram[bucket] += 1;
        self.max_us = self.max_us.max(micros);
    }
}

fn fail(what: String) -> ! {
    eprintln!("sessions bench FAILED: {what}");
    std::process::exit(1);
}

fn main() {
    let url = std::env::var("URL").unwrap_or_else(|_| "ws://127.0.0.1:8188".to_owned());
    let sessions = env("SESSIONS", 1000) as usize;
    let threads = (env("THREADS", 8) as usize).clamp(1, sessions.max(1));
    let seconds = env("SECONDS", 30);
    let idle_percent = env("IDLE", 10).min(100) as usize;
    let offer_every = env("OFFER_EVERY", 20).max(1);
    // Every thread takes a handle's events when it comes back to that handle: in a round of
    // offers each of its handles has two events waiting (`hangup` and echotest's `done`) until
    // the next round. The connection keeps four a session by default.
    let queue = env("QUEUE", Options::default().max_queued_events as u64) as usize;

    let mut spare: Vec<Tally> = (0..threads).map(|_| Tally::new()).collect();
    let rss_start = rss_kib();
    let options = Options { max_queued_events: queue, ..Options::default() };
    let connection = Connection::connect(&url, options).unwrap_or_else(|e| fail(format!("connect: {e}")));
    let setup_started = Instant::now();
    // Each thread makes its share of the sessions and handles.
    let made: Vec<Vec<(Session, Handle)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let connection = &connection;
                s.spawn(move || {
                    (t..sessions)
                        .step_by(threads)
                        .map(|i| {
                            let session =
                                connection.create_session().unwrap_or_else(|e| fail(format!("create #{i}: {e}")));
                            let handle = session
                                .attach("janus.plugin.echotest", None)
                                .unwrap_or_else(|e| fail(format!("attach #{i}: {e}")));
                            (session, handle)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| fail("a setup thread panicked".into()))).collect()
    });
    let setup_seconds = setup_started.elapsed().as_secs_f64();
    let rss_setup = rss_kib();

    // The first IDLE percent of each thread's sessions get nothing during the load.
    let split: Vec<(Mine<'_>, Mine<'_>)> = made
        .iter()
        .map(|mine| {
            let idle = mine.len() * idle_percent / 100;
            (mine[..idle].iter().collect(), mine[idle..].iter().collect())
        })
        .collect();

    let total_requests = AtomicU64::new(0);
    let load_started = Instant::now();
    let stop_at = load_started + Duration::from_secs(seconds);
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let workers: Vec<_> = split
            .iter()
            .map(|(_, busy)| {
                let total = &total_requests;
                let mut tally = spare.pop().unwrap_or_else(Tally::new);
                s.spawn(move || {
                    if busy.is_empty() {
                        return tally;
                    }
                    let mut round: u64 = 0;
                    'load: loop {
                        for (_, handle) in busy {
                            if Instant::now() >= stop_at {
                                break 'load;
                            }
                            let started = Instant::now();
                            if round % offer_every == offer_every - 1 {
                                offer_and_hang_up(handle);
                                tally.offers += 1;
                            } else {
                                let answer = handle.message(&ECHO).unwrap_or_else(|e| fail(format!("message: {e}")));
                                if answer.message().sender() != Some(handle.id()) {
                                    fail(format!("answer of another handle reached {}: {answer}", handle.id()));
                                }
                            }
                            tally.record(started.elapsed().as_micros());
                            tally.requests += 1;
                            total.fetch_add(1, Ordering::Relaxed);
                            // Take this handle's events as they come, checking them.
                            take_events(handle, Duration::ZERO, &mut tally);
                        }
                        round += 1;
                    }
                    tally
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| fail("a load thread panicked".into()))).collect()
    });
    let load_seconds = load_started.elapsed().as_secs_f64();
    let rss_load = rss_kib();

    // Idle sessions lived on keepalives alone: each answers now.
    let mut idle_answered = 0;
    for (idle, _) in &split {
        for (_, handle) in idle {
            let answer = handle.message(&ECHO).unwrap_or_else(|e| fail(format!("idle session's message: {e}")));
            if answer.message().sender() != Some(handle.id()) {
                fail(format!("answer of another handle reached idle {}", handle.id()));
            }
            idle_answered += 1;
        }
    }
    // The last hangup events, then every count.
    let mut requests = 0;
    let mut offers = 0;
    let mut hangups = 0;
    let mut dones = 0;
    let mut events = 0;
    let mut histogram = vec![0u64; BUCKETS + 1];
    let mut max_us = 0;
    for (mut tally, (_, busy)) in tallies.into_iter().zip(&split) {
        for (_, handle) in busy {
            take_events(handle, Duration::from_millis(20), &mut tally);
        }
        requests += tally.requests;
        offers += tally.offers;
        hangups += tally.hangups;
        dones += tally.dones;
        events += tally.events;
        for (total, n) in histogram.iter_mut().zip(&tally.histogram) {
            *total += n;
        }
        max_us = max_us.max(tally.max_us);
    }
    if hangups != offers {
        fail(format!(
            "{offers} offers hung up but {hangups} hangup events reached their handles ({dones} echotest `done` \
             events, {} events dropped)",
            connection.dropped_events()
        ));
    }
    let dropped = connection.dropped_events();
    if dropped != 0 {
        fail(format!("{dropped} events dropped"));
    }
    let teardown = Instant::now();
    std::thread::scope(|s| {
        for mine in &made {
            s.spawn(move || {
                for (session, _) in mine {
                    session.destroy().unwrap_or_else(|e| fail(format!("destroy: {e}")));
                }
            });
        }
    });
    let teardown_seconds = teardown.elapsed().as_secs_f64();
    // The upper edge of the bucket where the quantile falls, in ms.
    let count: u64 = histogram.iter().sum();
    let pick = |q: f64| {
        let rank = ((count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in histogram.iter().enumerate() {
            seen += n;
            if seen >= rank {
                // Beyond the last bucket: the slowest is the best bound known.
                let upper = if i == BUCKETS { max_us } else { (i as u128 + 1) * BUCKET_US };
                return upper as f64 / 1000.0;
            }
        }
        max_us as f64 / 1000.0
    };
    println!(
        "{{\"url\":\"{url}\",\"sessions\":{sessions},\"threads\":{threads},\"idle_sessions\":{idle_answered},\
         \"seconds\":{load_seconds:.1},\"requests\":{requests},\"offers\":{offers},\"requests_per_s\":{:.0},\
         \"p50_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3},\"handle_events_checked\":{events},\
         \"setup_s\":{setup_seconds:.2},\"teardown_s\":{teardown_seconds:.2},\"rss_start_kib\":{rss_start},\
         \"rss_setup_kib\":{rss_setup},\"rss_per_session_kib\":{:.1},\"rss_end_of_load_kib\":{rss_load},\
         \"queue\":{queue},\"dropped_events\":{}}}",
        requests as f64 / load_seconds,
        pick(0.5),
        pick(0.99),
        max_us as f64 / 1000.0,
        (rss_setup.saturating_sub(rss_start)) as f64 / sessions.max(1) as f64,
        dropped,
    );
    connection.close();
}

/// One thread's sessions and handles (idle or busy).
type Mine<'a> = Vec<&'a (Session, Handle)>;

/// An offer, answered with Janus's SDP; then a hangup, whose event the handle gets later.
fn offer_and_hang_up(handle: &Handle) {
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = handle.message_with_jsep(&ECHO, &offer).unwrap_or_else(|e| fail(format!("offer: {e}")));
    if answer.message().sender() != Some(handle.id()) || !answer.json().contains("\"jsep\"") {
        fail(format!("the offer of {} was not answered with an SDP: {answer}", handle.id()));
    }
    handle.hangup().unwrap_or_else(|e| fail(format!("hangup: {e}")));
}

/// Takes the handle's waiting events (waiting up to `wait` for each), checking they are its
/// own, and counts its `hangup`s.
fn take_events(handle: &Handle, wait: Duration, tally: &mut Tally) {
    loop {
        let event = handle.next_event(wait).unwrap_or_else(|e| fail(format!("next_event: {e}")));
        let Some(message) = event else { return };
        if message.message().sender() != Some(handle.id()) || message.message().session_id() != Some(handle.session()) {
            fail(format!("an event of another handle reached {}: {message}", handle.id()));
        }
        tally.events += 1;
        if message.kind() == "hangup" {
            tally.hangups += 1;
        } else if message.json().contains("\"done\"") {
            tally.dones += 1;
        }
    }
}
