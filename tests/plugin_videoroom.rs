//! The core's VideoRoom helpers (`janus_signal::plugin::videoroom`) against the real Janus,
//! over both transports: typed requests sent with `Janus::message`, the answers read with
//! `videoroom::Event::decode`.
//!
//! One walk per transport: create a room with a dummy publisher (so that a subscriber gets an
//! offer without any media flowing), `exists`, `list`, join a missing room (typed 426), join
//! as publisher, publish a real offer (`configured` + answer), `listparticipants`, subscribe
//! from a second handle (`attached` + offer, then `start` with an answer → `started`),
//! configure both, leave both (`left`, `leaving`), destroy (`destroyed`), destroy again
//! (typed 426, from a synchronous `success`).
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail. The shared test server
//! runs the plugin with numeric ids; the string-id walk starts its own Janus with
//! `string_ids = true` (`JANUS_STRING_IDS=1`, ports 24088, 24188, 23088).

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::json::RawJson;
use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::videoroom::{
    self, Configure, CreateRoom, DestroyRoom, DummyStream, ErrorCode, Event, JoinAsPublisher, JoinAsSubscriber, Leave,
    ListParticipants, ListRooms, Publish, RoomExists, SelfOrFeed, Start, StreamSettings, SubscribeStream,
};
use janus_signal_socket::janus_signal::plugin::{EventError, PluginId, plugin_data};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Error, Janus, Options, OwnedMessage};

use live::{InstanceConfig, OFFER, SharedInstance, Transport};

/// The room's description and our display name: quotes, a newline and non-ASCII, which Janus
/// sends back escaped (`\"`, `\n`) and raw (`é`).
const DESCRIPTION: &str = "janus-signal \"plugin\" test é\n";
const DISPLAY: &str = "Al \"Bob\" é\n";

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

/// The plugin's data of an answer.
fn data(reply: &OwnedMessage) -> RawJson<'_> {
    match plugin_data(&reply.message()) {
        Some(data) => {
            assert!(data.plugin == videoroom::PLUGIN, "{reply}");
            data.data
        }
        None => panic!("answer without plugin data: {reply}"),
    }
}

/// The typed event of an answer.
#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    match Event::from_message(&reply.message()) {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no videoroom data: {reply}"),
    }
}

/// The kind of the answer's JSEP, if any.
fn jsep_kind(reply: &OwnedMessage) -> Option<JsepType<'_>> {
    match reply.message() {
        Message::Event(e) => e.jsep.map(|j| j.kind),
        _ => None,
    }
}

/// A subscriber's answer to Janus's offer: the same m-lines, receiving, with our own ICE
/// credentials and one loopback candidate (nothing listens there).
fn answer_to(offer: &str) -> String {
    let mut answer = String::new();
    for line in offer.split("\r\n").filter(|l| !l.is_empty()) {
        let line = match line {
            l if l.starts_with("a=candidate:") || l == "a=end-of-candidates" => continue,
            l if l.starts_with("a=ssrc") || l.starts_with("a=msid") => continue,
            "a=sendonly" => "a=recvonly".to_owned(),
            "a=setup:actpass" => "a=setup:active".to_owned(),
            l if l.starts_with("a=ice-ufrag:") => "a=ice-ufrag:JsSg".to_owned(),
            l if l.starts_with("a=ice-pwd:") => "a=ice-pwd:janussignalvideoroompwd01".to_owned(),
            l if l.starts_with("a=fingerprint:") => format!("a=fingerprint:sha-256 {}", ["AB"; 32].join(":")),
            l => l.to_owned(),
        };
        answer.push_str(&line);
        answer.push_str("\r\n");
        if line.starts_with("a=mid:") {
            answer.push_str(&format!("a={}\r\n", live::CANDIDATE));
        }
    }
    answer
}

