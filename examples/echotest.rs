//! The seed flow over HTTP or WebSocket: create a session, attach the echotest plugin, send a
//! real SDP offer with loopback candidates, print Janus's answer, then the `hangup` ("ICE
//! failed") that follows about 12 s later, since nothing answers on those candidates.
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example echotest -- ws://127.0.0.1:8188
//! cargo run --example echotest -- http://127.0.0.1:8088/janus
//! ```

use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::{Event, Janus, Options};

const OFFER: &str = include_str!("../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

#[derive(serde::Serialize)]
struct EchoBody {
    audio: bool,
    video: bool,
}

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
    let handle = janus.attach("janus.plugin.echotest", Some("janus-signal-echotest"))?;
    println!("session {session}, echotest handle {handle}");

    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = janus.message_with_jsep(handle, &EchoBody { audio: true, video: true }, &offer)?;
    if let Message::Event(event) = answer.message() {
        if let Some(data) = event.plugin_data {
            println!("echotest says: {}", data.data);
        }
        if let Some(jsep) = event.jsep {
            let sdp = jsep.sdp.to_string();
            println!("Janus's {:?} ({} bytes of SDP):", jsep.kind, sdp.len());
            for line in
                sdp.lines().filter(|l| l.starts_with("m=") || l.starts_with("a=candidate") || l.starts_with("a=setup"))
            {
                println!("    {line}");
            }
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
