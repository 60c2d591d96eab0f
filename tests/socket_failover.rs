//! `Janus::connect_any`: a list of servers tried in order, in bounded rounds with a back-off.
//!
//! - A dead server (a closed port) before the default Janus (`tests/janus/janus-server start`,
//!   from `JANUS_HTTP_URL`/`JANUS_WS_URL`): the client ends up on the live one, says so in
//!   `server_url`, and works; over both transports. `#[ignore]`d (live): `tests/run` runs
//!   them with its Janus; run without one they fail.
//! - `Janus::reconnect_any` with two extra Janus instances this file starts itself (the
//!   first with `reclaim_session_timeout = 10`; ports below, 29078–29191): the first one
//!   SIGKILLed mid-session → the client moves to the second with a new session, and the
//!   result lists the handles lost (the old handle is gone, a new one works); the connection
//!   to the first one dropped while it keeps running → the session is claimed back there, its
//!   handle still answers. Over both transports. A WebSocket server killed with an HTTP one
//!   next → new session there, `LossReason::OtherTransport`. The only server paused (SIGSTOP)
//!   → `NoServerReachable` within the bounds, the session still to be claimed with its handle;
//!   resumed (SIGCONT) → claimed.
//! - No Janus needed: `reconnect_any` against a server that accepts connections but never
//!   answers gives up at `Failover::max_total`. Only dead servers give `Error::NoServerReachable` listing every attempt
//!   (URL, round, error) in order, after the back-off pauses and no longer; a server that
//!   accepts connections but never answers is given up on at `Failover::max_total`; an empty
//!   list and a malformed URL are errors before anything is tried.

#[path = "support/live.rs"]
mod live;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::client::SessionState;
use janus_signal_socket::{Error, Failover, Janus, LossReason, Options, Reconnected, ServerFailure};

use live::{ECHO, InstanceConfig, SharedInstance, Transport};

/// The server clients fail over to (no reclaim timeout).
static SECOND: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "failover-second",
    http_port: 29088,
    ws_port: 29188,
    admin_port: 29078,
    env: &[],
});

/// First servers, with `reclaim_session_timeout = 10`: one per test that kills it, one kept.
static KILLED_HTTP: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "failover-killed-http",
    http_port: 29089,
    ws_port: 29189,
    admin_port: 29079,
    env: &[("JANUS_RECLAIM_TIMEOUT", "10")],
});
static KILLED_WS: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "failover-killed-ws",
    http_port: 29090,
    ws_port: 29190,
    admin_port: 29080,
    env: &[("JANUS_RECLAIM_TIMEOUT", "10")],
});
static KILLED_MIXED: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "failover-killed-mixed",
    http_port: 29092,
    ws_port: 29192,
    admin_port: 29082,
    env: &[("JANUS_RECLAIM_TIMEOUT", "10")],
});
static PAUSED: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "failover-paused",
    http_port: 29093,
    ws_port: 29193,
    admin_port: 29083,
    env: &[("JANUS_RECLAIM_TIMEOUT", "10")],
});
static RECLAIM: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "failover-reclaim",
    http_port: 29091,
    ws_port: 29191,
    admin_port: 29081,
    env: &[("JANUS_RECLAIM_TIMEOUT", "10")],
});