/// Creates a room with a dummy publisher and a free random id.
fn create_room(janus: &mut Janus, handle: HandleId, dummy: &[DummyStream<'_>]) -> u64 {
    for _ in 0..5 {
        let room = live::random_id();
        let request = CreateRoom::new().with_room(room).with_description(DESCRIPTION).with_dummy_publisher(dummy);
        match janus.message(handle, &request) {
            Ok(reply) => {
                assert_eq!(event(&reply), Event::Created { room: PluginId::Number(room), permanent: Some(false) });
                return room;
            }
            Err(e) if e.janus_code() == Some(ErrorCode::RoomExists.code()) => continue,
            Err(e) => panic!("create: {e}"),
        }
    }
    panic!("no free room id")
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let publisher = janus.attach(videoroom::PLUGIN, None).expect("attach publisher");
    let subscriber = janus.attach(videoroom::PLUGIN, None).expect("attach subscriber");

    let dummy = [DummyStream { kind: "audio", codec: Some("opus") }, DummyStream { kind: "video", codec: Some("vp8") }];
    let room = create_room(&mut janus, publisher, &dummy);

    // exists, list: the description comes back escaped and unescapes to what we sent.
    let reply = janus.message(publisher, &RoomExists::new(room)).expect("exists");
    assert_eq!(event(&reply), Event::Exists { room: PluginId::Number(room), exists: true });
    let reply = janus.message(publisher, &ListRooms::new()).expect("list");
    let Event::Rooms(rooms) = event(&reply) else { panic!("list: {reply}") };
    let ours = rooms
        .iter()
        .map(|r| r.expect("a room of the list"))
        .find(|r| r.room == PluginId::Number(room))
        .unwrap_or_else(|| panic!("room {room} not listed: {reply}"));
    let description = ours.description.expect("description");
    assert!(description.has_escapes(), "{reply}");
    assert_eq!(description.to_string(), DESCRIPTION);
    assert_eq!(ours.num_participants, Some(1), "the dummy publisher: {reply}");

    // A room that does not exist: the typed plugin error, through the blocking client's error…
    let missing = room ^ 1;
    let error = janus.message(publisher, &JoinAsPublisher::new(missing)).expect_err("join a missing room");
    assert!(matches!(error, Error::Plugin { .. }), "{error:?}");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchRoom));

    // …and decoded from the event itself (sent as a raw `message`, the event read as it comes).
    let fields = serde_json::json!({ "body": JoinAsPublisher::new(missing) });
    let ack = janus.request("message", Some(publisher), &fields).expect("message");
    let event_reply = match ack.message() {
        Message::Ack(_) => {
            live::next_handle_event_within(&mut janus, publisher, Duration::from_secs(5)).expect("event")
        }
        _ => ack,
    };
    match Event::decode(data(&event_reply)) {
        Err(EventError::Plugin(e)) => {
            assert_eq!(e.code, ErrorCode::NoSuchRoom, "{event_reply}");
            assert_eq!(e.reason.map(|r| r.to_string()), Some(format!("No such room ({missing})")));
        }
        other => panic!("expected a plugin error, got {other:?}: {event_reply}"),
    }

    // Join as publisher: the dummy publisher is already there.
    let reply = janus.message(publisher, &JoinAsPublisher::new(room).with_display(DISPLAY)).expect("join");
    let Event::Joined(joined) = event(&reply) else { panic!("join: {reply}") };
    assert_eq!(joined.room, PluginId::Number(room));
    assert_eq!(joined.description.map(|d| d.to_string()).as_deref(), Some(DESCRIPTION));
    assert!(joined.private_id.is_some(), "{reply}");
    let our_id = joined.id;
    let publishers: Vec<_> = joined.publishers.iter().collect::<Result<_, _>>().expect("publishers");
    assert_eq!(publishers.len(), 1, "{reply}");
    assert_eq!(publishers[0].dummy, Some(true));
    let dummy_feed = publishers[0].id;
    let streams: Vec<_> = publishers[0].streams.expect("streams").iter().collect::<Result<_, _>>().expect("streams");
    assert_eq!(streams.len(), 2, "{reply}");
    assert!(streams[0].codec.is_some_and(|c| c == "opus") && streams[1].codec.is_some_and(|c| c == "vp8"));

    // Joining twice on one handle: 425.
    let error = janus.message(publisher, &JoinAsPublisher::new(room)).expect_err("join twice");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::AlreadyJoined), "{error:?}");

    // Publish a real offer: `configured` and Janus's answer.
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let reply = janus.message_with_jsep(publisher, &Publish::new().with_bitrate(256_000), &offer).expect("publish");
    let Event::Configured { room: Some(configured_room), audio_codec, video_codec, streams } = event(&reply) else {
        panic!("publish: {reply}")
    };
    assert_eq!(configured_room, PluginId::Number(room));
    assert!(audio_codec.is_some_and(|c| c == "opus") && video_codec.is_some_and(|c| c == "vp8"), "{reply}");
    assert_eq!(streams.map(|s| s.len()), Some(2), "{reply}");
    assert_eq!(jsep_kind(&reply), Some(JsepType::Answer), "{reply}");

    // listparticipants: us (with our display name, unescaped) and the dummy.
    let reply = janus.message(publisher, &ListParticipants::new(room)).expect("listparticipants");
    let Event::Participants { room: listed_room, participants } = event(&reply) else { panic!("{reply}") };
    assert_eq!(listed_room, PluginId::Number(room));
    let participants: Vec<_> = participants.iter().collect::<Result<_, _>>().expect("participants");
    assert_eq!(participants.len(), 2, "{reply}");
    let me = participants.iter().find(|p| p.id == our_id).unwrap_or_else(|| panic!("we are not listed: {reply}"));
    let display = me.display.expect("display");
    let mut buf = [0u8; 64];
    assert_eq!(display.unescape_into(&mut buf).expect("unescape"), DISPLAY);
    assert!(participants.iter().any(|p| p.id == dummy_feed && p.publisher == Some(true)), "{reply}");

    // Subscribe to the dummy publisher from the second handle: `attached` and an offer.
    let wanted = [SubscribeStream::feed(dummy_feed)];
    let request = JoinAsSubscriber::new(room, &wanted).with_private_id(joined.private_id.unwrap_or_default());
    let reply = janus.message(subscriber, &request).expect("subscribe");
    let Event::Attached { room: attached_room, streams } = event(&reply) else { panic!("subscribe: {reply}") };
    assert_eq!(attached_room, PluginId::Number(room));
    let streams: Vec<_> = streams.expect("streams").iter().collect::<Result<_, _>>().expect("streams");
    assert_eq!(streams.len(), 2, "{reply}");
    assert!(streams.iter().all(|s| s.feed_id == Some(dummy_feed)), "{reply}");
    assert!(streams[0].feed_display.is_some_and(|d| d == "Dummy publisher"), "{reply}");
    assert_eq!(jsep_kind(&reply), Some(JsepType::Offer), "{reply}");

    // start: the subscriber's answer, made from Janus's offer.
    let Message::Event(attached) = reply.message() else { panic!("{reply}") };
    let answer = answer_to(&attached.jsep.expect("an offer").sdp.to_string());
    let jsep = SessionDescription::new(SdpType::Answer, answer.as_str());
    let reply = janus.message_with_jsep(subscriber, &Start::new(), &jsep).expect("start");
    assert!(matches!(event(&reply), Event::Started { room: Some(r) } if r == PluginId::Number(room)), "{reply}");

    // configure, subscriber and publisher.
    let settings = [StreamSettings::new("0").with_send(false)];
    let reply = janus.message(subscriber, &Configure::new().with_streams(&settings)).expect("configure subscriber");
    assert!(matches!(event(&reply), Event::Configured { room: Some(r), .. } if r == PluginId::Number(room)), "{reply}");
    let reply = janus.message(publisher, &Configure::new().with_bitrate(128_000)).expect("configure publisher");
    assert!(matches!(event(&reply), Event::Configured { .. }), "{reply}");

    // leave: the subscriber says `left`, the publisher `leaving: "ok"`.
    let reply = janus.message(subscriber, &Leave::new()).expect("leave subscriber");
    assert_eq!(event(&reply), Event::Left { room: Some(PluginId::Number(room)) });
    let reply = janus.message(publisher, &Leave::new()).expect("leave publisher");
    let Event::Leaving { room: left_room, who, .. } = event(&reply) else { panic!("leave: {reply}") };
    assert_eq!((left_room, who), (Some(PluginId::Number(room)), SelfOrFeed::Myself));

    // destroy, then destroy again: the second plugin error comes in a `success`.
    let reply = janus.message(publisher, &DestroyRoom::new(room)).expect("destroy");
    assert_eq!(event(&reply), Event::Destroyed { room: PluginId::Number(room), permanent: Some(false) });
    let fields = serde_json::json!({ "body": DestroyRoom::new(room) });
    let reply = janus.request("message", Some(publisher), &fields).expect("destroy again");
    assert!(matches!(reply.message(), Message::Success(_)), "{reply}");
    match Event::decode(data(&reply)) {
        Err(EventError::Plugin(e)) => assert_eq!(e.code, ErrorCode::NoSuchRoom, "{reply}"),
        other => panic!("expected 426, got {other:?}"),
    }
    let error = janus.message(publisher, &DestroyRoom::new(room)).expect_err("destroy a third time");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchRoom));

    janus.detach(subscriber).expect("detach subscriber");
    janus.detach(publisher).expect("detach publisher");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn videoroom_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn videoroom_walk_ws() {
    run(Transport::Ws, walk);
}

