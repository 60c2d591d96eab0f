//! The TextRoom plugin over a real data channel: two participants (alice and bob), each with a
//! session of their own and a str0m peer: `setup` → Janus's offer (a data channel only) → the
//! peer's answer with `ack`, its candidates by trickle (Janus's are in its offer) → `webrtcup`.
//! The peer then opens the data channel (Janus opens none: janus.js creates `JanusDataChannel`
//! itself), both `join` a room created over the Janus API, alice says something to the room
//! and bob whispers back, both `leave`, the room is destroyed and everything is torn down. The
//! chat goes over the data channel with the core's TextRoom payloads (`Join`, `SendMessage`,
//! `Leave`) and is read back with `DataMessage::decode`. Over WebSocket and over HTTP, inside
//! the namespace of `tests/netns/run`.

// `media_support` re-exports `OfferSpec`, which this walk (Janus offers) does not use.
#[path = "support/media.rs"]
mod media_support;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use janus_signal::message::Message;
use janus_signal::plugin::PluginId;
use janus_signal::plugin::textroom::{
    self, AckOffer, CreateRoom, DataMessage, DestroyRoom, Event, Join, Leave, SendMessage, Setup,
};
use janus_signal::request::{SdpType, SessionDescription};
use janus_signal::webrtc::{MediaKind, Sdp};
use janus_signal::{HandleId, SessionId};
use janus_signal_socket::{Janus, OwnedMessage};
use media_support::{
    EventLog, NetNs, Peer, Transport, janus_description, netns, trickle_all, wait_webrtcup, without_candidates,
};

/// The label janus.js gives the data channel it creates, and the one Janus itself uses for
/// what a plugin relays without a label.
const LABEL: &str = "JanusDataChannel";
const SECRET: &str = "janus-signal-media-secret";
/// Text with what JSON must escape and non-ASCII, to check both directions of the codec.
const HELLO: &str = "hello \"bob\" \u{2713}\nsecond line";
const WHISPER: &str = "psst, alice \\o/";
/// Every wait of the walk is bounded by this (or less).
const WAIT: Duration = Duration::from_secs(5);

/// What Janus sent on a data channel, decoded with `DataMessage::decode` and kept as owned
/// values for comparisons and failure messages.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chat {
    /// `join`: someone (maybe we) entered the room.
    Joined { room: u64, username: String, display: Option<String> },
    /// `success` for our `transaction`, with the usernames of `participants` when present.
    Success { transaction: String, participants: Option<Vec<String>> },
    /// `message` from someone (maybe we); `dated`: it carries a `date`.
    Message { room: u64, from: String, text: String, whisper: bool, dated: bool },
    /// `leave`: someone (maybe we) left.
    Left { room: u64, username: String },
    /// `destroyed`: the room is gone.
    Destroyed { room: u64 },
    /// Anything else (an error, …), as received.
    Other(String),
}

fn room_number(room: PluginId<'_>, text: &str) -> u64 {
    match room {
        PluginId::Number(n) => n,
        PluginId::Text(t) => panic!("a numeric room was expected, not {t:?}, in {text}"),
    }
}

/// One data-channel text through the core's decoder.
fn decode(text: &str) -> Chat {
    let message = DataMessage::decode(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"));
    match message {
        DataMessage::Joined { room, username, display } => Chat::Joined {
            room: room_number(room, text),
            username: username.to_string(),
            display: display.map(|d| d.to_string()),
        },
        DataMessage::Success { transaction, participants, .. } => Chat::Success {
            transaction: transaction.map(|t| t.to_string()).unwrap_or_default(),
            participants: participants
                .map(|list| list.iter().map(|p| p.expect("a participant").username.to_string()).collect()),
        },
        DataMessage::Message(chat) => Chat::Message {
            room: room_number(chat.room, text),
            from: chat.from.to_string(),
            text: chat.text.to_string(),
            whisper: chat.whisper,
            dated: chat.date.is_some_and(|d| !d.to_string().is_empty()),
        },
        DataMessage::Left { room, username } => {
            Chat::Left { room: room_number(room, text), username: username.to_string() }
        }
        DataMessage::Destroyed { room } => Chat::Destroyed { room: room_number(room, text) },
        _ => Chat::Other(text.to_owned()),
    }
}

fn joined(room: u64, username: &str, display: &str) -> Chat {
    Chat::Joined { room, username: username.into(), display: Some(display.into()) }
}

fn success(transaction: &str, participants: Option<&[&str]>) -> Chat {
    Chat::Success {
        transaction: transaction.into(),
        participants: participants.map(|p| p.iter().map(|s| (*s).to_owned()).collect()),
    }
}

fn said(room: u64, from: &str, text: &str, whisper: bool) -> Chat {
    Chat::Message { room, from: from.into(), text: text.into(), whisper, dated: true }
}

fn left(room: u64, username: &str) -> Chat {
    Chat::Left { room, username: username.into() }
}

fn plugin_event(reply: &OwnedMessage) -> Event<'_> {
    Event::from_message(&reply.message())
        .unwrap_or_else(|| panic!("no textroom data in {reply}"))
        .unwrap_or_else(|e| panic!("{e}: {reply}"))
}

