//! Janus core errors reach the caller of `janus-signal-socket` as `Error::Janus { code, reason }`
//! with the code Janus 1.1.2 really sends and a non-empty reason, over both transports: 453,
//! 454, 456, 457, 458, 459, 460, 464, 465, 467, 469 on the default Janus (403 and 405 need an
//! instance with credentials: see `socket_auth.rs`). The typed API where it can produce the
//! error, `request` (a custom request by name) and `send_raw` (bytes as given, also malformed)
//! where it cannot; and the client's state after each (handle gone after 459, session ended
//! after 458).
//!
//! Janus comes from `JANUS_HTTP_URL` / `JANUS_WS_URL` (defaults: ports 8088/8188). The tests
//! are `#[ignore]`d (live): `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::janus_signal::client::{SessionEnd, SessionState};
use janus_signal_socket::{Error, Event, Options};
use serde_json::json;

use live::{ECHO, OFFER, Transport, expect_janus_error};

/// Runs `scenario` against the default Janus over `transport` (fails without it).
fn run(transport: Transport, scenario: fn(&str)) {
    let janus = live::janus();
    scenario(janus.url(transport));
}

fn raw(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON")
}

// ----- malformed and refused requests on a live session -------------------------------------------

fn core_errors(url: &str) {
    let mut janus = live::connect(url, Options::default());

    // 457: an unknown request at the root path (no session yet).
    let reason = expect_janus_error(janus.request("bogus", None, &json!({})), 457, "unknown request at root");
    assert!(reason.contains("bogus"), "{reason}");

    let session = janus.create_session().expect("create");

    // 453: an unknown request on the session path.
    let reason = expect_janus_error(janus.request("bogus", None, &json!({})), 453, "unknown request at session");
    assert!(reason.contains("bogus"), "{reason}");

    // 456: attach without `plugin`; 467: `plugin` as a number; 460: a plugin that doesn't exist.
    let reason = expect_janus_error(janus.request("attach", None, &json!({})), 456, "attach without plugin");
    assert!(reason.contains("plugin"), "{reason}");
    expect_janus_error(janus.request("attach", None, &json!({"plugin": 5})), 467, "attach with a numeric plugin");
    let reason = expect_janus_error(janus.attach("janus.plugin.nope", None), 460, "attach janus.plugin.nope");
    assert!(reason.contains("janus.plugin.nope"), "{reason}");
    assert_eq!(janus.client().handles().count(), 0, "no handle from failed attaches");

    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");

    // 457: attach on a handle path.
    let attach_here = json!({"plugin": "janus.plugin.echotest"});
    expect_janus_error(janus.request("attach", Some(handle), &attach_here), 457, "attach on a handle path");

    // 454: bytes that are not JSON (Janus can't read a transaction: over WebSocket the error
    // comes without one, and send_raw returns it anyway).
    let reason = expect_janus_error(janus.send_raw(None, br#"{"janus":"ping","transaction":"#), 454, "invalid JSON");
    // HTTP: "JSON error: on line 1: …"; WebSocket: "Invalid Janus API request - <string>(1,30): …".
    assert!(reason.contains("JSON error") || reason.contains("Invalid Janus API request"), "{reason}");
    expect_janus_error(janus.send_raw(Some(handle), b"not json at all"), 454, "invalid JSON on a handle path");

    // JSEP errors through the typed message: 464 unknown type, 465 invalid SDP.
    let bogus = json!({"type": "bogus", "sdp": OFFER});
    let reason = expect_janus_error(janus.message_with_jsep(handle, &ECHO, &bogus), 464, "jsep type bogus");
    assert!(reason.contains("bogus"), "{reason}");
    let garbage = json!({"type": "offer", "sdp": "this is no SDP"});
    expect_janus_error(janus.message_with_jsep(handle, &ECHO, &garbage), 465, "invalid SDP");
    // 469: an answer on a handle that never offered.
    let fresh = janus.attach("janus.plugin.echotest", None).expect("attach");
    let answer = json!({"type": "answer", "sdp": OFFER});
    expect_janus_error(janus.message_with_jsep(fresh, &ECHO, &answer), 469, "answer without offer");

    // After all this the session and its handles still work.
    assert_eq!(janus.session_id(), Some(session));
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    live::assert_echotest_ok(&janus.message(fresh, &ECHO).expect("message"), fresh);

    // 459: detach twice (the second time behind the client's back, which refuses it itself),
    // and a message to a handle id Janus never gave out.
    janus.detach(fresh).expect("detach");
    assert!(matches!(janus.detach(fresh), Err(Error::Client(_))), "the client refuses a detached handle");
    let detach =
        json!({"janus": "detach", "transaction": "raw-detach-twice", "session_id": session.0, "handle_id": fresh.0});
    expect_janus_error(janus.send_raw(Some(fresh), &raw(&detach)), 459, "detach twice");
    let nobody = HandleId(4_242_424_242);
    let message = json!({"janus": "message", "transaction": "raw-nobody", "session_id": session.0, "handle_id": nobody.0, "body": {}});
    expect_janus_error(janus.send_raw(Some(nobody), &raw(&message)), 459, "message to an unknown handle");

    // A well-formed raw request is answered normally.
    let keepalive = json!({"janus": "keepalive", "transaction": "raw-keepalive", "session_id": session.0});
    let ack = janus.send_raw(None, &raw(&keepalive)).expect("raw keepalive");
    assert_eq!(ack.kind(), "ack", "{ack}");
    assert_eq!(ack.message().transaction().map(|t| t.to_string()).as_deref(), Some("raw-keepalive"));
    janus.keepalive().expect("keepalive");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);

    // 458: claim a session that was destroyed.
    janus.destroy_session().expect("destroy");
    let reason = expect_janus_error(janus.claim_session(session), 458, "claim a destroyed session");
    assert!(reason.contains(&session.0.to_string()), "{reason}");
    assert_eq!(janus.client().session(), SessionState::Ended(session, SessionEnd::NotFound));
    assert_eq!(janus.session_id(), None);
    // The connection itself is fine.
    janus.ping().expect("ping");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn core_errors_http() {
    run(Transport::Http, core_errors);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn core_errors_ws() {
    run(Transport::Ws, core_errors);
}

// ----- a session and handle taken away by another client ----------------------------------------

/// Another connection claims our session, detaches our handle behind our back and destroys the
/// session: our typed `detach` then gets 459 (and the client forgets the handle), our typed
/// `keepalive` 458 (and the session is over).
fn session_taken_away(url: &str) {
    let mut ours = live::connect(url, Options::default());
    let session = ours.create_session().expect("create");
    let handle = ours.attach("janus.plugin.echotest", None).expect("attach");

    let mut thief = live::connect(url, Options::default());
    thief.claim_session(session).expect("claim from another connection");
    assert_eq!(thief.session_id(), Some(session));
    assert_eq!(thief.client().handles().count(), 0, "the thief knows no handles");
    let detach = json!({"janus": "detach", "transaction": "raw-steal", "session_id": session.0, "handle_id": handle.0});
    let detached = thief.send_raw(Some(handle), &raw(&detach)).expect("detach behind our back");
    assert_eq!(detached.kind(), "success");

    // 459 for a handle the client still believes in; the client then drops it.
    let reason = expect_janus_error(ours.detach(handle), 459, "detach a handle detached by another client");
    assert!(reason.contains(&handle.0.to_string()), "{reason}");
    assert_eq!(ours.client().handles().count(), 0, "459 makes the client forget the handle");

    // 458 once the session is gone; the client ends it.
    thief.destroy_session().expect("destroy by the thief");
    expect_janus_error(ours.keepalive(), 458, "keepalive on a destroyed session");
    assert_eq!(ours.client().session(), SessionState::Ended(session, SessionEnd::NotFound));
    let events = live::collect_events(&mut ours, Duration::from_millis(300), |_| false);
    assert!(events.contains(&Event::SessionEnded(session, SessionEnd::NotFound)), "{events:?}");
    assert!(matches!(ours.keepalive(), Err(Error::Client(_))), "no session any more");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn session_taken_away_http() {
    run(Transport::Http, session_taken_away);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn session_taken_away_ws() {
    run(Transport::Ws, session_taken_away);
}