/// Requests with invalid members give the typed codes the plugin documents.
fn invalid_requests(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let handle = janus.attach(videoroom::PLUGIN, None).expect("attach");
    // A string room id while the plugin runs with numeric ids: 430.
    let error = janus.message(handle, &CreateRoom::new().with_room("lobby")).expect_err("string id");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::InvalidElement), "{error:?}");
    // An unknown request: 423.
    let error = janus.message(handle, &serde_json::json!({"request": "dance"})).expect_err("unknown request");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::InvalidRequest), "{error:?}");
    // Leave before joining: a typed plugin error (an event on versions that accept it).
    let fields = serde_json::json!({ "body": Leave::new() });
    let ack = janus.request("message", Some(handle), &fields).expect("leave");
    let reply = match ack.message() {
        Message::Ack(_) => live::next_handle_event_within(&mut janus, handle, Duration::from_secs(5)).expect("event"),
        _ => ack,
    };
    match Event::decode(data(&reply)) {
        Err(EventError::Plugin(e)) => assert_ne!(e.code.code(), 0, "{reply}"),
        Ok(other) => eprintln!("leave before join: {other:?}"),
        Err(e) => panic!("{e}: {reply}"),
    }
    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn invalid_requests_http() {
    run(Transport::Http, invalid_requests);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn invalid_requests_ws() {
    run(Transport::Ws, invalid_requests);
}

// ----- string ids -------------------------------------------------------------------------------

/// A Janus whose plugins run with `string_ids = true` (a global setting of each plugin's
/// configuration, so not the shared test server).
static WITH_STRING_IDS: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "string-ids",
    http_port: 24088,
    ws_port: 24188,
    admin_port: 23088,
    env: &[("JANUS_STRING_IDS", "1")],
});

