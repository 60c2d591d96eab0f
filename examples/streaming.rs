//! A Streaming plugin walk-through over HTTP or WebSocket, with the core's typed helpers
//! (`janus_signal::plugin::streaming`): create an RTP mountpoint (Janus picks its ports), list
//! the mountpoints, show its info, `watch` it (Janus answers with an SDP offer), stop,
//! destroy the mountpoint, detach and destroy the session. No media is sent or received.
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example streaming -- ws://127.0.0.1:8188
//! cargo run --example streaming -- http://127.0.0.1:8088/janus
//! ```
//!
//! To feed the mountpoint, send RTP (Opus, payload type 111; VP8, 96) to the ports it prints,
//! e.g. with GStreamer.

use std::error::Error as StdError;
use std::time::{SystemTime, UNIX_EPOCH};

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::json::JsonStr;
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::plugin::streaming::{
    self, CreateRtpMountpoint, DestroyMountpoint, Event as StreamingEvent, GetInfo, ListMountpoints, RtpMedia, Stop,
    Watch,
};
use janus_signal_socket::janus_signal::plugin::{PluginId, plugin_data};
use janus_signal_socket::{Janus, Options, OwnedMessage};

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:8188".to_owned());
    if let Err(e) = run(&url) {
        eprintln!("streaming over {url} failed: {e}");
        std::process::exit(1);
    }
}

fn run(url: &str) -> Result<()> {
    let mut janus = Janus::connect(url, Options::default())?;
    let session = janus.create_session()?;
    let handle = janus.attach(streaming::PLUGIN, Some("janus-signal-streaming"))?;
    println!("connected to {url}: session {session}, streaming handle {handle}");

    let media = [
        RtpMedia { kind: "audio", mid: "a", port: 0, pt: Some(111), codec: Some("opus") },
        RtpMedia { kind: "video", mid: "v", port: 0, pt: Some(96), codec: Some("vp8") },
    ];
    // Janus's own ids stay below 2^53; so does ours.
    let id = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64 & ((1 << 53) - 1));
    let create = CreateRtpMountpoint::new(&media).with_id(id).with_name("janus-signal example");
    let reply = janus.message(handle, &create)?;
    let StreamingEvent::Created { id, .. } = event(&reply)? else {
        return Err(format!("expected `created`, got {reply}").into());
    };
    println!("created mountpoint {}", plugin_id(&id));

    let outcome = watch(&mut janus, handle, id);
    let destroyed = janus.message(handle, &DestroyMountpoint::new(id));
    let detached = janus.detach(handle);
    let ended = janus.destroy_session();
    outcome?;
    destroyed?;
    println!("destroyed mountpoint {}", plugin_id(&id));
    detached?;
    ended?;
    println!("detached handle {handle}, destroyed session {session}");
    Ok(())
}

fn watch(janus: &mut Janus, handle: HandleId, id: PluginId<'_>) -> Result<()> {
    let reply = janus.message(handle, &ListMountpoints::new())?;
    if let StreamingEvent::Mountpoints(list) = event(&reply)? {
        println!("mountpoints: {}", list.len());
        for mountpoint in &list {
            let mountpoint = mountpoint?;
            let description = mountpoint.description.map(|d| d.to_string()).unwrap_or_default();
            println!("    {}  {description:?}", plugin_id(&mountpoint.id));
        }
    }

    let reply = janus.message(handle, &GetInfo::new(id))?;
    if let StreamingEvent::Info(info) = event(&reply)? {
        println!("info of {}: {} viewers", plugin_id(&info.id), info.viewers.unwrap_or_default());
        for media in info.media.iter().flatten() {
            let media = media?;
            println!(
                "    {} mid {}  codec {}  pt {}  RTP port {}",
                text(media.kind),
                text(media.mid),
                text(media.codec),
                media.pt.map(|p| p.to_string()).unwrap_or_default(),
                media.port.map(|p| p.to_string()).unwrap_or_default(),
            );
        }
    }

    let reply = janus.message(handle, &Watch::new(id))?;
    if let StreamingEvent::Status { status, .. } = event(&reply)? {
        println!("watch: status {status:?}");
    }
    if let Message::Event(event) = reply.message()
        && let Some(jsep) = event.jsep
    {
        let sdp = jsep.sdp.to_string();
        println!("Janus's {:?} ({} bytes of SDP):", jsep.kind, sdp.len());
        for line in sdp.lines().filter(|l| l.starts_with("m=") || l.starts_with("a=rtpmap")) {
            println!("    {line}");
        }
    }
    // A real viewer answers with `Start` and its SDP answer here. Janus 1.1.2 only acks a
    // `stop` of a viewer whose media never started, so do not wait for an event.
    let stop = janus.request("message", Some(handle), &StopBody { body: Stop::new() })?;
    println!("stop: {}", stop.kind());
    Ok(())
}

/// A raw `message` carrying `stop`: answered with a bare `ack`.
#[derive(serde::Serialize)]
struct StopBody {
    body: Stop,
}

/// The typed Streaming event of an answer.
fn event(reply: &OwnedMessage) -> Result<StreamingEvent<'_>> {
    let message = reply.message();
    let data = plugin_data(&message).ok_or_else(|| format!("answer without plugin data: {reply}"))?;
    // The error borrows the reply: keep its text.
    StreamingEvent::decode(data.data).map_err(|e| e.to_string().into())
}

fn plugin_id(id: &PluginId<'_>) -> String {
    match id {
        PluginId::Number(n) => n.to_string(),
        PluginId::Text(text) => format!("{:?}", text.to_string()),
    }
}

/// Unescaped text, or nothing.
fn text(text: Option<JsonStr<'_>>) -> String {
    text.map(|t| t.to_string()).unwrap_or_default()
}
