//! Tests of the whole client against a fake Janus on loopback: what is logged (and that no
//! secret is), and the error for TLS URLs in a build without the `tls` feature.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use janus_signal::json::RawJson;
use tungstenite::handshake::server::{Request, Response};

use crate::{AdminClient, Error, Janus, Options};

/// Every log record of this test process, formatted.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}", record.level(), record.args());
        RECORDS.lock().unwrap_or_else(PoisonError::into_inner).push(line);
    }

    fn flush(&self) {}
}

static RECORDER: Recorder = Recorder;

/// Starts recording (once per process) and returns the records so far.
fn records() -> Vec<String> {
    if log::set_logger(&RECORDER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
    RECORDS.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// One request: the head's first line and the body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut first = String::new();
    if reader.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((first, body))
}

/// What a tiny Janus answers to `body` (the long poll gets a keepalive).
fn answer(first_line: &str, body: &[u8]) -> String {
    if first_line.starts_with("GET ") {
        std::thread::sleep(Duration::from_millis(50));
        return r#"{"janus":"keepalive"}"#.to_owned();
    }
    let json = RawJson::parse(body).expect("JSON request");
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(|s| s.to_string()).unwrap_or_default();
    let tx = field("transaction");
    match field("janus").as_str() {
        "create" => format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":4242}}}}"#),
        "ping" => format!(r#"{{"janus":"pong","transaction":"{tx}"}}"#),
        "list_sessions" => format!(r#"{{"janus":"success","transaction":"{tx}","sessions":[4242]}}"#),
        _ => format!(r#"{{"janus":"success","session_id":4242,"transaction":"{tx}"}}"#),
    }
}

/// A fake Janus HTTP server for `connections` connections; returns its address.
fn fake_janus(connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((stream, _)) = listener.accept() else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut stream = stream;
                while let Some((first, body)) = read_request(&mut reader) {
                    let reply = answer(&first, &body);
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", reply.len());
                    if stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(reply.as_bytes())).is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

#[test]
fn requests_and_answers_are_logged_without_secrets() {
    let before = records().len();
    let address = fake_janus(3);
    let url = format!("http://{address}/janus");
    let options = Options {
        apisecret: Some("APISECRET-0xDEADBEEF".to_owned()),
        token: Some("TOKEN-0xFEEDFACE".to_owned()),
        ..Options::default()
    };
    let mut janus = Janus::connect(&url, options).expect("connect");
    janus.ping().expect("ping");
    assert_eq!(janus.create_session().expect("create").0, 4242);
    // Long polls (with the secrets in their query) go out while waiting.
    let _ = janus.next_event(Duration::from_millis(300)).expect("wait");
    janus.destroy_session().expect("destroy");
    let mut admin = AdminClient::connect(&format!("http://{address}/admin"), "ADMINSECRET-0xC0FFEE").expect("admin");
    assert_eq!(admin.list_sessions().expect("list_sessions").len(), 1);

    let logged: Vec<String> = records().split_off(before);
    let ours = |needle: &str| logged.iter().any(|line| line.contains(&url) && line.contains(needle));
    assert!(ours("INFO connected to Janus at"), "{logged:#?}");
    for kind in ["ping", "create", "destroy"] {
        assert!(ours(&format!("DEBUG {url}: → {kind} (transaction ")), "no request {kind}: {logged:#?}");
    }
    assert!(ours("TRACE") && ours("← pong"), "{logged:#?}");
    assert!(ours("← success (answers Create"), "{logged:#?}");
    assert!(logged.iter().any(|l| l.contains("→ list_sessions")), "{logged:#?}");
    for secret in ["APISECRET", "TOKEN-0x", "ADMINSECRET", "DEADBEEF", "FEEDFACE", "C0FFEE"] {
        assert!(!logged.iter().any(|line| line.contains(secret)), "{secret} logged: {logged:#?}");
    }
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls_urls_without_the_tls_feature_say_which_feature() {
    for url in ["https://127.0.0.1:8089/janus", "wss://127.0.0.1:8989"] {
        let error = Janus::connect(url, Options::default()).expect_err("no TLS in this build");
        assert!(matches!(&error, Error::TlsNotEnabled { url: u } if u == url), "{error:?}");
        assert!(error.to_string().contains("`tls` cargo feature"), "{error}");
    }
    let admin = AdminClient::connect("https://127.0.0.1:7889/admin", "secret");
    assert!(matches!(admin, Err(Error::TlsNotEnabled { .. })), "{admin:?}");
    // Checked before any server of the list is tried.
    let any = Janus::connect_any(&["http://127.0.0.1:9/janus", "wss://127.0.0.1:8989"], Options::default());
    assert!(matches!(&any, Err(Error::TlsNotEnabled { url }) if url == "wss://127.0.0.1:8989"), "{any:?}");
}

#[cfg(feature = "tls")]
#[test]
fn tls_urls_with_the_tls_feature_get_as_far_as_connecting() {
    // Nothing listens on port 9: the TLS settings were fine, the TCP connection is refused.
    let error = Janus::connect("wss://127.0.0.1:9", Options::default()).expect_err("nothing listens");
    assert!(matches!(&error, Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused), "{error:?}");
}

/// Accepts one WebSocket connection on `listener` the way Janus does (the `janus-protocol`
/// subprotocol), for the scripted servers of these tests.
fn accept_janus_websocket(listener: &TcpListener) -> Option<tungstenite::WebSocket<TcpStream>> {
    let (stream, _) = listener.accept().ok()?;
    #[allow(clippy::result_large_err)] // tungstenite's handshake callback returns its response
    let accept = |_: &Request, mut response: Response| {
        let protocol = crate::ws::JANUS_PROTOCOL.parse().expect("header value");
        response.headers_mut().insert("Sec-WebSocket-Protocol", protocol);
        Ok(response)
    };
    tungstenite::accept_hdr(stream, accept).ok()
}

// ----- messages that cannot be read as their kind (issue 18, item 1) ------------------------

mod malformed {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use janus_signal::DecodeError;
    use janus_signal::request::Candidates;
    use tungstenite::Message as Frame;

    use super::*;
    use crate::Event;

    /// Unsolicited messages of known kinds with a member missing or of the wrong type.
    const MALFORMED: [&str; 5] = [
        r#"{"janus":"ice-failed","session_id":4242}"#,
        r#"{"janus":"media","session_id":4242,"sender":77,"type":"audio","receiving":"yes"}"#,
        r#"{"janus":"webrtcup","session_id":4242,"sender":"not a number"}"#,
        r#"{"janus":"event","session_id":4242,"sender":77,"plugindata":{"plugin":7,"data":{}}}"#,
        r#"{"janus":"trickle","session_id":4242,"sender":77,"candidate":"nope"}"#,
    ];

    /// What the scripted Janus answers to one request: the direct reply, and the events that
    /// follow it. When `garble` is set and names this request's kind, the reply's
    /// `session_id` is a string (the reply cannot be read), once.
    fn script(body: &[u8], garble: &Mutex<Option<&'static str>>) -> (String, Vec<String>) {
        let json = RawJson::parse(body).expect("JSON request");
        let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(|s| s.to_string()).unwrap_or_default();
        let (kind, tx) = (field("janus"), field("transaction"));
        let mut garble = garble.lock().unwrap_or_else(PoisonError::into_inner);
        let session = if *garble == Some(kind.as_str()) {
            *garble = None;
            r#""garbled""#
        } else {
            "4242"
        };
        let head = format!(r#""session_id":{session},"transaction":"{tx}""#);
        match kind.as_str() {
            "create" => (format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":4242}}}}"#), vec![]),
            "attach" => (format!(r#"{{"janus":"success",{head},"data":{{"id":77}}}}"#), vec![]),
            "message" => (
                format!(r#"{{"janus":"ack",{head}}}"#),
                vec![format!(
                    r#"{{"janus":"event","session_id":4242,"transaction":"{tx}","sender":77,"plugindata":{{"plugin":"janus.plugin.echotest","data":{{"echotest":"event","result":"ok"}}}}}}"#
                )],
            ),
            "trickle" | "keepalive" => (format!(r#"{{"janus":"ack",{head}}}"#), vec![]),
            "hangup" => (
                format!(r#"{{"janus":"success",{head}}}"#),
                vec![r#"{"janus":"hangup","session_id":4242,"sender":77,"reason":"Janus API"}"#.to_owned()],
            ),
            "detach" => (
                format!(r#"{{"janus":"success",{head}}}"#),
                vec![r#"{"janus":"detached","session_id":4242,"sender":77}"#.to_owned()],
            ),
            _ => (format!(r#"{{"janus":"success",{head}}}"#), vec![]),
        }
    }

    /// A scripted WebSocket Janus: before every reply and every event it sends the
    /// [`MALFORMED`] messages (and a frame that is not JSON at all).
    fn websocket_janus(garble: Option<&'static str>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("ws://{}", listener.local_addr().expect("address"));
        let garble = Mutex::new(garble);
        std::thread::spawn(move || {
            let Some(mut socket) = accept_janus_websocket(&listener) else { return };
            let send_malformed = |socket: &mut tungstenite::WebSocket<TcpStream>| {
                MALFORMED.iter().all(|m| socket.send(Frame::text(*m)).is_ok())
                    && socket.send(Frame::text("not json {")).is_ok()
            };
            while let Ok(frame) = socket.read() {
                let Frame::Text(text) = frame else { continue };
                let (reply, events) = script(text.as_bytes(), &garble);
                for message in std::iter::once(reply).chain(events) {
                    if !send_malformed(&mut socket) || socket.send(Frame::text(message)).is_err() {
                        return;
                    }
                }
            }
        });
        url
    }

    /// A scripted HTTP Janus: the POST's response is the reply; the [`MALFORMED`] messages,
    /// then the events (each after the [`MALFORMED`] messages again), go to the long poll,
    /// which answers arrays of up to `maxev` like Janus.
    fn http_janus(garble: Option<&'static str>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let queue = Arc::new(Mutex::new(VecDeque::<String>::new()));
        let garble = Arc::new(Mutex::new(garble));
        std::thread::spawn(move || {
            while let Ok((stream, _)) = listener.accept() {
                let (queue, garble) = (Arc::clone(&queue), Arc::clone(&garble));
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                    let mut stream = stream;
                    while let Some((first, body)) = read_request(&mut reader) {
                        let reply = if first.starts_with("GET ") {
                            long_poll(&queue)
                        } else {
                            let (reply, events) = script(&body, &garble);
                            let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                            queue.extend(MALFORMED.iter().map(|m| (*m).to_owned()));
                            for event in events {
                                queue.extend(MALFORMED.iter().map(|m| (*m).to_owned()));
                                queue.push_back(event);
                            }
                            reply
                        };
                        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", reply.len());
                        let sent = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(reply.as_bytes()));
                        if sent.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        format!("http://{address}/janus")
    }

    /// A long poll's answer: up to 10 queued messages, or a keepalive after 200 ms.
    fn long_poll(queue: &Mutex<VecDeque<String>>) -> String {
        let deadline = Instant::now() + Duration::from_millis(200);
        loop {
            {
                let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                if !queue.is_empty() {
                    let n = queue.len().min(10);
                    return format!("[{}]", queue.drain(..n).collect::<Vec<_>>().join(","));
                }
            }
            if Instant::now() >= deadline {
                return r#"[{"janus":"keepalive"}]"#.to_owned();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn options() -> Options {
        Options { request_timeout: Duration::from_secs(3), seed: Some(7), ..Options::default() }
    }

    /// Every event until 300 ms pass without one.
    fn drain(janus: &mut Janus) -> Vec<Event> {
        let mut events = Vec::new();
        while let Some(event) = janus.next_event(Duration::from_millis(300)).expect("events never fail") {
            events.push(event);
        }
        events
    }

    /// A whole session through the real client with unreadable messages before every reply
    /// and every event: every call succeeds, and each unreadable message is an
    /// [`Event::Malformed`].
    fn whole_session(url: &str) -> Vec<Event> {
        let mut janus = Janus::connect(url, options()).expect("connect");
        let session = janus.create_session().expect("create");
        assert_eq!(session.0, 4242);
        let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
        assert_eq!(handle.0, 77);
        let body = RawJson::parse(br#"{"audio":true}"#).expect("JSON");
        let reply = janus.message(handle, &body).expect("message");
        assert_eq!(reply.kind(), "event", "{reply}");
        janus.trickle::<()>(handle, Candidates::Completed).expect("trickle");
        janus.keepalive().expect("keepalive");
        janus.hangup(handle).expect("hangup");
        let mut events = drain(&mut janus);
        janus.detach(handle).expect("detach");
        events.extend(drain(&mut janus));
        janus.destroy_session().expect("destroy");
        events
    }

    fn check_events(events: &[Event], per_reply: usize) {
        let malformed: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Malformed(m) => Some(m),
                _ => None,
            })
            .collect();
        // Before each of the 8 replies and 3 events (some may still be in flight at the end).
        assert!(malformed.len() >= per_reply * 9, "{} malformed: {events:#?}", malformed.len());
        let ice_failed = malformed.iter().find(|m| m.kind() == Some("ice-failed")).expect("ice-failed");
        assert_eq!(ice_failed.error(), &DecodeError::MissingField { kind: "ice-failed", field: "sender" });
        assert_eq!(ice_failed.json(), MALFORMED[0]);
        let media = malformed.iter().find(|m| m.kind() == Some("media")).expect("media");
        assert_eq!(media.error(), &DecodeError::InvalidField { kind: "media", field: "receiving" });
        assert!(!events.iter().any(|e| matches!(e, Event::RequestFailed(_))), "{events:#?}");
        assert!(events.iter().any(|e| matches!(e, Event::Handle { message, .. } if message.kind() == "hangup")));
    }

    #[test]
    fn malformed_events_over_websocket_never_fail_a_call() {
        let events = whole_session(&websocket_janus(None));
        check_events(&events, MALFORMED.len() + 1);
        let not_json = events.iter().find_map(|e| match e {
            Event::Malformed(m) if m.json() == "not json {" => Some(m),
            _ => None,
        });
        let not_json = not_json.expect("a frame that is not JSON is an event too");
        assert!(matches!(not_json.error(), DecodeError::Json(_)), "{not_json}");
        assert_eq!(not_json.kind(), None);
    }

    #[test]
    fn malformed_events_over_http_never_fail_a_call() {
        check_events(&whole_session(&http_janus(None)), MALFORMED.len());
    }

    /// An unreadable answer to the client's own request fails that request with
    /// [`Error::MalformedReply`]; the session goes on.
    fn malformed_reply(url: &str) {
        let mut janus = Janus::connect(url, options()).expect("connect");
        janus.create_session().expect("create");
        match janus.attach("janus.plugin.echotest", None) {
            Err(Error::MalformedReply(m)) => {
                assert_eq!(m.kind(), Some("success"));
                assert_eq!(m.error(), &DecodeError::InvalidField { kind: "success", field: "session_id" });
                assert!(m.json().contains(r#""session_id":"garbled""#), "{m}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(janus.client().pending_requests(), 0, "the attach ended");
        let handle = janus.attach("janus.plugin.echotest", None).expect("a second attach");
        let body = RawJson::parse(br#"{"audio":true}"#).expect("JSON");
        assert_eq!(janus.message(handle, &body).expect("message").kind(), "event");
        assert!(!drain(&mut janus).iter().any(|e| matches!(e, Event::RequestFailed(_))));
        janus.destroy_session().expect("destroy");
    }

    #[test]
    fn a_malformed_reply_over_websocket_fails_its_request_only() {
        malformed_reply(&websocket_janus(Some("attach")));
    }

    #[test]
    fn a_malformed_reply_over_http_fails_its_request_only() {
        malformed_reply(&http_janus(Some("attach")));
    }

    /// `send_raw`'s answer that cannot be read is a typed error too, over both transports.
    #[test]
    fn send_raw_reports_an_unreadable_answer() {
        for url in [websocket_janus(Some("keepalive")), http_janus(Some("keepalive"))] {
            let mut janus = Janus::connect(&url, options()).expect("connect");
            let reply = janus.send_raw(None, br#"{"janus":"keepalive","session_id":4242,"transaction":"raw-1"}"#);
            match reply {
                Err(Error::MalformedReply(m)) => assert_eq!(m.transaction(), Some("raw-1"), "{m}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}

// ----- bounded queues (issue "one driver, one poll contract": bounded event queues) ---------

mod bounded {
    use tungstenite::Message as Frame;

    use super::*;
    use crate::Event;

    /// A WebSocket Janus that answers the second `attach` only after `flood` unsolicited
    /// `media` events for the first handle (77), told apart by their `seconds` (1..=flood).
    fn flooding_janus(flood: u64) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("ws://{}", listener.local_addr().expect("address"));
        std::thread::spawn(move || {
            let Some(mut socket) = accept_janus_websocket(&listener) else { return };
            let mut handles = 76;
            while let Ok(frame) = socket.read() {
                let Frame::Text(text) = frame else { continue };
                let json = RawJson::parse(text.as_bytes()).expect("JSON request");
                let tx = json.get("transaction").and_then(|v| v.as_str()).map(|s| s.to_string()).unwrap_or_default();
                let kind = json.get("janus").and_then(|v| v.as_str()).map(|s| s.to_string()).unwrap_or_default();
                let reply = match kind.as_str() {
                    "create" => format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":4242}}}}"#),
                    "attach" => {
                        handles += 1;
                        // The second attach: first the flood, for the first handle.
                        for seconds in (1..=flood).filter(|_| handles > 77) {
                            let event = format!(
                                r#"{{"janus":"media","session_id":4242,"sender":77,"type":"audio","receiving":false,"seconds":{seconds}}}"#
                            );
                            if socket.send(Frame::text(event)).is_err() {
                                return;
                            }
                        }
                        format!(
                            r#"{{"janus":"success","session_id":4242,"transaction":"{tx}","data":{{"id":{handles}}}}}"#
                        )
                    }
                    _ => format!(r#"{{"janus":"success","session_id":4242,"transaction":"{tx}"}}"#),
                };
                if socket.send(Frame::text(reply)).is_err() {
                    return;
                }
            }
        });
        url
    }

    /// A caller that does not take its events loses the oldest beyond the limit, counted; the
    /// call in progress still gets its reply, and the newest events are all there in order.
    #[test]
    fn a_full_event_queue_drops_the_oldest_and_says_so() {
        let options = Options { max_queued_events: 10, seed: Some(7), ..Options::default() };
        let mut janus = Janus::connect(&flooding_janus(25), options).expect("connect");
        assert_eq!(janus.create_session().expect("create").0, 4242);
        assert_eq!(janus.attach("janus.plugin.echotest", None).expect("attach").0, 77);
        let second = janus.attach("janus.plugin.echotest", None).expect("the reply arrives after the flood");
        assert_eq!(second.0, 78);
        assert_eq!(janus.dropped_events(), crate::DroppedCounts { events: 15, replies: 0 });
        let mut seconds = Vec::new();
        while let Some(event) = janus.next_event(Duration::from_millis(100)).expect("events") {
            if let Event::Handle { message, .. } = event
                && let janus_signal::message::Message::Media(media) = message.message()
            {
                seconds.push(media.seconds.expect("seconds"));
            }
        }
        assert_eq!(seconds, (16..=25).collect::<Vec<_>>());
    }
}

/// `OwnedMessage::plugin` reads a registered plugin's data in one call, and says `None` for
/// another plugin's.
#[test]
fn owned_messages_give_typed_plugin_events() {
    use janus_signal::plugin::{EventError, echotest, videoroom};

    let event = crate::OwnedMessage::from_json(
        br#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.echotest","data":{"echotest":"event","result":"ok"}}}"#.to_vec(),
    );
    assert_eq!(event.plugin::<echotest::Event<'_>>(), Some(Ok(echotest::Event::Accepted)));
    assert!(event.plugin::<videoroom::Event<'_>>().is_none());
    let error = crate::OwnedMessage::from_json(
        br#"{"janus":"success","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"event","error_code":426,"error":"No such room (9)"}}}"#.to_vec(),
    );
    match error.plugin::<videoroom::Event<'_>>() {
        Some(Err(EventError::Plugin(e))) => assert_eq!(e.code, videoroom::ErrorCode::NoSuchRoom),
        other => panic!("{other:?}"),
    }
}
