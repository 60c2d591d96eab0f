//! A scripted fake Janus for the simulation tests: it reads the client's requests, keeps
//! sessions and handles like the real server, answers on a virtual clock, and can be told to
//! misbehave (answer events before acks, stay silent, time sessions out).

use std::collections::{BTreeMap, VecDeque};

use janus_signal::Instant;
use serde_json::{Value, json};

/// One session on the fake server.
#[derive(Debug, Default)]
pub(crate) struct FakeSession {
    pub(crate) handles: Vec<u64>,
    pub(crate) last_activity: u64,
}

/// How the fake answers.
#[derive(Debug, Clone)]
pub(crate) struct Behaviour {
    /// Send a plugin `message`'s event before its ack (Janus does this 10–16% of the time).
    pub(crate) event_before_ack: bool,
    /// Send `detached` before the `success` of a `detach`.
    pub(crate) detached_before_success: bool,
    /// Never answer `message`s (to provoke request timeouts).
    pub(crate) silent_messages: bool,
    /// Server `session_timeout` in ms (Janus: 60 s).
    pub(crate) session_timeout_ms: u64,
    /// Before every reply, send unsolicited events that cannot be read as their kind
    /// ([`MALFORMED_EVENTS`]).
    pub(crate) malformed_before_replies: bool,
    /// Garble the first reply to the first request of this `janus` kind (its `session_id` becomes a
    /// string, so it cannot be read).
    pub(crate) malformed_reply_to: Option<&'static str>,
}

/// Unsolicited messages of known kinds with a member missing or of the wrong type (`{s}`: the
/// session, `{h}`: a handle of it).
pub(crate) const MALFORMED_EVENTS: [&str; 5] = [
    r#"{"janus":"ice-failed","session_id":{s}}"#,
    r#"{"janus":"media","session_id":{s},"sender":{h},"type":"audio","receiving":"yes"}"#,
    r#"{"janus":"webrtcup","session_id":{s},"sender":"not a number"}"#,
    r#"{"janus":"event","session_id":{s},"sender":{h},"plugindata":{"plugin":7,"data":{}}}"#,
    r#"{"janus":"trickle","session_id":{s},"sender":{h},"candidate":"nope"}"#,
];

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            event_before_ack: false,
            detached_before_success: false,
            silent_messages: false,
            session_timeout_ms: 60_000,
            malformed_before_replies: false,
            malformed_reply_to: None,
        }
    }
}

/// The fake server. Messages it sends are queued with the time they are due.
#[derive(Debug, Default)]
pub(crate) struct FakeJanus {
    pub(crate) behaviour: Behaviour,
    pub(crate) sessions: BTreeMap<u64, FakeSession>,
    next_id: u64,
    outbox: VecDeque<(u64, String)>,
    /// Every request received, as (virtual ms, `janus` kind).
    pub(crate) log: Vec<(u64, String)>,
    /// Long polls received, as (virtual ms, session).
    pub(crate) long_polls: Vec<(u64, u64)>,
    /// The transaction whose first reply is garbled ([`Behaviour::malformed_reply_to`]).
    garble: Option<String>,
    /// Malformed events sent ([`Behaviour::malformed_before_replies`]).
    pub(crate) malformed_sent: usize,
}

impl FakeJanus {
    pub(crate) fn new(behaviour: Behaviour) -> Self {
        Self { behaviour, next_id: 1_000, ..Self::default() }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn send(&mut self, at: u64, mut message: Value) {
        let tx = message["transaction"].as_str().map(str::to_owned);
        if self.behaviour.malformed_before_replies && tx.is_some() {
            let session = message["session_id"].as_u64().unwrap_or(1);
            let handle = self.sessions.get(&session).and_then(|s| s.handles.first().copied()).unwrap_or(1);
            for event in MALFORMED_EVENTS {
                let event = event.replace("{s}", &session.to_string()).replace("{h}", &handle.to_string());
                self.outbox.push_back((at, event));
                self.malformed_sent += 1;
            }
        }
        if tx.is_some() && tx == self.garble {
            self.garble = None;
            message["session_id"] = json!("garbled");
        }
        self.outbox.push_back((at, message.to_string()));
    }

    /// Messages due by `now`.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<String> {
        self.expire_sessions(now.total_millis());
        let mut due = Vec::new();
        while self.outbox.front().is_some_and(|(at, _)| *at <= now.total_millis()) {
            if let Some((_, message)) = self.outbox.pop_front() {
                due.push(message);
            }
        }
        due
    }

