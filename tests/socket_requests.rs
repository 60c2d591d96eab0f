//! `janus-signal-socket` against the real default Janus (`tests/janus/janus-server start`), over
//! both transports (`http://…/janus` with its long poll, and `ws://…`): every request of the
//! typed API with its typed result, two handles on one session getting only their own events,
//! a fragmented (> 2800 bytes) SDP round trip, the Admin API's view of our session, and a
//! session on a TCP connection the caller made (`Janus::over`).
//!
//! Janus comes from `JANUS_HTTP_URL`, `JANUS_WS_URL`, `JANUS_ADMIN_URL`, `JANUS_ADMIN_SECRET`
//! (defaults: ports 8088/8188/7088). The tests are `#[ignore]`d (live): `tests/run` runs them
//! with its Janus; run without one they fail.

#[path = "support/live.rs"]
mod live;

use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::SessionId;
use janus_signal_socket::janus_signal::client::{ClientError, SessionEnd, SessionState};
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::{AdminClient, Error, Event, Options};

use live::{ECHO, Endpoints, OFFER, Transport};

/// Runs `scenario` against the default Janus over `transport` (fails without it).
fn run(transport: Transport, scenario: fn(&str, &Endpoints)) {
    let janus = live::janus();
    scenario(janus.url(transport), &janus);
}

// ----- every request ----------------------------------------------------------------------------

