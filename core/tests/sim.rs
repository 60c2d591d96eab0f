//! Deterministic simulation of the sans-IO client against a scripted fake Janus on a virtual
//! clock that jumps from timer to timer: no sockets, no sleeps, the same result every run.
//!
//! Every call into the client goes through the invariant oracle of `core/src/client/oracle.rs`
//! (the one the `client_sequence` fuzz entry uses): only a reply to a request changes state
//! through it, and every pending request ends exactly once.

#[path = "sim/fake_janus.rs"]
mod fake_janus;
#[path = "../src/client/oracle.rs"]
mod oracle;

use fake_janus::{Behaviour, FakeJanus};
use janus_signal::client::{
    Abandoned, Client, ClientError, Config, Event, Ignored, Output, RequestId, RequestKind, SessionEnd, SessionState,
    Transmit, Transport,
};
use janus_signal::http::Route;
use janus_signal::message::{Batch, Defect, ErrorCode, Message};
use janus_signal::request::Candidates;
use janus_signal::{HandleId, Instant, SessionId};
use oracle::{Cause, Oracle};
use serde_json::json;

type TestClient = Client<3, 4, 16>;

/// What the client reported, in order, in an owned form tests can compare.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Reply {
        request: RequestId,
        kind: RequestKind,
        janus: String,
    },
    Acked {
        request: RequestId,
    },
    Handle {
        handle: HandleId,
        janus: String,
    },
    SessionTimedOut,
    Ignored {
        reason: Ignored,
        janus: String,
    },
    /// An unsolicited message that cannot be read as its kind (`janus`, what was wrong).
    Malformed {
        janus: Option<String>,
        defect: Defect,
    },
    /// A reply that cannot be read: its request failed.
    MalformedReply {
        request: RequestId,
        kind: RequestKind,
    },
    Event(Event),
}

fn seen(output: Output<'_>) -> Seen {
    match output {
        Output::Reply { request, kind, message } => Seen::Reply { request, kind, janus: message.kind().to_owned() },
        Output::Acked { request } => Seen::Acked { request },
        Output::Handle { handle, message } => Seen::Handle { handle, janus: message.kind().to_owned() },
        Output::SessionTimedOut { .. } => Seen::SessionTimedOut,
        Output::Ignored { reason, message } => Seen::Ignored { reason, janus: message.kind().to_owned() },
        Output::Malformed(m) => Seen::Malformed { janus: m.kind.map(|k| k.escaped().to_owned()), defect: m.defect },
        Output::MalformedReply { request, kind, .. } => Seen::MalformedReply { request, kind },
        _ => panic!("unexpected output"),
    }
}

/// The kind of the request a command wrote, from its `janus` field.
fn kind_of(bytes: &[u8]) -> RequestKind {
    let request: serde_json::Value = serde_json::from_slice(bytes).expect("the client writes JSON");
    match request["janus"].as_str().expect("janus") {
        "create" => RequestKind::Create,
        "claim" => RequestKind::Claim,
        "destroy" => RequestKind::Destroy,
        "keepalive" => RequestKind::Keepalive,
        "attach" => RequestKind::Attach,
        "message" => RequestKind::Message,
        "trickle" => RequestKind::Trickle,
        "hangup" => RequestKind::Hangup,
        "detach" => RequestKind::Detach,
        "info" => RequestKind::Info,
        "ping" => RequestKind::Ping,
        _ => RequestKind::Custom,
    }
}

struct Sim {
    /// Read its state freely; call into it only through the methods below, which run the
    /// oracle around every call.
    client: TestClient,
    oracle: Oracle<3, 4>,
    janus: FakeJanus,
    now: Instant,
    buf: Vec<u8>,
    seen: Vec<Seen>,
    /// HTTP: the long poll that is out (session, maxev, since when).
    poll_out: Option<(SessionId, usize, u64)>,
}

/// Janus answers an idle long poll with a keepalive after 30 s.
const LONG_POLL_IDLE_MS: u64 = 30_000;

impl Sim {
    fn new(config: Config, behaviour: Behaviour) -> Self {
        Self {
            client: Client::new(config, 0x5eed),
            oracle: Oracle::new(),
            janus: FakeJanus::new(behaviour),
            now: Instant::ZERO,
            buf: vec![0; 4096],
            seen: Vec::new(),
            poll_out: None,
        }
    }

    fn websocket() -> Self {
        Self::new(Config::websocket(), Behaviour::default())
    }

    fn end(&mut self, cause: Cause<'_, '_>) {
        let seen = &mut self.seen;
        if let Err(violation) = self.oracle.end(&mut self.client, cause, &mut |e| seen.push(Seen::Event(e))) {
            panic!("oracle: {} (after {cause:?}; session {:?})", violation.0, self.client.session());
        }
    }

