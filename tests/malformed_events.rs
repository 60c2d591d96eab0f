//! Messages that cannot be read as their kind (issue 18, item 1) through core's `Driver` over
//! its HTTP links: the firmware's single-connection `HttpSingleLink` and the two-connection
//! `HttpLink`, against a scripted Janus on in-memory streams. Unreadable unsolicited messages
//! come before every event on the long poll and never fail a call (they are handed to the sink
//! as `Output::Malformed`); an unreadable answer to the driver's own request fails that request
//! with `CallError::MalformedReply`, and the session goes on.
//!
//! The sans-IO client itself is covered in `core/tests/sim.rs` (both transports, with the
//! invariant oracle), std-socket's `Janus` in its unit tests (scripted WebSocket and HTTP servers
//! on 127.0.0.1).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use janus_signal::client::{Client, Config, Output, RequestKind, Transport};
use janus_signal::driver::{Buffers, CallError, Driver, HttpEndpoint, HttpLink, HttpSingleLink};
use janus_signal::message::{Defect, Message};
use janus_signal::{HandleId, Instant};
use serde_json::{Value, json};

const SESSION: u64 = 1111;
const HANDLE: u64 = 2222;

/// Unsolicited messages of known kinds with a member missing or of the wrong type.
fn malformed_events() -> [Value; 4] {
    [
        json!({"janus": "ice-failed", "session_id": SESSION}),
        json!({"janus": "media", "session_id": SESSION, "sender": HANDLE, "type": "audio", "receiving": "yes"}),
        json!({"janus": "webrtcup", "session_id": SESSION, "sender": "not a number"}),
        json!({"janus": "slowlink", "session_id": SESSION, "sender": HANDLE, "uplink": "maybe"}),
    ]
}

/// The scripted Janus, shared by the streams of a driver.
#[derive(Default)]
struct Janus {
    /// What the long poll answers next (with `maxev`: all of it as one array).
    queued: VecDeque<Value>,
    /// The first reply to a request of this kind has a `session_id` that is a string.
    garble: Option<&'static str>,
    requests: Vec<String>,
}

impl Janus {
    fn answer(&mut self, line: &str, body: &[u8]) -> Vec<u8> {
        self.requests.push(line.to_owned());
        if line.starts_with("GET ") {
            let body = if self.queued.is_empty() {
                json!([{"janus": "keepalive"}])
            } else {
                Value::Array(self.queued.drain(..).collect())
            };
            return response(&body);
        }
        let request: Value = serde_json::from_slice(body).expect("JSON request");
        let tx = request["transaction"].clone();
        let kind = request["janus"].as_str().expect("janus").to_owned();
        // Before every reply, and before every event, unreadable events on the long poll.
        self.queued.extend(malformed_events());
        let session = if self.garble == Some(kind.as_str()) {
            self.garble = None;
            json!("garbled")
        } else {
            json!(SESSION)
        };
        let reply = match kind.as_str() {
            "create" => json!({"janus": "success", "transaction": tx, "data": {"id": SESSION}}),
            "attach" => json!({"janus": "success", "session_id": session, "transaction": tx, "data": {"id": HANDLE}}),
            "message" => {
                self.queued.extend(malformed_events());
                self.queued.push_back(json!({"janus": "event", "session_id": SESSION, "transaction": tx,
                    "sender": HANDLE, "plugindata": {"plugin": "janus.plugin.echotest", "data": {"result": "ok"}}}));
                json!({"janus": "ack", "session_id": session, "transaction": tx})
            }
            "keepalive" => json!({"janus": "ack", "session_id": session, "transaction": tx}),
            _ => json!({"janus": "success", "session_id": session, "transaction": tx}),
        };
        response(&reply)
    }
}

fn response(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).expect("JSON");
    let mut out = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// An in-memory connection to the scripted Janus: each complete request written is answered.
struct Stream {
    janus: Rc<RefCell<Janus>>,
    written: Vec<u8>,
    unread: VecDeque<u8>,
}

impl Stream {
    fn new(janus: &Rc<RefCell<Janus>>) -> Self {
        Self { janus: Rc::clone(janus), written: Vec::new(), unread: VecDeque::new() }
    }
}

impl embedded_io::ErrorType for Stream {
    type Error = std::io::Error;
}

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        assert!(!self.unread.is_empty(), "the driver reads with no response coming: it would hang");
        let n = buf.len().min(self.unread.len()).min(13);
        for slot in &mut buf[..n] {
            *slot = self.unread.pop_front().expect("counted");
        }
        Ok(n)
    }
}

