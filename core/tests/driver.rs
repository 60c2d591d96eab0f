//! The one driver (`driver::Driver`) against the simulation's fake Janus, through a link on a
//! virtual clock: calls end with their answers (sorted into successes and refusals), with the
//! client's timeout, or abandoned with their session; the long poll and keepalives run by
//! themselves; everything received reaches the sink. No sockets, no sleeps.

// Shared with the simulation, which uses all of it.
#[allow(dead_code)]
#[path = "sim/fake_janus.rs"]
mod fake_janus;

use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;

use fake_janus::{Behaviour, FakeJanus};
use janus_signal::client::{
    Abandoned, Client, Config, Event, Output, Refusal, RequestKind, SessionEnd, SessionState, Transmit, Transport,
};
use janus_signal::driver::{CallError, Driver, Link, Received, Sink};
use janus_signal::http::Route;
use janus_signal::message::{ErrorCode, Message};
use janus_signal::request::Auth;
use janus_signal::{Duration, HandleId, Instant, SessionId};

/// Janus as a link: a WebSocket (pushed messages) or HTTP (a POST's response at once, events
/// by long poll). Waiting moves the shared virtual clock to the fake's next deadline.
struct FakeLink {
    janus: FakeJanus,
    http: bool,
    now: Rc<Cell<u64>>,
    tx: Vec<u8>,
    rx: Vec<u8>,
    /// Messages due and not handed out yet (WebSocket).
    inbox: VecDeque<String>,
    /// A POST's response.
    response: Option<String>,
    /// The session whose long poll is out.
    polling: Option<u64>,
}

impl FakeLink {
    fn new(behaviour: Behaviour, http: bool, now: Rc<Cell<u64>>) -> Self {
        Self {
            janus: FakeJanus::new(behaviour),
            http,
            now,
            tx: vec![0; 4096],
            rx: Vec::new(),
            inbox: VecDeque::new(),
            response: None,
            polling: None,
        }
    }

    fn at(&self) -> Instant {
        Instant::from_millis(self.now.get())
    }

    fn hand_out(&mut self, body: String) -> &[u8] {
        self.rx = body.into_bytes();
        &self.rx
    }
}

impl Link for FakeLink {
    type Error = &'static str;

    fn tx(&mut self) -> &mut [u8] {
        &mut self.tx
    }

    fn send(&mut self, transmit: &Transmit, _kind: RequestKind, _until: Instant) -> Result<bool, &'static str> {
        let body = self.tx[..transmit.len].to_vec();
        let now = self.at();
        self.janus.receive(now, &body);
        if !self.http {
            return Ok(false);
        }
        let request: serde_json::Value = serde_json::from_slice(&body).map_err(|_| "not JSON")?;
        let tx = request["transaction"].as_str().ok_or("no transaction")?;
        self.response = Some(self.janus.take_reply(tx).ok_or("no response to a POST")?);
        Ok(true)
    }

    fn start_long_poll(&mut self, route: &Route, _auth: &Auth<'_>) -> Result<bool, &'static str> {
        let Route::LongPoll { session, .. } = route else { return Err("not a long poll") };
        self.polling = Some(session.0);
        Ok(false)
    }

    fn receive(&mut self, until: Instant) -> Result<Option<Received<'_>>, &'static str> {
        if let Some(response) = self.response.take() {
            return Ok(Some(Received::Response(self.hand_out(response))));
        }
        loop {
            let now = self.at();
            if self.http {
                if let Some(session) = self.polling {
                    if !self.janus.long_poll(now, session) {
                        self.polling = None;
                        return Ok(Some(Received::LongPoll { status: 404, body: b"" }));
                    }
                    let due = self.janus.take_for_long_poll(now, 10);
                    if !due.is_empty() {
                        self.polling = None;
                        let body = format!("[{}]", due.join(","));
                        return Ok(Some(Received::LongPoll { status: 200, body: self.hand_out(body) }));
                    }
                }
            } else {
                self.inbox.extend(self.janus.take_due(now));
                if let Some(message) = self.inbox.pop_front() {
                    return Ok(Some(Received::Message(self.hand_out(message))));
                }
            }
            // Wait: to the fake's next deadline, if it comes before `until`.
            match self.janus.next_deadline() {
                Some(next) if next <= until.total_millis() && next > now.total_millis() => self.now.set(next),
                _ => {
                    self.now.set(self.now.get().max(until.total_millis()));
                    return Ok(None);
                }
            }
        }
    }
}

