//! Fault injection between `janus-signal-socket` and a real Janus, over both transports: a
//! loopback TCP proxy owned by the tests (`support/proxy.rs`) delays, stalls, truncates,
//! cuts, corrupts and drops the default Janus's connections, and every call must end with a
//! typed [`Error`] within `request_timeout` (2 s) plus a margin, the session going on where the
//! protocol allows. Also: a reply above `max_message_size`, and an extra Janus (HTTP 19088, WS
//! 19188, Admin 19089, work dir `target/janus-fault`) killed with SIGKILL and restarted.
//!
//! Janus comes from `JANUS_HTTP_URL`, `JANUS_WS_URL` (defaults: ports 8088/8188). Every test is
//! `#[ignore]`d (live): `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;
#[path = "support/proxy.rs"]
mod proxy;

use std::process::Command;
use std::time::{Duration, Instant};

use janus_signal_socket::{Error, Event, Janus, Options};

use live::Transport;
use proxy::{Dir, Fault, Proxy, Scope};

/// The request timeout of every client here.
const TIMEOUT: Duration = Duration::from_secs(2);
/// What a failing call may take beyond [`TIMEOUT`].
const MARGIN: Duration = Duration::from_millis(800);

fn options() -> Options {
    Options { request_timeout: TIMEOUT, connect_timeout: TIMEOUT, ..Options::default() }
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default()
}

/// A proxy in front of the default Janus's `transport`, and the client URL through it; fails
/// the test without a Janus.
fn proxied(transport: Transport) -> (Proxy, String) {
    let janus = live::janus();
    let proxy = Proxy::start(authority(janus.url(transport)));
    let url = match transport {
        Transport::Http => proxy.http_url(),
        Transport::Ws => proxy.ws_url(),
    };
    (proxy, url)
}

/// A client through the proxy, with a session.
fn session(url: &str) -> Janus {
    let mut janus = live::connect(url, options());
    janus.create_session().expect("create through the proxy");
    janus
}

/// Runs `call`, returning its result and how long it took.
fn timed<T>(call: impl FnOnce() -> Result<T, Error>) -> (Result<T, Error>, Duration) {
    let start = Instant::now();
    let result = call();
    (result, start.elapsed())
}

/// Asserts that `result` failed with an error `expected` accepts, within the timeout + margin.
#[track_caller]
fn expect_error<T: std::fmt::Debug>(
    what: &str,
    (result, elapsed): (Result<T, Error>, Duration),
    expected: fn(&Error) -> bool,
) -> Error {
    eprintln!("{what}: {result:?} after {elapsed:?}");
    assert!(elapsed <= TIMEOUT + MARGIN, "{what}: took {elapsed:?}, more than {TIMEOUT:?} + {MARGIN:?}");
    match result {
        Err(e) if expected(&e) => e,
        other => panic!("{what}: unexpected result {other:?}"),
    }
}

fn is_timeout(e: &Error) -> bool {
    matches!(e, Error::Timeout)
}

/// The connection broke: closed, reset, or a WebSocket protocol error about it.
fn is_broken(e: &Error) -> bool {
    matches!(e, Error::Closed | Error::Io(_) | Error::WebSocket(_))
}

/// Over WebSocket the session died with its socket (the default Janus has no reclaim
/// timeout): `reconnect()`, the claim fails with 458 (or succeeds), then a new session works.
fn recover_ws(janus: &mut Janus, what: &str) {
    let session = live::session_of(janus);
    janus.reconnect().unwrap_or_else(|e| panic!("{what}: reconnect: {e}"));
    match janus.claim_session(session) {
        Ok(()) => eprintln!("{what}: the session was claimed back"),
        Err(e) => {
            assert_eq!(e.janus_code(), Some(458), "{what}: claim failed otherwise than with 458: {e:?}");
            janus.create_session().unwrap_or_else(|e| panic!("{what}: new session after reconnect: {e}"));
        }
    }
    janus.keepalive().unwrap_or_else(|e| panic!("{what}: keepalive on the new connection: {e}"));
}