/// A port on which nothing listens (bound once, then closed).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A port that accepts connections and never says a word, for `lifetime`.
fn silent_port(lifetime: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let until = Instant::now() + lifetime;
        let mut held = Vec::new();
        while Instant::now() < until {
            match listener.accept() {
                Ok((stream, _)) => held.push(stream),
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    port
}

fn dead_url(transport: Transport, port: u16) -> String {
    match transport {
        Transport::Http => format!("http://127.0.0.1:{port}/janus"),
        Transport::Ws => format!("ws://127.0.0.1:{port}"),
    }
}

fn quick(failover: Failover) -> Options {
    Options { connect_timeout: Duration::from_secs(2), failover, ..Options::default() }
}

fn a_dead_server_first_then_the_live_one(transport: Transport) {
    let endpoints = live::janus();
    let live_url = endpoints.url(transport);
    let dead = dead_url(transport, closed_port());
    let started = Instant::now();
    let mut janus = Janus::connect_any(&[dead.as_str(), live_url], Options::default())
        .unwrap_or_else(|e| panic!("connect_any([{dead}, {live_url}]): {e}"));
    let took = started.elapsed();
    assert_eq!(janus.server_url(), live_url);
    // A refused connection costs nothing: the second server is tried at once, no back-off.
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let session = janus.create_session().expect("create on the live server");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    janus.destroy_session().expect("destroy");
    assert_ne!(session.0, 0);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_dead_server_first_then_the_live_one_over_http() {
    a_dead_server_first_then_the_live_one(Transport::Http);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_dead_server_first_then_the_live_one_over_ws() {
    a_dead_server_first_then_the_live_one(Transport::Ws);
}

#[test]
fn only_dead_servers_give_every_attempt_after_a_bounded_back_off() {
    let urls = [dead_url(Transport::Http, closed_port()), dead_url(Transport::Ws, closed_port())];
    let failover = Failover {
        rounds: 3,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(150),
        max_total: Duration::from_secs(20),
    };
    let started = Instant::now();
    let result = Janus::connect_any(&urls, quick(failover));
    let took = started.elapsed();
    let Err(Error::NoServerReachable { failures }) = result else {
        panic!("expected NoServerReachable, got {result:?}")
    };
    let attempts: Vec<(&str, u32)> = failures.iter().map(|f| (f.url.as_str(), f.round)).collect();
    assert_eq!(
        attempts,
        [
            (urls[0].as_str(), 1),
            (urls[1].as_str(), 1),
            (urls[0].as_str(), 2),
            (urls[1].as_str(), 2),
            (urls[0].as_str(), 3),
            (urls[1].as_str(), 3)
        ]
    );
    for ServerFailure { url, error, .. } in &failures {
        assert!(matches!(error, Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused), "{url}: {error:?}");
    }
    // Two pauses, 100 ms then 150 ms (doubled, capped), and nothing else to wait for.
    assert!(took >= Duration::from_millis(250), "took {took:?}: no back-off");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let message = Error::NoServerReachable { failures }.to_string();
    assert!(message.contains(&urls[0]) && message.contains(&urls[1]) && message.contains("round 3"), "{message}");
}

#[test]
fn a_server_that_never_answers_is_given_up_on_at_max_total() {
    let port = silent_port(Duration::from_secs(10));
    let urls = [dead_url(Transport::Ws, port), dead_url(Transport::Http, port)];
    let failover = Failover {
        rounds: 100,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(100),
        max_total: Duration::from_millis(1500),
    };
    // Each attempt alone may take the 5 s connect timeout: max_total cuts it.
    let options = Options { connect_timeout: Duration::from_secs(5), failover, ..Options::default() };
    let started = Instant::now();
    let result = Janus::connect_any(&urls, options);
    let took = started.elapsed();
    let Err(Error::NoServerReachable { failures }) = result else {
        panic!("expected NoServerReachable, got {result:?}")
    };
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert!(!failures.is_empty());
    assert_eq!(failures[0].url, urls[0]);
    assert!(matches!(failures[0].error, Error::Timeout), "{:?}", failures[0].error);
}

#[test]
fn an_empty_list_or_a_malformed_url_is_an_error_before_anything_is_tried() {
    let none: [&str; 0] = [];
    assert!(matches!(Janus::connect_any(&none, Options::default()), Err(Error::NoServers)));
    // The malformed URL comes second, after a live-looking one that is never tried.
    let port = silent_port(Duration::from_secs(2));
    let started = Instant::now();
    let result =
        Janus::connect_any(&[format!("ws://127.0.0.1:{port}"), "ftp://127.0.0.1".to_owned()], Options::default());
    assert!(matches!(&result, Err(Error::InvalidUrl(url)) if url == "ftp://127.0.0.1"), "{result:?}");
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn zero_rounds_is_one() {
    let url = dead_url(Transport::Http, closed_port());
    let failover = Failover { rounds: 0, ..Failover::default() };
    let Err(Error::NoServerReachable { failures }) = Janus::connect_any(&[&url], quick(failover)) else {
        panic!("a closed port answered")
    };
    assert_eq!(failures.len(), 1);
    assert_eq!((failures[0].url.as_str(), failures[0].round), (url.as_str(), 1));
}

/// Bounded failover for the reconnect tests: 3 rounds, short pauses, 20 s at most.
fn reconnect_options() -> Options {
    quick(Failover {
        rounds: 3,
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_millis(400),
        max_total: Duration::from_secs(20),
    })
}

fn a_killed_server_is_left_for_the_second_with_a_new_session(first: &'static SharedInstance, transport: Transport) {
    let first = first.start();
    let second = SECOND.start();
    let (first_url, second_url) = (first.endpoints.url(transport), second.endpoints.url(transport));
    let mut janus = Janus::connect_any(&[first_url, second_url], reconnect_options()).expect("connect_any");
    assert_eq!(janus.server_url(), first_url);
    let old = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);

    first.kill();
    assert!(janus.ping().is_err(), "the killed server answered");
    let started = Instant::now();
    let result = janus.reconnect_any().expect("reconnect_any");
    let took = started.elapsed();
    let Reconnected::NewSession { server, session, lost } = &result else {
        panic!("expected a new session on the second server, got {result:?}")
    };
    assert_eq!(server, second_url);
    assert_eq!(janus.server_url(), second_url);
    assert_ne!(*session, old);
    assert_eq!(janus.session_id(), Some(*session));
    assert_eq!((lost.session, lost.handles.as_slice(), lost.reason), (old, &[handle][..], LossReason::NotFound));
    assert_eq!(result.lost(), Some(lost));
    // The killed server refuses at once: no back-off was needed.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // The old handle is gone for the client too; a new one works on the second server.
    assert_eq!(janus.client().handles().count(), 0);
    assert!(janus.message(handle, &ECHO).is_err(), "the lost handle still answers");
    let new_handle = janus.attach("janus.plugin.echotest", None).expect("attach on the second server");
    live::assert_echotest_ok(&janus.message(new_handle, &ECHO).expect("message"), new_handle);
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_killed_server_is_left_for_the_second_with_a_new_session_over_http() {
    a_killed_server_is_left_for_the_second_with_a_new_session(&KILLED_HTTP, Transport::Http);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_killed_server_is_left_for_the_second_with_a_new_session_over_ws() {
    a_killed_server_is_left_for_the_second_with_a_new_session(&KILLED_WS, Transport::Ws);
}

fn a_dropped_connection_claims_the_session_back(transport: Transport) {
    let first = RECLAIM.start();
    let second = SECOND.start();
    let (first_url, second_url) = (first.endpoints.url(transport), second.endpoints.url(transport));
    let mut janus = Janus::connect_any(&[first_url, second_url], reconnect_options()).expect("connect_any");
    assert_eq!(janus.server_url(), first_url);
    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");

    janus.drop_connection();
    // Let Janus see the closed socket (over WebSocket: the session waits for its claim).
    std::thread::sleep(Duration::from_millis(200));
    let result = janus.reconnect_any().expect("reconnect_any");
    assert_eq!(result, Reconnected::Claimed { server: first_url.to_owned(), session });
    assert_eq!(result.lost(), None);
    assert_eq!(janus.server_url(), first_url);
    assert_eq!(janus.client().session(), SessionState::Active(session));
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message after the claim"), handle);
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_dropped_connection_claims_the_session_back_over_http() {
    a_dropped_connection_claims_the_session_back(Transport::Http);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_dropped_connection_claims_the_session_back_over_ws() {
    a_dropped_connection_claims_the_session_back(Transport::Ws);
}

#[test]
fn reconnect_any_gives_up_at_max_total_when_no_server_answers() {
    // An HTTP "server" that accepts connections and never answers: `connect` (no request yet)
    // succeeds, every `reconnect_any` attempt's ping times out.
    let port = silent_port(Duration::from_secs(10));
    let failover = Failover {
        rounds: 100,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(100),
        max_total: Duration::from_millis(1500),
    };
    let options = Options { connect_timeout: Duration::from_secs(5), failover, ..Options::default() };
    let url = dead_url(Transport::Http, port);
    let mut janus = Janus::connect(&url, options).expect("connect");
    let started = Instant::now();
    let result = janus.reconnect_any();
    let took = started.elapsed();
    let Err(Error::NoServerReachable { failures }) = result else {
        panic!("expected NoServerReachable, got {result:?}")
    };
    assert!(took >= Duration::from_millis(1400) && took < Duration::from_millis(2500), "took {took:?}");
    assert!(!failures.is_empty());
    assert!(failures.iter().all(|f| f.url == url && matches!(f.error, Error::Timeout)), "{failures:?}");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_killed_websocket_server_is_left_for_an_http_one_with_a_new_session() {
    let first = KILLED_MIXED.start();
    let second = SECOND.start();
    let (first_url, second_url) = (first.endpoints.url(Transport::Ws), second.endpoints.url(Transport::Http));
    let mut janus = Janus::connect_any(&[first_url, second_url], reconnect_options()).expect("connect_any");
    assert_eq!(janus.server_url(), first_url);
    let old = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    first.kill();
    let result = janus.reconnect_any().expect("reconnect_any");
    let Reconnected::NewSession { server, session, lost } = &result else {
        panic!("expected a new session on the HTTP server, got {result:?}")
    };
    assert_eq!((server.as_str(), janus.session_id()), (second_url, Some(*session)));
    assert_eq!((lost.session, lost.handles.as_slice(), lost.reason), (old, &[handle][..], LossReason::OtherTransport));
    let new_handle = janus.attach("janus.plugin.echotest", None).expect("attach over HTTP");
    live::assert_echotest_ok(&janus.message(new_handle, &ECHO).expect("message over HTTP"), new_handle);
    janus.destroy_session().expect("destroy");
}

/// Resumes a paused Janus when the test ends, even when it fails.
struct Resume<'a>(&'a live::Instance);

impl Drop for Resume<'_> {
    fn drop(&mut self) {
        self.0.signal("-CONT");
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn no_server_answering_keeps_the_session_to_claim_later() {
    let only = PAUSED.start();
    let url = only.endpoints.url(Transport::Ws);
    let failover = Failover {
        rounds: 2,
        initial_backoff: Duration::from_millis(200),
        max_backoff: Duration::from_millis(200),
        max_total: Duration::from_secs(3),
    };
    let options = Options { connect_timeout: Duration::from_secs(1), failover, ..Options::default() };
    let mut janus = Janus::connect_any(&[url], options).expect("connect_any");
    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");

    janus.drop_connection();
    only.signal("-STOP");
    let resume = Resume(&only);
    let started = Instant::now();
    let result = janus.reconnect_any();
    let took = started.elapsed();
    let Err(Error::NoServerReachable { failures }) = &result else {
        panic!("expected NoServerReachable from a paused server, got {result:?}")
    };
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // Nothing was given up: the session waits for its claim, with its handle.
    assert_eq!(janus.client().session(), SessionState::Disconnected(session));
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);

    drop(resume);
    let result = janus.reconnect_any().expect("reconnect_any after SIGCONT");
    assert_eq!(result, Reconnected::Claimed { server: url.to_owned(), session });
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message after the claim"), handle);
    janus.destroy_session().expect("destroy");
}
