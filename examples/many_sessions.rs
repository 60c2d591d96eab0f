//! Many sessions on one connection, from several threads: 4 threads share one WebSocket
//! ([`Connection`]) and open 50 sessions between them, each with an echotest handle; every
//! handle sends an offer, waits for its own answer and its own `hangup` event on its own
//! thread while the others do the same on the same socket, and every session is destroyed.
//!
//! ```text
//! tests/janus/janus-server start
//! cargo run --example many_sessions -- ws://127.0.0.1:8188 [SESSIONS] [THREADS]
//! cargo run --example many_sessions -- http://127.0.0.1:8088/janus
//! ```

use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::plugin::echotest::{self, Configure};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{Connection, Error, Options, Session};

const OFFER: &str = include_str!("../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "ws://127.0.0.1:8188".to_owned());
    let sessions: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    let threads: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(4).max(1);
    if let Err(e) = run(&url, sessions, threads) {
        eprintln!("many_sessions over {url} failed: {e}");
        std::process::exit(1);
    }
}

fn run(url: &str, sessions: usize, threads: usize) -> Result<(), Error> {
    let started = Instant::now();
    let connection = Connection::connect(url, Options::default())?;
    let results: Vec<Result<usize, Error>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let connection = &connection;
                // Thread t takes sessions t, t + threads, t + 2 * threads…
                let count = (t..sessions).step_by(threads).count();
                scope.spawn(move || -> Result<usize, Error> {
                    let opened: Vec<Session> =
                        (0..count).map(|_| connection.create_session()).collect::<Result<_, _>>()?;
                    for session in &opened {
                        echo(session)?;
                    }
                    for session in &opened {
                        session.destroy()?;
                    }
                    Ok(opened.len())
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(Err(Error::Unexpected("a thread panicked")))).collect()
    });
    let mut done = 0;
    for result in results {
        done += result?;
    }
    println!(
        "{done} sessions with an echotest handle each, from {threads} threads on one connection to {url}: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    println!("events dropped: {}", connection.dropped_events());
    connection.close();
    Ok(())
}

/// Attaches an echotest handle, sends it an offer, and waits for the answer and for the
/// `hangup` its own PeerConnection ends with (nothing answers on the offer's loopback
/// candidates): only this handle's events reach it.
fn echo(session: &Session) -> Result<(), Error> {
    let handle = session.attach(echotest::PLUGIN, Some("many-sessions"))?;
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = handle.message_with_jsep(&Configure::new().with_audio(true).with_video(true), &offer)?;
    let accepted = matches!(answer.plugin::<echotest::Event<'_>>(), Some(Ok(echotest::Event::Accepted)));
    let has_answer = matches!(answer.message(), Message::Event(e) if e.jsep.is_some());
    if !accepted || !has_answer {
        return Err(Error::Unexpected("echotest did not answer the offer"));
    }
    // Janus sends `hangup` when ICE fails; hang up ourselves instead of waiting 12 s for it.
    handle.hangup()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Some(message) = handle.next_event(deadline.saturating_duration_since(Instant::now()))? {
        if message.message().sender() != Some(handle.id()) {
            return Err(Error::Unexpected("another handle's event reached this handle"));
        }
        if message.kind() == "hangup" {
            return Ok(());
        }
    }
    Err(Error::Unexpected("no hangup event for the handle"))
}