/// The session goes on: over HTTP (a broken connection is reopened) and over an intact WebSocket
/// the very next request works; over a broken WebSocket after `reconnect()`.
fn goes_on(janus: &mut Janus, transport: Transport, ws_broken: bool, what: &str) {
    if transport == Transport::Ws && ws_broken {
        recover_ws(janus, what);
        return;
    }
    let (result, elapsed) = timed(|| janus.keepalive());
    eprintln!("{what}: next keepalive {result:?} after {elapsed:?}");
    result.unwrap_or_else(|e| panic!("{what}: the session does not go on: {e:?}"));
    janus.server_info().unwrap_or_else(|e| panic!("{what}: server_info afterwards: {e:?}"));
}

macro_rules! both_transports {
    ($($scenario:ident => $http:ident, $ws:ident;)*) => {$(
        #[test]
        #[ignore = "live: needs a Janus (tests/run starts one)"]
        fn $http() {
            $scenario(Transport::Http);
        }
        #[test]
        #[ignore = "live: needs a Janus (tests/run starts one)"]
        fn $ws() {
            $scenario(Transport::Ws);
        }
    )*};
}

both_transports! {
    delay_below_timeout => http_delayed_chunks_slow_but_succeed, ws_delayed_chunks_slow_but_succeed;
    delay_beyond_timeout => http_delay_beyond_timeout_times_out, ws_delay_beyond_timeout_times_out;
    stall_responses => http_stalled_responses_time_out, ws_stalled_responses_time_out;
    stall_requests => http_stalled_requests_time_out, ws_stalled_requests_time_out;
    truncate_response => http_truncated_response_is_closed, ws_truncated_response_is_closed;
    close_mid_response => http_close_mid_response_is_closed, ws_close_mid_response_is_closed;
    raw_garbage => http_raw_garbage_is_a_protocol_error, ws_raw_garbage_is_a_protocol_error;
    corrupt_json => http_corrupt_json_is_a_decode_error, ws_corrupt_json_is_a_decode_error;
    drop_idle => http_idle_connection_dropped, ws_idle_connection_dropped;
    too_large => http_reply_above_max_message_size, ws_reply_above_max_message_size;
}

/// Each chunk of the replies 150 ms late: still well within the timeout.
fn delay_below_timeout(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    let delay = Duration::from_millis(150);
    proxy.set(Scope::All, Dir::Down, Fault { delay, ..Fault::default() });
    let (result, elapsed) = timed(|| janus.server_info());
    eprintln!("{transport:?} delayed server_info: ok={} after {elapsed:?}", result.is_ok());
    result.expect("a delayed server_info");
    assert!(elapsed >= delay && elapsed < TIMEOUT, "{elapsed:?}");
    proxy.clear();
    janus.keepalive().expect("keepalive");
}

/// Replies 5 s late: `Timeout` at 2 s; without the delay the session goes on.
fn delay_beyond_timeout(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Down, Fault { delay: Duration::from_secs(5), ..Fault::default() });
    let what = format!("{transport:?} reply delayed 5 s");
    let (result, elapsed) = timed(|| janus.keepalive());
    expect_error(&what, (result, elapsed), is_timeout);
    assert!(elapsed >= TIMEOUT - Duration::from_millis(100), "{what}: gave up early, after {elapsed:?}");
    proxy.clear();
    goes_on(&mut janus, transport, false, &what);
}

/// Janus's answers are held back: `Timeout`; once they flow again the session goes on (over
/// WebSocket on the same socket, the late answer being ignored).
fn stall_responses(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Down, Fault { stall: true, ..Fault::default() });
    let what = format!("{transport:?} stalled responses");
    expect_error(&what, timed(|| janus.keepalive()), is_timeout);
    proxy.clear();
    goes_on(&mut janus, transport, false, &what);
}

/// The requests are held back: `Timeout`; then the session goes on.
fn stall_requests(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Up, Fault { stall: true, ..Fault::default() });
    let what = format!("{transport:?} stalled requests");
    expect_error(&what, timed(|| janus.keepalive()), is_timeout);
    proxy.clear();
    goes_on(&mut janus, transport, false, &what);
}

