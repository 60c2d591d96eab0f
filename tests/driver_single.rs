//! The driver over the single-connection HTTP link (`Driver` with `HttpSingleLink`): one byte
//! stream, one buffer, POSTs and the long poll strictly taking turns, as a firmware whose UART
//! is its only link uses it.
//!
//! Against the real Janus over one `TcpStream` (create → attach echotest → message → event →
//! keepalive → detach → destroy → a request for the destroyed session answered with 458), with
//! the request lines on the wire checked; and against a scripted server on an in-memory
//! stream that fails the test if the driver ever reads without a request outstanding or
//! writes while a response is still unread.
//!
//! Janus comes from `JANUS_HTTP_URL` (default `http://127.0.0.1:8088/janus`). The live test is
//! `#[ignore]`d: `tests/run` runs it with its Janus; run without one it fails.

use std::collections::VecDeque;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant as StdInstant};

use janus_signal::client::{Client, ClientError, Config, Event, Output, SessionEnd, SessionState, Transport};
use janus_signal::driver::{CallError, Driver, HttpEndpoint, HttpLinkError, HttpSingleLink, Sink};
use janus_signal::message::{ErrorCode, Message};
use janus_signal::{Instant, SessionId};
use serde_json::{Value, json};

#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
    video: bool,
}

/// A sink for what the test does not look at.
fn ignore(_: Output<'_>) {}

/// The firmware's capacities.
type SmallClient = Client<1, 2, 4>;

fn config(maxev: u8) -> Config {
    Config { transport: Transport::Http { maxev }, ..Config::http() }
}

// ----- live ---------------------------------------------------------------------------------

/// A `TcpStream` as an embedded-io stream that records the request line of every request
/// written, and checks that a request is only written when the previous response was read.
struct RecordingTcp {
    stream: TcpStream,
    request_lines: Vec<String>,
    partial: Vec<u8>,
}

impl embedded_io::ErrorType for RecordingTcp {
    type Error = std::io::Error;
}

impl embedded_io::Read for RecordingTcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.stream.read(buf)
    }
}

impl embedded_io::Write for RecordingTcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&self.partial[..end]).into_owned();
            // A request line follows the previous request's body on the same line of bytes.
            if let Some(at) = line.find("POST /").or_else(|| line.find("GET /")) {
                self.request_lines.push(line[at..].to_owned());
            }
            self.partial.drain(..end + 2);
        }
        self.stream.write(buf)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.stream.flush()
    }
}

/// The default Janus's HTTP `host:port`; fails the (`#[ignore]`d, live) test when it does not
/// answer.
fn janus_authority() -> String {
    let url = std::env::var("JANUS_HTTP_URL").unwrap_or_else(|_| "http://127.0.0.1:8088/janus".into());
    let authority = url.trim_start_matches("http://").split('/').next().unwrap_or_default().to_owned();
    assert!(
        TcpStream::connect(&authority).is_ok(),
        "live test without a Janus: nothing answers at {url} (tests/run starts one)"
    );
    authority
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn one_connection_runs_the_firmware_flow_against_janus() {
    let authority = janus_authority();
    let stream = TcpStream::connect(&authority).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(40))).expect("timeout");
    let stream = RecordingTcp { stream, request_lines: Vec::new(), partial: Vec::new() };
    let start = StdInstant::now();
    let clock = move || Instant::from_millis(u64::try_from(start.elapsed().as_millis()).expect("fits"));
    // The firmware's buffer size and capacities.
    let mut buffer = vec![0u8; 2048];
    let endpoint = HttpEndpoint { host: &authority, base: "/janus" };
    let client = SmallClient::new(config(1), 0xF1F1);
    let mut driver = Driver::new(client, HttpSingleLink::new(stream, endpoint, &mut buffer), clock);

    let session = driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    let (mut acked, mut result) = (false, String::new());
    driver
        .message::<_, (), _>(
            handle,
            &Echo { audio: true, video: true },
            None,
            &mut |output: Output<'_>| acked |= matches!(output, Output::Acked { .. }),
            |reply| {
                if let Message::Event(e) = reply {
                    let data = e.plugin_data.expect("plugindata").data;
                    result = data.get("result").and_then(|r| r.as_str()).map(|r| r.to_string()).unwrap_or_default();
                }
            },
        )
        .expect("message answered");
    assert!(acked);
    assert_eq!(result, "ok");
    driver.keepalive(&mut ignore).expect("keepalive");
    driver.detach(handle, &mut ignore).expect("detach");
    driver.destroy_session(&mut ignore).expect("destroy");
    assert!(matches!(driver.client().session(), SessionState::Ended(s, SessionEnd::Destroyed) if s == session));

    // A request for the session that is gone: Janus's typed error, at once.
    let err = driver.claim_session(session, &mut ignore).expect_err("the session is gone");
    assert!(matches!(err, CallError::Janus(ErrorCode::SessionNotFound)), "{err:?}");
    // The connection is still good for a new session.
    let second = driver.create_session(&mut ignore).expect("a new session on the same connection");
    assert_ne!(second, session);
    driver.destroy_session(&mut ignore).expect("destroy the new session");

    let (_, link, _) = driver.into_parts();
    let stream = link.into_stream();
    let (s, h) = (session.0, handle.0);
    let expected = [
        "POST /janus HTTP/1.1".to_owned(),
        format!("POST /janus/{s} HTTP/1.1"),
        format!("POST /janus/{s}/{h} HTTP/1.1"),
        // The long poll only once the message waits for its event.
        format!("GET /janus/{s}?maxev=1 HTTP/1.1"),
        format!("POST /janus/{s} HTTP/1.1"),
        format!("POST /janus/{s}/{h} HTTP/1.1"),
        format!("POST /janus/{s} HTTP/1.1"),
        // The claim goes to the claimed session's path (Janus refuses a claim whose path names
        // another session with 457).
        format!("POST /janus/{s} HTTP/1.1"),
        "POST /janus HTTP/1.1".to_owned(),
        format!("POST /janus/{} HTTP/1.1", second.0),
    ];
    assert_eq!(stream.request_lines, expected);
}