/// Text room and participant ids with characters JSON escapes: they go out escaped, come
/// back escaped, and a received id (the dummy publisher's numeric-looking text) is forwarded
/// as received.
fn string_ids_walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let publisher = janus.attach(videoroom::PLUGIN, None).expect("attach publisher");
    let subscriber = janus.attach(videoroom::PLUGIN, None).expect("attach subscriber");

    let error = janus.message(publisher, &CreateRoom::new().with_room(1234)).expect_err("a numeric id");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::InvalidElement), "{error:?}");

    let room = format!("room \"{}\" é", live::random_id());
    let dummy = [DummyStream { kind: "audio", codec: Some("opus") }];
    let create = CreateRoom::new().with_room(room.as_str()).with_description(DESCRIPTION).with_dummy_publisher(&dummy);
    let reply = janus.message(publisher, &create).expect("create");
    let Event::Created { room: PluginId::Text(created), .. } = event(&reply) else { panic!("create: {reply}") };
    assert_eq!(created.to_string(), room);

    let me = format!("user \"{}\"", live::random_id());
    let reply =
        janus.message(publisher, &JoinAsPublisher::new(room.as_str()).with_id(me.as_str()).with_display(DISPLAY));
    let reply = reply.expect("join");
    let Event::Joined(joined) = event(&reply) else { panic!("join: {reply}") };
    assert!(matches!(joined.room, PluginId::Text(r) if r.to_string() == room), "{reply}");
    assert!(matches!(joined.id, PluginId::Text(id) if id.to_string() == me), "{reply}");
    let dummy_feed = joined.publishers.iter().next().expect("the dummy publisher").expect("a publisher").id;
    assert!(matches!(dummy_feed, PluginId::Text(_)), "string_ids make every id text: {reply}");

    let wanted = [SubscribeStream::feed(dummy_feed)];
    let reply = janus.message(subscriber, &JoinAsSubscriber::new(room.as_str(), &wanted)).expect("subscribe");
    let Event::Attached { streams, .. } = event(&reply) else { panic!("subscribe: {reply}") };
    let stream = streams.expect("streams").iter().next().expect("a stream").expect("a stream");
    assert_eq!(stream.feed_id, Some(dummy_feed), "{reply}");
    assert_eq!(jsep_kind(&reply), Some(JsepType::Offer), "{reply}");

    let reply = janus.message(publisher, &ListParticipants::new(room.as_str())).expect("listparticipants");
    let Event::Participants { participants, .. } = event(&reply) else { panic!("{reply}") };
    let ids: Vec<_> = participants.iter().map(|p| p.expect("a participant").id).collect();
    assert!(ids.contains(&dummy_feed) && ids.contains(&joined.id), "{reply}");

    let reply = janus.message(publisher, &Leave::new()).expect("leave");
    assert!(matches!(event(&reply), Event::Leaving { who: SelfOrFeed::Myself, .. }), "{reply}");
    let reply = janus.message(publisher, &DestroyRoom::new(room.as_str())).expect("destroy");
    assert!(matches!(event(&reply), Event::Destroyed { room: PluginId::Text(r), .. } if r.to_string() == room));

    janus.detach(subscriber).expect("detach subscriber");
    janus.detach(publisher).expect("detach publisher");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn string_ids_walk_http() {
    let janus = WITH_STRING_IDS.start();
    string_ids_walk(janus.endpoints.url(Transport::Http));
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn string_ids_walk_ws() {
    let janus = WITH_STRING_IDS.start();
    string_ids_walk(janus.endpoints.url(Transport::Ws));
}
