//! Several sessions on one connection ([`Sessions`]): each reply and event reaches its own
//! session, a session's end leaves the others as they were, and over HTTP each session keeps
//! its own long poll.

use janus_signal::client::{Client, Config, Event, Ignored, Output, RequestId, SessionEnd, SessionState, Sessions};
use janus_signal::http::Route;
use janus_signal::{HandleId, Instant, SessionId};

type Pool = Sessions<heapless::Vec<Client<4, 4, 8>, 4>, 4, 4, 8>;

const T0: Instant = Instant::from_millis(0);

fn pool(config: Config) -> Pool {
    Sessions::new(heapless::Vec::new(), config, 42)
}

/// Feeds one JSON text and returns what each of its messages meant, as text.
fn feed(sessions: &mut Pool, now: Instant, json: &str) -> Vec<String> {
    sessions
        .handle_input(now, json.as_bytes())
        .expect("JSON")
        .map(|o| match o.expect("an output") {
            Output::Reply { request, .. } => format!("reply {}", request.as_str()),
            Output::Acked { request } => format!("ack {}", request.as_str()),
            Output::Handle { handle, message } => format!("handle {handle} {}", message.kind()),
            Output::SessionTimedOut { session } => format!("timeout {session}"),
            Output::Ignored { reason, .. } => format!("ignored {reason:?}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// A new slot with a session `id` created in it: its slot.
fn open(sessions: &mut Pool, id: u64) -> usize {
    let slot = match sessions.free_slot() {
        Some(slot) => slot,
        None => {
            let client = sessions.new_client();
            assert!(sessions.storage_mut().push(client).is_ok(), "room for a session");
            sessions.clients().len() - 1
        }
    };
    let mut out = [0u8; 512];
    let t = sessions.client_mut(slot).expect("slot").create_session(T0, &mut out).expect("create");
    let tx = t.request.expect("a request");
    let answer = format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":{id}}}}}"#);
    assert_eq!(feed(sessions, T0, &answer), [format!("reply {tx}")]);
    assert_eq!(sessions.slot_of_session(SessionId(id)), Some(slot));
    slot
}

/// Attaches handle `id` on the session in `slot`.
fn attach(sessions: &mut Pool, slot: usize, session: u64, id: u64) {
    let mut out = [0u8; 512];
    let client = sessions.client_mut(slot).expect("slot");
    let tx = client.attach(T0, &mut out, "janus.plugin.echotest", None).expect("attach").request.expect("request");
    let answer = format!(r#"{{"janus":"success","session_id":{session},"transaction":"{tx}","data":{{"id":{id}}}}}"#);
    assert_eq!(feed(sessions, T0, &answer), [format!("reply {tx}")]);
    assert_eq!(sessions.slot_of_handle(HandleId(id)), Some(slot));
}

fn message(sessions: &mut Pool, slot: usize, handle: u64) -> RequestId {
    let mut out = [0u8; 512];
    let client = sessions.client_mut(slot).expect("slot");
    let body = janus_signal::json::RawJson::parse(br#"{"audio":true}"#).expect("JSON");
    client.message::<_, ()>(T0, &mut out, HandleId(handle), &body, None).expect("message").request.expect("request")
}

#[test]
fn interleaved_answers_and_events_reach_their_own_sessions() {
    let mut sessions = pool(Config::websocket());
    let (a, b) = (open(&mut sessions, 100), open(&mut sessions, 200));
    assert_ne!(a, b);
    attach(&mut sessions, a, 100, 1001);
    attach(&mut sessions, b, 200, 2001);
    let (ma, mb) = (message(&mut sessions, a, 1001), message(&mut sessions, b, 2001));
    // One socket: b's ack, a's event, b's event, a's ack, then events nobody asked for.
    let body = format!(
        r#"[{{"janus":"ack","session_id":200,"transaction":"{mb}"}},
            {{"janus":"event","session_id":100,"sender":1001,"transaction":"{ma}","plugindata":{{"plugin":"janus.plugin.echotest","data":{{"result":"ok"}}}}}},
            {{"janus":"event","session_id":200,"sender":2001,"transaction":"{mb}","plugindata":{{"plugin":"janus.plugin.echotest","data":{{"result":"ok"}}}}}},
            {{"janus":"ack","session_id":100,"transaction":"{ma}"}},
            {{"janus":"webrtcup","session_id":200,"sender":2001}},
            {{"janus":"media","session_id":100,"sender":1001,"type":"audio","receiving":true}},
            {{"janus":"hangup","session_id":300,"sender":3001,"reason":"x"}},
            {{"janus":"hangup","session_id":100,"sender":2001,"reason":"x"}}]"#
    );
    let outputs = feed(&mut sessions, T0, &body);
    assert_eq!(
        outputs,
        [
            format!("ack {mb}"),
            format!("reply {ma}"),
            format!("reply {mb}"),
            format!("ack {ma}"),
            "handle 2001 webrtcup".to_owned(),
            "handle 1001 media".to_owned(),
            // No session of ours.
            "ignored OtherSession".to_owned(),
            // Session 100 has no handle 2001: that handle is session 200's.
            "ignored UnknownHandle".to_owned(),
        ]
    );
    for slot in [a, b] {
        assert_eq!(sessions.client(slot).expect("slot").pending_requests(), 0);
    }
}

#[test]
fn a_session_that_ends_leaves_the_others_and_its_slot_is_reused() {
    let mut sessions = pool(Config::websocket());
    let (a, b) = (open(&mut sessions, 100), open(&mut sessions, 200));
    attach(&mut sessions, a, 100, 1001);
    attach(&mut sessions, b, 200, 2001);
    let pending_b = message(&mut sessions, b, 2001);
    let pending_a = message(&mut sessions, a, 1001);
    // Janus expires session 100.
    assert_eq!(feed(&mut sessions, T0, r#"{"janus":"timeout","session_id":100}"#), ["timeout 100"]);
    let events: Vec<Event> = std::iter::from_fn(|| sessions.poll_event()).collect();
    assert!(events.contains(&Event::SessionEnded { session: SessionId(100), reason: SessionEnd::TimedOut }));
    assert!(events.iter().any(|e| matches!(e, Event::RequestAbandoned { request, .. } if *request == pending_a)));
    assert!(!events.iter().any(|e| matches!(e, Event::RequestAbandoned { request, .. } if *request == pending_b)));
    assert_eq!(sessions.client(b).expect("b").session(), SessionState::Active(SessionId(200)));
    assert_eq!(sessions.slot_of_request(pending_b), Some(b));
    // b's answer still reaches b; a's handle is gone.
    let answer = format!(
        r#"{{"janus":"event","session_id":200,"sender":2001,"transaction":"{pending_b}","plugindata":{{"plugin":"janus.plugin.echotest","data":{{"result":"ok"}}}}}}"#
    );
    assert_eq!(feed(&mut sessions, T0, &answer), [format!("reply {pending_b}")]);
    assert_eq!(
        feed(&mut sessions, T0, r#"{"janus":"webrtcup","session_id":100,"sender":1001}"#),
        ["ignored OtherSession"]
    );
    // The free slot takes the next session.
    assert_eq!(sessions.free_slot(), Some(a));
    assert_eq!(open(&mut sessions, 300), a);
    assert_eq!(sessions.clients().len(), 2);
}

#[test]
fn a_claim_on_a_new_connection_keeps_the_other_session_and_its_handles() {
    let mut sessions = pool(Config::websocket());
    let (a, b) = (open(&mut sessions, 100), open(&mut sessions, 200));
    attach(&mut sessions, a, 100, 1001);
    attach(&mut sessions, b, 200, 2001);
    sessions.transport_lost(T0);
    for slot in [a, b] {
        assert!(matches!(sessions.client(slot).expect("slot").session(), SessionState::Disconnected(_)));
    }
    let mut out = [0u8; 512];
    // Claim b only; a is given up and its slot ends up free for a new session.
    let claim = sessions.client_mut(b).expect("b").claim_session(T0, &mut out, SessionId(200)).expect("claim");
    let tx = claim.request.expect("request");
    let answer = format!(r#"{{"janus":"success","session_id":200,"transaction":"{tx}"}}"#);
    assert_eq!(feed(&mut sessions, T0, &answer), [format!("reply {tx}")]);
    assert_eq!(sessions.client(b).expect("b").session(), SessionState::Active(SessionId(200)));
    assert_eq!(sessions.slot_of_handle(HandleId(2001)), Some(b));
    assert_eq!(
        feed(&mut sessions, T0, r#"{"janus":"webrtcup","session_id":200,"sender":2001}"#),
        ["handle 2001 webrtcup"]
    );
    // a is still claimable: its messages are its own, not b's.
    assert_eq!(sessions.slot_of_session(SessionId(100)), Some(a));
}

#[test]
fn over_http_each_session_keeps_its_own_long_poll() {
    let mut sessions = pool(Config::http());
    let (a, b) = (open(&mut sessions, 100), open(&mut sessions, 200));
    let mut out = [0u8; 512];
    let mut polls = Vec::new();
    while let Some(t) = sessions.poll_transmit(T0, &mut out).expect("transmit") {
        polls.push(t.route);
    }
    polls.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(
        polls,
        [
            Route::LongPoll { session: SessionId(100), maxev: 10 },
            Route::LongPoll { session: SessionId(200), maxev: 10 }
        ]
    );
    // b's long poll returns (404: its session is gone); a's is still out.
    sessions.long_poll_answered(T0, SessionId(200), 404);
    assert!(matches!(
        sessions.client(b).expect("b").session(),
        SessionState::Ended(_, SessionEnd::LongPollStatus(404))
    ));
    assert_eq!(sessions.client(a).expect("a").session(), SessionState::Active(SessionId(100)));
    assert_eq!(sessions.poll_transmit(T0, &mut out).expect("transmit"), None, "a's poll is still out");
    sessions.long_poll_answered(T0, SessionId(100), 200);
    let again = sessions.poll_transmit(T0, &mut out).expect("transmit").map(|t| t.route);
    assert_eq!(again, Some(Route::LongPoll { session: SessionId(100), maxev: 10 }));
}

#[test]
fn timers_are_every_sessions_and_events_take_turns() {
    let mut sessions = pool(Config::websocket());
    let (a, b) = (open(&mut sessions, 100), open(&mut sessions, 200));
    // Keepalives are due 25 s after each session's creation.
    assert_eq!(sessions.poll_timeout(), Some(Instant::from_millis(25_000)));
    let later = Instant::from_millis(25_000);
    let mut out = [0u8; 512];
    let mut keepalives = Vec::new();
    while let Some(t) = sessions.poll_transmit(later, &mut out).expect("transmit") {
        let request = t.request.expect("a keepalive");
        keepalives.push((request, sessions.slot_of_request(request).expect("pending")));
    }
    let mut slots: Vec<usize> = keepalives.iter().map(|k| k.1).collect();
    slots.sort_unstable();
    assert_eq!(slots, [a, b], "one keepalive per session");
    // Neither is answered: both time out, and each session's event comes out.
    sessions.handle_timeout(Instant::from_millis(25_000 + 15_000));
    let mut timed_out: Vec<usize> = std::iter::from_fn(|| sessions.poll_event())
        .map(|e| match e {
            Event::RequestTimedOut { request, .. } => {
                keepalives.iter().find(|k| k.0 == request).map_or(usize::MAX, |k| k.1)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    timed_out.sort_unstable();
    assert_eq!(timed_out, [a, b]);
    assert_eq!(feed(&mut sessions, later, r#"{"janus":"keepalive"}"#), ["ignored Unroutable"]);
    assert_eq!(
        feed(&mut sessions, later, r#"{"janus":"ack","transaction":"nobody"}"#),
        [format!("ignored {:?}", Ignored::UnknownTransaction)]
    );
}
