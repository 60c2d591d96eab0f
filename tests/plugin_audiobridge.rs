//! The core's AudioBridge helpers (`janus_signal::plugin::audiobridge`) against the real Janus,
//! over both transports: a room is created (typed 486 the second time), two participants join
//! on two handles of one session (the first hears of the second in a `joined` without `id`),
//! one is muted by the room's secret (both hear of it), the participants are listed, the room
//! is muted, a participant reconfigures itself, the mix is forwarded as RTP to a loopback port
//! (listed, stopped), one moves to another room (the other gets `leaving`) and leaves it, one
//! is kicked, and the room is destroyed; with typed plugin errors for a room or participant that
//! does not exist and a wrong secret. Without media: the participants join without an offer
//! (the real-media walks are `tests/media_*.rs`).
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL`. The tests are `#[ignore]`d (live):
//! `tests/run` runs them with its Janus; run without one they fail.
//!
//! `JANUS_RECORD_FIXTURES=1` makes the WebSocket walk write every audiobridge message it reads
//! to `tests/fixtures/plugins/audiobridge/` (how those files were made, from Janus 1.1.2);
//! `recorded_messages_decode` reads them back, without a Janus.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::plugin::PluginEvent as _;
use janus_signal_socket::janus_signal::plugin::PluginId;
use janus_signal_socket::janus_signal::plugin::audiobridge::{
    self, ChangeRoom, Configure, CreateRoom, DestroyRoom, ErrorCode, Event, Join, Kick, Leave, ListForwarders,
    ListParticipants, ListRooms, Mute, MuteRoom, RoomExists, RtpForward, StopRtpForward, Unmute,
};
use janus_signal_socket::{Janus, Options, OwnedMessage};

use live::{InstanceConfig, SharedInstance, Transport};

const SECRET: &str = "janus-signal-secret";
const WINDOW: Duration = Duration::from_secs(5);

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

#[track_caller]
fn event(reply: &OwnedMessage) -> Event<'_> {
    if RECORDING.with(std::cell::Cell::get) {
        let data = live::plugin_data(reply);
        let kind = data["audiobridge"].as_str().unwrap_or("none").to_owned();
        let detail = ["exists", "list", "stream_id", "leaving", "kicked", "muted", "result", "participants"]
            .into_iter()
            .find(|key| data.get(key).is_some())
            .map_or(String::new(), |key| format!("-{key}"));
        live::record_fixture("audiobridge", reply, &format!("{kind}{detail}"));
    }
    match reply.plugin::<Event<'_>>() {
        Some(Ok(event)) => event,
        Some(Err(e)) => panic!("{e}: {reply}"),
        None => panic!("no audiobridge data: {reply}"),
    }
}

/// The next audiobridge event of `handle`, within the window.
#[track_caller]
fn notice(janus: &mut Janus, handle: HandleId, what: &str) -> OwnedMessage {
    live::next_handle_event_within(janus, handle, WINDOW).unwrap_or_else(|| panic!("no event for {what}"))
}

