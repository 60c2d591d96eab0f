//! A VideoRoom walk-through over HTTP or WebSocket, without media: create a session, attach
//! the videoroom plugin, create a room with a random id (picking another one if Janus says
//! 427 "room exists"), join it as a publisher, list its participants (we must be among them),
//! leave, destroy the room, detach and destroy the session.
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example videoroom -- ws://127.0.0.1:8188
//! cargo run --example videoroom -- http://127.0.0.1:8088/janus
//! cargo run --example videoroom -- ws://127.0.0.1:8188 1234   # try room 1234 first
//! ```
//!
//! Requests and answers are the core's typed VideoRoom helpers
//! (`janus_signal::plugin::videoroom`): `CreateRoom`, `JoinAsPublisher`, `ListParticipants`,
//! `Leave`, `DestroyRoom` in, `videoroom::Event` out, plugin errors as `videoroom::ErrorCode`.
//! Whatever fails after the room exists, the room, the handle and the session are still
//! cleaned up, and the example exits with status 1.

use std::collections::hash_map::RandomState;
use std::error::Error as StdError;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::plugin::videoroom::{
    self, CreateRoom, DestroyRoom, ErrorCode, Event as RoomEvent, JoinAsPublisher, Leave, ListParticipants, SelfOrFeed,
};
use janus_signal_socket::janus_signal::plugin::{PluginId, plugin_data};
use janus_signal_socket::{Event, Janus, Options, OwnedMessage};

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

/// How many random room ids to try before giving up.
const CREATE_ATTEMPTS: usize = 5;
/// Janus's own ids stay below 2^53 (safe JavaScript integers); ours too.
const MAX_ROOM_ID: u64 = (1 << 53) - 1;

fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:8188".to_owned());
    let first_room = match std::env::args().nth(2).map(|r| r.parse::<u64>()) {
        None => None,
        Some(Ok(room)) if room > 0 => Some(room),
        Some(_) => {
            eprintln!("usage: videoroom [URL] [ROOM]: ROOM must be a positive integer");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&url, first_room) {
        eprintln!("videoroom over {url} failed: {e}");
        std::process::exit(1);
    }
}

fn run(url: &str, first_room: Option<u64>) -> Result<()> {
    let mut janus = Janus::connect(url, Options::default())?;
    let session = janus.create_session()?;
    let handle = match janus.attach(videoroom::PLUGIN, Some("janus-signal-videoroom")) {
        Ok(handle) => handle,
        Err(e) => {
            let _ = janus.destroy_session();
            return Err(e.into());
        }
    };
    println!("connected to {url}: session {session}, videoroom handle {handle}");

    let outcome = match create_room(&mut janus, handle, first_room) {
        Ok(room) => {
            let in_room = in_room(&mut janus, handle, room);
            // The room goes whatever happened inside it.
            let destroyed = destroy_room(&mut janus, handle, room);
            in_room.and(destroyed)
        }
        Err(e) => Err(e),
    };
    if let Err(e) = print_unsolicited(&mut janus) {
        eprintln!("while waiting for events: {e}");
    }
    let detached = janus.detach(handle);
    let ended = janus.destroy_session();
    outcome?;
    detached?;
    ended?;
    println!("detached handle {handle}, destroyed session {session}");
    Ok(())
}