// ----- scripted -----------------------------------------------------------------------------

/// One HTTP request the scripted server received.
struct Received {
    line: String,
    body: Value,
}

type Responder = Box<dyn FnMut(&Received) -> Vec<u8>>;

/// An in-memory connection to a scripted server: each complete request written is answered
/// by the responder; reading with nothing to read, or writing while a response is unread, is
/// a test failure (that is the strict turn-taking the driver promises).
struct Scripted {
    written: Vec<u8>,
    unread: VecDeque<u8>,
    responder: Responder,
    requests: Vec<String>,
}

impl Scripted {
    fn new(responder: impl FnMut(&Received) -> Vec<u8> + 'static) -> Self {
        Self { written: Vec::new(), unread: VecDeque::new(), responder: Box::new(responder), requests: Vec::new() }
    }

    /// Answers the request in `written` once it is complete.
    fn try_answer(&mut self) {
        let Some(head_end) = self.written.windows(4).position(|w| w == b"\r\n\r\n") else { return };
        let head = String::from_utf8(self.written[..head_end].to_vec()).expect("ASCII head");
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .map_or(0, |n| n.parse::<usize>().expect("length"));
        let total = head_end + 4 + length;
        if self.written.len() < total {
            return;
        }
        let body = &self.written[head_end + 4..total];
        let body = if body.is_empty() { Value::Null } else { serde_json::from_slice(body).expect("JSON body") };
        let line = head.lines().next().unwrap_or_default().to_owned();
        let response = (self.responder)(&Received { line: line.clone(), body });
        self.requests.push(line);
        self.unread.extend(response);
        self.written.drain(..total);
    }
}

impl embedded_io::ErrorType for Scripted {
    type Error = std::io::Error;
}

impl embedded_io::Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        assert!(!self.unread.is_empty(), "the driver reads with no response coming: it would hang");
        // Hand out bytes in small pieces to exercise incremental parsing.
        let n = buf.len().min(self.unread.len()).min(7);
        for slot in &mut buf[..n] {
            *slot = self.unread.pop_front().expect("counted");
        }
        Ok(n)
    }
}

