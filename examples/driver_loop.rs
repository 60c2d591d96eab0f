//! The poll contract of core's one driver on a desktop, without `janus-signal-socket`:
//! `janus_signal::driver::Driver` over its `WebSocketLink` on a plain `TcpStream` (adapted to
//! `embedded-io`), with buffers on the stack and no allocation in the loop.
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example driver_loop -- ws://127.0.0.1:8188
//! ```
//!
//! `call` sends a command's request and waits for its answer (the closure reads it, a
//! `Refusal` says why Janus said no); `poll` is the idle loop: it sends the keepalives and
//! hands whatever arrives to the sink. A firmware main loop is the same over its own stream.

#[path = "support/embedded_tcp.rs"]
mod embedded_tcp;

use std::net::TcpStream;
use std::time::{Duration, Instant as StdInstant};

use embedded_tcp::EmbeddedTcp;
use janus_signal::client::{Client, Config, Event, Output};
use janus_signal::driver::{CallError, Driver, Sink, WebSocketLink};
use janus_signal::message::Message;
use janus_signal::ws::ClientKey;
use janus_signal::{Duration as CoreDuration, HandleId, Instant, SessionId};

/// Prints what arrives besides the answers.
struct Print;

impl Sink for Print {
    fn output(&mut self, output: Output<'_>) {
        match output {
            Output::Handle { handle, message } => println!("handle {handle}: {}", message.kind()),
            Output::Reply { kind, message, .. } => println!("answer to {}: {}", kind.name(), message.kind()),
            _ => {}
        }
    }

    fn event(&mut self, event: Event) {
        println!("event: {event:?}");
    }
}

#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
    video: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "ws://127.0.0.1:8188".into());
    let authority = url.trim_start_matches("ws://").trim_end_matches('/');
    let stream = TcpStream::connect(authority)?;
    // How long one `receive` may block: keepalives and timeouts are checked in between.
    stream.set_read_timeout(Some(Duration::from_millis(250)))?;

    let origin = StdInstant::now();
    let clock = move || Instant::from_millis(origin.elapsed().as_millis() as u64);
    let seed = origin.elapsed().as_nanos() as u64 ^ u64::from(std::process::id());
    let mut state = seed | 1;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let key = ClientKey::new([random().to_le_bytes(), random().to_le_bytes()].concat().try_into().unwrap_or([7; 16]));
    let masks = move || (random() as u32).to_le_bytes();
    let (mut tx, mut rx) = ([0u8; 4096], [0u8; 16 * 1024]);
    let link = WebSocketLink::connect(EmbeddedTcp(stream), authority, "/", &key, masks, &mut tx, &mut rx)
        .map_err(|e| format!("{e:?}"))?;
    let config = Config { keepalive_interval: CoreDuration::from_secs(1), ..Config::websocket() };
    let mut driver: Driver<_, _, Client<4, 8, 16>> = Driver::new(Client::new(config, seed), link, clock);
    let mut sink = Print;
    // The client's request timeout (15 s) ends every wait.
    let later = Instant::from_millis(u64::MAX);
    let fail = |e: CallError<_>| format!("{e}");

    let session = driver
        .call(&mut |c, now, out| c.create_session(now, out), later, &mut sink, |a| success_id(a.ok()))
        .map_err(fail)?
        .map(SessionId)
        .ok_or("create failed")?;
    println!("session {session}");
    let handle = driver
        .call(&mut |c, now, out| c.attach(now, out, "janus.plugin.echotest", None), later, &mut sink, |a| {
            success_id(a.ok())
        })
        .map_err(fail)?
        .map(HandleId)
        .ok_or("attach failed")?;
    println!("handle {handle}");
    let body = Echo { audio: true, video: true };
    let result = driver
        .call(&mut |c, now, out| c.message::<_, ()>(now, out, handle, &body, None), later, &mut sink, |a| match a {
            Ok(Message::Event(e)) => e.plugin_data.and_then(|p| p.data.get("result")?.as_str()).map(|r| r.to_string()),
            _ => None,
        })
        .map_err(fail)?;
    println!("echotest says: {result:?}");

    // Idle for 2.5 s: the driver keeps the session alive by itself.
    let idle_until = driver.now().saturating_add(CoreDuration::from_millis(2500));
    for _ in 0..100 {
        if driver.now() >= idle_until {
            break;
        }
        driver.poll(idle_until, &mut sink).map_err(fail)?;
    }

    driver.call(&mut |c, now, out| c.detach(now, out, handle), later, &mut sink, |a| a.is_ok()).map_err(fail)?;
    let destroyed =
        driver.call(&mut |c, now, out| c.destroy_session(now, out), later, &mut sink, |a| a.is_ok()).map_err(fail)?;
    println!("destroyed: {destroyed}");
    let (_, link, _) = driver.into_parts();
    link.close().map_err(|e| format!("{e:?}"))?;
    if result.as_deref() != Some("ok") || !destroyed {
        return Err("the echotest session did not go as expected".into());
    }
    Ok(())
}

/// The `data.id` of a `success`.
fn success_id(answer: Option<Message<'_>>) -> Option<u64> {
    match answer? {
        Message::Success(s) => s.id(),
        _ => None,
    }
}