/// Everything the driver hands over, owned.
#[derive(Default)]
struct Seen {
    outputs: Vec<String>,
    events: Vec<Event>,
}

impl Sink for Seen {
    fn output(&mut self, output: Output<'_>) {
        self.outputs.push(match output {
            Output::Reply { kind, message, .. } => format!("reply {} {}", kind.name(), message.kind()),
            Output::Acked { .. } => "acked".to_owned(),
            Output::Handle { message, .. } => format!("handle {}", message.kind()),
            other => format!("{other:?}"),
        });
    }

    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
}

type TestDriver = Driver<FakeLink, Box<dyn FnMut() -> Instant>, Client<3, 4, 16>>;

fn driver(behaviour: Behaviour, config: Config) -> TestDriver {
    let now = Rc::new(Cell::new(0));
    let http = matches!(config.transport, Transport::Http { .. });
    let link = FakeLink::new(behaviour, http, Rc::clone(&now));
    Driver::new(Client::new(config, 5), link, Box::new(move || Instant::from_millis(now.get())))
}

const LATER: Instant = Instant::from_millis(u64::MAX / 2);

#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
}

fn id_of(answer: Result<Message<'_>, Refusal<'_>>) -> Option<u64> {
    match answer {
        Ok(Message::Success(s)) => s.id(),
        _ => None,
    }
}

/// create → attach → message → detach → destroy, answers read by the calls.
fn echotest_session(driver: &mut TestDriver, seen: &mut Seen) -> (SessionId, HandleId) {
    let session = driver.call(&mut |c, now, out| c.create_session(now, out), LATER, seen, id_of).expect("create");
    let session = SessionId(session.expect("a session id"));
    let handle = driver
        .call(&mut |c, now, out| c.attach(now, out, "janus.plugin.echotest", None), LATER, seen, id_of)
        .expect("attach");
    let handle = HandleId(handle.expect("a handle id"));
    let result = driver
        .call(&mut |c, now, out| c.message::<_, ()>(now, out, handle, &Echo { audio: true }, None), LATER, seen, |a| {
            let Ok(Message::Event(event)) = a else { return None };
            event.plugin_data?.data.get("result")?.as_str().map(|r| r.to_string())
        })
        .expect("message");
    assert_eq!(result.as_deref(), Some("ok"));
    let detached = driver.call(&mut |c, now, out| c.detach(now, out, handle), LATER, seen, |a| a.is_ok());
    assert!(matches!(detached, Ok(true)), "{detached:?}");
    let destroyed = driver.call(&mut |c, now, out| c.destroy_session(now, out), LATER, seen, |a| a.is_ok());
    assert!(matches!(destroyed, Ok(true)), "{destroyed:?}");
    assert!(matches!(driver.client().session(), SessionState::Ended(s, SessionEnd::Destroyed) if s == session));
    (session, handle)
}

/// A session with an echotest handle.
fn echotest_handle(driver: &mut TestDriver, seen: &mut Seen) -> HandleId {
    driver.call(&mut |c, now, out| c.create_session(now, out), LATER, seen, |_| ()).expect("create");
    let handle = driver.call(&mut |c, now, out| c.attach(now, out, "janus.plugin.echotest", None), LATER, seen, id_of);
    HandleId(handle.expect("attach").expect("a handle id"))
}

