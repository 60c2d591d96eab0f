//! A look at a running Janus through its Admin API: `ping`, then every session with its
//! handles, and for each handle a few fields of `handle_info`: the plugin, the `opaque_id`,
//! the session's transport, and whether the handle has a PeerConnection (with its ICE and
//! DTLS states and its media).
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example echotest -- ws://127.0.0.1:8188 &   # a session to look at (~15 s)
//! cargo run --example admin -- http://127.0.0.1:7088/admin [ADMIN_SECRET]
//! ```
//!
//! The secret is the second argument, else `$JANUS_ADMIN_SECRET`, else `janusoverlord` (the
//! test server's). Sessions and handles can end while we look: those are reported as gone.

use std::time::Instant;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::json::{JsonKind, RawJson};
use janus_signal_socket::{AdminClient, Error, OwnedMessage};

/// Core error codes for a session or handle that no longer exists.
const NO_SUCH_SESSION: u64 = 458;
const NO_SUCH_HANDLE: u64 = 459;
const UNAUTHORIZED: u64 = 403;

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "http://127.0.0.1:7088/admin".to_owned());
    let secret =
        args.next().or_else(|| std::env::var("JANUS_ADMIN_SECRET").ok()).unwrap_or_else(|| "janusoverlord".to_owned());
    if let Err(e) = run(&url, &secret) {
        eprintln!("admin over {url} failed: {e}");
        if e.janus_code() == Some(UNAUTHORIZED) {
            eprintln!("(wrong admin secret? pass it as the second argument or in JANUS_ADMIN_SECRET)");
        }
        std::process::exit(1);
    }
}

fn run(url: &str, secret: &str) -> Result<(), Error> {
    let mut admin = AdminClient::connect(url, secret)?;
    let start = Instant::now();
    admin.ping()?;
    println!("ping {url}: pong in {:.2} ms", start.elapsed().as_secs_f64() * 1000.0);

    let sessions = admin.list_sessions()?;
    if sessions.is_empty() {
        println!("no sessions");
        return Ok(());
    }
    println!("{} session(s)", sessions.len());
    for session in sessions {
        let handles = match admin.list_handles(session) {
            Ok(handles) => handles,
            Err(e) if e.janus_code() == Some(NO_SUCH_SESSION) => {
                println!("session {session}: gone meanwhile");
                continue;
            }
            Err(e) => return Err(e),
        };
        println!("session {session}: {} handle(s)", handles.len());
        for handle in handles {
            match admin.handle_info(session, handle) {
                Ok(reply) => print_handle(handle, &reply),
                Err(e) if matches!(e.janus_code(), Some(NO_SUCH_SESSION | NO_SUCH_HANDLE)) => {
                    println!("  handle {handle}: gone meanwhile");
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// A few fields of `handle_info`'s `info` object.
fn print_handle(handle: HandleId, reply: &OwnedMessage) {
    let message = reply.message();
    let Some(info) = message.raw().get("info") else {
        println!("  handle {handle}: no info in {reply}");
        return;
    };
    let text = |key: &str| info.get(key).and_then(|v| v.as_str()).map(|s| s.to_string());
    let plugin = text("plugin").unwrap_or_else(|| "(no plugin)".to_owned());
    println!("  handle {handle}: {plugin}");
    if let Some(opaque_id) = text("opaque_id") {
        println!("    opaque_id:      {opaque_id:?}");
    }
    // `created` and `current_time` are Janus's monotonic clock, in microseconds.
    let age = info.get("current_time").and_then(|t| t.as_u64()).zip(info.get("created").and_then(|c| c.as_u64()));
    let transport = text("session_transport").unwrap_or_else(|| "?".to_owned());
    match age {
        Some((now, created)) => {
            println!("    transport:      {transport}, handle age {:.1} s", now.saturating_sub(created) as f64 / 1e6)
        }
        None => println!("    transport:      {transport}"),
    }
    if let Some(flags) = info.get("flags") {
        let set: Vec<_> = ["got-offer", "got-answer", "negotiated", "ready", "has-audio", "has-video", "data-channels"]
            .into_iter()
            .filter(|f| flags.get(f).and_then(|v| v.as_bool()) == Some(true))
            .collect();
        println!("    flags set:      {}", if set.is_empty() { "none".to_owned() } else { set.join(", ") });
    }
    print_peer_connection(info);
    if let Some(specific) = info.get("plugin_specific") {
        println!("    plugin state:   {}", scalars(specific));
    }
}

/// The `webrtc` object exists only while the handle has a PeerConnection.
fn print_peer_connection(info: RawJson<'_>) {
    let Some(webrtc) = info.get("webrtc") else {
        println!("    PeerConnection: none");
        return;
    };
    let state = |object: Option<RawJson<'_>>, key: &str| {
        object.and_then(|o| o.get(key)).and_then(|s| s.as_str()).map_or_else(|| "?".to_owned(), |s| s.to_string())
    };
    let ice = state(webrtc.get("ice"), "state");
    let dtls = state(webrtc.get("dtls"), "dtls-state");
    println!("    PeerConnection: yes, ICE {ice}, DTLS {dtls}");
    // `media` is an object keyed by m-line index: {"0": {"type": "audio", "mid": "0", ...}}.
    let media: Vec<_> = webrtc
        .get("media")
        .map(|m| {
            m.members()
                .map(|(_, medium)| {
                    let kind = medium.get("type").and_then(|t| t.as_str()).map(|t| t.to_string());
                    let mid = medium.get("mid").and_then(|t| t.as_str()).map(|t| t.to_string());
                    format!("{} (mid {})", kind.as_deref().unwrap_or("?"), mid.as_deref().unwrap_or("?"))
                })
                .collect()
        })
        .unwrap_or_default();
    if !media.is_empty() {
        println!("    media:          {}", media.join(", "));
    }
}

/// The object's members whose values are numbers, strings or booleans, as `key=value`.
fn scalars(object: RawJson<'_>) -> String {
    let members: Vec<_> = object
        .members()
        .filter(|(_, v)| matches!(v.kind(), JsonKind::Number | JsonKind::String | JsonKind::Bool))
        .map(|(k, v)| match v.as_str() {
            Some(s) => format!("{k}={s}"),
            None => format!("{k}={v}"),
        })
        .collect();
    if members.is_empty() { "-".to_owned() } else { members.join(" ") }
}
