//! Many sessions on one connection (`janus_signal_socket::Connection`) against the real
//! Janus, over both transports:
//!
//! - two sessions on one socket, their requests and events interleaved from two threads:
//!   each session and each handle gets only its own;
//! - a session Janus ends (its `timeout`, or an Admin `destroy_session`) while the others go
//!   on;
//! - a session claimed by a second connection while another stays on the first;
//! - keepalives that keep sessions alive while nobody calls in (the connection's reader);
//! - events waited for on one thread while another sends on the same connection, many times.
//!
//! `#[ignore]`d (live): `tests/run` runs them against its Janus.

#[path = "support/live.rs"]
mod live;

use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::client::SessionEnd;
use janus_signal_socket::janus_signal::request::{SdpType, SessionDescription};
use janus_signal_socket::{AdminClient, Connection, Error, Event, Handle, Options, Session};

use live::{ECHO, OFFER, Transport};

const TRANSPORTS: [Transport; 2] = [Transport::Ws, Transport::Http];

fn connect(transport: Transport) -> Connection {
    let endpoints = live::janus();
    Connection::connect(endpoints.url(transport), Options::default()).expect("connect")
}

fn admin() -> AdminClient {
    let endpoints = live::janus();
    AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin")
}

/// Waits (up to `window`) for the handle's `hangup`; every message on the way must be the
/// handle's own.
#[track_caller]
fn expect_own_hangup(handle: &Handle, window: Duration) {
    let deadline = Instant::now() + window;
    while let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) {
        if let Some(message) = handle.next_event(left).expect("next_event") {
            assert_eq!(message.message().sender(), Some(handle.id()), "another handle's message: {message}");
            assert_eq!(message.message().session_id(), Some(handle.session()), "another session's: {message}");
            if message.kind() == "hangup" {
                return;
            }
        }
    }
    panic!("no hangup for handle {} in {window:?}", handle.id());
}