/// A random room id that JSON numbers carry exactly.
fn random_room(transport: Transport) -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u8(transport as u8);
    (hasher.finish() & ((1 << 53) - 1)).max(1)
}

/// One participant: a session of its own, a textroom handle and a peer with the data channel.
struct Participant {
    name: &'static str,
    janus: Janus,
    session: SessionId,
    handle: HandleId,
    peer: Peer,
    log: EventLog,
    /// How many of the peer's received texts were already taken by [`Self::next_texts`].
    taken: usize,
    /// `create` → `webrtcup`.
    webrtcup: Duration,
    /// `open_channel` → the channel is open (`ChannelOpen`).
    channel_open: Duration,
}

impl Participant {
    /// Session, attach, `setup` → Janus's offer → the peer's answer with `ack` (candidates by
    /// trickle) → `webrtcup`, then the data channel. On failure the session is destroyed.
    fn connect(ns: &NetNs, transport: Transport, name: &'static str) -> Result<Self, String> {
        let started = Instant::now();
        let mut janus = ns.session(transport);
        let session = janus.session_id().expect("session");
        let mut log = EventLog::default();
        match Self::negotiate(ns, &mut janus, &mut log, started) {
            Ok((handle, peer, webrtcup, channel_open)) => {
                Ok(Self { name, janus, session, handle, peer, log, taken: 0, webrtcup, channel_open })
            }
            Err(e) => {
                let _ = janus.destroy_session();
                Err(format!("{name}: {e}"))
            }
        }
    }

