//! The core's TextRoom helpers (`janus_signal::plugin::textroom`) against the real Janus, over
//! both transports: room management over the Janus API (`create`, `exists`, `list`,
//! `listparticipants`, `announcement`, `kick`, `destroy`, typed 417/418/419/423), `setup` (→ `Accepted` + Janus's offer with a
//! data channel m-line), and what Janus 1.1.2 says to the chat requests (`join`, `message`,
//! `leave`) sent over the Janus API instead of the data channel: typed 415 "Unknown request".
//! The data channel itself needs a working DTLS/SCTP peer, which these tests do not have: its
//! payloads are covered by the core's unit tests.
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::textroom::{
    self, Announce, CreateRoom, DestroyRoom, ErrorCode, Event, Kick, ListParticipants, ListRooms, RoomExists, Setup,
};
use janus_signal_socket::janus_signal::plugin::{PluginId, plugin_data};
use janus_signal_socket::{Options, OwnedMessage};

use live::Transport;

const DESCRIPTION: &str = "janus-signal \"chat\" é\n";
const SECRET: &str = "janus-signal-secret";

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    let message = reply.message();
    let data = plugin_data(&message).unwrap_or_else(|| panic!("no plugin data: {reply}"));
    assert!(data.plugin == textroom::PLUGIN, "{reply}");
    Event::decode(data.data).unwrap_or_else(|e| panic!("{e}: {reply}"))
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let handle = janus.attach(textroom::PLUGIN, None).expect("attach");

    let room = live::random_id();
    let create = CreateRoom::new().with_room(room).with_description(DESCRIPTION).with_secret(SECRET);
    let reply = janus.message(handle, &create).expect("create");
    assert_eq!(event(&reply), Event::Created { room: PluginId::Number(room), permanent: Some(false) });
    let error = janus.message(handle, &CreateRoom::new().with_room(room)).expect_err("create twice");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::RoomExists), "{error:?}");

    let reply = janus.message(handle, &RoomExists::new(room)).expect("exists");
    assert_eq!(event(&reply), Event::Exists { room: PluginId::Number(room), exists: true });
    let reply = janus.message(handle, &RoomExists::new(room ^ 1)).expect("exists (no)");
    assert_eq!(event(&reply), Event::Exists { room: PluginId::Number(room ^ 1), exists: false });

    let reply = janus.message(handle, &ListRooms::new()).expect("list");
    let Event::Rooms(rooms) = event(&reply) else { panic!("list: {reply}") };
    let ours = rooms
        .iter()
        .map(|r| r.expect("a room"))
        .find(|r| r.room == PluginId::Number(room))
        .unwrap_or_else(|| panic!("room {room} not listed: {reply}"));
    assert_eq!(ours.description.map(|d| d.to_string()).as_deref(), Some(DESCRIPTION));
    assert_eq!(ours.num_participants, Some(0));

    let reply = janus.message(handle, &ListParticipants::new(room)).expect("listparticipants");
    let Event::Participants { room: listed, participants } = event(&reply) else { panic!("{reply}") };
    assert_eq!(listed, PluginId::Number(room));
    assert!(participants.is_empty(), "{reply}");

    // announcement and kick work over the Janus API too.
    let reply = janus.message(handle, &Announce::new(room, "hear \"this\"\n").with_secret(SECRET)).expect("announce");
    assert!(matches!(event(&reply), Event::Success(_)), "{reply}");
    let error = janus.message(handle, &Announce::new(room, "x").with_secret("wrong")).expect_err("a wrong secret");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::Unauthorized), "{error:?}");
    let error = janus.message(handle, &Kick::new(room, "nobody").with_secret(SECRET)).expect_err("kick nobody");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchUser), "{error:?}");

    // setup: Janus offers a data channel.
    let reply = janus.message(handle, &Setup::new()).expect("setup");
    assert_eq!(event(&reply), Event::Accepted);
    let Message::Event(setup) = reply.message() else { panic!("{reply}") };
    let offer = setup.jsep.expect("an offer");
    assert_eq!(offer.kind, JsepType::Offer);
    assert!(offer.sdp.to_string().contains("\r\nm=application "), "{reply}");

    // The chat requests belong on the data channel: over the Janus API, 415.
    for body in [
        serde_json::json!({"request": "join", "room": room, "username": "alice"}),
        serde_json::json!({"request": "message", "room": room, "text": "hi"}),
        serde_json::json!({"request": "leave", "room": room}),
    ] {
        let error = janus.message(handle, &body).expect_err("a chat request over the Janus API");
        assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::InvalidRequest), "{body}: {error:?}");
    }

    let reply = janus.message(handle, &DestroyRoom::new(room).with_secret(SECRET)).expect("destroy");
    assert_eq!(event(&reply), Event::Destroyed { room: PluginId::Number(room), permanent: Some(false) });
    let error = janus.message(handle, &DestroyRoom::new(room).with_secret(SECRET)).expect_err("destroy twice");
    assert_eq!(error.janus_code().map(ErrorCode::from_code), Some(ErrorCode::NoSuchRoom), "{error:?}");

    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn textroom_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn textroom_walk_ws() {
    run(Transport::Ws, walk);
}
