//! `claim` after `reconnect()` with `janus-signal-socket`, over both transports:
//!
//! - against an extra Janus with `reclaim_session_timeout = 10` that this file starts (and
//!   stops) itself (HTTP 28089, WS 28189, Admin 27089): create + attach, `reconnect()`,
//!   `claim_session` → Ok, the old handle still answers, and its events come to the new
//!   connection;
//! - against the default Janus (reclaim 0): over WebSocket the session died with its socket,
//!   so the claim fails with 458 and the client ends the session; over HTTP a session is not
//!   bound to a connection, so the claim succeeds there.
//!
//! The extra instance needs the `janus` binary (installed by `janus-server start` when
//! `JANUS_REQUIRED=1`), the default one `tests/janus/janus-server start`. The tests are
//! `#[ignore]`d (live): `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::client::{SessionEnd, SessionState};
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{AdminClient, Event, Options};

use live::{ECHO, Endpoints, InstanceConfig, OFFER, SharedInstance, Transport};

static WITH_RECLAIM: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "reclaim",
    http_port: 28089,
    ws_port: 28189,
    admin_port: 27089,
    env: &[("JANUS_RECLAIM_TIMEOUT", "10")],
});

fn claim_after_reconnect(url: &str, endpoints: &Endpoints) {
    let mut janus = live::connect(url, Options::default());
    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);

    janus.reconnect().expect("reconnect");
    assert_eq!(janus.client().session(), SessionState::Disconnected(session));
    assert_eq!(janus.session_id(), None);
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle], "the handles are kept for the claim");
    // Janus keeps the session for the reclaim timeout.
    let mut admin = AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin");
    assert!(admin.list_sessions().expect("list_sessions").contains(&session));

    janus.claim_session(session).expect("claim");
    assert_eq!(janus.session_id(), Some(session));
    assert_eq!(janus.client().session(), SessionState::Active(session));
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);

    // The old handle answers on the new connection, events included.
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message after the claim"), handle);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(handle, &ECHO, &offer).expect("offer after the claim"), handle);
    janus.hangup(handle).expect("hangup");
    let events = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, handle));
    assert!(
        events.last().is_some_and(|e| live::is_hangup_of(e, handle)),
        "no hangup on the new connection: {:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );
    assert!(!events.iter().any(|e| matches!(e, Event::SessionEnded(..))), "{events:?}");
    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn claim_after_reconnect_http() {
    let janus = WITH_RECLAIM.start();
    claim_after_reconnect(janus.endpoints.url(Transport::Http), &janus.endpoints);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn claim_after_reconnect_ws() {
    let janus = WITH_RECLAIM.start();
    claim_after_reconnect(janus.endpoints.url(Transport::Ws), &janus.endpoints);
}

fn claim_without_reclaim_timeout(url: &str) {
    let mut janus = live::connect(url, Options::default());
    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    janus.reconnect().expect("reconnect");
    assert_eq!(janus.client().session(), SessionState::Disconnected(session));

    if url.starts_with("ws://") {
        // The socket's close destroys the session at once (give Janus a moment to see the
        // close: a claim from another live socket would succeed).
        std::thread::sleep(Duration::from_millis(200));
        live::expect_janus_error(janus.claim_session(session), 458, "claim without reclaim_session_timeout");
        assert_eq!(janus.client().session(), SessionState::Ended(session, SessionEnd::NotFound));
        assert_eq!(janus.client().handles().count(), 0);
        let events = live::collect_events(&mut janus, Duration::from_millis(300), |_| false);
        assert!(events.contains(&Event::SessionEnded(session, SessionEnd::NotFound)), "{events:?}");
        // The new connection works.
        janus.create_session().expect("a new session");
    } else {
        // HTTP sessions outlive their connections.
        janus.claim_session(session).expect("claim over HTTP");
        assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);
        live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    }
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn claim_without_reclaim_timeout_http() {
    let janus = live::janus();
    claim_without_reclaim_timeout(janus.url(Transport::Http));
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn claim_without_reclaim_timeout_ws() {
    let janus = live::janus();
    claim_without_reclaim_timeout(janus.url(Transport::Ws));
}