    /// Runs a command without sending what it wrote; the oracle tracks it.
    fn try_command(
        &mut self,
        f: impl FnOnce(&mut TestClient, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
    ) -> Result<Transmit, ClientError> {
        self.oracle.begin(&self.client);
        let result = f(&mut self.client, self.now, &mut self.buf);
        match &result {
            Ok(t) => {
                let kind = kind_of(&self.buf[..t.len]);
                self.end(Cause::Sent(kind, t));
            }
            Err(_) => self.end(Cause::Quiet),
        }
        result
    }

    /// Delivers a request to the fake (over HTTP the direct reply comes back at once, as the
    /// POST response).
    fn deliver(&mut self, t: Transmit) {
        let bytes = self.buf[..t.len].to_vec();
        match t.route {
            Route::LongPoll { .. } => unreachable!("long polls are handled by `step`"),
            _ => self.janus.receive(self.now, &bytes),
        }
        if let (Transport::Http { .. }, Some(request)) = (self.client.config().transport, t.request)
            && let Some(reply) = self.janus.take_reply(request.as_str())
        {
            self.feed(&reply);
        }
    }

    /// Feeds a received body, message by message, as [`Client::handle_input`] does (which
    /// cannot be used here: the oracle looks at the client between messages).
    fn feed(&mut self, body: &str) {
        let mut batch = Batch::decode(body.as_bytes()).expect("the fake sends JSON");
        while let Some(message) = batch.next_lenient() {
            self.oracle.begin(&self.client);
            let output = match message {
                Ok(message) => self.client.handle_message(self.now, message),
                Err(malformed) => self.client.handle_malformed(malformed),
            };
            self.seen.push(seen(output));
            self.end(Cause::Received(&output));
        }
    }

    fn long_poll_answered(&mut self, status: u16) {
        self.oracle.begin(&self.client);
        self.client.long_poll_answered(self.now, status);
        self.end(Cause::LongPollAnswered(status));
    }

    fn handle_timeout(&mut self) {
        self.oracle.begin(&self.client);
        self.client.handle_timeout(self.now);
        self.end(Cause::Timer);
    }

    fn transport_lost(&mut self) {
        self.oracle.begin(&self.client);
        self.client.transport_lost(self.now);
        self.end(Cause::TransportLost);
        self.poll_out = None;
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.oracle.begin(&self.client);
        let t = self.client.poll_transmit(self.now, &mut self.buf).expect("transmit");
        match &t {
            Some(t) if t.request.is_some() => {
                let kind = kind_of(&self.buf[..t.len]);
                self.end(Cause::Sent(kind, t));
            }
            _ => self.end(Cause::Quiet),
        }
        t
    }

    /// Runs a command, sends what it wrote, and lets everything settle at the current time.
    fn command(
        &mut self,
        f: impl FnOnce(&mut TestClient, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
    ) -> RequestId {
        let t = self.try_command(f).expect("command accepted");
        self.deliver(t);
        self.step();
        t.request.expect("a request")
    }

    /// Exchanges everything that is due now, until quiet.
    fn step(&mut self) {
        for _ in 0..100 {
            let mut busy = false;
            while let Some(t) = self.poll_transmit() {
                busy = true;
                match t.route {
                    Route::LongPoll { session, maxev } => {
                        assert!(self.poll_out.is_none(), "a second long poll while one is out");
                        if self.janus.long_poll(self.now, session.0) {
                            self.poll_out = Some((session, usize::from(maxev), self.now.total_millis()));
                        } else {
                            self.long_poll_answered(404);
                        }
                    }
                    _ => self.deliver(t),
                }
            }
            if self.client.config().transport == Transport::WebSocket {
                for message in self.janus.take_due(self.now) {
                    busy = true;
                    self.feed(&message);
                }
            } else {
                busy |= self.answer_long_poll();
            }
            if !busy {
                return;
            }
        }
        panic!("the exchange does not settle");
    }

    /// HTTP: answers the long poll that is out when the fake has messages, when its session
    /// is gone (404), or after 30 idle seconds (keepalive), like Janus.
    fn answer_long_poll(&mut self) -> bool {
        let Some((session, maxev, since)) = self.poll_out else {
            return false;
        };
        let messages = self.janus.take_for_long_poll(self.now, maxev);
        let body = if !messages.is_empty() {
            format!("[{}]", messages.join(","))
        } else if !self.janus.sessions.contains_key(&session.0) {
            self.poll_out = None;
            self.long_poll_answered(404);
            return true;
        } else if self.now.total_millis() >= since + LONG_POLL_IDLE_MS {
            r#"[{"janus":"keepalive"}]"#.to_owned()
        } else {
            return false;
        };
        self.poll_out = None;
        self.long_poll_answered(200);
        self.feed(&body);
        true
    }

    /// Jumps the virtual clock from timer to timer up to `until`.
    fn run_until(&mut self, until: u64) {
        loop {
            self.step();
            let idle_poll = self.poll_out.map(|(_, _, since)| since + LONG_POLL_IDLE_MS);
            let next = [self.client.poll_timeout().map(Instant::total_millis), self.janus.next_deadline(), idle_poll]
                .into_iter()
                .flatten()
                .filter(|t| *t > self.now.total_millis())
                .min();
            match next {
                Some(t) if t <= until => {
                    self.now = Instant::from_millis(t);
                    self.handle_timeout();
                }
                _ => {
                    self.now = Instant::from_millis(until);
                    self.handle_timeout();
                    self.step();
                    return;
                }
            }
        }
    }

    fn create_and_attach(&mut self) -> (SessionId, HandleId) {
        self.command(|c, now, out| c.create_session(now, out));
        let session = self.client.session_id().expect("session created");
        let handle = self.attach();
        (session, handle)
    }

    fn attach(&mut self) -> HandleId {
        let before: Vec<HandleId> = self.client.handles().collect();
        self.command(|c, now, out| c.attach(now, out, "janus.plugin.echotest", None));
        self.client.handles().find(|h| !before.contains(h)).expect("handle attached")
    }

    fn message(&mut self, handle: HandleId) -> RequestId {
        self.command(|c, now, out| c.message::<_, ()>(now, out, handle, &json!({"audio": true}), None))
    }

    fn take_seen(&mut self) -> Vec<Seen> {
        std::mem::take(&mut self.seen)
    }
}

fn reply(request: RequestId, kind: RequestKind, janus: &str) -> Seen {
    Seen::Reply { request, kind, janus: janus.to_owned() }
}

#[test]
fn websocket_keepalives_every_25_s_keep_the_session_alive() {
    let mut sim = Sim::websocket();
    sim.create_and_attach();
    sim.run_until(10 * 60 * 1000);
    let keepalives: Vec<u64> = sim.janus.log.iter().filter(|(_, k)| k == "keepalive").map(|(t, _)| *t).collect();
    assert_eq!(keepalives.len(), 24, "{keepalives:?}");
    assert_eq!(keepalives[0], 25_000);
    assert!(keepalives.windows(2).all(|w| w[1] - w[0] == 25_000), "{keepalives:?}");
    assert!(matches!(sim.client.session(), SessionState::Active(_)));
    assert_eq!(sim.janus.sessions.len(), 1, "the server kept the session");
    assert!(!sim.seen.contains(&Seen::SessionTimedOut));
    assert_eq!(sim.client.pending_requests(), 0, "every keepalive was acked");
}

#[test]
fn other_requests_push_the_keepalive_back() {
    let mut sim = Sim::websocket();
    let (_, handle) = sim.create_and_attach();
    sim.run_until(20_000);
    sim.message(handle);
    sim.run_until(60_000);
    let keepalives: Vec<u64> = sim.janus.log.iter().filter(|(_, k)| k == "keepalive").map(|(t, _)| *t).collect();
    assert_eq!(keepalives, [45_000]);
}

#[test]
fn without_keepalives_the_session_times_out() {
    let mut config = Config::websocket();
    config.keepalive_interval = janus_signal::Duration::from_secs(120);
    let mut sim = Sim::new(config, Behaviour::default());
    let (session, handle) = sim.create_and_attach();
    sim.take_seen();
    sim.run_until(70_000);
    let seen = sim.take_seen();
    assert!(seen.contains(&Seen::SessionTimedOut), "{seen:?}");
    assert!(seen.contains(&Seen::Event(Event::SessionEnded { session, reason: SessionEnd::TimedOut })));
    assert_eq!(sim.client.session(), SessionState::Ended(session, SessionEnd::TimedOut));
    assert_eq!(sim.client.handles().count(), 0);
    assert_eq!(
        sim.try_command(|c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None)),
        Err(ClientError::NoSession)
    );
    // A new session can be created afterwards.
    sim.command(|c, now, out| c.create_session(now, out));
    assert!(matches!(sim.client.session(), SessionState::Active(_)));
}

#[test]
fn ack_then_event_answers_the_message() {
    let mut sim = Sim::websocket();
    let (_, handle) = sim.create_and_attach();
    sim.take_seen();
    let request = sim.message(handle);
    sim.run_until(sim.now.total_millis() + 10);
    assert_eq!(sim.take_seen(), [Seen::Acked { request }, reply(request, RequestKind::Message, "event")]);
    assert_eq!(sim.client.pending_requests(), 0);
}

#[test]
fn event_before_ack_answers_the_message_and_the_late_ack_is_absorbed() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { event_before_ack: true, ..Behaviour::default() });
    let (_, handle) = sim.create_and_attach();
    sim.take_seen();
    let request = sim.message(handle);
    assert_eq!(sim.take_seen(), [reply(request, RequestKind::Message, "event"), Seen::Acked { request }]);
    assert_eq!(sim.client.pending_requests(), 0);
    // Nothing times out later: the request is complete.
    sim.run_until(sim.now.total_millis() + 30_000);
    assert!(!sim.take_seen().iter().any(|s| matches!(s, Seen::Event(Event::RequestTimedOut { .. }))));
}