impl embedded_io::Write for Stream {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.written.extend_from_slice(buf);
        if let Some(head_end) = self.written.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(self.written[..head_end].to_vec()).expect("ASCII head");
            let length =
                head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).map_or(0, |n| n.parse().expect("n"));
            let total = head_end + 4 + length;
            if self.written.len() >= total {
                let line = head.lines().next().unwrap_or_default().to_owned();
                let answer = self.janus.borrow_mut().answer(&line, &self.written[head_end + 4..total]);
                self.unread.extend(answer);
                self.written.drain(..total);
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn config() -> Config {
    Config { transport: Transport::Http { maxev: 10 }, ..Config::http() }
}

fn clock() -> Instant {
    Instant::ZERO
}

const ENDPOINT: HttpEndpoint<'static> = HttpEndpoint { host: "127.0.0.1:8088", base: "/janus" };

/// No limit of the test's own for a poll (the scripted Janus answers every long poll at once).
const NO_LIMIT: Instant = Instant::from_millis(u64::MAX);

/// A sink for what the test does not look at.
fn ignore(_: Output<'_>) {}

/// What the drivers hand on besides the answers.
#[derive(Default)]
struct Seen {
    malformed: Vec<(Option<String>, Defect)>,
    malformed_replies: Vec<RequestKind>,
}

impl Seen {
    fn note(&mut self, output: Output<'_>) {
        match output {
            Output::Malformed(m) => self.malformed.push((m.kind.map(|k| k.escaped().to_owned()), m.defect)),
            Output::MalformedReply { kind, .. } => self.malformed_replies.push(kind),
            _ => {}
        }
    }

    fn check(&self, at_least: usize) {
        assert!(self.malformed.len() >= at_least, "{} malformed", self.malformed.len());
        assert!(
            self.malformed
                .contains(&(Some("ice-failed".to_owned()), Defect::Missing { kind: "ice-failed", field: "sender" }))
        );
        assert!(
            self.malformed.contains(&(Some("media".to_owned()), Defect::Invalid { kind: "media", field: "receiving" }))
        );
    }
}

#[test]
fn the_single_connection_driver_goes_on_through_malformed_events() {
    let janus = Rc::new(RefCell::new(Janus::default()));
    let mut buffer = vec![0u8; 2048];
    let client: Client<1, 2, 4> = Client::new(config(), 3);
    let link = HttpSingleLink::new(Stream::new(&janus), ENDPOINT, &mut buffer);
    let mut driver = Driver::new(client, link, clock as fn() -> Instant);
    let mut seen = Seen::default();
    driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    for _ in 0..3 {
        let answered = driver
            .message::<_, (), _>(
                handle,
                &json!({"audio": true}),
                None,
                &mut |output: Output<'_>| seen.note(output),
                |reply| matches!(reply, Message::Event(_)),
            )
            .expect("a message answered despite malformed events before its event");
        assert!(answered);
    }
    driver.poll(NO_LIMIT, &mut |output: Output<'_>| seen.note(output)).expect("events");
    driver.keepalive(&mut ignore).expect("keepalive");
    driver.poll(NO_LIMIT, &mut |output: Output<'_>| seen.note(output)).expect("events");
    driver.detach(handle, &mut ignore).expect("detach");
    driver.destroy_session(&mut ignore).expect("destroy");
    seen.check(4 * 6);
    assert!(seen.malformed_replies.is_empty());
}

#[test]
fn the_single_connection_driver_fails_only_a_request_whose_answer_is_malformed() {
    for garbled in ["attach", "message", "keepalive"] {
        let janus = Rc::new(RefCell::new(Janus { garble: Some(garbled), ..Janus::default() }));
        let mut buffer = vec![0u8; 2048];
        let client: Client<1, 2, 4> = Client::new(config(), 3);
        let link = HttpSingleLink::new(Stream::new(&janus), ENDPOINT, &mut buffer);
        let mut driver = Driver::new(client, link, clock as fn() -> Instant);
        let mut seen = Seen::default();
        driver.create_session(&mut ignore).expect("create");
        if garbled == "attach" {
            assert!(matches!(driver.attach("janus.plugin.echotest", &mut ignore), Err(CallError::MalformedReply)));
            assert_eq!(driver.client().handles().count(), 0);
        }
        let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
        if garbled == "message" {
            let result =
                driver.message::<_, (), ()>(handle, &json!({}), None, &mut |o: Output<'_>| seen.note(o), |_| {
                    panic!("no answer")
                });
            assert!(matches!(result, Err(CallError::MalformedReply)), "{result:?}");
            assert_eq!(seen.malformed_replies, [RequestKind::Message]);
        }
        if garbled == "keepalive" {
            assert!(matches!(driver.keepalive(&mut ignore), Err(CallError::MalformedReply)));
        }
        assert_eq!(driver.client().pending_requests(), 0, "{garbled}: the request ended");
        let answered = driver
            .message::<_, (), _>(handle, &json!({}), None, &mut |o: Output<'_>| seen.note(o), |r| {
                matches!(r, Message::Event(_))
            })
            .expect("the session goes on");
        assert!(answered);
        driver.destroy_session(&mut ignore).expect("destroy");
    }
}

#[test]
fn the_two_connection_driver_goes_on_through_malformed_events() {
    let janus = Rc::new(RefCell::new(Janus::default()));
    let (mut tx, mut rx_requests, mut rx_events) = (vec![0u8; 2048], vec![0u8; 2048], vec![0u8; 4096]);
    let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_requests, rx_events: &mut rx_events };
    let client: Client = Client::new(config(), 5);
    let (requests, events) = (Stream::new(&janus), Stream::new(&janus));
    let link = HttpLink::new(requests, events, ENDPOINT, buffers);
    let mut driver = Driver::new(client, link, clock as fn() -> Instant);
    let mut seen = Seen::default();
    driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    let mut answered = 0;
    for _ in 0..2 {
        answered += driver
            .message::<_, (), _>(
                handle,
                &json!({"video": true}),
                None,
                &mut |output: Output<'_>| seen.note(output),
                |reply| usize::from(matches!(reply, Message::Event(_))),
            )
            .expect("answered");
    }
    assert_eq!(answered, 2);
    driver.poll(NO_LIMIT, &mut |output: Output<'_>| seen.note(output)).expect("events");
    driver.detach(HandleId(HANDLE), &mut ignore).expect("detach");
    driver.destroy_session(&mut ignore).expect("destroy");
    seen.check(4 * 4);
    assert!(janus.borrow().requests.iter().any(|l| l.contains("maxev=10")));
}