thread_local! {
    static RECORDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let alice = janus.attach(audiobridge::PLUGIN, None).expect("attach alice");
    let bob = janus.attach(audiobridge::PLUGIN, None).expect("attach bob");
    let n = PluginId::Number;

    let room = live::random_id();
    let create = CreateRoom::new().with_room(room).with_description("janus-signal \"mix\"").with_secret(SECRET);
    let reply = janus.message(alice, &create).expect("create");
    assert_eq!(event(&reply), Event::Created { room: n(room), permanent: Some(false) });
    live::expect_plugin_error(
        janus.message(alice, &CreateRoom::new().with_room(room)),
        ErrorCode::RoomExists,
        "create twice",
    );
    let reply = janus.message(alice, &RoomExists::new(room)).expect("exists");
    assert_eq!(event(&reply), Event::Exists { room: n(room), exists: true });
    let reply = janus.message(alice, &ListRooms::new()).expect("list");
    let Event::Rooms(rooms) = event(&reply) else { panic!("list: {reply}") };
    let ours = rooms.iter().map(|r| r.expect("a room")).find(|r| r.room == n(room)).expect("our room is listed");
    assert_eq!((ours.sampling_rate, ours.num_participants, ours.muted), (Some(16000), Some(0), Some(false)));
    live::expect_plugin_error(
        janus.message(alice, &Join::new(room ^ 1)),
        ErrorCode::NoSuchRoom,
        "join a room that does not exist",
    );

    // Alice joins an empty room; Bob joins and Alice hears of him (no top-level id).
    let reply = janus.message(alice, &Join::new(room).with_display("Alice")).expect("alice joins");
    let Event::Joined { room: joined, id: Some(alice_id), participants } = event(&reply) else { panic!("{reply}") };
    assert_eq!(joined, n(room));
    assert!(participants.is_empty(), "{reply}");
    let reply = janus.message(bob, &Join::new(room).with_display("Bob \"b\"")).expect("bob joins");
    let Event::Joined { id: Some(bob_id), participants, .. } = event(&reply) else { panic!("{reply}") };
    let others: Vec<_> = participants.iter().map(|p| p.expect("participant").id).collect();
    assert_eq!(others, [alice_id], "{reply}");
    let message = notice(&mut janus, alice, "bob's join");
    let Event::Joined { id: None, participants, .. } = event(&message) else { panic!("{message}") };
    let newcomer = participants.iter().next().expect("the newcomer").expect("participant");
    assert_eq!((newcomer.id, newcomer.setup), (bob_id, Some(false)));
    assert!(newcomer.display.expect("display") == "Bob \"b\"");
    live::expect_plugin_error(janus.message(bob, &Join::new(room)), ErrorCode::AlreadyJoined, "join twice");

    // The room's secret mutes Bob; both hear of it.
    live::expect_plugin_error(
        janus.message(alice, &Mute::new(room, bob_id).with_secret("wrong")),
        ErrorCode::Unauthorized,
        "wrong secret",
    );
    live::expect_plugin_error(
        janus.message(alice, &Mute::new(room, room).with_secret(SECRET)),
        ErrorCode::NoSuchUser,
        "mute nobody",
    );
    let reply = janus.message(alice, &Mute::new(room, bob_id).with_secret(SECRET)).expect("mute bob");
    assert!(matches!(event(&reply), Event::Success(_)), "{reply}");
    for handle in [alice, bob] {
        let message = notice(&mut janus, handle, "bob muted");
        let Event::ParticipantsChanged { participants, .. } = event(&message) else { panic!("{message}") };
        let changed = participants.iter().next().expect("one").expect("participant");
        assert_eq!((changed.id, changed.muted), (bob_id, Some(true)));
    }
    let reply = janus.message(alice, &ListParticipants::new(room)).expect("listparticipants");
    let Event::Participants { participants, .. } = event(&reply) else { panic!("{reply}") };
    let mut listed: Vec<_> = participants.iter().map(|p| p.expect("participant")).map(|p| (p.id, p.muted)).collect();
    listed.sort_by_key(|(id, _)| *id == bob_id);
    assert_eq!(listed, [(alice_id, Some(false)), (bob_id, Some(true))], "{reply}");
    let reply = janus.message(alice, &Unmute::new(room, bob_id).with_secret(SECRET)).expect("unmute bob");
    assert!(matches!(event(&reply), Event::Success(_)), "{reply}");
    for handle in [alice, bob] {
        let message = notice(&mut janus, handle, "bob unmuted");
        assert!(matches!(event(&message), Event::ParticipantsChanged { .. }), "{message}");
    }

    // The whole room is muted: everyone hears of it.
    let reply = janus.message(alice, &MuteRoom::new(room).with_secret(SECRET)).expect("mute the room");
    assert!(matches!(event(&reply), Event::Success(_)), "{reply}");
    for handle in [alice, bob] {
        let message = notice(&mut janus, handle, "room muted");
        assert_eq!(event(&message), Event::RoomMuted { room: n(room), muted: true }, "{message}");
    }

    // Alice reconfigures herself: answered `result: ok`; Bob hears of her new name.
    let reply = janus.message(alice, &Configure::new().with_display("Alice 2").with_muted(true)).expect("configure");
    assert_eq!(event(&reply), Event::Configured);
    let message = notice(&mut janus, bob, "alice reconfigured");
    let Event::ParticipantsChanged { participants, .. } = event(&message) else { panic!("{message}") };
    let changed = participants.iter().next().expect("one").expect("participant");
    assert_eq!((changed.id, changed.muted), (alice_id, Some(true)));
    assert!(changed.display.expect("display") == "Alice 2");

    // An RTP forwarder of the mix (to a loopback port nothing listens on): listed, stopped.
    let port = std::net::UdpSocket::bind("127.0.0.1:0").and_then(|s| s.local_addr()).expect("a loopback port").port();
    let reply =
        janus.message(alice, &RtpForward::new(room, "127.0.0.1", port).with_secret(SECRET)).expect("rtp_forward");
    let Event::Forwarding { stream_id, host: Some(host), port: Some(forwarded), .. } = event(&reply) else {
        panic!("{reply}")
    };
    assert!(host == "127.0.0.1" && forwarded == u64::from(port), "{reply}");
    let reply = janus.message(alice, &ListForwarders::new(room).with_secret(SECRET)).expect("listforwarders");
    let Event::Forwarders { forwarders, .. } = event(&reply) else { panic!("{reply}") };
    assert!(forwarders.iter().flatten().any(|f| f.stream_id == stream_id), "{reply}");
    let reply = janus.message(alice, &StopRtpForward::new(room, stream_id).with_secret(SECRET)).expect("stop");
    assert!(matches!(event(&reply), Event::Forwarding { stream_id: s, .. } if s == stream_id), "{reply}");

    // Bob moves to another room (Alice hears him leave), then leaves that one.
    let other_room = live::random_id() ^ 2;
    let reply = janus.message(alice, &CreateRoom::new().with_room(other_room)).expect("create another room");
    assert!(matches!(event(&reply), Event::Created { .. }), "{reply}");
    let reply = janus.message(bob, &ChangeRoom::new(other_room).with_display("Bob")).expect("changeroom");
    let Event::RoomChanged { room: moved, id: bob_there, participants } = event(&reply) else { panic!("{reply}") };
    assert!(moved == n(other_room) && participants.is_empty(), "{reply}");
    let message = notice(&mut janus, alice, "bob moved away");
    assert_eq!(event(&message), Event::Leaving { room: n(room), id: bob_id });
    let reply = janus.message(bob, &Leave::new()).expect("bob leaves");
    assert_eq!(event(&reply), Event::Left { room: Some(n(other_room)), id: Some(bob_there) });
    live::expect_plugin_error(janus.message(bob, &Configure::new()), ErrorCode::NotJoined, "configure after leaving");
    let reply = janus.message(alice, &DestroyRoom::new(other_room)).expect("destroy the other room");
    assert!(matches!(event(&reply), Event::Destroyed { .. }), "{reply}");

    // Alice is kicked: she hears of it herself.
    let reply = janus.message(bob, &Kick::new(room, alice_id).with_secret(SECRET)).expect("kick alice");
    assert!(matches!(event(&reply), Event::Success(_)), "{reply}");
    let message = notice(&mut janus, alice, "alice kicked");
    assert_eq!(event(&message), Event::Kicked { room: n(room), id: alice_id });

    let reply = janus.message(bob, &DestroyRoom::new(room).with_secret(SECRET)).expect("destroy");
    assert_eq!(event(&reply), Event::Destroyed { room: n(room), permanent: Some(false) });
    live::expect_plugin_error(
        janus.message(bob, &DestroyRoom::new(room).with_secret(SECRET)),
        ErrorCode::NoSuchRoom,
        "destroy twice",
    );

    janus.detach(alice).expect("detach alice");
    janus.detach(bob).expect("detach bob");
    janus.destroy_session().expect("destroy session");
}

