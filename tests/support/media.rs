//! Shared by the real-media tests (`tests/media_*.rs`): where Janus and the peer meet, and
//! the signaling steps every walk repeats, built on the library's `webrtc` glue.
//!
//! Every media test is `#[ignore = "media: …"]`: a plain `cargo test` lists it as ignored (never
//! as passed), and `tests/run` runs them with `--ignored` inside the private network namespace
//! that `tests/netns/run` makes (veth pair on 198.51.100.0/24, a Janus of its own inside).

#![allow(dead_code, unreachable_pub, unused_imports)]

#[path = "media_peer.rs"]
pub mod peer;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use janus_signal::message::Message;
use janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal::webrtc::{Candidate, LocalCandidates, RemoteDescription, Sdp};
use janus_signal::{HandleId, SessionId};
use janus_signal_socket::{AdminClient, Janus, Options, OwnedMessage};
use serde::Serialize;

pub use peer::{OfferSpec, Peer};

/// The reason every media test is ignored in a plain `cargo test`.
pub const IGNORE_REASON: &str = "media: run through tests/netns/run (tests/run does)";

/// The namespace's Janus and the peer's address.
#[derive(Debug, Clone)]
pub struct NetNs {
    /// `ws://127.0.0.1:…` of the namespace's Janus.
    pub ws_url: String,
    /// `http://127.0.0.1:…/janus`.
    pub http_url: String,
    /// `http://127.0.0.1:…/admin`.
    pub admin_url: String,
    /// The Admin API secret.
    pub admin_secret: String,
    /// The address the peer binds (the veth end inside the namespace).
    pub peer_ip: IpAddr,
}

/// The namespace made by `tests/netns/run`; panics with the way to run the test otherwise (a
/// media test run with `--ignored` outside it must fail, not pass).
pub fn netns() -> NetNs {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    assert!(
        var("JANUS_NETNS").as_deref() == Some("1"),
        "media tests need the private network namespace: run `tests/netns/run cargo test --test media_… -- --ignored` (as root), or tests/run"
    );
    let peer_ip: IpAddr = var("JANUS_PEER_IP").unwrap_or_else(|| "198.51.100.2".into()).parse().expect("JANUS_PEER_IP");
    assert!(is_test_address(peer_ip), "the peer must bind inside the namespace's documentation range, not {peer_ip}");
    NetNs {
        ws_url: var("JANUS_WS_URL").unwrap_or_else(|| "ws://127.0.0.1:8188".into()),
        http_url: var("JANUS_HTTP_URL").unwrap_or_else(|| "http://127.0.0.1:8088/janus".into()),
        admin_url: var("JANUS_ADMIN_URL").unwrap_or_else(|| "http://127.0.0.1:7088/admin".into()),
        admin_secret: var("JANUS_ADMIN_SECRET").unwrap_or_else(|| "janusoverlord".into()),
        peer_ip,
    }
}

/// The only addresses media may flow to: the namespace's veth range (198.51.100.0/24).
pub fn is_test_address(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.octets()[..3] == [198, 51, 100])
}

/// The two transports of every walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// WebSocket.
    Ws,
    /// HTTP with long poll.
    Http,
}

impl NetNs {
    /// The URL of `transport`.
    pub fn url(&self, transport: Transport) -> &str {
        match transport {
            Transport::Ws => &self.ws_url,
            Transport::Http => &self.http_url,
        }
    }

    /// A connection with a session.
    pub fn session(&self, transport: Transport) -> Janus {
        let options = Options { request_timeout: Duration::from_secs(10), ..Options::default() };
        let mut janus = Janus::connect(self.url(transport), options).expect("connect to the namespace's Janus");
        janus.create_session().expect("create");
        janus
    }