#[test]
fn a_whole_session_over_a_message_socket_in_every_order_janus_uses() {
    for (event_before_ack, detached_before_success) in [(false, false), (true, true), (true, false)] {
        let behaviour = Behaviour { event_before_ack, detached_before_success, ..Behaviour::default() };
        let mut driver = driver(behaviour, Config::websocket());
        let mut seen = Seen::default();
        let (_, handle) = echotest_session(&mut driver, &mut seen);
        // The sink saw the answers too, the ack, and the handle's end.
        for expected in ["reply create success", "reply attach success", "reply message event", "acked"] {
            assert!(seen.outputs.iter().any(|o| o == expected), "{expected}: {:?}", seen.outputs);
        }
        assert!(seen.events.contains(&Event::HandleDetached { handle }), "{:?}", seen.events);
    }
}

#[test]
fn a_whole_session_over_http_with_the_long_poll() {
    let mut driver = driver(Behaviour::default(), Config::http());
    let mut seen = Seen::default();
    echotest_session(&mut driver, &mut seen);
    // The message's event came by long poll, its ack as the POST's response.
    let polls = driver.link().janus.long_polls.len();
    assert!(polls >= 1, "no long poll");
    assert!(seen.outputs.iter().any(|o| o == "acked"));
}

#[test]
fn an_idle_session_is_kept_alive_by_polling() {
    let config = Config { keepalive_interval: Duration::from_secs(10), ..Config::websocket() };
    let behaviour = Behaviour { session_timeout_ms: 30_000, ..Behaviour::default() };
    let mut driver = driver(behaviour, config);
    let mut seen = Seen::default();
    driver.call(&mut |c, now, out| c.create_session(now, out), LATER, &mut seen, |_| ()).expect("create");
    // Two minutes of polling, four times the server's session timeout.
    let until = Instant::from_millis(120_000);
    for _ in 0..1000 {
        if driver.now() >= until {
            break;
        }
        driver.poll(until, &mut seen).expect("poll");
    }
    let keepalives = driver.link().janus.log.iter().filter(|(_, kind)| kind == "keepalive").count();
    assert!((11..=13).contains(&keepalives), "{keepalives} keepalives in 120 s at 10 s");
    assert!(matches!(driver.client().session(), SessionState::Active(_)), "{:?}", driver.client().session());
    assert!(seen.outputs.iter().filter(|o| *o == "reply keepalive ack").count() >= 11);
}

#[test]
fn refusals_come_typed_and_the_session_goes_on() {
    let mut driver = driver(Behaviour::default(), Config::websocket());
    let mut seen = Seen::default();
    driver.call(&mut |c, now, out| c.create_session(now, out), LATER, &mut seen, |_| ()).expect("create");
    let fields = serde_json::json!({});
    let refused = driver
        .call(&mut |c, now, out| c.custom(now, out, "nonsense", None, &fields), LATER, &mut seen, |a| match a {
            Err(Refusal::Janus { code, reason }) => Some((code, reason.map(|r| r.to_string()))),
            _ => None,
        })
        .expect("answered");
    let (code, reason) = refused.expect("a refusal");
    assert_eq!(code, ErrorCode::UnknownRequest);
    assert!(reason.is_some_and(|r| r.contains("nonsense")));
    assert!(matches!(driver.client().session(), SessionState::Active(_)));
}

#[test]
fn an_unanswered_request_ends_with_the_clients_timeout() {
    let config = Config { request_timeout: Duration::from_secs(3), ..Config::websocket() };
    let mut driver = driver(Behaviour { silent_messages: true, ..Behaviour::default() }, config);
    let mut seen = Seen::default();
    let handle = echotest_handle(&mut driver, &mut seen);
    let started = driver.now();
    let mut called = false;
    let result = driver.call(
        &mut |c, now, out| c.message::<_, ()>(now, out, handle, &Echo { audio: true }, None),
        LATER,
        &mut seen,
        |_| called = true,
    );
    assert!(matches!(result, Err(CallError::TimedOut)), "{result:?}");
    assert!(!called, "no answer was handed over");
    assert_eq!(driver.now().saturating_duration_since(started), Duration::from_secs(3));
    assert!(seen.events.iter().any(|e| matches!(e, Event::RequestTimedOut { kind: RequestKind::Message, .. })));
}