/// `create` with random ids until one is free.
fn create_room(janus: &mut Janus, handle: HandleId, first: Option<u64>) -> Result<u64> {
    let mut candidate = first.unwrap_or_else(random_room_id);
    for _ in 0..CREATE_ATTEMPTS {
        let request = CreateRoom::new().with_room(candidate).with_description("janus-signal example");
        match janus.message(handle, &request) {
            Ok(reply) => match event(&reply)? {
                RoomEvent::Created { room: PluginId::Number(room), .. } => {
                    println!("created room {room}");
                    return Ok(room);
                }
                other => return Err(format!("expected `created`, got {other:?}").into()),
            },
            Err(e) if e.janus_code().map(ErrorCode::from_code) == Some(ErrorCode::RoomExists) => {
                println!("room {candidate} exists ({e}); trying another id");
                candidate = random_room_id();
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(format!("no free room id after {CREATE_ATTEMPTS} attempts").into())
}

/// Join, list the participants, leave.
fn in_room(janus: &mut Janus, handle: HandleId, room: u64) -> Result<()> {
    let join = JoinAsPublisher::new(room).with_display("janus-signal");
    let reply = janus.message(handle, &join)?;
    let RoomEvent::Joined(joined) = event(&reply)? else {
        return Err(format!("expected `joined`, got {}", compact(&reply)).into());
    };
    let private_id = joined.private_id.map_or_else(|| "none".to_owned(), |p| p.to_string());
    println!(
        "joined room {} as publisher {} (private_id {private_id}, {} publishers already there)",
        plugin_id(&joined.room),
        plugin_id(&joined.id),
        joined.publishers.len()
    );
    let our_id = joined.id;

    let reply = janus.message(handle, &ListParticipants::new(room))?;
    let RoomEvent::Participants { participants, .. } = event(&reply)? else {
        return Err(format!("expected `participants`, got {}", compact(&reply)).into());
    };
    println!("participants of room {room}: {}", participants.len());
    let mut found = false;
    for participant in &participants {
        let participant = participant?;
        found |= participant.id == our_id;
        println!(
            "    {}  display {}  publishing {}",
            plugin_id(&participant.id),
            participant.display.map_or_else(|| "(none)".to_owned(), |d| format!("{:?}", d.to_string())),
            participant.publisher.map_or("?", |p| if p { "yes" } else { "no" }),
        );
    }
    if !found {
        return Err(format!("our participant id {} is not in the list", plugin_id(&our_id)).into());
    }

    let reply = janus.message(handle, &Leave::new())?;
    match event(&reply)? {
        RoomEvent::Leaving { who: SelfOrFeed::Myself, .. } => println!("left room {room}: leaving \"ok\" (ourselves)"),
        RoomEvent::Leaving { who: SelfOrFeed::Feed(id), .. } => {
            println!("left room {room}: leaving {} (participant id)", plugin_id(&id))
        }
        other => return Err(format!("expected `leaving`, got {other:?}").into()),
    }
    Ok(())
}

fn destroy_room(janus: &mut Janus, handle: HandleId, room: u64) -> Result<()> {
    let reply = janus.message(handle, &DestroyRoom::new(room))?;
    match event(&reply)? {
        RoomEvent::Destroyed { .. } => {
            println!("destroyed room {room}");
            Ok(())
        }
        other => Err(format!("expected `destroyed`, got {other:?}").into()),
    }
}

/// Prints what the plugin said on its own meanwhile (e.g. events about other participants).
fn print_unsolicited(janus: &mut Janus) -> Result<()> {
    while let Some(event) = janus.next_event(Duration::from_millis(200))? {
        match event {
            Event::Handle { message, .. } => println!("unsolicited {}: {}", message.kind(), compact(&message)),
            other => println!("unsolicited: {other:?}"),
        }
    }
    Ok(())
}

/// The typed VideoRoom event of an answer (a synchronous `success` or the `event` answering
/// a request). Plugin errors do not get here: `Janus::message` returns them as
/// `Error::Plugin`.
fn event(reply: &OwnedMessage) -> Result<RoomEvent<'_>> {
    let message = reply.message();
    let data = plugin_data(&message).ok_or_else(|| format!("answer without plugin data: {}", compact(reply)))?;
    // The error borrows the reply: keep its text.
    RoomEvent::decode(data.data).map_err(|e| e.to_string().into())
}

fn plugin_id(id: &PluginId<'_>) -> String {
    match id {
        PluginId::Number(n) => n.to_string(),
        PluginId::Text(text) => format!("{:?}", text.to_string()),
    }
}

/// The message on one line (Janus indents its JSON by default).
fn compact(message: &OwnedMessage) -> String {
    message.json().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A random id in 1..2^53, from the standard library's randomly keyed hasher.
fn random_room_id() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(now.as_nanos());
    (hasher.finish() & MAX_ROOM_ID).max(1)
}