impl embedded_io::Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        assert!(self.unread.is_empty(), "the driver writes while a response is unread");
        self.written.extend_from_slice(buf);
        self.try_answer();
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A chunked 200 response, as Janus sends POST replies.
fn chunked(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec_pretty(body).expect("JSON");
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    out.extend_from_slice(format!("{:X}\r\n", body.len()).as_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(b"\r\n0\r\n\r\n");
    out
}

/// A Content-Length response with extra headers.
fn sized(status: &str, body: &[u8], extra: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\n\r\n", body.len())
        .into_bytes()
        .into_iter()
        .chain(body.iter().copied())
        .collect()
}

const SESSION: u64 = 1111;
const HANDLE: u64 = 2222;

/// A minimal Janus: create, attach, message (ack, then the event on the long poll after
/// `idle_polls` keepalive answers), keepalive, detach, destroy.
fn echotest_janus(idle_polls: usize) -> impl FnMut(&Received) -> Vec<u8> {
    let mut queued: VecDeque<Value> = VecDeque::new();
    let mut idle = idle_polls;
    move |request| {
        if request.line.starts_with("GET ") {
            assert_eq!(request.line, format!("GET /janus/{SESSION}?maxev=1 HTTP/1.1"));
            if idle > 0 || queued.is_empty() {
                idle = idle.saturating_sub(1);
                return chunked(&json!({"janus": "keepalive"}));
            }
            return sized("200 OK", &serde_json::to_vec(&queued.pop_front().expect("queued")).expect("JSON"), "");
        }
        let tx = request.body["transaction"].clone();
        match request.body["janus"].as_str().expect("janus") {
            "create" => chunked(&json!({"janus": "success", "transaction": tx, "data": {"id": SESSION}})),
            "attach" => {
                chunked(&json!({"janus": "success", "session_id": SESSION, "transaction": tx, "data": {"id": HANDLE}}))
            }
            "message" => {
                queued.push_back(json!({"janus": "event", "session_id": SESSION, "transaction": tx, "sender": HANDLE,
                    "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "ok"}}}));
                chunked(
                    &json!({"janus": "ack", "session_id": SESSION, "transaction": tx, "hint": "I'm taking my time!"}),
                )
            }
            "keepalive" => chunked(&json!({"janus": "ack", "session_id": SESSION, "transaction": tx})),
            "detach" | "destroy" => chunked(&json!({"janus": "success", "session_id": SESSION, "transaction": tx})),
            other => panic!("unexpected request {other}"),
        }
    }
}

type ScriptedDriver<'b> = Driver<HttpSingleLink<'b, Scripted>, fn() -> Instant, Client<1, 2, 4>>;

fn scripted_driver<'b>(
    buffer: &'b mut [u8],
    responder: impl FnMut(&Received) -> Vec<u8> + 'static,
) -> ScriptedDriver<'b> {
    let clock: fn() -> Instant = || Instant::ZERO;
    let endpoint = HttpEndpoint { host: "127.0.0.1:8088", base: "/janus" };
    Driver::new(SmallClient::new(config(1), 3), HttpSingleLink::new(Scripted::new(responder), endpoint, buffer), clock)
}

/// A sink that keeps the client's events (the driver drains them from the client into it).
#[derive(Default)]
struct Events(Vec<Event>);

impl Sink for Events {
    fn output(&mut self, _: Output<'_>) {}

    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
}

#[test]
fn the_message_waits_through_idle_long_polls_and_nothing_overlaps() {
    let mut buffer = vec![0u8; 1024];
    let mut driver = scripted_driver(&mut buffer, echotest_janus(2));
    driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    let mut keepalives = 0;
    let answered = driver
        .message::<_, (), _>(
            handle,
            &Echo { audio: true, video: false },
            None,
            &mut |output: Output<'_>| keepalives += usize::from(matches!(output, Output::Ignored { .. })),
            |reply| matches!(reply, Message::Event(_)),
        )
        .expect("answered");
    assert!(answered);
    assert_eq!(keepalives, 2, "two idle long polls came back with keepalives");
    driver.keepalive(&mut ignore).expect("keepalive");
    driver.detach(handle, &mut ignore).expect("detach");
    driver.destroy_session(&mut ignore).expect("destroy");
    let (_, link, _) = driver.into_parts();
    let stream = link.into_stream();
    let polls = stream.requests.iter().filter(|l| l.starts_with("GET ")).count();
    assert_eq!(polls, 3);
    assert_eq!(stream.requests.len(), 3 + 6);
}

#[test]
fn no_long_poll_without_a_session_or_outside_a_wait() {
    let mut buffer = vec![0u8; 1024];
    let mut driver = scripted_driver(&mut buffer, echotest_janus(0));
    // Nothing to poll before the session exists: no bytes at all (the scripted stream would
    // fail a read).
    let received = driver.poll(Instant::ZERO, &mut |_: Output<'_>| panic!("no output")).expect("nothing to do");
    assert!(!received);
    driver.create_session(&mut ignore).expect("create");
    driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    let (_, link, _) = driver.into_parts();
    let stream = link.into_stream();
    assert!(stream.requests.iter().all(|l| l.starts_with("POST ")), "{:?}", stream.requests);
}

#[test]
fn a_long_poll_404_ends_the_session_and_the_waiting_message() {
    let mut buffer = vec![0u8; 1024];
    let mut inner = echotest_janus(0);
    let mut driver = scripted_driver(&mut buffer, move |request| {
        if request.line.starts_with("GET ") {
            return sized("404 Not Found", b"", "");
        }
        inner(request)
    });
    driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    // The client's events come to the sink now (the driver drains them from the client).
    let mut events = Events::default();
    let err = driver
        .message::<_, (), _>(handle, &Echo { audio: true, video: true }, None, &mut events, |_| {})
        .expect_err("the session is gone");
    assert!(matches!(err, CallError::Abandoned(_)), "{err:?}");
    assert!(matches!(
        driver.client().session(),
        SessionState::Ended(SessionId(SESSION), SessionEnd::LongPollStatus(404))
    ));
    let abandoned = events.0.iter().filter(|event| matches!(event, Event::RequestAbandoned { .. })).count();
    assert_eq!(abandoned, 1, "{:?}", events.0);
    assert!(driver.client_mut().poll_event().is_none(), "every event went to the sink");
}

#[test]
fn janus_errors_are_typed_and_the_session_goes_on() {
    let mut buffer = vec![0u8; 1024];
    let mut inner = echotest_janus(0);
    let mut driver = scripted_driver(&mut buffer, move |request| {
        if request.body["janus"] == "attach" && request.body["plugin"] == "janus.plugin.nope" {
            let tx = request.body["transaction"].clone();
            return chunked(&json!({"janus": "error", "session_id": SESSION, "transaction": tx,
                "error": {"code": 460, "reason": "No such plugin 'janus.plugin.nope'"}}));
        }
        inner(request)
    });
    driver.create_session(&mut ignore).expect("create");
    assert!(matches!(
        driver.attach("janus.plugin.nope", &mut ignore),
        Err(CallError::Janus(code)) if code == ErrorCode::PluginNotFound && code.code() == 460
    ));
    assert_eq!(driver.attach("janus.plugin.echotest", &mut ignore).expect("attach").0, HANDLE);
    // The client still refuses what it knows to be wrong without any traffic.
    assert!(matches!(
        driver.attach("janus.plugin.echotest", &mut ignore),
        Err(CallError::Client(ClientError::TooManyHandles))
    ));
}

#[test]
fn connection_close_and_oversized_responses_are_typed_errors() {
    let mut buffer = vec![0u8; 512];
    let mut inner = echotest_janus(0);
    let mut driver = scripted_driver(&mut buffer, move |request| {
        if request.body["janus"] == "keepalive" {
            let tx = request.body["transaction"].clone();
            let body =
                serde_json::to_vec(&json!({"janus": "ack", "session_id": SESSION, "transaction": tx})).expect("JSON");
            return sized("200 OK", &body, "Connection: close\r\n");
        }
        inner(request)
    });
    driver.create_session(&mut ignore).expect("create");
    // The answer is delivered: the keepalive succeeds.
    driver.keepalive(&mut ignore).expect("the ack came before the close");
    // The next request learns that the connection is finished, before anything is sent.
    let err = driver.keepalive(&mut ignore).expect_err("the connection is closed");
    assert!(matches!(err, CallError::Link(HttpLinkError::Closed)), "{err:?}");
    let mut inner = echotest_janus(0);
    let old = driver.reconnect_link(|link| {
        link.replace_stream(Scripted::new(move |request| {
            if request.body["janus"] == "attach" {
                let tx = request.body["transaction"].clone();
                let padding = "x".repeat(600);
                return chunked(&json!({"janus": "success", "session_id": SESSION, "transaction": tx,
                "data": {"id": HANDLE}, "padding": padding}));
            }
            inner(request)
        }))
    });
    assert_eq!(old.requests.len(), 2, "nothing was sent on the closed connection: {:?}", old.requests);
    let err = driver.attach("janus.plugin.echotest", &mut ignore).expect_err("too large for 512 bytes");
    assert!(
        matches!(err, CallError::Link(HttpLinkError::ResponseTooLarge { buffer: "buffer", capacity: 512 })),
        "{err:?}"
    );
}