#[test]
fn a_session_that_ends_abandons_the_call_waiting_on_it() {
    // Janus expires the session (no keepalive within its timeout) while a message waits.
    let config = Config { request_timeout: Duration::from_secs(30), ..Config::websocket() };
    let behaviour = Behaviour { silent_messages: true, session_timeout_ms: 2_000, ..Behaviour::default() };
    let mut driver = driver(behaviour, config);
    let mut seen = Seen::default();
    let handle = echotest_handle(&mut driver, &mut seen);
    let result = driver.call(
        &mut |c, now, out| c.message::<_, ()>(now, out, handle, &Echo { audio: true }, None),
        LATER,
        &mut seen,
        |_| (),
    );
    let expected = Abandoned::SessionEnded(SessionEnd::TimedOut);
    assert!(matches!(result, Err(CallError::Abandoned(reason)) if reason == expected), "{result:?}");
    assert!(seen.outputs.iter().any(|o| o.starts_with("SessionTimedOut")), "{:?}", seen.outputs);
}

#[test]
fn a_wait_cut_short_ends_the_call_and_the_late_answer_reaches_the_sink() {
    let config = Config { request_timeout: Duration::from_secs(30), ..Config::websocket() };
    let mut driver = driver(Behaviour::default(), config);
    let mut seen = Seen::default();
    let handle = echotest_handle(&mut driver, &mut seen);
    // The fake sends the event 2 ms after the ack; wait only 1 ms.
    let cut = driver.now().saturating_add(Duration::from_millis(1));
    let result = driver.call(
        &mut |c, now, out| c.message::<_, ()>(now, out, handle, &Echo { audio: true }, None),
        cut,
        &mut seen,
        |_| (),
    );
    assert!(matches!(result, Err(CallError::TimedOut)), "{result:?}");
    assert!(!seen.outputs.iter().any(|o| o == "reply message event"));
    let until = driver.now().saturating_add(Duration::from_millis(100));
    driver.poll(until, &mut seen).expect("poll");
    assert!(seen.outputs.iter().any(|o| o == "reply message event"), "{:?}", seen.outputs);
}

/// A link whose every send fails (the connection is gone).
struct Down(Vec<u8>);

impl Link for Down {
    type Error = &'static str;

    fn tx(&mut self) -> &mut [u8] {
        &mut self.0
    }

    fn send(&mut self, _transmit: &Transmit, _kind: RequestKind, _until: Instant) -> Result<bool, &'static str> {
        Err("down")
    }

    fn start_long_poll(&mut self, _route: &Route, _auth: &Auth<'_>) -> Result<bool, &'static str> {
        Err("down")
    }

    fn receive(&mut self, _until: Instant) -> Result<Option<Received<'_>>, &'static str> {
        Ok(None)
    }
}

#[test]
fn a_request_the_link_cannot_send_is_forgotten_at_once() {
    // Two pending slots: without the cancel, the third attempt would find the table full.
    let client: Client<1, 2, 4> = Client::new(Config::websocket(), 5);
    let mut driver = Driver::new(client, Down(vec![0; 1024]), || Instant::ZERO);
    for _ in 0..3 {
        let err = driver.create_session(&mut ()).expect_err("the link is down");
        assert!(matches!(err, CallError::Link("down")), "{err:?}");
        assert_eq!(driver.client().pending_requests(), 0, "the request is forgotten");
        assert_eq!(driver.client().session(), SessionState::Idle, "the create is undone");
    }
}
