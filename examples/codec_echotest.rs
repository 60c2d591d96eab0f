//! The seed flow with nothing but the core codec and a plain `TcpStream`: create a session,
//! attach the echotest plugin, send it an SDP offer, print Janus's answer, and clean up.
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example codec_echotest -- http://127.0.0.1:8088/janus
//! ```
//!
//! Every byte sent is written by `janus_signal::request`, every reply is read by
//! `janus_signal::message`; the HTTP here is the smallest that works (one request per
//! connection). The real blocking clients, with keep-alive, long-poll and WebSocket, belong
//! to `janus-signal-socket`.

#[path = "support/minimal_http.rs"]
mod minimal_http;

use janus_signal::message::{Batch, Message};
use janus_signal::request::{
    AttachPlugin, CreateSession, DestroySession, DetachHandle, GetServerInfo, PluginMessage, Request, SdpType,
    SessionDescription,
};
use janus_signal::{HandleId, SessionId, Transaction};

const OFFER: &str = include_str!("../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

#[derive(serde::Serialize)]
struct EchoBody {
    audio: bool,
    video: bool,
}

struct Client {
    authority: String,
    base: String,
    buf: Vec<u8>,
    count: u32,
}

impl Client {
    /// A fresh transaction string.
    fn next_tx(&mut self) -> String {
        self.count += 1;
        format!("example-{}", self.count)
    }

    /// Encodes `request` and posts it to `base` + `path`.
    fn post(&mut self, path: &str, request: &impl Request) -> Vec<u8> {
        let n = request.encode(&mut self.buf).expect("8 KiB is enough for these requests");
        println!("-> {} {}", request.name(), String::from_utf8_lossy(&self.buf[..n.min(160)]));
        let response = minimal_http::request(&self.authority, "POST", &format!("{}{path}", self.base), &self.buf[..n]);
        if response.status != 200 {
            eprintln!("HTTP {} from Janus", response.status);
            std::process::exit(1);
        }
        response.body
    }
}

fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:8088/janus".to_owned());
    let (authority, base) = minimal_http::split_url(&url);
    if !minimal_http::reachable(&authority) {
        eprintln!("no Janus at {url}; start one with: tests/janus/janus-server start");
        std::process::exit(2);
    }
    let mut client = Client { authority, base, buf: vec![0; 8192], count: 0 };

    let tx = client.next_tx();
    let body = client.post("", &GetServerInfo::new(t(&tx)));
    if let Ok(Message::ServerInfo(info)) = Message::decode(&body) {
        let version = info.version_string().map(|v| v.to_string()).unwrap_or_default();
        println!("<- server_info: Janus {version}, session timeout {:?} s", info.session_timeout());
    }

    let tx = client.next_tx();
    let body = client.post("", &CreateSession::new(t(&tx)));
    let session = match Message::decode(&body) {
        Ok(Message::Success(s)) => SessionId(s.id().expect("create answers with data.id")),
        other => fail("create", other),
    };
    println!("<- session {session}");

    let tx = client.next_tx();
    let body = client.post(&format!("/{session}"), &AttachPlugin::new(t(&tx), session, "janus.plugin.echotest"));
    let handle = match Message::decode(&body) {
        Ok(Message::Success(s)) => HandleId(s.id().expect("attach answers with data.id")),
        other => fail("attach", other),
    };
    println!("<- handle {handle} on janus.plugin.echotest");

    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let media = EchoBody { audio: true, video: true };
    let tx = client.next_tx();
    let body = client
        .post(&format!("/{session}/{handle}"), &PluginMessage::new(t(&tx), session, handle, &media).with_jsep(&offer));
    match Message::decode(&body) {
        Ok(Message::Ack(_)) => println!("<- ack: the answer comes as an event"),
        other => fail("message", other),
    }

    // The answer arrives on the session's long poll.
    'poll: for _ in 0..5 {
        let path = format!("{}/{session}?maxev=5", client.base);
        let response = minimal_http::request(&client.authority, "GET", &path, b"");
        for message in Batch::decode(&response.body).expect("valid long-poll body") {
            match message {
                Ok(Message::Event(event)) => {
                    if let Some(data) = event.plugin_data {
                        println!("<- event from {}: {}", data.plugin, data.data);
                    }
                    if let Some(jsep) = event.jsep {
                        let mut sdp = vec![0; jsep.sdp.unescaped_len()];
                        let answer = jsep.sdp.unescape_into(&mut sdp).expect("sized to fit");
                        println!("<- {:?} with {} SDP lines:", jsep.kind, answer.lines().count());
                        for line in answer.lines().filter(|l| l.starts_with("m=") || l.starts_with("a=candidate")) {
                            println!("     {line}");
                        }
                        break 'poll;
                    }
                }
                Ok(other) => println!("<- {}", other.kind()),
                Err(e) => println!("<- undecodable message: {e}"),
            }
        }
    }

    let tx = client.next_tx();
    let body = client.post(&format!("/{session}/{handle}"), &DetachHandle::new(t(&tx), session, handle));
    println!("<- detach: {}", Message::decode(&body).map_or("error", |m| m.kind()));
    let tx = client.next_tx();
    let body = client.post(&format!("/{session}"), &DestroySession::new(t(&tx), session));
    println!("<- destroy: {}", Message::decode(&body).map_or("error", |m| m.kind()));
}

fn t(text: &str) -> Transaction<'_> {
    Transaction::new(text).expect("short plain text")
}

fn fail(what: &str, reply: Result<Message<'_>, janus_signal::DecodeError>) -> ! {
    match reply {
        Ok(Message::Error(e)) => {
            eprintln!("{what} failed: Janus error {} {}", e.code, e.reason.map(|r| r.to_string()).unwrap_or_default())
        }
        Ok(other) => eprintln!("{what}: unexpected {} reply", other.kind()),
        Err(e) => eprintln!("{what}: undecodable reply: {e}"),
    }
    std::process::exit(1);
}