// ----- string ids -------------------------------------------------------------------------------

/// A Janus whose plugins run with `string_ids = true` (a setting of the plugin's configuration,
/// so not the shared test server).
static WITH_STRING_IDS: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "audiobridge-string-ids",
    http_port: 31088,
    ws_port: 31188,
    admin_port: 30088,
    env: &[("JANUS_STRING_IDS", "1")],
});

/// Text room and participant ids with characters JSON escapes go out escaped and come back as
/// text; a numeric id is refused (484).
fn string_ids_walk(url: &str) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create session");
    let alice = janus.attach(audiobridge::PLUGIN, None).expect("attach");
    live::expect_plugin_error(
        janus.message(alice, &CreateRoom::new().with_room(1234)),
        ErrorCode::InvalidElement,
        "a numeric id",
    );

    let room = format!("mix \"{}\" é", live::random_id());
    let reply = janus.message(alice, &CreateRoom::new().with_room(room.as_str()).with_secret(SECRET)).expect("create");
    let Event::Created { room: PluginId::Text(created), .. } = event(&reply) else { panic!("{reply}") };
    assert_eq!(created.to_string(), room);
    let me = format!("alice \"{}\"", live::random_id());
    let reply = janus.message(alice, &Join::new(room.as_str()).with_id(me.as_str())).expect("join");
    let Event::Joined { room: PluginId::Text(joined), id: Some(PluginId::Text(id)), .. } = event(&reply) else {
        panic!("{reply}")
    };
    assert_eq!((joined.to_string(), id.to_string()), (room.clone(), me.clone()));
    // A received id is forwarded as received (escaped), without unescaping.
    let reply = janus.message(alice, &Mute::new(room.as_str(), PluginId::Text(id)).with_secret(SECRET)).expect("mute");
    assert!(matches!(event(&reply), Event::Success(_)), "{reply}");
    let reply = janus.message(alice, &ListParticipants::new(room.as_str())).expect("listparticipants");
    let Event::Participants { participants, .. } = event(&reply) else { panic!("{reply}") };
    let listed: Vec<_> = participants.iter().map(|p| p.expect("participant")).map(|p| (p.id, p.muted)).collect();
    assert_eq!(listed, [(PluginId::Text(id), Some(true))], "{reply}");
    let reply = janus.message(alice, &DestroyRoom::new(room.as_str()).with_secret(SECRET)).expect("destroy");
    assert!(matches!(event(&reply), Event::Destroyed { room: PluginId::Text(r), .. } if r.to_string() == room));
    janus.detach(alice).expect("detach");
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

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn audiobridge_walk_http() {
    run(Transport::Http, walk);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn audiobridge_walk_ws() {
    RECORDING.with(|r| r.set(true));
    run(Transport::Ws, walk);
}

/// Every message recorded from the real Janus decodes as a known audiobridge event, none as
/// `Other`. (Plugin errors end the request as a typed error before a message can be kept:
/// their shape is in the module's unit tests.)
#[test]
fn recorded_messages_decode() {
    live::assert_recordings_decode("audiobridge", 20, |message| {
        Event::from_message(message).map(|read| read.map(|event| event.is_other()).map_err(|e| e.to_string()))
    });
}