#[test]
fn unanswered_requests_time_out_and_the_session_stays_usable() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (_, handle) = sim.create_and_attach();
    sim.take_seen();
    let request = sim.message(handle);
    let sent_at = sim.now.total_millis();
    sim.run_until(sent_at + 14_999);
    assert!(sim.take_seen().is_empty());
    sim.run_until(sent_at + 15_000);
    assert_eq!(sim.take_seen(), [Seen::Event(Event::RequestTimedOut { request, kind: RequestKind::Message })]);
    assert_eq!(sim.client.pending_requests(), 0);
    sim.janus.behaviour.silent_messages = false;
    let again = sim.message(handle);
    sim.run_until(sim.now.total_millis() + 10);
    assert!(sim.take_seen().contains(&reply(again, RequestKind::Message, "event")));
}

#[test]
fn a_late_answer_after_a_timeout_is_ignored_not_an_error() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (session, handle) = sim.create_and_attach();
    let request = sim.message(handle);
    sim.run_until(sim.now.total_millis() + 16_000);
    sim.take_seen();
    let late = json!({"janus": "ack", "session_id": session.0, "transaction": request.as_str()});
    sim.janus.push(sim.now, late);
    sim.step();
    assert_eq!(sim.take_seen(), [Seen::Ignored { reason: Ignored::UnknownTransaction, janus: "ack".into() }]);
}

#[test]
fn detach_with_detached_before_success() {
    for detached_first in [false, true] {
        let behaviour = Behaviour { detached_before_success: detached_first, ..Behaviour::default() };
        let mut sim = Sim::new(Config::websocket(), behaviour);
        let (_, handle) = sim.create_and_attach();
        sim.take_seen();
        let request = sim.command(|c, now, out| c.detach(now, out, handle));
        let seen = sim.take_seen();
        assert!(seen.contains(&reply(request, RequestKind::Detach, "success")), "{seen:?}");
        assert!(seen.contains(&Seen::Event(Event::HandleDetached { handle })), "{seen:?}");
        assert_eq!(seen.iter().filter(|s| matches!(s, Seen::Event(Event::HandleDetached { .. }))).count(), 1);
        assert_eq!(sim.client.handles().count(), 0);
        assert_eq!(
            sim.try_command(|c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None)),
            Err(ClientError::UnknownHandle(handle))
        );
        // A late plugin event for the gone handle is dropped quietly.
        let late = json!({"janus": "event", "session_id": sim.client.session_id().map(|s| s.0), "sender": handle.0,
            "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "done"}}});
        sim.janus.push(sim.now, late);
        sim.step();
        assert_eq!(sim.take_seen(), [Seen::Ignored { reason: Ignored::UnknownHandle, janus: "event".into() }]);
    }
}

#[test]
fn commands_on_a_detaching_handle_are_refused() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (_, handle) = sim.create_and_attach();
    let t = sim.try_command(|c, now, out| c.detach(now, out, handle)).expect("detach");
    assert!(t.request.is_some());
    assert_eq!(sim.try_command(|c, now, out| c.hangup(now, out, handle)), Err(ClientError::HandleDetaching(handle)));
}

#[test]
fn hangup_and_unsolicited_events_reach_their_handle() {
    let mut sim = Sim::websocket();
    let (session, handle) = sim.create_and_attach();
    sim.take_seen();
    let request = sim.command(|c, now, out| c.hangup(now, out, handle));
    sim.run_until(sim.now.total_millis() + 5);
    assert_eq!(
        sim.take_seen(),
        [reply(request, RequestKind::Hangup, "success"), Seen::Handle { handle, janus: "hangup".into() }]
    );
    for kind in ["webrtcup", "ice-failed"] {
        sim.janus.push(sim.now, json!({"janus": kind, "session_id": session.0, "sender": handle.0}));
    }
    sim.janus.push(
        sim.now,
        json!({"janus": "media", "session_id": session.0, "sender": handle.0, "type": "audio", "receiving": true}),
    );
    sim.janus.push(
        sim.now,
        json!({"janus": "slowlink", "session_id": session.0, "sender": handle.0, "uplink": true, "lost": 3}),
    );
    sim.step();
    let kinds: Vec<String> = sim
        .take_seen()
        .into_iter()
        .map(|s| match s {
            Seen::Handle { handle: h, janus } if h == handle => janus,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["webrtcup", "ice-failed", "media", "slowlink"]);
}

#[test]
fn two_handles_on_one_session_each_get_only_their_events() {
    let mut sim = Sim::websocket();
    let (session, first) = sim.create_and_attach();
    let second = sim.attach();
    assert_ne!(first, second);
    sim.take_seen();
    let to_first = sim.message(first);
    let to_second = sim.message(second);
    sim.janus.push(sim.now, json!({"janus": "hangup", "session_id": session.0, "sender": second.0, "reason": "x"}));
    sim.run_until(sim.now.total_millis() + 10);
    let seen = sim.take_seen();
    assert!(seen.contains(&reply(to_first, RequestKind::Message, "event")));
    assert!(seen.contains(&reply(to_second, RequestKind::Message, "event")));
    assert!(seen.contains(&Seen::Handle { handle: second, janus: "hangup".into() }));
    assert!(!seen.iter().any(|s| matches!(s, Seen::Handle { handle, .. } if *handle == first)));
}

#[test]
fn full_tables_are_typed_errors_and_the_session_stays_usable() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (_, handle) = sim.create_and_attach();
    sim.attach();
    sim.attach();
    assert_eq!(
        sim.try_command(|c, now, out| c.attach(now, out, "janus.plugin.echotest", None)),
        Err(ClientError::TooManyHandles)
    );
    for _ in 0..4 {
        sim.message(handle);
    }
    assert_eq!(
        sim.try_command(|c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None)),
        Err(ClientError::TooManyPending)
    );
    // Buffer too small: a typed error, nothing recorded.
    let mut tiny = [0u8; 8];
    sim.run_until(sim.now.total_millis() + 16_000);
    assert!(matches!(
        sim.try_command(|c, now, _| c.message::<_, ()>(now, &mut tiny, handle, &json!({}), None)),
        Err(ClientError::Encode(janus_signal::EncodeError::BufferTooSmall { .. }))
    ));
    assert_eq!(sim.client.pending_requests(), 0);
    sim.janus.behaviour.silent_messages = false;
    let request = sim.message(handle);
    sim.run_until(sim.now.total_millis() + 10);
    assert!(sim.take_seen().contains(&reply(request, RequestKind::Message, "event")));
}

