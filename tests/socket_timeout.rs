//! Session expiry with `janus-signal-socket` over both transports, against an extra Janus with
//! `session_timeout = 5` that this file starts (and stops) itself: HTTP 18089, WS 18189,
//! Admin 17089. Janus's watchdog (every 2 s) expires a session about 8 s after its last request.
//!
//! - Sessions nobody keeps alive end: one left alone (no calls at all) and one whose client
//!   waits in `next_event` with the default 25 s keepalive. Over WebSocket the `timeout` is
//!   pushed (`Event::SessionTimedOut` + `Event::SessionEnded(_, TimedOut)`); over HTTP it comes
//!   on a pending long poll, or, when none was pending, the next long poll gets 404
//!   (`SessionEnded(_, LongPollStatus(404))`).
//! - With `Options.keepalive` = 2 s, 15 s of `next_event` keep the session alive, and a message
//!   is still answered afterwards.
//!
//! The instance needs the `janus` binary (installed by `janus-server start` when
//! `JANUS_REQUIRED=1`). The tests are `#[ignore]`d (live): `tests/run` runs them with its
//! Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::client::{ClientError, SessionEnd, SessionState};
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::{Error, Event, Options};

use live::{ECHO, InstanceConfig, SharedInstance, Transport};

static SHORT_TIMEOUT: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "timeout",
    http_port: 18089,
    ws_port: 18189,
    admin_port: 17089,
    env: &[("JANUS_SESSION_TIMEOUT", "5")],
});

fn run(transport: Transport, scenario: fn(&str)) {
    let janus = SHORT_TIMEOUT.start();
    scenario(janus.endpoints.url(transport));
}

fn ended(event: &Event) -> bool {
    matches!(event, Event::SessionEnded(..))
}

fn unattended_sessions_time_out(url: &str) {
    // The first client is left alone from the start.
    let mut idle = live::connect(url, Options::default());
    let idle_session = idle.create_session().expect("create");
    let idle_handle = idle.attach("janus.plugin.echotest", None).expect("attach");
    let left_alone = Instant::now();

    let info = live::connect(url, Options::default()).server_info().expect("info");
    let Message::ServerInfo(server) = info.message() else { panic!("no server_info: {info}") };
    assert_eq!(server.session_timeout(), Some(5));

    // The second one waits in next_event, with keepalives only every 25 s.
    let mut waiting = live::connect(url, Options::default());
    let session = waiting.create_session().expect("create");
    let handle = waiting.attach("janus.plugin.echotest", None).expect("attach");
    live::assert_echotest_ok(&waiting.message(handle, &ECHO).expect("message"), handle);
    let started = Instant::now();
    let events = live::collect_events(&mut waiting, Duration::from_secs(15), ended);
    let waited = started.elapsed();
    let pushed = [Event::SessionTimedOut(session), Event::SessionEnded(session, SessionEnd::TimedOut)];
    // Over HTTP Janus delivers its `timeout` event only to a long poll that is out at that
    // moment; when none is (the client is between two polls), the next poll gets 404.
    let polled = [Event::SessionEnded(session, SessionEnd::LongPollStatus(404))];
    let how = if events.ends_with(&pushed) {
        SessionEnd::TimedOut
    } else if url.starts_with("http") && events.ends_with(&polled) {
        SessionEnd::LongPollStatus(404)
    } else {
        panic!("after {waited:?}: {:?}", events.iter().map(live::describe).collect::<Vec<_>>())
    };
    assert!(waited >= Duration::from_secs(5), "timed out after only {waited:?}");
    assert_eq!(waiting.client().session(), SessionState::Ended(session, how));
    assert_eq!(waiting.client().handles().count(), 0);
    assert!(matches!(waiting.keepalive(), Err(Error::Client(ClientError::NoSession))));
    // Janus has forgotten it, and the connection is still usable.
    live::expect_janus_error(waiting.claim_session(session), 458, "claim an expired session");
    waiting.ping().expect("ping after the timeout");

    // By now the idle session (older than the waiting one) is gone too: make sure it has been
    // idle for two watchdog rounds past the timeout. The client learns it on its next call.
    std::thread::sleep(Duration::from_secs(10).saturating_sub(left_alone.elapsed()));
    let events = live::collect_events(&mut idle, Duration::from_secs(5), ended);
    let described = events.iter().map(live::describe).collect::<Vec<_>>();
    let pushed = [Event::SessionTimedOut(idle_session), Event::SessionEnded(idle_session, SessionEnd::TimedOut)];
    let polled = [Event::SessionEnded(idle_session, SessionEnd::LongPollStatus(404))];
    if url.starts_with("ws://") {
        // Janus may first tell of the handle it destroys with the session (the echotest's
        // `done`, `detached`), then pushes the `timeout`.
        assert!(events.ends_with(&pushed), "{described:?}");
        let before = &events[..events.len() - pushed.len()];
        assert!(
            before.iter().all(
                |e| matches!(e, Event::Handle { handle, .. } | Event::HandleDetached(handle) if *handle == idle_handle)
            ),
            "{described:?}"
        );
    } else {
        // No long poll was out when Janus expired it: the timeout event is lost, the next poll
        // gets 404.
        assert_eq!(events, polled, "{described:?}");
    }
    assert!(matches!(idle.message(idle_handle, &ECHO), Err(Error::Client(_))));
    assert_eq!(idle.client().handles().count(), 0);
    // A new session on the same client works.
    let again = idle.create_session().expect("a new session after the timeout");
    assert_ne!(again, idle_session);
    idle.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn unattended_sessions_time_out_http() {
    run(Transport::Http, unattended_sessions_time_out);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn unattended_sessions_time_out_ws() {
    run(Transport::Ws, unattended_sessions_time_out);
}

fn keepalive_keeps_the_session_alive(url: &str) {
    let options =
        Options { keepalive: Duration::from_secs(2), http_keepalive: Duration::from_secs(2), ..Options::default() };
    let mut janus = live::connect(url, options);
    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    let events = live::collect_events(&mut janus, Duration::from_secs(15), ended);
    assert!(
        events.iter().all(|e| !matches!(e, Event::SessionEnded(..) | Event::SessionTimedOut(_))),
        "the session did not survive: {:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );
    assert_eq!(janus.session_id(), Some(session));
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message after 15 s"), handle);
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn keepalive_keeps_the_session_alive_http() {
    run(Transport::Http, keepalive_keeps_the_session_alive);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn keepalive_keeps_the_session_alive_ws() {
    run(Transport::Ws, keepalive_keeps_the_session_alive);
}