/// Only the first 12 bytes of the answer (inside the HTTP head / the first WebSocket frame),
/// then the connection closes: a closed-connection error at once.
fn truncate_response(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Down, Fault { cut_after: Some(12), ..Fault::default() });
    let what = format!("{transport:?} response truncated after 12 bytes");
    let (result, elapsed) = timed(|| janus.server_info());
    expect_error(&what, (result, elapsed), is_broken);
    assert!(elapsed < TIMEOUT, "{what}: a closed connection must not wait for the timeout ({elapsed:?})");
    proxy.clear();
    goes_on(&mut janus, transport, true, &what);
}

/// The ~3 KB `server_info` cut after 1500 bytes (in its body / payload): closed at once.
fn close_mid_response(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Down, Fault { cut_after: Some(1500), ..Fault::default() });
    let what = format!("{transport:?} connection closed mid-response");
    let (result, elapsed) = timed(|| janus.server_info());
    expect_error(&what, (result, elapsed), is_broken);
    assert!(elapsed < TIMEOUT, "{what}: a closed connection must not wait for the timeout ({elapsed:?})");
    proxy.clear();
    goes_on(&mut janus, transport, true, &what);
}

/// Bytes that are neither HTTP nor a valid WebSocket frame (a FIN frame with reserved opcode
/// 0xF) before the answer: `Http(..)` / `WebSocket(..)`, at once.
fn raw_garbage(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Down, Fault { garbage: Some(b"\x8f\x03abc".to_vec()), ..Fault::default() });
    let what = format!("{transport:?} garbage before the answer");
    let expected: fn(&Error) -> bool = match transport {
        Transport::Http => |e| matches!(e, Error::Http(_)),
        Transport::Ws => |e| matches!(e, Error::WebSocket(_)),
    };
    let (result, elapsed) = timed(|| janus.server_info());
    expect_error(&what, (result, elapsed), expected);
    assert!(elapsed < TIMEOUT, "{what}: garbage must not wait for the timeout ({elapsed:?})");
    proxy.clear();
    goes_on(&mut janus, transport, true, &what);
}

/// Well-framed answer whose JSON is broken (`{` → `#`): `Decode(..)` at once; the connection
/// is still in step, so the session goes on (over WebSocket on the same socket).
fn corrupt_json(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    proxy.set(Scope::All, Dir::Down, Fault { corrupt_json: true, ..Fault::default() });
    let what = format!("{transport:?} corrupted JSON");
    let (result, elapsed) = timed(|| janus.server_info());
    match transport {
        // An HTTP response answers its request: broken JSON fails that request at once.
        Transport::Http => {
            expect_error(&what, (result, elapsed), |e| matches!(e, Error::Decode(_)));
            assert!(elapsed < TIMEOUT, "{what}: a bad answer must not wait for the timeout ({elapsed:?})");
        }
        // A WebSocket frame that is not JSON names no transaction: it cannot be told from an
        // unsolicited event, so it is delivered as `Event::Malformed` (never aborting a call)
        // and the request ends with its timeout.
        Transport::Ws => {
            expect_error(&what, (result, elapsed), |e| matches!(e, Error::Timeout));
            proxy.clear();
            let malformed = live::collect_events(&mut janus, Duration::from_millis(200), |_| false);
            assert!(
                malformed.iter().any(|e| matches!(e, Event::Malformed(_))),
                "{what}: the broken frame is not reported: {malformed:?}"
            );
        }
    }
    proxy.clear();
    goes_on(&mut janus, transport, false, &what);
}