#[test]
fn claim_after_a_lost_websocket_keeps_the_handles() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (session, handle) = sim.create_and_attach();
    let request = sim.message(handle);
    sim.take_seen();
    sim.transport_lost();
    assert_eq!(sim.client.session(), SessionState::Disconnected(session));
    let abandoned = Abandoned::SessionEnded(SessionEnd::TransportLost);
    assert_eq!(
        sim.take_seen_after_step(),
        [Seen::Event(Event::RequestAbandoned { request, kind: RequestKind::Message, reason: abandoned })]
    );
    let claim = sim.command(|c, now, out| c.claim_session(now, out, session));
    assert!(sim.take_seen().contains(&reply(claim, RequestKind::Claim, "success")));
    assert_eq!(sim.client.session(), SessionState::Active(session));
    assert_eq!(sim.client.handles().collect::<Vec<_>>(), [handle]);
}

#[test]
fn claiming_a_session_the_server_forgot_ends_it() {
    let mut sim = Sim::websocket();
    let (session, _) = sim.create_and_attach();
    sim.transport_lost();
    sim.janus.sessions.clear();
    let claim = sim.command(|c, now, out| c.claim_session(now, out, session));
    let seen = sim.take_seen();
    assert!(seen.contains(&reply(claim, RequestKind::Claim, "error")), "{seen:?}");
    assert!(matches!(sim.client.session(), SessionState::Ended(s, _) if s == session));
}

#[test]
fn a_458_ends_the_session() {
    let mut sim = Sim::websocket();
    let (session, _) = sim.create_and_attach();
    sim.janus.sessions.clear();
    sim.take_seen();
    let keepalive = sim.command(|c, now, out| c.keepalive(now, out));
    let seen = sim.take_seen();
    assert_eq!(seen[0], reply(keepalive, RequestKind::Keepalive, "error"));
    assert!(seen.contains(&Seen::Event(Event::SessionEnded { session, reason: SessionEnd::NotFound })));
}

#[test]
fn destroy_ends_the_session_and_a_new_one_can_start() {
    let mut sim = Sim::websocket();
    let (session, _) = sim.create_and_attach();
    sim.take_seen();
    let destroy = sim.command(|c, now, out| c.destroy_session(now, out));
    assert_eq!(
        sim.take_seen(),
        [
            Seen::Event(Event::SessionEnded { session, reason: SessionEnd::Destroyed }),
            reply(destroy, RequestKind::Destroy, "success"),
        ]
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
    );
    assert_eq!(sim.client.poll_timeout(), None, "no keepalives for a destroyed session");
    sim.command(|c, now, out| c.create_session(now, out));
    assert!(matches!(sim.client.session(), SessionState::Active(s) if s != session));
}

#[test]
fn http_runs_exactly_one_long_poll_per_session_whatever_the_handles() {
    let mut sim = Sim::new(Config::http(), Behaviour::default());
    let (_, first) = sim.create_and_attach();
    let second = sim.attach();
    sim.take_seen();
    let a = sim.message(first);
    let b = sim.message(second);
    sim.run_until(sim.now.total_millis() + 100);
    let seen = sim.take_seen();
    assert!(seen.contains(&reply(a, RequestKind::Message, "event")), "{seen:?}");
    assert!(seen.contains(&reply(b, RequestKind::Message, "event")), "{seen:?}");
    // Long polls were never concurrent: each was answered before the next went out, and no
    // keepalive request was ever sent over HTTP.
    assert!(!sim.janus.log.iter().any(|(_, k)| k == "keepalive"));
    let session = sim.client.session_id().expect("active").0;
    assert!(sim.janus.long_polls.iter().all(|(_, s)| *s == session));
    // The long polls kept the session alive for ten minutes.
    sim.run_until(10 * 60 * 1000);
    assert!(matches!(sim.client.session(), SessionState::Active(_)));
}

#[test]
fn http_keepalives_cover_a_server_timeout_shorter_than_the_long_poll() {
    // A server that expires sessions after 10 s, while its idle long polls last 30 s.
    let mut config = Config::http();
    config.keepalive_interval = janus_signal::Duration::from_secs(4);
    let mut sim = Sim::new(config, Behaviour { session_timeout_ms: 10_000, ..Behaviour::default() });
    sim.create_and_attach();
    sim.run_until(2 * 60 * 1000);
    assert!(matches!(sim.client.session(), SessionState::Active(_)), "{:?}", sim.client.session());
    let keepalives = sim.janus.log.iter().filter(|(_, k)| k == "keepalive").count();
    assert!(keepalives >= 20, "{keepalives} keepalives in 2 minutes");
    // Still exactly one long poll at a time (the harness asserts it), and it kept going.
    assert!(sim.janus.long_polls.len() >= 4);
}

#[test]
fn http_long_poll_404_ends_the_session() {
    let mut sim = Sim::new(Config::http(), Behaviour::default());
    let (session, _) = sim.create_and_attach();
    sim.take_seen();
    sim.janus.sessions.clear();
    sim.step();
    assert!(
        sim.take_seen()
            .contains(&Seen::Event(Event::SessionEnded { session, reason: SessionEnd::LongPollStatus(404) }))
    );
    let t = sim.poll_transmit();
    assert_eq!(t, None, "no long poll for an ended session");
}

#[test]
fn trickle_is_ack_only() {
    let mut sim = Sim::websocket();
    let (_, handle) = sim.create_and_attach();
    sim.take_seen();
    let request = sim.command(|c, now, out| {
        c.trickle::<janus_signal::request::IceCandidate<'_>>(now, out, handle, Candidates::Completed)
    });
    assert_eq!(sim.take_seen(), [reply(request, RequestKind::Trickle, "ack")]);
    assert_eq!(sim.client.pending_requests(), 0);
}