/// An offer to the echotest, answered; then a hangup, whose event the handle then gets.
#[track_caller]
fn offer_and_hang_up(handle: &Handle) {
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = handle.message_with_jsep(&ECHO, &offer).expect("offer");
    live::assert_sdp_answer(&answer, handle.id());
    handle.hangup().expect("hangup");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn two_sessions_interleave_on_one_connection_and_each_gets_only_its_own() {
    for transport in TRANSPORTS {
        let connection = connect(transport);
        let (a, b) = (connection.create_session().expect("a"), connection.create_session().expect("b"));
        assert_ne!(a.id(), b.id());
        let mut sessions = connection.sessions();
        sessions.sort_unstable();
        let mut expected = vec![a.id(), b.id()];
        expected.sort_unstable();
        assert_eq!(sessions, expected, "{transport:?}");
        let (ha, hb) = (
            a.attach("janus.plugin.echotest", None).expect("attach a"),
            b.attach("janus.plugin.echotest", None).expect("attach b"),
        );
        // Requests of both, interleaved from two threads on the one socket.
        std::thread::scope(|s| {
            for handle in [&ha, &hb] {
                s.spawn(move || {
                    for _ in 0..5 {
                        live::assert_echotest_ok(&handle.message(&ECHO).expect("message"), handle.id());
                    }
                    offer_and_hang_up(handle);
                    expect_own_hangup(handle, Duration::from_secs(5));
                });
            }
        });
        // Janus knows each handle in its own session.
        let mut admin = admin();
        assert_eq!(admin.list_handles(a.id()).expect("handles of a"), [ha.id()]);
        assert_eq!(admin.list_handles(b.id()).expect("handles of b"), [hb.id()]);
        // Session-wide events: a's detach reaches a, not b.
        ha.detach().expect("detach a");
        let event = a.next_event(Duration::from_secs(5)).expect("event").expect("a's detach");
        assert_eq!(event, Event::HandleDetached(ha.id()), "{transport:?}");
        assert_eq!(b.next_event(Duration::from_millis(300)).expect("b's events"), None, "{transport:?}");
        a.destroy().expect("destroy a");
        // b still works.
        live::assert_echotest_ok(&hb.message(&ECHO).expect("b after a ended"), hb.id());
        b.destroy().expect("destroy b");
        assert_eq!(connection.dropped_events(), 0);
        connection.close();
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_session_janus_ends_leaves_the_others_going() {
    for transport in TRANSPORTS {
        let connection = connect(transport);
        let sessions: Vec<Session> = (0..3).map(|_| connection.create_session().expect("create")).collect();
        let handles: Vec<Handle> =
            sessions.iter().map(|s| s.attach("janus.plugin.echotest", None).expect("attach")).collect();
        let mut admin = admin();
        // Janus times the first out (1 s without traffic; the connection's keepalives come
        // every 25 s), and the Admin API destroys the second.
        admin.set_session_timeout(sessions[0].id(), 1).expect("set_session_timeout");
        admin.destroy_session(sessions[1].id()).expect("destroy_session");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut timed_out = false;
        while !timed_out && Instant::now() < deadline {
            match sessions[0].next_event(Duration::from_secs(1)).expect("next_event") {
                Some(Event::SessionTimedOut(id)) => {
                    assert_eq!(id, sessions[0].id());
                    timed_out = true;
                }
                Some(Event::SessionEnded(id, SessionEnd::TimedOut)) => {
                    assert_eq!(id, sessions[0].id());
                    timed_out = true;
                }
                Some(Event::HandleDetached(_) | Event::Handle { .. }) | None => {}
                Some(other) => panic!("{transport:?}: unexpected {other:?}"),
            }
        }
        assert!(timed_out, "{transport:?}: Janus's timeout of session {} did not come", sessions[0].id());
        match handles[0].message(&ECHO) {
            Err(Error::Client(_) | Error::SessionEnded(_)) => {}
            other => panic!("{transport:?}: a request on the timed-out session: {other:?}"),
        }
        // The destroyed one: Janus says so, or answers 458 to its next request.
        match handles[1].message(&ECHO) {
            Err(Error::Janus { code, .. }) => assert_eq!(code.code(), 458, "{transport:?}"),
            Err(Error::Client(_) | Error::SessionEnded(_)) => {}
            other => panic!("{transport:?}: a request on the destroyed session: {other:?}"),
        }
        // The third goes on, and so does the connection.
        live::assert_echotest_ok(&handles[2].message(&ECHO).expect("the third session"), handles[2].id());
        offer_and_hang_up(&handles[2]);
        expect_own_hangup(&handles[2], Duration::from_secs(5));
        let fourth = connection.create_session().expect("a new session");
        fourth.destroy().expect("destroy the new one");
        sessions[2].destroy().expect("destroy the third");
        connection.close();
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn keepalives_keep_sessions_alive_while_nobody_calls_in() {
    for transport in TRANSPORTS {
        let endpoints = live::janus();
        let options =
            Options { keepalive: Duration::from_secs(1), http_keepalive: Duration::from_secs(1), ..Options::default() };
        let connection = Connection::connect(endpoints.url(transport), options).expect("connect");
        let sessions: Vec<Session> = (0..2).map(|_| connection.create_session().expect("create")).collect();
        let handles: Vec<Handle> =
            sessions.iter().map(|s| s.attach("janus.plugin.echotest", None).expect("attach")).collect();
        // Janus ends each after 3 s without traffic; nobody calls in for 7 s.
        let mut admin = admin();
        for session in &sessions {
            admin.set_session_timeout(session.id(), 3).expect("set_session_timeout");
        }
        std::thread::sleep(Duration::from_secs(7));
        for (session, handle) in sessions.iter().zip(&handles) {
            live::assert_echotest_ok(&handle.message(&ECHO).expect("still alive"), handle.id());
            assert_eq!(session.next_event(Duration::ZERO).expect("events"), None, "{transport:?}: no timeout");
            session.destroy().expect("destroy");
        }
        connection.close();
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_session_claimed_on_a_new_connection_while_another_stays() {
    for transport in TRANSPORTS {
        let first = connect(transport);
        let (moving, staying) = (first.create_session().expect("moving"), first.create_session().expect("staying"));
        let moving_handle = moving.attach("janus.plugin.echotest", None).expect("attach");
        let staying_handle = staying.attach("janus.plugin.echotest", None).expect("attach");

        // Over HTTP a session's events go to whichever long poll of it asks first: the first
        // connection lets go of it.
        moving.release();
        assert_eq!(first.sessions(), [staying.id()]);
        let second = connect(transport);
        let claimed = second.claim_session(moving.id()).expect("claim");
        assert_eq!(claimed.id(), moving.id());
        let adopted = claimed.adopt(moving_handle.id()).expect("adopt");
        // The claimed session's handle answers on the second connection, its events too.
        let reply = adopted.message(&ECHO).unwrap_or_else(|e| panic!("{transport:?}: message after the claim: {e}"));
        live::assert_echotest_ok(&reply, adopted.id());
        offer_and_hang_up(&adopted);
        expect_own_hangup(&adopted, Duration::from_secs(5));
        // The other session stays on the first connection, and works.
        live::assert_echotest_ok(&staying_handle.message(&ECHO).expect("staying"), staying_handle.id());
        offer_and_hang_up(&staying_handle);
        expect_own_hangup(&staying_handle, Duration::from_secs(5));
        assert_eq!(second.sessions(), [moving.id()]);
        claimed.destroy().expect("destroy the claimed session");
        staying.destroy().expect("destroy the staying one");
        second.close();
        first.close();
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn events_waited_for_on_one_thread_while_another_sends_are_never_lost() {
    const ROUNDS: usize = 40;
    for transport in TRANSPORTS {
        let connection = connect(transport);
        let session = connection.create_session().expect("create");
        let busy = connection.create_session().expect("create");
        let handle = session.attach("janus.plugin.echotest", None).expect("attach");
        let other = busy.attach("janus.plugin.echotest", None).expect("attach");
        for round in 0..ROUNDS {
            std::thread::scope(|s| {
                // The waiter starts first and sleeps in next_event while the sender sends.
                let waiter = s.spawn(|| {
                    expect_own_hangup(&handle, Duration::from_secs(10));
                });
                let noise = s.spawn(|| {
                    for _ in 0..3 {
                        live::assert_echotest_ok(&other.message(&ECHO).expect("noise"), other.id());
                    }
                });
                offer_and_hang_up(&handle);
                noise.join().expect("noise thread");
                waiter.join().unwrap_or_else(|_| panic!("{transport:?}: round {round}: the waiter failed"));
            });
        }
        assert_eq!(connection.dropped_events(), 0);
        session.destroy().expect("destroy");
        busy.destroy().expect("destroy");
        connection.close();
    }
}
