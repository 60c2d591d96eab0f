//! A TextRoom walk-through over HTTP or WebSocket, with the core's typed helpers
//! (`janus_signal::plugin::textroom`): create a room, list the rooms, ask Janus for the data
//! channel (`setup`: Janus answers with an SDP offer with an `m=application` line), show the
//! data channel payloads a client would send once the channel is open (`join`, `message`) and
//! how an incoming chat message is read, destroy the room, detach and destroy the session.
//!
//! The chat itself runs over the WebRTC data channel, which needs a DTLS/SCTP stack this
//! example does not have: Janus 1.1.2 refuses `join` and `message` over the Janus API (415).
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example textroom -- ws://127.0.0.1:8188
//! cargo run --example textroom -- http://127.0.0.1:8088/janus
//! ```

use std::error::Error as StdError;
use std::time::{SystemTime, UNIX_EPOCH};

use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::plugin::textroom::{
    self, CreateRoom, DataMessage, DestroyRoom, Event as RoomEvent, Join, ListRooms, SendMessage, Setup,
};
use janus_signal_socket::janus_signal::plugin::{PluginId, plugin_data};
use janus_signal_socket::{Janus, Options, OwnedMessage};

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:8188".to_owned());
    if let Err(e) = run(&url) {
        eprintln!("textroom over {url} failed: {e}");
        std::process::exit(1);
    }
}

fn run(url: &str) -> Result<()> {
    let mut janus = Janus::connect(url, Options::default())?;
    let session = janus.create_session()?;
    let handle = janus.attach(textroom::PLUGIN, Some("janus-signal-textroom"))?;
    println!("connected to {url}: session {session}, textroom handle {handle}");

    let room = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64 & ((1 << 53) - 1));
    let reply = janus.message(handle, &CreateRoom::new().with_room(room).with_description("janus-signal \"chat\""))?;
    println!("create: {:?}", event(&reply)?);

    let reply = janus.message(handle, &ListRooms::new())?;
    if let RoomEvent::Rooms(rooms) = event(&reply)? {
        for info in &rooms {
            let info = info?;
            let description = info.description.map(|d| d.to_string()).unwrap_or_default();
            println!(
                "    room {}  {description:?}  {} participants",
                plugin_id(&info.room),
                info.num_participants.unwrap_or(0)
            );
        }
    }

    let reply = janus.message(handle, &Setup::new())?;
    println!("setup: {:?}", event(&reply)?);
    if let Message::Event(event) = reply.message()
        && let Some(jsep) = event.jsep
    {
        let sdp = jsep.sdp.to_string();
        let application = sdp.lines().find(|l| l.starts_with("m=application")).unwrap_or("(no m=application line)");
        println!("Janus's {:?}: {application}", jsep.kind);
    }

    // What goes over the data channel once it is open.
    let mut payload = [0u8; 256];
    let n = Join::new("join-1", room, "alice").with_display("Alice").encode(&mut payload)?;
    println!("data channel join:    {}", String::from_utf8_lossy(&payload[..n]));
    let n = SendMessage::new("msg-1", room, "hello \"room\"").encode(&mut payload)?;
    println!("data channel message: {}", String::from_utf8_lossy(&payload[..n]));
    let incoming = format!(
        r#"{{"textroom":"message","room":{room},"from":"bob","date":"2026-11-30T20:00:00+0000","text":"hi \"alice\""}}"#
    );
    if let DataMessage::Message(chat) = DataMessage::decode(incoming.as_bytes())? {
        println!("an incoming message reads: {} says {:?}", chat.from, chat.text.to_string());
    }

    let reply = janus.message(handle, &DestroyRoom::new(room))?;
    println!("destroy: {:?}", event(&reply)?);
    janus.detach(handle)?;
    janus.destroy_session()?;
    println!("detached handle {handle}, destroyed session {session}");
    Ok(())
}

/// The typed TextRoom event of an answer.
fn event(reply: &OwnedMessage) -> Result<RoomEvent<'_>> {
    let message = reply.message();
    let data = plugin_data(&message).ok_or_else(|| format!("answer without plugin data: {reply}"))?;
    // The error borrows the reply: keep its text.
    RoomEvent::decode(data.data).map_err(|e| e.to_string().into())
}

fn plugin_id(id: &PluginId<'_>) -> String {
    match id {
        PluginId::Number(n) => n.to_string(),
        PluginId::Text(text) => format!("{:?}", text.to_string()),
    }
}
