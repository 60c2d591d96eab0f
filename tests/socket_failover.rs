//! `Janus::connect_any`: a list of servers tried in order, in bounded rounds with a back-off.
//!
//! - A dead server (a closed port) before the default Janus (`tests/janus/janus-server start`,
//!   from `JANUS_HTTP_URL`/`JANUS_WS_URL`): the client ends up on the live one, says so in
//!   `server_url`, and works; over both transports. `#[ignore]`d (live): `tests/run` runs
//!   them with its Janus; run without one they fail.
//! - No Janus needed: only dead servers give `Error::NoServerReachable` listing every attempt
//!   (URL, round, error) in order, after the back-off pauses and no longer; a server that
//!   accepts connections but never answers is given up on at `Failover::max_total`; an empty
//!   list and a malformed URL are errors before anything is tried.

#[path = "socket_support/live.rs"]
mod live;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use janus_signal_socket::{Error, Failover, Janus, Options, ServerFailure};

use live::Transport;

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
    live::assert_echotest_ok(&janus.message(handle, &live::ECHO).expect("message"), handle);
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