fn every_request(url: &str, endpoints: &Endpoints) {
    let mut janus = live::connect(url, Options::default());

    // info and ping need no session.
    let info = janus.server_info().expect("info");
    let Message::ServerInfo(server) = info.message() else { panic!("info answered with {info}") };
    assert_eq!(server.version(), Some(1102), "{info}");
    assert_eq!(server.version_string().map(|v| v.to_string()).as_deref(), Some("1.1.2"));
    assert_eq!(server.server_name().map(|v| v.to_string()).as_deref(), Some("janus-signal-test"));
    // The project's Janus loads every plugin the core has helpers for (and the tests walk).
    for plugin in janus_signal::plugin::PLUGINS {
        assert!(server.has_plugin(plugin), "{plugin} missing in {info}");
    }
    assert!(info.json().len() > 2800, "server_info is {} bytes (fragmented over WS)", info.json().len());
    janus.ping().expect("ping");
    assert!(matches!(janus.keepalive(), Err(Error::Client(ClientError::NoSession))));

    // create
    let session = janus.create_session().expect("create");
    assert_ne!(session.0, 0);
    assert!(session.0 < 1 << 53, "Janus ids are below 2^53: {session}");
    assert_eq!(janus.session_id(), Some(session));
    assert_eq!(janus.client().session(), SessionState::Active(session));
    assert!(matches!(janus.create_session(), Err(Error::Client(ClientError::SessionBusy))));

    // attach with an opaque id, which Janus keeps.
    let opaque = live::unique("janus-signal-socket-test");
    let handle = janus.attach("janus.plugin.echotest", Some(&opaque)).expect("attach");
    assert_ne!(handle.0, 0);
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);
    let mut admin = AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin");
    let handle_info = live::json(&admin.handle_info(session, handle).expect("handle_info"));
    assert_eq!(handle_info["info"]["opaque_id"], opaque.as_str(), "{handle_info}");

    // message with a plain body
    let reply = janus.message(handle, &ECHO).expect("plain message");
    live::assert_echotest_ok(&reply, handle);
    assert!(reply.message().transaction().is_some(), "the answer carries our transaction: {reply}");
    assert!(matches!(reply.message(), Message::Event(e) if e.jsep.is_none()), "{reply}");

    // message with a real offer: the answer's jsep is Janus's SDP answer
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = janus.message_with_jsep(handle, &ECHO, &offer).expect("offer");
    let sdp = live::assert_sdp_answer(&answer, handle);
    assert!(sdp.contains("a=end-of-candidates"), "Janus answers with all its candidates: {sdp}");

    // trickle: one candidate, several, completed
    let one = IceCandidate::new(live::CANDIDATE, "0", 0);
    janus.trickle(handle, Candidates::One(&one)).expect("trickle one candidate");
    let several = [IceCandidate::new(live::CANDIDATE_2, "0", 0), IceCandidate::new(live::CANDIDATE_3, "1", 1)];
    janus.trickle(handle, Candidates::Many(&several)).expect("trickle several candidates");
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed).expect("trickle completed");

    // keepalive
    janus.keepalive().expect("keepalive");
    assert_eq!(janus.session_id(), Some(session));

    // hangup: success, then echotest's "done" and a hangup "Janus API" for our handle
    janus.hangup(handle).expect("hangup");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    let hangup = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = live::next_handle_event_within(&mut janus, handle, left);
        let message = message.unwrap_or_else(|| panic!("no hangup within 5 s, only {seen:?}"));
        assert_eq!(message.message().sender(), Some(handle), "{message}");
        if message.kind() == "hangup" {
            break message;
        }
        seen.push(message.kind().to_owned());
    };
    assert!(matches!(hangup.message(), Message::Hangup(h) if h.reason.is_some_and(|r| r.eq_str("Janus API"))));
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle], "hangup keeps the handle");

    // detach: the handle is gone, once
    janus.detach(handle).expect("detach");
    assert_eq!(janus.client().handles().count(), 0);
    assert!(matches!(
        janus.message(handle, &ECHO),
        Err(Error::Client(ClientError::UnknownHandle(h))) if h == handle
    ));
    let events = live::collect_events(&mut janus, Duration::from_millis(500), |_| false);
    let detached = events.iter().filter(|e| **e == Event::HandleDetached(handle)).count();
    assert_eq!(detached, 1, "one HandleDetached: {:?}", events.iter().map(live::describe).collect::<Vec<_>>());

    // destroy
    janus.destroy_session().expect("destroy");
    assert_eq!(janus.session_id(), None);
    assert_eq!(janus.client().session(), SessionState::Ended(session, SessionEnd::Destroyed));
    let events = live::collect_events(&mut janus, Duration::from_millis(300), |_| false);
    assert!(events.contains(&Event::SessionEnded(session, SessionEnd::Destroyed)), "{events:?}");
    assert!(!admin.list_sessions().expect("list_sessions").contains(&session), "destroyed session still listed");

    // The connection still serves requests without a session, and a new session.
    janus.ping().expect("ping after destroy");
    let again = janus.create_session().expect("a second session");
    assert_ne!(again, session);
    janus.destroy_session().expect("destroy the second session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn every_request_http() {
    run(Transport::Http, every_request);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn every_request_ws() {
    run(Transport::Ws, every_request);
}

// ----- two handles --------------------------------------------------------------------------------

fn two_handles_get_only_their_own_events(url: &str, _: &Endpoints) {
    let mut janus = live::connect(url, Options::default());
    janus.create_session().expect("create");
    let h1 = janus.attach("janus.plugin.echotest", None).expect("attach h1");
    let h2 = janus.attach("janus.plugin.echotest", None).expect("attach h2");
    assert_ne!(h1, h2);

    // Each answer comes from its own handle.
    live::assert_echotest_ok(&janus.message(h1, &ECHO).expect("message h1"), h1);
    live::assert_echotest_ok(&janus.message(h2, &ECHO).expect("message h2"), h2);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(h1, &ECHO, &offer).expect("offer h1"), h1);
    live::assert_sdp_answer(&janus.message_with_jsep(h2, &ECHO, &offer).expect("offer h2"), h2);

    // Hang up h2: its events ("done", hangup) must not reach h1.
    janus.hangup(h2).expect("hangup h2");
    assert_eq!(live::next_handle_event_within(&mut janus, h1, Duration::from_secs(1)), None, "h1 got an event");
    let mut h2_kinds = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !h2_kinds.iter().any(|k| k == "hangup") {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = live::next_handle_event_within(&mut janus, h2, left);
        let message = message.unwrap_or_else(|| panic!("no hangup for h2 within 5 s, only {h2_kinds:?}"));
        assert_eq!(message.message().sender(), Some(h2), "h2 got {message}");
        h2_kinds.push(message.kind().to_owned());
    }
    // Anything else h2 still says (echotest's "done" may trail the hangup) is h2's too.
    while let Some(message) = live::next_handle_event_within(&mut janus, h2, Duration::from_millis(300)) {
        assert_eq!(message.message().sender(), Some(h2), "h2 got {message}");
        h2_kinds.push(message.kind().to_owned());
    }
    assert!(h2_kinds.iter().any(|k| k == "event"), "echotest's \"done\" event for h2: {h2_kinds:?}");

    // Now h1: its hangup comes to h1 only, and next_event routes it as Event::Handle { h1 }.
    janus.hangup(h1).expect("hangup h1");
    let events = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, h1));
    assert!(
        events.last().is_some_and(|e| live::is_hangup_of(e, h1)),
        "{:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );
    for event in &events {
        match event {
            Event::Handle { handle, message } => {
                assert_eq!(*handle, h1, "after h2's hangup only h1 speaks: {message}");
                assert_eq!(message.message().sender(), Some(*handle), "{message}");
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    // Nothing more for h2 meanwhile.
    assert_eq!(live::next_handle_event_within(&mut janus, h2, Duration::from_millis(300)), None);

    janus.detach(h1).expect("detach h1");
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [h2]);
    live::assert_echotest_ok(&janus.message(h2, &ECHO).expect("h2 after h1 left"), h2);
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn two_handles_get_only_their_own_events_http() {
    run(Transport::Http, two_handles_get_only_their_own_events);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn two_handles_get_only_their_own_events_ws() {
    run(Transport::Ws, two_handles_get_only_their_own_events);
}

// ----- a fragmented SDP -----------------------------------------------------------------------------

/// The fixture offer with `extra` more video sections (mids 2, 3, …), all bundled: Janus's
/// answer to it grows past the 2800 bytes above which it fragments WebSocket messages (its
/// answer to the plain fixture is only about 2.1 KB).
fn offer_with_more_video(extra: usize) -> String {
    let video = &OFFER[OFFER.find("m=video").expect("a video section")..];
    let mut mids = vec!["0".to_owned(), "1".to_owned()];
    let mut sdp = OFFER.to_owned();
    for mid in 2..2 + extra {
        let (ssrc, rtx) = (2001 + 10 * mid, 2002 + 10 * mid);
        sdp.push_str(
            &video
                .replace("a=mid:1\r\n", &format!("a=mid:{mid}\r\n"))
                .replace("video0", &format!("video{mid}"))
                .replace("FID 2001 2002", &format!("FID {ssrc} {rtx}"))
                .replace("a=ssrc:2001 ", &format!("a=ssrc:{ssrc} "))
                .replace("a=ssrc:2002 ", &format!("a=ssrc:{rtx} ")),
        );
        mids.push(mid.to_string());
    }
    sdp.replace("a=group:BUNDLE 0 1\r\n", &format!("a=group:BUNDLE {}\r\n", mids.join(" ")))
}

/// The 2951-byte fixture offer goes out in one message (over WebSocket, Janus's answer to it
/// is about 2.1 KB: not fragmented); then an offer with two more video sections, whose answer
/// event is over 2800 bytes, so that over WebSocket Janus sends it as a TEXT frame +
/// CONTINUATION. A small read buffer makes the client reassemble it from several reads.
fn large_sdp_round_trips(url: &str, _: &Endpoints) {
    assert!(OFFER.len() > 2800);
    let options = Options { read_buffer_size: 1024, ..Options::default() };
    let mut janus = live::connect(url, options);
    janus.create_session().expect("create");

    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = janus.message_with_jsep(handle, &ECHO, &offer).expect("offer");
    let sdp = live::assert_sdp_answer(&answer, handle);
    assert!(sdp.ends_with("\r\n"), "the SDP arrived whole: {sdp:?}");
    assert!(sdp.contains("a=mid:0\r\n") && sdp.contains("a=mid:1\r\n"), "{sdp}");

    let big = offer_with_more_video(2);
    let other = janus.attach("janus.plugin.echotest", None).expect("attach");
    let offer = SessionDescription::new(SdpType::Offer, big.as_str());
    let answer = janus.message_with_jsep(other, &ECHO, &offer).expect("offer with four sections");
    assert!(answer.json().len() > 2800, "the answer event is only {} bytes", answer.json().len());
    let sdp = live::assert_sdp_answer(&answer, other);
    assert!(sdp.len() > 2800, "the answer SDP is only {} bytes", sdp.len());
    assert!(sdp.ends_with("\r\n"), "the SDP arrived whole: {sdp:?}");
    assert_eq!(sdp.matches("\r\nm=video ").count(), 3, "{sdp}");
    for mid in 0..4 {
        assert!(sdp.contains(&format!("\r\na=mid:{mid}\r\n")), "mid {mid} missing: {sdp}");
    }

    // An offer larger than the client's initial 8 KiB request buffer: the buffer grows.
    let huge = offer_with_more_video(8);
    assert!(huge.len() > 8 * 1024, "only {} bytes", huge.len());
    let third = janus.attach("janus.plugin.echotest", None).expect("attach");
    let offer = SessionDescription::new(SdpType::Offer, huge.as_str());
    let answer = janus.message_with_jsep(third, &ECHO, &offer).expect("offer larger than 8 KiB");
    let sdp = live::assert_sdp_answer(&answer, third);
    assert_eq!(sdp.matches("\r\nm=video ").count(), 9, "{sdp}");

    // The session still works after the fragmented messages.
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    let info = janus.server_info().expect("info (also over 2800 bytes)");
    assert!(matches!(info.message(), Message::ServerInfo(_)));
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn large_sdp_round_trips_http() {
    run(Transport::Http, large_sdp_round_trips);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn large_sdp_round_trips_ws() {
    run(Transport::Ws, large_sdp_round_trips);
}

// ----- the Admin API's view -------------------------------------------------------------------------

fn admin_sees_session_and_handle(url: &str, endpoints: &Endpoints) {
    let mut janus = live::connect(url, Options::default());
    let session = janus.create_session().expect("create");
    let echo = janus.attach("janus.plugin.echotest", Some("admin-view")).expect("attach echotest");
    let room = janus.attach("janus.plugin.videoroom", None).expect("attach videoroom");

    let mut admin = AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin");
    admin.ping().expect("admin ping");
    assert!(admin.list_sessions().expect("list_sessions").contains(&session), "our session is not listed");
    let mut handles = admin.list_handles(session).expect("list_handles");
    handles.sort_unstable();
    let mut ours = vec![echo, room];
    ours.sort_unstable();
    assert_eq!(handles, ours);
    for (handle, plugin) in [(echo, "janus.plugin.echotest"), (room, "janus.plugin.videoroom")] {
        let info = live::json(&admin.handle_info(session, handle).expect("handle_info"));
        assert_eq!(info["session_id"], session.0, "{info}");
        assert_eq!(info["handle_id"], handle.0, "{info}");
        assert_eq!(info["info"]["plugin"], plugin, "{info}");
    }

    // The Admin API refuses a wrong secret and unknown ids.
    let mut intruder = AdminClient::connect(&endpoints.admin, "wrong").expect("admin");
    live::expect_janus_error(intruder.list_sessions(), 403, "list_sessions with a wrong admin secret");
    live::expect_janus_error(admin.list_handles(SessionId(1)), 458, "list_handles");

    janus.detach(room).expect("detach");
    assert_eq!(admin.list_handles(session).expect("list_handles"), [echo]);
    janus.destroy_session().expect("destroy");
    assert!(!admin.list_sessions().expect("list_sessions").contains(&session));
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn admin_sees_session_and_handle_http() {
    run(Transport::Http, admin_sees_session_and_handle);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn admin_sees_session_and_handle_ws() {
    run(Transport::Ws, admin_sees_session_and_handle);
}

// ----- next_event's timeout -------------------------------------------------------------------------

/// `next_event(timeout)` on a quiet session returns `None` only once `timeout` has passed, also
/// when the client's own timers (the keepalive, here every second) fire meanwhile.
fn next_event_waits_its_whole_timeout(url: &str, _: &Endpoints) {
    let options = Options { keepalive: Duration::from_secs(1), ..Options::default() };
    let mut janus = live::connect(url, options);
    let session = janus.create_session().expect("create");
    let started = Instant::now();
    let event = janus.next_event(Duration::from_secs(3)).expect("next_event");
    let waited = started.elapsed();
    assert_eq!(event, None, "a quiet session has no events");
    assert!(waited >= Duration::from_millis(2950), "next_event(3 s) returned None after {waited:?}");
    assert_eq!(janus.session_id(), Some(session));
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn next_event_waits_its_whole_timeout_http() {
    run(Transport::Http, next_event_waits_its_whole_timeout);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn next_event_waits_its_whole_timeout_ws() {
    run(Transport::Ws, next_event_waits_its_whole_timeout);
}

// ----- a stream the caller connected -------------------------------------------------------------

/// `Janus::over`: the caller's own TCP connection carries the session (WebSocket) or its
/// requests (HTTP, whose long poll dials its own), through a whole echotest exchange.
fn over_the_callers_stream(url: &str, _: &Endpoints) {
    let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).expect("host:port");
    let tcp = std::net::TcpStream::connect(authority).expect("the caller connects");
    let ours = tcp.try_clone().expect("a second handle on the caller's connection");
    let mut janus = janus_signal_socket::Janus::over(tcp, url, Options::default()).expect("over the stream");
    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    janus.destroy_session().expect("destroy");
    assert!(matches!(janus.client().session(), SessionState::Ended(s, SessionEnd::Destroyed) if s == session));
    // The caller's connection is the one in use: shut it, and a WebSocket client has lost its
    // socket, while over HTTP the next request dials a new connection from the URL.
    ours.shutdown(std::net::Shutdown::Both).expect("shut the caller's connection");
    let ping = janus.ping();
    if url.starts_with("ws") {
        assert!(ping.is_err(), "the WebSocket rode on the caller's connection: {ping:?}");
    } else {
        ping.expect("a new request connection");
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn over_the_callers_stream_http() {
    run(Transport::Http, over_the_callers_stream);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn over_the_callers_stream_ws() {
    run(Transport::Ws, over_the_callers_stream);
}