    fn negotiate(
        ns: &NetNs,
        janus: &mut Janus,
        log: &mut EventLog,
        started: Instant,
    ) -> Result<(HandleId, Peer, Duration, Duration), String> {
        let handle = janus.attach(textroom::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
        let mut peer = Peer::new(ns.peer_ip)?;

        // setup: the plugin answers with an event carrying its offer, a data channel only
        // (its own SDP template, completed by the core with ICE, DTLS and its candidates).
        let reply = janus.message(handle, &Setup::new()).map_err(|e| format!("setup: {e}"))?;
        assert_eq!(plugin_event(&reply), Event::Accepted, "setup: {reply}");
        let (kind, offer) = janus_description(&reply);
        assert_eq!(kind, SdpType::Offer, "{reply}");
        let offer_sdp = Sdp::new(&offer);
        let kinds: Vec<MediaKind<'_>> = offer_sdp.media().map(|m| m.kind).collect();
        assert_eq!(kinds, [MediaKind::Application], "Janus offers one data channel section: {offer}");
        let section = offer_sdp.media().next().expect("one section");
        assert_eq!(section.protocol, "UDP/DTLS/SCTP", "{offer}");
        assert_eq!(section.formats, "webrtc-datachannel", "{offer}");
        assert!(offer_sdp.candidates().count() >= 1, "half-trickle: Janus's candidates are in its offer: {offer}");

        // ack with the peer's answer (its candidates stripped: they go by trickle).
        let answer = peer.accept_offer(&offer)?;
        let answer_sdp = Sdp::new(&answer);
        let kinds: Vec<MediaKind<'_>> = answer_sdp.media().map(|m| m.kind).collect();
        assert_eq!(kinds, [MediaKind::Application], "the peer accepts the data channel section: {answer}");
        let sent = without_candidates(&answer);
        assert_eq!(Sdp::new(&sent).candidates().count(), 0);
        let reply = janus
            .message_with_jsep(handle, &AckOffer::new(), &SessionDescription::new(SdpType::Answer, sent.as_str()))
            .map_err(|e| format!("ack: {e}"))?;
        assert_eq!(plugin_event(&reply), Event::Accepted, "ack: {reply}");
        assert!(
            matches!(reply.message(), Message::Event(e) if e.jsep.is_none()),
            "no jsep in the ack's answer: {reply}"
        );
        trickle_all(janus, handle, &peer, &answer);

        wait_webrtcup(log, janus, handle, &peer)?;
        let webrtcup = started.elapsed();

        // Janus opens no data channel of its own: the client must (janus.js creates
        // `JanusDataChannel` while answering). Give it half a second to prove it.
        if let Ok(stats) = peer.wait_for(Duration::from_millis(500), |s| !s.channels.is_empty()) {
            return Err(format!("Janus opened a data channel by itself: {:?}", stats.channels));
        }
        let opened_at = Instant::now();
        peer.open_channel(LABEL)?;
        let stats = peer
            .wait_for(WAIT, |s| !s.channels.is_empty())
            .map_err(|s| format!("the data channel {LABEL} did not open: {s}"))?;
        assert_eq!(stats.channels, [LABEL], "{stats:?}");
        assert!(stats.texts.is_empty(), "nothing is said before a join: {stats:?}");
        Ok((handle, peer, webrtcup, opened_at.elapsed()))
    }

    /// Encodes a data-channel request with the core's payload builder and sends it as text.
    fn send(&mut self, encode: impl FnOnce(&mut [u8]) -> Result<usize, janus_signal::error::EncodeError>) {
        let mut buf = [0u8; 512];
        let n = encode(&mut buf).unwrap_or_else(|e| panic!("{}: encode: {e:?}", self.name));
        let text = std::str::from_utf8(&buf[..n]).expect("the payload is UTF-8");
        self.peer.send_text(text).unwrap_or_else(|e| panic!("{}: send {text}: {e}", self.name));
    }

    /// The next `n` texts Janus sent on the channel, decoded (waits up to [`WAIT`]).
    fn next_texts(&mut self, n: usize, what: &str) -> Vec<Chat> {
        let want = self.taken + n;
        let stats = self.peer.wait_for(WAIT, |s| s.texts.len() >= want).unwrap_or_else(|s| {
            panic!("{}: {n} data-channel text(s) for {what} expected after {}; peer: {s}", self.name, self.taken)
        });
        let texts = &stats.texts[self.taken..want];
        self.taken = want;
        texts.iter().map(|t| decode(t)).collect()
    }

    /// Asserts that nothing more arrived on the channel.
    fn assert_no_more_texts(&self) {
        let texts = self.peer.stats().texts;
        assert_eq!(
            texts.len(),
            self.taken,
            "{}: unexpected data-channel texts: {:?}",
            self.name,
            texts[self.taken.min(texts.len())..].iter().map(|t| decode(t)).collect::<Vec<_>>()
        );
    }

    /// hangup (Janus's `hangup` event), detach, destroy, and the session is gone.
    fn tear_down(mut self, ns: &NetNs) -> Result<(), String> {
        let name = self.name;
        self.janus.hangup(self.handle).map_err(|e| format!("{name}: hangup: {e}"))?;
        let hangup = self.log.wait(&mut self.janus, self.handle, WAIT, "hangup", |m| m.kind() == "hangup")?;
        let Message::Hangup(event) = hangup.message() else { unreachable!() };
        let reason = event.reason.map(|r| r.to_string()).unwrap_or_default();
        assert_eq!(reason, "Janus API", "{name}: {hangup}");
        assert_eq!(self.log.count("webrtcup"), 1, "{name}: {:?}", self.log.kinds());
        assert_eq!(self.log.count("hangup"), 1, "{name}: {:?}", self.log.kinds());
        self.peer.close();
        self.janus.detach(self.handle).map_err(|e| format!("{name}: detach: {e}"))?;
        self.janus.destroy_session().map_err(|e| format!("{name}: destroy: {e}"))?;
        ns.assert_session_gone(self.session);
        Ok(())
    }

    fn abandon(&mut self) {
        let _ = self.janus.destroy_session();
    }
}

#[derive(Debug)]
struct Report {
    webrtcup: [Duration; 2],
    channel_open: [Duration; 2],
    /// alice's `message` sent → bob has it.
    message_latency: Duration,
}

fn chat(transport: Transport, alice: &mut Participant, bob: &mut Participant) -> Result<Report, String> {
    // The room, over the Janus API on alice's handle.
    let room = random_room(transport);
    let create = CreateRoom::new().with_room(room).with_description("janus-signal media walk").with_secret(SECRET);
    let reply = alice.janus.message(alice.handle, &create).map_err(|e| format!("create room: {e}"))?;
    assert_eq!(plugin_event(&reply), Event::Created { room: PluginId::Number(room), permanent: Some(false) });

    // alice joins: the plugin tells her of her own join, then answers with no one else there.
    alice.send(|b| Join::new("alice-join", room, "alice").with_display("Alice").encode(b));
    assert_eq!(alice.next_texts(2, "alice's join"), [joined(room, "alice", "Alice"), success("alice-join", Some(&[]))]);

    // bob joins: he sees his own join and alice in the answer; alice sees bob come in.
    bob.send(|b| Join::new("bob-join", room, "bob").with_display("Bob \"B\"").encode(b));
    assert_eq!(
        bob.next_texts(2, "bob's join"),
        [joined(room, "bob", "Bob \"B\""), success("bob-join", Some(&["alice"]))]
    );
    assert_eq!(alice.next_texts(1, "bob's join"), [joined(room, "bob", "Bob \"B\"")]);

    // alice says something to the room: bob gets it, and so does alice (everyone in the room),
    // followed by her `success` (ack is on by default).
    let sent_at = Instant::now();
    alice.send(|b| SendMessage::new("alice-hello", room, HELLO).encode(b));
    assert_eq!(bob.next_texts(1, "alice's message"), [said(room, "alice", HELLO, false)]);
    let message_latency = sent_at.elapsed();
    assert_eq!(
        alice.next_texts(2, "her own message"),
        [said(room, "alice", HELLO, false), success("alice-hello", None)]
    );

    // bob whispers to alice without ack: only alice gets it, marked as a whisper.
    bob.send(|b| SendMessage::new("bob-whisper", room, WHISPER).to("alice").with_ack(false).encode(b));
    assert_eq!(alice.next_texts(1, "bob's whisper"), [said(room, "bob", WHISPER, true)]);

    // alice leaves: she gets the `leave` notification too, then her `success`; bob sees her go.
    alice.send(|b| Leave::new("alice-leave", room).encode(b));
    assert_eq!(alice.next_texts(2, "alice's leave"), [left(room, "alice"), success("alice-leave", None)]);
    assert_eq!(bob.next_texts(1, "alice's leave"), [left(room, "alice")]);

    // bob leaves an empty room: only he hears of it.
    bob.send(|b| Leave::new("bob-leave", room).encode(b));
    assert_eq!(bob.next_texts(2, "bob's leave"), [left(room, "bob"), success("bob-leave", None)]);

    let reply = bob
        .janus
        .message(bob.handle, &DestroyRoom::new(room).with_secret(SECRET))
        .map_err(|e| format!("destroy room: {e}"))?;
    assert_eq!(plugin_event(&reply), Event::Destroyed { room: PluginId::Number(room), permanent: Some(false) });

    // The handle that destroys the room hears of it on its data channel, although bob is no
    // longer in the room; alice (not in it either) hears nothing.
    assert_eq!(bob.next_texts(1, "the room's destruction"), [Chat::Destroyed { room }]);

    // Nothing else came on either channel.
    std::thread::sleep(Duration::from_millis(200));
    alice.assert_no_more_texts();
    bob.assert_no_more_texts();
    assert_eq!((alice.taken, bob.taken), (8, 7), "texts per participant");
    for p in [&*alice, &*bob] {
        let stats = p.peer.stats();
        assert_eq!(stats.channels, [LABEL], "{}: one channel only: {stats:?}", p.name);
        assert!(stats.error.is_none(), "{}: {stats:?}", p.name);
        assert_eq!(p.log.kinds(), ["webrtcup"], "{}: Janus API events before the hangup", p.name);
    }
    Ok(Report {
        webrtcup: [alice.webrtcup, bob.webrtcup],
        channel_open: [alice.channel_open, bob.channel_open],
        message_latency,
    })
}

fn textroom_walk(transport: Transport) -> Result<Report, String> {
    let ns = netns();
    let mut alice = Participant::connect(&ns, transport, "alice")?;
    let mut bob = match Participant::connect(&ns, transport, "bob") {
        Ok(bob) => bob,
        Err(e) => {
            alice.abandon();
            return Err(e);
        }
    };
    let report = match chat(transport, &mut alice, &mut bob) {
        Ok(report) => report,
        Err(e) => {
            alice.abandon();
            bob.abandon();
            return Err(e);
        }
    };
    alice.tear_down(&ns)?;
    bob.tear_down(&ns)?;
    Ok(report)
}

fn walk(transport: Transport) {
    let r = textroom_walk(transport).unwrap_or_else(|e| panic!("textroom walk over {transport:?}: {e}"));
    eprintln!(
        "textroom over {transport:?} (alice / bob): create -> webrtcup {} / {} ms; Janus opened no channel \
         in 500 ms; the peer's channel open in {} / {} ms; message to the room delivered in {:.1} ms",
        r.webrtcup[0].as_millis(),
        r.webrtcup[1].as_millis(),
        r.channel_open[0].as_millis(),
        r.channel_open[1].as_millis(),
        r.message_latency.as_secs_f64() * 1000.0
    );
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn textroom_data_channel_ws() {
    walk(Transport::Ws);
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn textroom_data_channel_http() {
    walk(Transport::Http);
}