/// Every connection dropped while idle. HTTP: the pooled connection is reopened and the
/// request retried, transparently. WebSocket: a closed-connection error at once, then
/// `reconnect()`.
fn drop_idle(transport: Transport) {
    let (proxy, url) = proxied(transport);
    let mut janus = session(&url);
    std::thread::sleep(Duration::from_millis(100));
    proxy.drop_connections();
    std::thread::sleep(Duration::from_millis(100));
    let what = format!("{transport:?} idle connection dropped");
    let (result, elapsed) = timed(|| janus.keepalive());
    match transport {
        Transport::Http => {
            eprintln!("{what}: keepalive {result:?} after {elapsed:?}");
            result.unwrap_or_else(|e| panic!("{what}: the dropped pooled connection is not reopened: {e:?}"));
            // The long poll (if out) was dropped too: one typed error at most, then events flow.
            let (first, elapsed) = timed(|| janus.next_event(Duration::from_millis(300)));
            eprintln!("{what}: next_event {first:?} after {elapsed:?}");
            assert!(elapsed <= Duration::from_millis(300) + MARGIN, "{what}: next_event took {elapsed:?}");
            assert!(first.is_ok() || first.as_ref().is_err_and(is_broken), "{what}: {first:?}");
            goes_on(&mut janus, transport, false, &what);
        }
        Transport::Ws => {
            expect_error(&what, (result, elapsed), is_broken);
            assert!(elapsed < TIMEOUT, "{what}: a closed socket must not wait for the timeout ({elapsed:?})");
            goes_on(&mut janus, transport, true, &what);
        }
    }
}

/// `server_info` (~3 KB) with `max_message_size` 1000: `TooLarge { limit: 1000 }`; the session
/// goes on (HTTP: on a reopened connection).
fn too_large(transport: Transport) {
    let endpoints = live::janus();
    let mut janus = live::connect(endpoints.url(transport), Options { max_message_size: 1000, ..options() });
    janus.create_session().expect("create");
    let what = format!("{transport:?} reply above max_message_size");
    let (result, elapsed) = timed(|| janus.server_info());
    let error = expect_error(&what, (result, elapsed), |e| matches!(e, Error::TooLarge { .. }));
    assert!(matches!(error, Error::TooLarge { limit: 1000 }), "{what}: {error:?}");
    match transport {
        Transport::Http => goes_on_small(&mut janus, &what),
        Transport::Ws => {
            // tungstenite's capacity error leaves the socket mid-message: every later read fails
            // again at once (TooLarge), so the socket is unusable until `reconnect()`.
            let (result, elapsed) = timed(|| janus.keepalive());
            expect_error(&format!("{what}: next keepalive on the same socket"), (result, elapsed), |e| {
                matches!(e, Error::TooLarge { .. }) || is_broken(e)
            });
            assert!(elapsed < TIMEOUT, "{what}: {elapsed:?}");
            recover_ws(&mut janus, &what);
            goes_on_small(&mut janus, &what);
        }
    }
}

/// Over WebSocket a too-large message cannot be skipped (the limit exists so that it is never
/// buffered), so the socket is given up: the error is `TooLarge` once, then `Closed` (not
/// `TooLarge` forever), and a reconnected client works. With `reclaim_session_timeout` > 0
/// the session itself could then be claimed.
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn ws_reply_above_max_message_size_gives_up_the_socket_cleanly() {
    let endpoints = live::janus();
    let mut janus = live::connect(&endpoints.ws, Options { max_message_size: 1000, ..options() });
    janus.create_session().expect("create");
    assert!(matches!(janus.server_info(), Err(Error::TooLarge { limit: 1000 })));
    let (result, elapsed) = timed(|| janus.keepalive());
    assert!(matches!(result, Err(Error::Closed)), "{result:?}");
    assert!(elapsed < Duration::from_millis(100), "{elapsed:?}");
    janus.reconnect().expect("reconnect");
    janus.create_session().expect("a new session on the new socket");
    goes_on_small(&mut janus, "Ws after reconnecting");
}

/// Like [`goes_on`], with replies below 1000 bytes only.
fn goes_on_small(janus: &mut Janus, what: &str) {
    let (result, elapsed) = timed(|| janus.keepalive());
    eprintln!("{what}: next keepalive {result:?} after {elapsed:?}");
    result.unwrap_or_else(|e| panic!("{what}: the session does not go on: {e:?}"));
    let handle = janus.attach("janus.plugin.echotest", None).unwrap_or_else(|e| panic!("{what}: attach: {e:?}"));
    let reply = janus.message(handle, &live::ECHO).unwrap_or_else(|e| panic!("{what}: message: {e:?}"));
    live::assert_echotest_ok(&reply, handle);
}