    /// The watchdog: sessions without activity for `session_timeout` die with a `timeout`.
    fn expire_sessions(&mut self, now: u64) {
        let timeout = self.behaviour.session_timeout_ms;
        let expired: Vec<u64> = self
            .sessions
            .iter()
            .filter(|(_, s)| now.saturating_sub(s.last_activity) > timeout)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.sessions.remove(&id);
            self.send(now, json!({"janus": "timeout", "session_id": id}));
        }
    }

    /// A long poll counts as activity, like on the real server.
    pub(crate) fn long_poll(&mut self, now: Instant, session: u64) -> bool {
        self.expire_sessions(now.total_millis());
        self.long_polls.push((now.total_millis(), session));
        match self.sessions.get_mut(&session) {
            Some(s) => {
                s.last_activity = now.total_millis();
                true
            }
            None => false,
        }
    }

    /// Handles one request sent at `now`.
    pub(crate) fn receive(&mut self, now: Instant, bytes: &[u8]) {
        let now_ms = now.total_millis();
        self.expire_sessions(now_ms);
        let request: Value = serde_json::from_slice(bytes).expect("the client sends JSON");
        let kind = request["janus"].as_str().expect("janus").to_owned();
        let tx = request["transaction"].as_str().expect("every request has a transaction").to_owned();
        self.log.push((now_ms, kind.clone()));
        if self.behaviour.malformed_reply_to == Some(kind.as_str()) {
            self.garble = Some(tx.clone());
            self.behaviour.malformed_reply_to = None;
        }
        let session = request["session_id"].as_u64();
        let handle = request["handle_id"].as_u64();
        if let Some(s) = session {
            match self.sessions.get_mut(&s) {
                Some(found) => found.last_activity = now_ms,
                None if kind != "claim" => {
                    let error = json!({"code": 458, "reason": format!("No such session {s}")});
                    self.send(now_ms, json!({"janus": "error", "session_id": s, "transaction": tx, "error": error}));
                    return;
                }
                None => {}
            }
        }
        let ack = json!({"janus": "ack", "session_id": session, "transaction": tx});
        match kind.as_str() {
            "create" => {
                let id = self.id();
                self.sessions.insert(id, FakeSession { handles: Vec::new(), last_activity: now_ms });
                self.send(now_ms, json!({"janus": "success", "transaction": tx, "data": {"id": id}}));
            }
            "claim" => {
                let s = session.expect("claim names a session");
                if self.sessions.contains_key(&s) {
                    self.send(now_ms, json!({"janus": "success", "session_id": s, "transaction": tx}));
                } else {
                    let error = json!({"code": 458, "reason": format!("No such session {s}")});
                    self.send(now_ms, json!({"janus": "error", "session_id": s, "transaction": tx, "error": error}));
                }
            }
            "keepalive" | "trickle" => self.send(now_ms, ack),
            "attach" => {
                let id = self.id();
                let s = session.expect("attach names a session");
                self.sessions.get_mut(&s).expect("checked").handles.push(id);
                self.send(now_ms, json!({"janus": "success", "session_id": s, "transaction": tx, "data": {"id": id}}));
            }
            "message" => {
                if self.behaviour.silent_messages {
                    return;
                }
                let (s, h) = (session.expect("session"), handle.expect("handle"));
                let event = json!({
                    "janus": "event", "session_id": s, "transaction": tx, "sender": h,
                    "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "ok"}}
                });
                if self.behaviour.event_before_ack {
                    self.send(now_ms, event);
                    self.send(now_ms, ack);
                } else {
                    self.send(now_ms, ack);
                    self.send(now_ms + 2, event);
                }
            }
            "hangup" => {
                let (s, h) = (session.expect("session"), handle.expect("handle"));
                self.send(now_ms, json!({"janus": "success", "session_id": s, "transaction": tx}));
                self.send(now_ms + 1, json!({"janus": "hangup", "session_id": s, "sender": h, "reason": "Janus API"}));
            }
            "detach" => {
                let (s, h) = (session.expect("session"), handle.expect("handle"));
                self.sessions.get_mut(&s).expect("checked").handles.retain(|x| *x != h);
                let success = json!({"janus": "success", "session_id": s, "transaction": tx});
                let detached = json!({"janus": "detached", "session_id": s, "sender": h});
                if self.behaviour.detached_before_success {
                    self.send(now_ms, detached);
                    self.send(now_ms, success);
                } else {
                    self.send(now_ms, success);
                    self.send(now_ms, detached);
                }
            }
            "destroy" => {
                let s = session.expect("session");
                self.sessions.remove(&s);
                self.send(now_ms, json!({"janus": "success", "session_id": s, "transaction": tx}));
            }
            "info" => self.send(now_ms, json!({"janus": "server_info", "transaction": tx, "name": "fake"})),
            "ping" => self.send(now_ms, json!({"janus": "pong", "transaction": tx})),
            other => {
                let error = json!({"code": 453, "reason": format!("Unknown request '{other}'")});
                self.send(now_ms, json!({"janus": "error", "session_id": session, "transaction": tx, "error": error}));
            }
        }
    }

    /// Pushes an unsolicited message now.
    pub(crate) fn push(&mut self, now: Instant, message: Value) {
        self.send(now.total_millis(), message);
    }
}

impl FakeJanus {
    /// When the fake next has something to do: a queued message or a session expiring.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        let queued = self.outbox.front().map(|(at, _)| *at);
        let expiry = self.sessions.values().map(|s| s.last_activity + self.behaviour.session_timeout_ms + 1).min();
        queued.into_iter().chain(expiry).min()
    }

    /// Takes the queued messages of `session` (for an HTTP long poll), up to `max`.
    pub(crate) fn take_for_long_poll(&mut self, now: Instant, max: usize) -> Vec<String> {
        self.take_due(now).into_iter().take(max).collect()
    }

    /// Takes the direct answer to the request with transaction `tx` (the HTTP POST response):
    /// the first queued `success`, `ack`, `error`, `pong` or `server_info` carrying it.
    pub(crate) fn take_reply(&mut self, tx: &str) -> Option<String> {
        let index = self.outbox.iter().position(|(_, m)| {
            let v: Value = serde_json::from_str(m).expect("json");
            v["transaction"] == tx
                && matches!(v["janus"].as_str(), Some("success" | "ack" | "error" | "pong" | "server_info"))
        })?;
        self.outbox.remove(index).map(|(_, m)| m)
    }
}