#[test]
fn messages_for_other_sessions_are_ignored() {
    let mut sim = Sim::websocket();
    let (_, handle) = sim.create_and_attach();
    sim.take_seen();
    sim.janus.push(sim.now, json!({"janus": "hangup", "session_id": 1, "sender": handle.0, "reason": "x"}));
    sim.janus.push(sim.now, json!({"janus": "timeout", "session_id": 1}));
    sim.step();
    let seen = sim.take_seen();
    assert_eq!(
        seen,
        [
            Seen::Ignored { reason: Ignored::OtherSession, janus: "hangup".into() },
            Seen::Ignored { reason: Ignored::OtherSession, janus: "timeout".into() }
        ]
    );
    assert!(matches!(sim.client.session(), SessionState::Active(_)));
}

#[test]
fn misuse_before_a_session() {
    let mut client: TestClient = Client::new(Config::websocket(), 1);
    let mut buf = [0u8; 256];
    let now = Instant::ZERO;
    assert_eq!(client.attach(now, &mut buf, "p", None), Err(ClientError::NoSession));
    assert_eq!(client.destroy_session(now, &mut buf), Err(ClientError::NoSession));
    assert_eq!(client.poll_transmit(now, &mut buf), Ok(None));
    client.create_session(now, &mut buf).expect("create");
    assert_eq!(client.create_session(now, &mut buf), Err(ClientError::SessionBusy));
    assert!(client.server_info(now, &mut buf).is_ok(), "info needs no session");
    let garbage = client.handle_input(now, b"{\"janus\":");
    assert!(garbage.is_err());
    assert_eq!(client.session(), SessionState::Creating);
    let message = Message::decode(br#"{"janus":"event","sender":5}"#).expect("valid");
    assert!(matches!(client.handle_message(now, message), Output::Ignored { reason: Ignored::UnknownHandle, .. }));
}

impl Sim {
    fn take_seen_after_step(&mut self) -> Vec<Seen> {
        self.step();
        self.take_seen()
    }
}

// ----- only a reply to X changes state through X ----------------------------------------------

fn error_reply(request: RequestId, session: Option<SessionId>, handle: Option<HandleId>, code: u16) -> String {
    json!({"janus": "error", "session_id": session.map(|s| s.0), "sender": handle.map(|h| h.0),
        "transaction": request.as_str(), "error": {"code": code, "reason": "scripted"}})
    .to_string()
}

fn success_reply(request: RequestId, session: SessionId) -> String {
    json!({"janus": "success", "session_id": session.0, "transaction": request.as_str()}).to_string()
}

fn sent(
    sim: &mut Sim,
    f: impl FnOnce(&mut TestClient, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
) -> RequestId {
    sim.try_command(f).expect("command accepted").request.expect("a request")
}

fn session_ends(seen: &[Seen]) -> usize {
    seen.iter().filter(|s| matches!(s, Seen::Event(Event::SessionEnded { .. }))).count()
}

#[test]
fn an_error_to_an_unrelated_request_leaves_a_pending_claim_alone() {
    let mut sim = Sim::websocket();
    let (session, handle) = sim.create_and_attach();
    sim.transport_lost();
    let claim = sent(&mut sim, |c, now, out| c.claim_session(now, out, session));
    let unknown = sent(&mut sim, |c, now, out| c.custom(now, out, "frobnicate", None, &json!({})));
    let info = sent(&mut sim, |c, now, out| c.server_info(now, out));
    sim.take_seen();
    // 453 to the unknown request, and even a 458 to a request not addressed to the session.
    sim.feed(&error_reply(unknown, None, None, 453));
    sim.feed(&error_reply(info, None, None, 458));
    assert_eq!(sim.client.session(), SessionState::Claiming(session));
    assert!(sim.client.is_pending(claim));
    // The claim's own success still counts: Janus holds the session for us.
    sim.feed(&success_reply(claim, session));
    assert_eq!(sim.client.session(), SessionState::Active(session));
    assert_eq!(sim.client.handles().collect::<Vec<_>>(), [handle]);
    let seen = sim.take_seen();
    assert_eq!(session_ends(&seen), 0, "{seen:?}");
    assert!(seen.contains(&reply(claim, RequestKind::Claim, "success")), "{seen:?}");
}

#[test]
fn an_error_while_create_is_pending_allows_a_second_create_only_if_it_answers_the_create() {
    let mut sim = Sim::websocket();
    let create = sent(&mut sim, |c, now, out| c.create_session(now, out));
    let ping = sent(&mut sim, |c, now, out| c.ping(now, out));
    sim.feed(&error_reply(ping, None, None, 490));
    assert_eq!(sim.client.session(), SessionState::Creating);
    assert_eq!(sim.try_command(|c, now, out| c.create_session(now, out)), Err(ClientError::SessionBusy));
    sim.feed(&error_reply(create, None, None, 403));
    assert_eq!(sim.client.session(), SessionState::Idle);
    sim.command(|c, now, out| c.create_session(now, out));
    assert!(matches!(sim.client.session(), SessionState::Active(_)));
}

#[test]
fn an_unexpected_answer_to_create_fails_it() {
    let mut sim = Sim::websocket();
    let create = sent(&mut sim, |c, now, out| c.create_session(now, out));
    sim.feed(&json!({"janus": "ack", "transaction": create.as_str()}).to_string());
    assert_eq!(sim.client.session(), SessionState::Idle);
    assert_eq!(sim.client.pending_requests(), 0);
    sim.command(|c, now, out| c.create_session(now, out));
    assert!(matches!(sim.client.session(), SessionState::Active(_)));
}

#[test]
fn only_an_error_answering_the_detach_clears_detaching() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (session, handle) = sim.create_and_attach();
    let message = sim.message(handle);
    let detach = sent(&mut sim, |c, now, out| c.detach(now, out, handle));
    // The message sent before the detach fails on the same handle: the handle stays detaching.
    sim.feed(&error_reply(message, Some(session), Some(handle), 462));
    assert_eq!(sim.try_command(|c, now, out| c.hangup(now, out, handle)), Err(ClientError::HandleDetaching(handle)));
    // The detach's own failure makes the handle usable again.
    sim.feed(&error_reply(detach, Some(session), Some(handle), 463));
    assert_eq!(sim.client.handles().collect::<Vec<_>>(), [handle]);
    assert!(sim.try_command(|c, now, out| c.hangup(now, out, handle)).is_ok());
}

#[test]
fn a_459_forgets_only_the_handle_of_the_request_it_answers() {
    let mut sim = Sim::new(Config::websocket(), Behaviour { silent_messages: true, ..Behaviour::default() });
    let (session, first) = sim.create_and_attach();
    let second = sim.attach();
    let to_first = sim.message(first);
    let to_second = sim.message(second);
    sim.take_seen();
    sim.feed(&error_reply(to_first, Some(session), Some(first), 459));
    assert_eq!(sim.client.handles().collect::<Vec<_>>(), [second]);
    assert!(sim.client.is_pending(to_second));
    assert!(sim.take_seen().contains(&Seen::Event(Event::HandleDetached { handle: first })));
}

#[test]
fn a_failed_destroy_is_undone_only_by_its_own_answer() {
    let mut sim = Sim::websocket();
    let (session, _) = sim.create_and_attach();
    let destroy = sent(&mut sim, |c, now, out| c.destroy_session(now, out));
    let unknown = sent(&mut sim, |c, now, out| c.custom(now, out, "frobnicate", None, &json!({})));
    sim.feed(&error_reply(unknown, Some(session), None, 453));
    assert_eq!(sim.client.session(), SessionState::Destroying(session));
    sim.feed(&error_reply(destroy, Some(session), None, 490));
    assert_eq!(sim.client.session(), SessionState::Active(session));
}

#[test]
fn a_claim_failing_with_another_error_than_458_leaves_the_session_claimable() {
    let mut sim = Sim::websocket();
    let (session, handle) = sim.create_and_attach();
    sim.transport_lost();
    sim.take_seen();
    let claim = sent(&mut sim, |c, now, out| c.claim_session(now, out, session));
    sim.feed(&error_reply(claim, Some(session), None, 403));
    assert_eq!(sim.client.session(), SessionState::Disconnected(session));
    assert_eq!(sim.client.handles().collect::<Vec<_>>(), [handle]);
    let seen = sim.take_seen();
    assert_eq!(seen, [reply(claim, RequestKind::Claim, "error")]);
    // It can be claimed again (the fake still has it).
    let again = sim.command(|c, now, out| c.claim_session(now, out, session));
    assert!(sim.take_seen().contains(&reply(again, RequestKind::Claim, "success")));
    assert_eq!(sim.client.session(), SessionState::Active(session));
}

#[test]
fn a_claim_goes_to_the_claimed_session_and_a_refused_one_changes_nothing() {
    let mut sim = Sim::new(Config::http(), Behaviour::default());
    let (old, handle) = sim.create_and_attach();
    sim.transport_lost();
    let other = SessionId(old.0 + 1);
    // Refused (buffer too small): still disconnected from the old session, handles kept.
    let mut tiny = [0u8; 8];
    assert!(sim.try_command(|c, now, _| c.claim_session(now, &mut tiny, other)).is_err());
    assert_eq!(sim.client.session(), SessionState::Disconnected(old));
    assert_eq!(sim.client.handles().collect::<Vec<_>>(), [handle]);
    // From a disconnected session and from nothing, the claim's path names the claimed session.
    let t = sim.try_command(|c, now, out| c.claim_session(now, out, other)).expect("claim");
    assert_eq!(t.route, Route::Janus { session: Some(other), handle: None });
    assert_eq!(sim.client.handles().count(), 0, "another session's claim forgets the old handles");
    let mut fresh: TestClient = Client::new(Config::http(), 3);
    let t = fresh.claim_session(sim.now, &mut sim.buf, old).expect("claim");
    assert_eq!(t.route, Route::Janus { session: Some(old), handle: None });
}

#[test]
fn http_long_poll_403_ends_the_session() {
    let mut sim = Sim::new(Config::http(), Behaviour::default());
    let (session, _) = sim.create_and_attach();
    assert!(sim.poll_out.is_some(), "the long poll is out");
    sim.take_seen();
    // A 500 is no verdict on the session.
    sim.poll_out = None;
    sim.long_poll_answered(500);
    assert_eq!(sim.client.session(), SessionState::Active(session));
    assert!(sim.poll_transmit().is_some_and(|t| matches!(t.route, Route::LongPoll { .. })));
    // 403: the credentials were refused.
    sim.long_poll_answered(403);
    assert_eq!(sim.client.session(), SessionState::Ended(session, SessionEnd::LongPollStatus(403)));
    assert_eq!(sim.client.handles().count(), 0);
    assert_eq!(
        sim.take_seen(),
        [Seen::Event(Event::SessionEnded { session, reason: SessionEnd::LongPollStatus(403) })]
    );
    assert_eq!(sim.poll_transmit(), None, "no long poll for an ended session");
}

#[test]
fn a_message_answered_before_its_ack_ends_once_even_if_the_ack_never_comes() {
    let mut sim = Sim::websocket();
    let (session, handle) = sim.create_and_attach();
    let message = sent(&mut sim, |c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None));
    sim.take_seen();
    let event = json!({"janus": "event", "session_id": session.0, "sender": handle.0, "transaction": message.as_str(),
        "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "ok"}}});
    sim.feed(&event.to_string());
    assert_eq!(sim.take_seen(), [reply(message, RequestKind::Message, "event")]);
    sim.run_until(sim.now.total_millis() + 20_000);
    let seen = sim.take_seen();
    assert!(!seen.iter().any(|s| matches!(s, Seen::Event(Event::RequestTimedOut { .. }))), "{seen:?}");
    assert_eq!(sim.client.pending_requests(), 0);
    // Same when the handle goes before the ack: no abandonment of an answered request.
    let message = sent(&mut sim, |c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None));
    let event = json!({"janus": "event", "session_id": session.0, "sender": handle.0, "transaction": message.as_str(),
        "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "ok"}}});
    sim.feed(&event.to_string());
    sim.feed(&json!({"janus": "detached", "session_id": session.0, "sender": handle.0}).to_string());
    let seen = sim.take_seen();
    assert!(!seen.iter().any(|s| matches!(s, Seen::Event(Event::RequestAbandoned { .. }))), "{seen:?}");
    assert_eq!(sim.client.pending_requests(), 0);
}

// ----- random walks under the oracle ------------------------------------------------------------

/// xorshift64: the walks are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

impl Sim {
    /// A command that may be refused; when accepted, it is sent and the exchange settles.
    fn maybe(&mut self, f: impl FnOnce(&mut TestClient, Instant, &mut [u8]) -> Result<Transmit, ClientError>) {
        if let Ok(t) = self.try_command(f) {
            self.deliver(t);
            self.step();
        }
    }
}

#[test]
fn random_walks_keep_the_invariants() {
    for seed in 1..=400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let config = if seed % 2 == 0 { Config::websocket() } else { Config::http() };
        let behaviour = Behaviour {
            event_before_ack: rng.below(2) == 0,
            detached_before_success: rng.below(2) == 0,
            silent_messages: rng.below(4) == 0,
            session_timeout_ms: [10_000, 60_000][rng.below(2) as usize],
            malformed_before_replies: rng.below(4) == 0,
            malformed_reply_to: [
                None,
                Some("create"),
                Some("attach"),
                Some("message"),
                Some("detach"),
                Some("destroy"),
            ][rng.below(6) as usize],
        };
        let mut sim = Sim::new(config, behaviour);
        let mut last_session = SessionId(1);
        for _ in 0..80 {
            if let Some(s) = sim.client.session_id() {
                last_session = s;
            }
            let handles: Vec<HandleId> = sim.client.handles().collect();
            let handle = if handles.is_empty() {
                HandleId(rng.below(3) + 1000)
            } else {
                handles[rng.below(handles.len() as u64) as usize]
            };
            match rng.below(17) {
                0 | 1 => sim.maybe(|c, now, out| c.create_session(now, out)),
                2 => {
                    let session = if rng.below(3) == 0 { SessionId(rng.below(4) + 1000) } else { last_session };
                    sim.maybe(|c, now, out| c.claim_session(now, out, session));
                }
                3 => sim.maybe(|c, now, out| c.destroy_session(now, out)),
                4 | 5 => sim.maybe(|c, now, out| c.attach(now, out, "janus.plugin.echotest", None)),
                6 | 7 => sim.maybe(|c, now, out| c.message::<_, ()>(now, out, handle, &json!({"audio": true}), None)),
                8 => sim.maybe(|c, now, out| c.detach(now, out, handle)),
                9 => sim.maybe(|c, now, out| c.hangup(now, out, handle)),
                10 => sim.maybe(|c, now, out| c.keepalive(now, out)),
                11 => {
                    let on = if rng.below(2) == 0 { None } else { Some(handle) };
                    sim.maybe(|c, now, out| c.custom(now, out, "frobnicate", on, &json!({})));
                }
                12 => {
                    sim.maybe(|c, now, out| if rng.below(2) == 0 { c.server_info(now, out) } else { c.ping(now, out) })
                }
                13 => sim.transport_lost(),
                14 => {
                    let until = sim.now.total_millis() + rng.below(40_000);
                    sim.run_until(until);
                }
                15 => {
                    // The server forgets every session (a restart), or a handle.
                    if rng.below(2) == 0 {
                        sim.janus.sessions.clear();
                    } else if let Some(session) = sim.client.session_id() {
                        let detached = json!({"janus": "detached", "session_id": session.0, "sender": handle.0});
                        sim.janus.push(sim.now, detached);
                    }
                    sim.step();
                }
                _ => sim.janus.behaviour.silent_messages = !sim.janus.behaviour.silent_messages,
            }
        }
        // Everything that is still pending ends by its deadline.
        sim.janus.behaviour.silent_messages = true;
        let end = sim.now.total_millis() + 120_000;
        sim.run_until(end);
        assert_eq!(sim.client.events_dropped(), 0, "seed {seed}");
    }
}

#[test]
fn a_message_is_answered_once_whatever_follows_on_its_transaction() {
    let mut sim = Sim::websocket();
    let (session, handle) = sim.create_and_attach();
    let message = sent(&mut sim, |c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None));
    sim.take_seen();
    let on_tx = |janus: &str| {
        json!({"janus": janus, "session_id": session.0, "sender": handle.0, "transaction": message.as_str(),
            "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "ok"}}})
        .to_string()
    };
    sim.feed(&on_tx("event"));
    // After the answer (and before the ack), neither a success nor a second event is a second
    // answer: they are the handle's traffic.
    sim.feed(&on_tx("success"));
    sim.feed(&on_tx("event"));
    sim.feed(&json!({"janus": "ack", "session_id": session.0, "transaction": message.as_str()}).to_string());
    assert_eq!(
        sim.take_seen(),
        [
            reply(message, RequestKind::Message, "event"),
            Seen::Handle { handle, janus: "success".into() },
            Seen::Handle { handle, janus: "event".into() },
            Seen::Acked { request: message },
        ]
    );
    assert_eq!(sim.client.pending_requests(), 0);
}

#[test]
fn a_second_ack_acknowledges_nothing() {
    let mut sim = Sim::websocket();
    let (session, handle) = sim.create_and_attach();
    let message = sent(&mut sim, |c, now, out| c.message::<_, ()>(now, out, handle, &json!({}), None));
    sim.take_seen();
    let ack = json!({"janus": "ack", "session_id": session.0, "transaction": message.as_str()}).to_string();
    sim.feed(&ack);
    sim.feed(&ack);
    assert_eq!(
        sim.take_seen(),
        [Seen::Acked { request: message }, Seen::Ignored { reason: Ignored::UnknownTransaction, janus: "ack".into() }]
    );
    assert!(sim.client.is_pending(message), "still waiting for its event");
}

// ----- messages that cannot be read as their kind (issue 18, item 1) ------------------------

/// The malformed events the fake sent, as the client reports them.
fn malformed_seen(seen: &[Seen]) -> usize {
    seen.iter().filter(|s| matches!(s, Seen::Malformed { .. })).count()
}

/// A whole session (create, attach, messages, trickle, hangup, keepalives, detach, destroy)
/// with unreadable unsolicited events before every reply: each is reported as malformed,
/// nothing fails, and the session goes on.
fn session_with_malformed_events(config: Config) {
    let behaviour = Behaviour { malformed_before_replies: true, ..Behaviour::default() };
    let mut sim = Sim::new(config, behaviour);
    let (session, handle) = sim.create_and_attach();
    let message = sim.message(handle);
    sim.run_until(1_000);
    let trickle = sim.command(|c, now, out| c.trickle::<()>(now, out, handle, Candidates::Completed));
    let hangup = sim.command(|c, now, out| c.hangup(now, out, handle));
    sim.run_until(60_000);
    let detach = sim.command(|c, now, out| c.detach(now, out, handle));
    sim.run_until(61_000);
    let destroy = sim.command(|c, now, out| c.destroy_session(now, out));
    sim.run_until(62_000);
    let seen = sim.take_seen();
    for (request, kind, janus) in [
        (message, RequestKind::Message, "event"),
        (trickle, RequestKind::Trickle, "ack"),
        (hangup, RequestKind::Hangup, "success"),
        (detach, RequestKind::Detach, "success"),
        (destroy, RequestKind::Destroy, "success"),
    ] {
        assert!(seen.contains(&reply(request, kind, janus)), "{kind:?} answered: {seen:#?}");
    }
    assert!(!seen.iter().any(|s| matches!(s, Seen::MalformedReply { .. })), "{seen:#?}");
    assert!(
        !seen.iter().any(|s| matches!(s, Seen::Event(Event::RequestTimedOut { .. } | Event::RequestAbandoned { .. }))),
        "{seen:#?}"
    );
    assert_eq!(sim.client.session(), SessionState::Ended(session, SessionEnd::Destroyed));
    // Over HTTP the POST's response is the reply itself: the malformed events come on the
    // long poll (all but those queued after the destroy, which ended the poll).
    let sent = sim.janus.malformed_sent;
    assert!(sent >= 5 * 5, "the fake sent {sent}");
    let reported = malformed_seen(&seen);
    assert!(reported + 5 >= sent && reported <= sent, "{reported} of {sent} reported");
    assert!(seen.contains(&Seen::Malformed {
        janus: Some("ice-failed".to_owned()),
        defect: Defect::Missing { kind: "ice-failed", field: "sender" },
    }));
    assert!(seen.contains(&Seen::Malformed {
        janus: Some("media".to_owned()),
        defect: Defect::Invalid { kind: "media", field: "receiving" },
    }));
}

#[test]
fn malformed_events_before_every_reply_over_websocket_do_not_fail_anything() {
    session_with_malformed_events(Config::websocket());
}

#[test]
fn malformed_events_before_every_reply_over_http_do_not_fail_anything() {
    session_with_malformed_events(Config::http());
}

/// A reply to our own request that cannot be read fails that request (and only it): a
/// garbled `attach` success adds no handle; a garbled `create` success leaves no session.
#[test]
fn a_malformed_reply_fails_its_request_only() {
    for config in [Config::websocket(), Config::http()] {
        let behaviour = Behaviour { malformed_reply_to: Some("attach"), ..Behaviour::default() };
        let mut sim = Sim::new(config, behaviour);
        sim.command(|c, now, out| c.create_session(now, out));
        let session = sim.client.session_id().expect("session");
        let attach = sim.command(|c, now, out| c.attach(now, out, "janus.plugin.echotest", None));
        let seen = sim.take_seen();
        assert!(seen.contains(&Seen::MalformedReply { request: attach, kind: RequestKind::Attach }), "{seen:#?}");
        assert_eq!(sim.client.handles().count(), 0);
        assert_eq!(sim.client.pending_requests(), 0, "the attach ended");
        assert_eq!(sim.client.session(), SessionState::Active(session), "the session goes on");
        let handle = sim.attach();
        let message = sim.message(handle);
        sim.run_until(1_000);
        assert!(sim.take_seen().contains(&reply(message, RequestKind::Message, "event")));

        let behaviour = Behaviour { malformed_reply_to: Some("create"), ..Behaviour::default() };
        let mut sim = Sim::new(config, behaviour);
        let create = sim.command(|c, now, out| c.create_session(now, out));
        assert!(sim.take_seen().contains(&Seen::MalformedReply { request: create, kind: RequestKind::Create }));
        assert_eq!(sim.client.session(), SessionState::Idle, "a new create is allowed");
        sim.command(|c, now, out| c.create_session(now, out));
        assert!(matches!(sim.client.session(), SessionState::Active(_)));
    }
}

/// A garbled ack of a `message` fails the message; the event that follows on its transaction
/// is plain handle traffic. A garbled message on the transaction of a `message` that has its
/// answer already (and waits only for its ack) is unsolicited.
#[test]
fn malformed_messages_on_a_message_transaction() {
    let behaviour = Behaviour { malformed_reply_to: Some("message"), ..Behaviour::default() };
    let mut sim = Sim::new(Config::websocket(), behaviour);
    let (_, handle) = sim.create_and_attach();
    let message = sim.message(handle);
    sim.run_until(1_000);
    let seen = sim.take_seen();
    assert!(seen.contains(&Seen::MalformedReply { request: message, kind: RequestKind::Message }), "{seen:#?}");
    assert!(seen.contains(&Seen::Handle { handle, janus: "event".to_owned() }), "{seen:#?}");
    assert_eq!(sim.client.pending_requests(), 0);

    let behaviour = Behaviour { event_before_ack: true, silent_messages: false, ..Behaviour::default() };
    let mut sim = Sim::new(Config::websocket(), behaviour);
    let (session, handle) = sim.create_and_attach();
    sim.take_seen();
    let message = sim.try_command(|c, now, out| c.message(now, out, handle, &json!({}), None::<&()>)).expect("sent");
    let tx = message.request.expect("request");
    let event = json!({"janus": "event", "session_id": session.0, "sender": handle.0, "transaction": tx.as_str(),
        "plugindata": {"plugin": "janus.plugin.echotest", "data": {}}});
    sim.feed(&event.to_string());
    let garbled = json!({"janus": "ack", "session_id": session.0, "transaction": tx.as_str(), "hint": 5});
    sim.feed(&garbled.to_string());
    let seen = sim.take_seen();
    assert_eq!(seen.first(), Some(&reply(tx, RequestKind::Message, "event")), "{seen:#?}");
    assert_eq!(
        seen.get(1),
        Some(&Seen::Malformed {
            janus: Some("ack".to_owned()),
            defect: Defect::Invalid { kind: "ack", field: "hint" }
        })
    );
    assert!(sim.client.is_pending(tx), "it still waits for its ack");
}

/// Through `handle_input` (the path the drivers and std-socket use): a long-poll array with
/// unreadable elements and a non-object element yields every output, in order, all `Ok`.
#[test]
fn handle_input_yields_every_message_of_a_batch() {
    let mut client: TestClient = Client::new(Config::http(), 1);
    let mut out = [0u8; 512];
    let now = Instant::ZERO;
    let create = client.create_session(now, &mut out).expect("create");
    let tx = create.request.expect("tx");
    let body = format!(
        r#"[{{"janus":"ice-failed","session_id":1}},7,{{"janus":"success","transaction":"{}","data":{{"id":1}}}},{{"no":"janus"}}]"#,
        tx.as_str()
    );
    let outputs: Vec<_> = client.handle_input(now, body.as_bytes()).expect("JSON").collect();
    assert_eq!(outputs.len(), 4);
    assert!(
        matches!(outputs[0], Ok(Output::Malformed(m)) if m.defect == Defect::Missing { kind: "ice-failed", field: "sender" })
    );
    assert!(matches!(outputs[1], Ok(Output::Malformed(m)) if m.defect == Defect::NotAnObject && m.kind.is_none()));
    assert!(matches!(outputs[2], Ok(Output::Reply { kind: RequestKind::Create, .. })));
    assert!(
        matches!(outputs[3], Ok(Output::Malformed(m)) if m.defect == Defect::Missing { kind: "?", field: "janus" })
    );
    assert_eq!(client.session_id(), Some(SessionId(1)));
    // The strict iterator still reports the errors.
    let strict: Vec<_> = Batch::decode(body.as_bytes()).expect("JSON").map(|m| m.err()).collect();
    assert_eq!(strict[0], Some(janus_signal::DecodeError::MissingField { kind: "ice-failed", field: "sender" }));
    assert_eq!(strict[1], Some(janus_signal::DecodeError::NotAnObject));
    assert!(client.handle_input(now, b"not json").is_err(), "a body that is not JSON is still an error");
}
