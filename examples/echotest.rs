//! The seed flow over HTTP or WebSocket: create a session, attach the echotest plugin, send a
//! real SDP offer with loopback candidates, print Janus's answer, then the `hangup` ("ICE
//! failed") that follows about 12 s later, since nothing answers on those candidates.
//! The request and the plugin's answers are the core's typed EchoTest helpers
//! (`janus_signal::plugin::echotest`).
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example echotest -- ws://127.0.0.1:8188
//! cargo run --example echotest -- http://127.0.0.1:8088/janus
//! ```

use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::plugin::echotest::{self, Configure};
use janus_signal_socket::janus_signal::plugin::plugin_data;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::{Event, Janus, Options, OwnedMessage};

const OFFER: &str = include_str!("../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:8188".to_owned());
    if let Err(e) = run(&url) {
        eprintln!("echotest over {url} failed: {e}");
        std::process::exit(1);
    }
}

fn run(url: &str) -> Result<(), janus_signal_socket::Error> {
    let mut janus = Janus::connect(url, Options::default())?;
    let info = janus.server_info()?;
    if let Message::ServerInfo(info) = info.message() {
        let version = info.version_string().map(|v| v.to_string()).unwrap_or_default();
        println!("connected to {url}: Janus {version}");
    }
    let session = janus.create_session()?;
    let handle = janus.attach(echotest::PLUGIN, Some("janus-signal-echotest"))?;
    println!("session {session}, echotest handle {handle}");

    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = janus.message_with_jsep(handle, &Configure::new().with_audio(true).with_video(true), &offer)?;
    println!("echotest says: {}", describe(&answer));
    if let Message::Event(event) = answer.message()
        && let Some(jsep) = event.jsep
    {
        let sdp = jsep.sdp.to_string();
        println!("Janus's {:?} ({} bytes of SDP):", jsep.kind, sdp.len());
        for line in
            sdp.lines().filter(|l| l.starts_with("m=") || l.starts_with("a=candidate") || l.starts_with("a=setup"))
        {
            println!("    {line}");
        }
    }
    // Half-trickle: the offer already carries its candidate; say there are no more.
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed)?;

    println!("waiting for ICE to fail (about 12 s: nothing listens on the offered candidates)...");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        match janus.next_event(Duration::from_secs(1))? {
            Some(Event::Handle { message, .. }) => {
                let hangup = match message.message() {
                    Message::Hangup(h) => {
                        println!("hangup: {}", h.reason.map(|r| r.to_string()).unwrap_or_default());
                        true
                    }
                    Message::Event(_) => {
                        println!("echotest says: {}", describe(&message));
                        false
                    }
                    other => {
                        println!("{}: {}", other.kind(), message);
                        false
                    }
                };
                if hangup {
                    break;
                }
            }
            Some(other) => println!("{other:?}"),
            None => {}
        }
    }
    janus.detach(handle)?;
    janus.destroy_session()?;
    println!("detached and destroyed");
    Ok(())
}

/// The plugin's answer or event, typed.
fn describe(message: &OwnedMessage) -> String {
    let message = message.message();
    match plugin_data(&message).map(|data| echotest::Event::decode(data.data)) {
        Some(Ok(echotest::Event::Accepted)) => "ok (request applied)".to_owned(),
        Some(Ok(echotest::Event::Done)) => "done (the PeerConnection is gone)".to_owned(),
        Some(Ok(other)) => format!("{other:?}"),
        Some(Err(e)) => format!("error: {e}"),
        None => format!("{} without plugin data", message.kind()),
    }
}