    /// Asserts that Janus no longer lists `session` (Admin API `list_sessions`).
    pub fn assert_session_gone(&self, session: SessionId) {
        let mut admin = AdminClient::connect(&self.admin_url, &self.admin_secret).expect("admin connect");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let sessions = admin.list_sessions().expect("list_sessions");
            if !sessions.contains(&session) {
                return;
            }
            assert!(Instant::now() < deadline, "Janus still lists session {session:?} after destroy: {sessions:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The Admin API's `handle_info` of a handle, as JSON.
    pub fn handle_info(&self, session: SessionId, handle: HandleId) -> serde_json::Value {
        let mut admin = AdminClient::connect(&self.admin_url, &self.admin_secret).expect("admin connect");
        let info = admin.handle_info(session, handle).expect("handle_info");
        serde_json::from_str(info.json()).expect("handle_info is JSON")
    }
}

/// The SDP without its candidate lines, so that the candidates travel by `trickle` only.
pub fn without_candidates(sdp: &str) -> String {
    sdp.split_inclusive('\n')
        .filter(|l| !l.starts_with("a=candidate:") && !l.starts_with("a=end-of-candidates"))
        .collect()
}

/// Sends the peer's `offer` with `body` (candidates stripped), then trickles each of the peer's
/// candidates and `completed`. Returns Janus's reply (the event with its answer, or the
/// plugin's synchronous answer).
pub fn offer_with_trickle<B: Serialize + ?Sized>(
    janus: &mut Janus,
    handle: HandleId,
    body: &B,
    peer: &Peer,
    offer: &str,
) -> OwnedMessage {
    let sent = without_candidates(offer);
    let reply = janus
        .message_with_jsep(handle, body, &SessionDescription::new(SdpType::Offer, sent.as_str()))
        .expect("message with the offer");
    trickle_all(janus, handle, peer, offer);
    reply
}

/// Trickles each of the peer's candidates (tagged with the bundle's media section of `local`,
/// the peer's own description), then `completed`.
pub fn trickle_all(janus: &mut Janus, handle: HandleId, peer: &Peer, local: &str) {
    let sdp = Sdp::new(local);
    let tags = LocalCandidates::for_description(&sdp).expect("the description has media");
    for line in peer.local_candidates() {
        let parsed = Candidate::parse(line).expect("str0m's candidate parses");
        assert!(parsed.ip().is_some_and(is_test_address), "the peer offers {line}");
        let candidate = tags.candidate(line).expect("candidate for trickle");
        janus.trickle(handle, Candidates::One(&candidate)).expect("trickle");
    }
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed).expect("trickle completed");
}

/// Janus's description in `message` (its `jsep`), read with the library's glue, with every
/// candidate checked to be inside the namespace.
pub fn janus_description(message: &OwnedMessage) -> (SdpType, String) {
    let decoded = message.message();
    let jsep = match decoded {
        Message::Event(e) => e.jsep,
        Message::Success(_) => None,
        _ => None,
    }
    .unwrap_or_else(|| panic!("no jsep in {message}"));
    let mut scratch = vec![0u8; jsep.sdp.unescaped_len()];
    let description = RemoteDescription::from_jsep(&jsep, &mut scratch).expect("Janus's jsep");
    for candidate in description.sdp.candidates() {
        let parsed = Candidate::parse(candidate.candidate).expect("Janus's candidate parses");
        assert!(
            parsed.ip().is_some_and(is_test_address),
            "Janus offers a candidate outside the namespace's range: {}",
            candidate.candidate
        );
    }
    (description.kind, description.sdp.as_str().to_owned())
}

/// What a walk saw of one handle's events, for assertions and failure messages.
#[derive(Debug, Default)]
pub struct EventLog {
    /// Every message for the handle, in order, as (kind, JSON).
    pub seen: Vec<(String, String)>,
}

impl EventLog {
    /// Kinds seen, in order.
    pub fn kinds(&self) -> Vec<&str> {
        self.seen.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// How many messages of `kind`.
    pub fn count(&self, kind: &str) -> usize {
        self.seen.iter().filter(|(k, _)| k == kind).count()
    }

    /// Whether a message `wanted` accepts was already logged.
    pub fn logged(&self, wanted: &impl Fn(&Message<'_>) -> bool) -> bool {
        self.seen.iter().any(|(_, json)| Message::decode(json.as_bytes()).is_ok_and(|m| wanted(&m)))
    }

    /// A message `wanted` accepts: already logged, or the next one of `handle` within
    /// `timeout` (see [`wait`](Self::wait)).
    pub fn seen_or_wait(
        &mut self,
        janus: &mut Janus,
        handle: HandleId,
        timeout: Duration,
        what: &str,
        wanted: impl Fn(&Message<'_>) -> bool,
    ) -> Result<(), String> {
        if self.logged(&wanted) {
            return Ok(());
        }
        self.wait(janus, handle, timeout, what, wanted).map(drop)
    }

    /// Waits up to `timeout` for a message of `handle` that `wanted` accepts (returns it);
    /// every message seen meanwhile is logged. `Err` says what was seen instead.
    pub fn wait(
        &mut self,
        janus: &mut Janus,
        handle: HandleId,
        timeout: Duration,
        what: &str,
        wanted: impl Fn(&Message<'_>) -> bool,
    ) -> Result<OwnedMessage, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("no {what} within {timeout:?}; handle events seen: {:?}", self.seen));
            }
            // Other handles' events stay queued for their own waits.
            match janus.next_handle_event(handle, left.min(Duration::from_millis(200))) {
                Ok(Some(message)) => {
                    self.seen.push((message.kind().to_owned(), message.json().to_owned()));
                    if wanted(&message.message()) {
                        return Ok(message);
                    }
                }
                Ok(None) => {}
                Err(e) => return Err(format!("waiting for {what}: {e}")),
            }
        }
    }
}

/// Waits for `handle`'s `webrtcup` (a `hangup` first fails with Janus's reason), then for the
/// peer to see ICE and DTLS up.
pub fn wait_webrtcup(log: &mut EventLog, janus: &mut Janus, handle: HandleId, peer: &Peer) -> Result<(), String> {
    let first = log.wait(janus, handle, Duration::from_secs(8), "webrtcup", |m| {
        matches!(m, Message::WebrtcUp(_) | Message::Hangup(_))
    })?;
    if let Message::Hangup(hangup) = first.message() {
        let reason = hangup.reason.map(|r| r.to_string()).unwrap_or_default();
        return Err(format!("Janus hung up before webrtcup: {reason:?}"));
    }
    peer.wait_for(Duration::from_secs(5), |s| s.connected)
        .map_err(|s| format!("the peer never connected after webrtcup: {s}"))?;
    Ok(())
}

/// Plugin data of a message as JSON (for assertions).
pub fn plugin_json(message: &OwnedMessage) -> serde_json::Value {
    let value: serde_json::Value = serde_json::from_str(message.json()).expect("JSON");
    value["plugindata"]["data"].clone()
}