// ----- Janus killed and restarted -----------------------------------------------------------------

const KILL_HTTP_PORT: u16 = 19088;
const KILL_WS_PORT: u16 = 19188;
const KILL_ADMIN_PORT: u16 = 19089;

fn fault_server(action: &str) -> std::process::Output {
    let repo = env!("CARGO_MANIFEST_DIR");
    let mut command = Command::new(format!("{repo}/tests/janus/janus-server"));
    command.arg(action);
    for name in live::SERVER_SETTINGS {
        command.env_remove(name);
    }
    command
        .env("JANUS_WORKDIR", format!("{repo}/target/janus-fault"))
        .env("JANUS_HTTP_PORT", KILL_HTTP_PORT.to_string())
        .env("JANUS_WS_PORT", KILL_WS_PORT.to_string())
        .env("JANUS_ADMIN_PORT", KILL_ADMIN_PORT.to_string());
    command.output().unwrap_or_else(|e| panic!("run janus-server {action}: {e}"))
}

fn start_fault_server() {
    let started = Instant::now();
    let out = fault_server("start");
    assert!(
        out.status.success(),
        "janus-server start (fault) failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("started the fault Janus in {:?}", started.elapsed());
}

/// Stops the extra Janus, also when the test panics.
struct StopOnDrop;

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = fault_server("stop");
    }
}

/// SIGKILL of Janus mid-session: every call fails with a typed error, fast; after a restart a
/// new session works (the old one is gone: 458).
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn janus_killed_mid_session_and_restarted() {
    live::require_janus_binary();
    start_fault_server();
    let _stop = StopOnDrop;
    let http_url = format!("http://127.0.0.1:{KILL_HTTP_PORT}/janus");
    let ws_url = format!("ws://127.0.0.1:{KILL_WS_PORT}");
    let mut http = live::connect(&http_url, options());
    let mut ws = live::connect(&ws_url, options());
    let http_session = http.create_session().expect("HTTP create");
    ws.create_session().expect("WS create");
    let handle = ws.attach("janus.plugin.echotest", None).expect("WS attach");

    let out = fault_server("status");
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(out.status.success() && !pid.is_empty(), "no pid from janus-server status");
    let killed = Command::new("kill").args(["-9", &pid]).status().expect("kill -9");
    assert!(killed.success(), "kill -9 {pid}");
    std::thread::sleep(Duration::from_millis(100));

    let (result, elapsed) = timed(|| http.keepalive());
    expect_error("HTTP after SIGKILL", (result, elapsed), is_broken);
    assert!(elapsed < TIMEOUT, "HTTP after SIGKILL took {elapsed:?}");
    let (result, elapsed) = timed(|| ws.message(handle, &live::ECHO));
    expect_error("WS after SIGKILL", (result, elapsed), is_broken);
    assert!(elapsed < TIMEOUT, "WS after SIGKILL took {elapsed:?}");
    let (result, elapsed) = timed(|| Janus::connect(&ws_url, options()));
    expect_error("WS connect while Janus is down", (result, elapsed), is_broken);

    start_fault_server();
    // The HTTP client: its session died with the server.
    let result = http.keepalive();
    eprintln!("HTTP keepalive of the old session after the restart: {result:?}");
    live::expect_janus_error(result, 458, "HTTP old session after restart");
    let mut fresh = live::connect(&http_url, options());
    assert_ne!(fresh.create_session().expect("HTTP create after restart"), http_session);
    fresh.keepalive().expect("HTTP keepalive after restart");
    // The WebSocket client: reconnect, the claim fails with 458, a new session works.
    recover_ws(&mut ws, "WS after restart");
    let handle = ws.attach("janus.plugin.echotest", None).expect("WS attach after restart");
    live::assert_echotest_ok(&ws.message(handle, &live::ECHO).expect("WS message"), handle);
}
