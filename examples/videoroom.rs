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
//! Requests are the example's own `serde::Serialize` structs; answers are read from the
//! plugin's data with `RawJson`'s accessors, or decoded into the example's own
//! `serde::Deserialize` type. Whatever fails after the room exists, the room, the handle and
//! the session are still cleaned up, and the example exits with status 1.

use std::collections::hash_map::RandomState;
use std::error::Error as StdError;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::json::{PluginId, RawJson};
use janus_signal_socket::janus_signal::message::{Message, PluginData};
use janus_signal_socket::{Error, Event, Janus, Options, OwnedMessage};

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

const PLUGIN: &str = "janus.plugin.videoroom";
/// Videoroom error code of `create` when the room id is taken.
const ROOM_EXISTS: u64 = 427;
/// How many random room ids to try before giving up.
const CREATE_ATTEMPTS: usize = 5;
/// Janus's own ids stay below 2^53 (safe JavaScript integers); ours too.
const MAX_ROOM_ID: u64 = (1 << 53) - 1;

/// `create`: a room that lives until we destroy it (not saved to the config file).
#[derive(serde::Serialize)]
struct CreateRoom<'a> {
    request: &'static str,
    room: u64,
    description: &'a str,
}

/// `join` as a publisher (no media is ever sent: we only take a seat).
#[derive(serde::Serialize)]
struct JoinAsPublisher<'a> {
    request: &'static str,
    ptype: &'static str,
    room: u64,
    display: &'a str,
}

/// Requests about a room: `listparticipants`, `destroy`.
#[derive(serde::Serialize)]
struct RoomRequest {
    request: &'static str,
    room: u64,
}

/// `leave`: the handle knows its room.
#[derive(serde::Serialize)]
struct Leave {
    request: &'static str,
}

/// The numbers of the `joined` event (other members, like `publishers`, are skipped).
#[derive(serde::Deserialize)]
struct Joined {
    room: u64,
    id: u64,
    private_id: u64,
}

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
    let handle = match janus.attach(PLUGIN, Some("janus-signal-videoroom")) {
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
        let request = CreateRoom { request: "create", room: candidate, description: "janus-signal example" };
        match janus.message(handle, &request) {
            Ok(reply) => {
                let data = plugin_data(&reply)?;
                let data = data.data;
                expect_kind(data, "created")?;
                let room = data.get("room").and_then(|r| r.as_u64()).ok_or("`created` without a numeric room")?;
                println!("created room {room}");
                return Ok(room);
            }
            Err(e @ Error::Plugin { .. }) if e.janus_code() == Some(ROOM_EXISTS) => {
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
    let join = JoinAsPublisher { request: "join", ptype: "publisher", room, display: "janus-signal" };
    let reply = janus.message(handle, &join)?;
    let data = plugin_data(&reply)?.data;
    expect_kind(data, "joined")?;
    let joined: Joined = data.decode(&mut [0u8; 256])?;
    println!("joined room {} as publisher {} (private_id {})", joined.room, joined.id, joined.private_id);

    let reply = janus.message(handle, &RoomRequest { request: "listparticipants", room })?;
    let data = plugin_data(&reply)?.data;
    expect_kind(data, "participants")?;
    let participants = data.get("participants").ok_or("`participants` answer without a list")?;
    println!("participants of room {room}: {}", participants.elements().count());
    let mut found = false;
    for participant in participants.elements() {
        let id = participant.get("id").and_then(|id| id.as_plugin_id());
        found |= id == Some(PluginId::Number(joined.id));
        let display = participant.get("display").and_then(|d| d.as_str());
        let publisher = participant.get("publisher").and_then(|p| p.as_bool());
        println!(
            "    {}  display {}  publishing {}",
            id.map_or_else(|| "?".to_owned(), |id| plugin_id(&id)),
            display.map_or_else(|| "(none)".to_owned(), |d| format!("{:?}", d.to_string())),
            publisher.map_or("?", |p| if p { "yes" } else { "no" }),
        );
    }
    if !found {
        return Err(format!("our participant id {} is not in the list", joined.id).into());
    }

    let reply = janus.message(handle, &Leave { request: "leave" })?;
    let data = plugin_data(&reply)?.data;
    let leaving = data.get("leaving").and_then(|l| l.as_plugin_id()).ok_or("`leave` answered without `leaving`")?;
    match leaving {
        PluginId::Text(text) if text == "ok" => println!("left room {room}: leaving \"ok\" (ourselves)"),
        PluginId::Text(text) => println!("left room {room}: leaving {:?}", text.to_string()),
        PluginId::Number(id) => println!("left room {room}: leaving {id} (participant id)"),
    }
    Ok(())
}

fn destroy_room(janus: &mut Janus, handle: HandleId, room: u64) -> Result<()> {
    let reply = janus.message(handle, &RoomRequest { request: "destroy", room })?;
    let data = plugin_data(&reply)?.data;
    expect_kind(data, "destroyed")?;
    println!("destroyed room {room}");
    Ok(())
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

/// The plugin's data of a synchronous `success` or of the `event` answering a request.
fn plugin_data(reply: &OwnedMessage) -> Result<PluginData<'_>> {
    let plugin_data = match reply.message() {
        Message::Success(success) => success.plugin_data,
        Message::Event(event) => event.plugin_data,
        _ => None,
    };
    Ok(plugin_data.ok_or_else(|| format!("answer without plugin data: {}", compact(reply)))?)
}

/// Checks `"videoroom": kind` in the plugin's data.
fn expect_kind(data: RawJson<'_>, kind: &str) -> Result<()> {
    match data.get("videoroom").and_then(|v| v.as_str()) {
        Some(found) if found == kind => Ok(()),
        _ => Err(format!("expected a videoroom `{kind}`, got {data}").into()),
    }
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
