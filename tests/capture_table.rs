//! The table test over the real captures: every Janus message in every capture decodes, to the
//! variant its `janus` kind names, with the same fields an independent parser (serde_json)
//! reads; plus a hand-checked table of specific captures with their exact values.

mod common;

use std::collections::BTreeMap;

use janus_signal::json::{JsonStr, RawJson};
use janus_signal::message::{Batch, ErrorCode, JsepType, Message, TrickleCandidate};
use serde_json::Value;

fn unescaped(text: JsonStr<'_>) -> String {
    let mut buf = vec![0u8; text.unescaped_len()];
    let via_buffer = text.unescape_into(&mut buf).expect("sized exactly").to_owned();
    assert_eq!(via_buffer, text.to_string(), "Display and unescape_into agree");
    via_buffer
}

fn json_value(raw: RawJson<'_>) -> Value {
    serde_json::from_slice(raw.as_bytes()).expect("a span of valid JSON")
}

fn opt_str(text: Option<JsonStr<'_>>) -> Option<String> {
    text.map(unescaped)
}

/// Checks one decoded message against the oracle's view of the same JSON.
fn check(label: &str, message: &Message<'_>, oracle: &Value) -> Result<(), String> {
    let kind = oracle["janus"].as_str().ok_or("no janus kind")?;
    let expected_variant = match kind {
        "success" => matches!(message, Message::Success(_)),
        "ack" => matches!(message, Message::Ack(_)),
        "error" => matches!(message, Message::Error(_)),
        "event" => matches!(message, Message::Event(_)),
        "webrtcup" => matches!(message, Message::WebrtcUp(_)),
        "media" => matches!(message, Message::Media(_)),
        "slowlink" => matches!(message, Message::SlowLink(_)),
        "hangup" => matches!(message, Message::Hangup(_)),
        "detached" => matches!(message, Message::Detached(_)),
        "timeout" => matches!(message, Message::Timeout(_)),
        "trickle" => matches!(message, Message::Trickle(_)),
        "ice-failed" => matches!(message, Message::IceFailed(_)),
        "keepalive" => matches!(message, Message::Keepalive(_)),
        "pong" => matches!(message, Message::Pong(_)),
        "server_info" => matches!(message, Message::ServerInfo(_)),
        _ => matches!(message, Message::Unknown(_)),
    };
    let mut problems = Vec::new();
    let mut expect = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_owned());
        }
    };
    expect(expected_variant, "variant");
    expect(message.kind() == kind, "kind()");
    expect(opt_str(message.transaction()).as_deref() == oracle["transaction"].as_str(), "transaction");
    expect(message.session_id().map(|s| s.0) == oracle["session_id"].as_u64(), "session_id");
    expect(message.sender().map(|h| h.0) == oracle["sender"].as_u64(), "sender");
    expect(json_value(message.raw()) == *oracle, "raw");
    let plugin_data_matches = |pd: Option<janus_signal::message::PluginData<'_>>| match (pd, oracle.get("plugindata")) {
        (None, None) => true,
        (Some(pd), Some(o)) => {
            let error_expected = o["data"].get("error_code").is_some() || o["data"].get("error").is_some();
            let error_matches = match pd.error() {
                Some(e) => {
                    error_expected
                        && e.code == o["data"]["error_code"].as_u64()
                        && opt_str(e.reason).as_deref() == o["data"]["error"].as_str()
                }
                None => !error_expected,
            };
            unescaped(pd.plugin) == o["plugin"].as_str().unwrap_or_default()
                && json_value(pd.data) == o["data"]
                && error_matches
        }
        _ => false,
    };
    match message {
        Message::Success(s) => {
            expect(s.id() == oracle["data"]["id"].as_u64(), "data.id");
            expect(s.data.map(json_value).as_ref() == oracle.get("data"), "data");
            expect(plugin_data_matches(s.plugin_data), "plugindata");
        }
        Message::Ack(a) => expect(opt_str(a.hint).as_deref() == oracle["hint"].as_str(), "hint"),
        Message::Error(e) => {
            expect(Some(e.code.code()) == oracle["error"]["code"].as_u64(), "error.code");
            expect(opt_str(e.reason).as_deref() == oracle["error"]["reason"].as_str(), "error.reason");
        }
        Message::Event(e) => {
            expect(plugin_data_matches(e.plugin_data), "plugindata");
            match (e.jsep, oracle.get("jsep")) {
                (None, None) => {}
                (Some(j), Some(o)) => {
                    let sdp = unescaped(j.sdp);
                    expect(Some(sdp.as_str()) == o["sdp"].as_str(), "jsep.sdp unescaped");
                    expect(j.sdp.unescaped_len() == sdp.len(), "jsep.sdp length");
                    let kind = match j.kind {
                        JsepType::Offer => "offer".to_owned(),
                        JsepType::Answer => "answer".to_owned(),
                        JsepType::Other(t) => unescaped(t),
                    };
                    expect(Some(kind.as_str()) == o["type"].as_str(), "jsep.type");
                    expect(json_value(j.raw) == *o, "jsep raw");
                }
                _ => expect(false, "jsep presence"),
            }
        }
        Message::Hangup(h) => expect(opt_str(h.reason).as_deref() == oracle["reason"].as_str(), "reason"),
        Message::Trickle(t) => match (t.candidate, &oracle["candidate"]) {
            (TrickleCandidate::Completed, o) => expect(o.is_null() || o["completed"] == true, "completed"),
            (TrickleCandidate::Candidate { candidate, .. }, o) => {
                expect(o["candidate"].as_str() == Some(unescaped(candidate).as_str()), "candidate")
            }
        },
        Message::ServerInfo(info) => {
            expect(opt_str(info.version_string()).as_deref() == oracle["version_string"].as_str(), "version_string");
            expect(info.session_timeout() == oracle["session-timeout"].as_u64(), "session-timeout");
            let plugins = oracle["plugins"].as_object().map(|m| m.len()).unwrap_or(0);
            expect(info.plugins().count() == plugins, "plugins");
        }
        _ => {}
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{label}: {kind}: mismatched {problems:?}")) }
}

#[test]
fn every_captured_message_decodes_with_the_right_fields() {
    let bodies = common::captures::all_janus_bodies();
    let mut counts = BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for (label, body) in &bodies {
        let oracle: Value =
            serde_json::from_slice(body).unwrap_or_else(|e| panic!("{label}: the oracle cannot parse it: {e}"));
        let oracles: Vec<&Value> = match &oracle {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let batch = match Batch::decode(body) {
            Ok(batch) => batch,
            Err(e) => {
                failures.push(format!("{label}: {e}"));
                continue;
            }
        };
        let decoded: Vec<_> = batch.collect();
        assert_eq!(decoded.len(), oracles.len(), "{label}: number of messages");
        for (message, oracle) in decoded.iter().zip(oracles) {
            total += 1;
            match message {
                Ok(m) => {
                    *counts.entry(m.kind().to_owned()).or_default() += 1;
                    if let Err(problem) = check(label, m, oracle) {
                        failures.push(problem);
                    }
                }
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
    }
    eprintln!("{total} messages in {} bodies: {counts:?}", bodies.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    // SUMMARY.txt counts 244 messages, but over a larger set than was shipped (it names
    // 138-videoroom-event-after-second-join.http, which is not among the files); the shipped
    // files hold 203.
    assert!(total >= 200, "found only {total} messages");
    // Every kind SUMMARY.txt lists was seen.
    for kind in
        ["ack", "detached", "error", "event", "hangup", "keepalive", "pong", "server_info", "success", "timeout"]
    {
        assert!(counts.contains_key(kind), "no {kind} decoded");
    }
}

/// Reads the first Janus body of one capture.
fn first_body(kind: &str, name: &str) -> Vec<u8> {
    let files = common::captures::capture_files(kind);
    let path = files.get(name).unwrap_or_else(|| panic!("capture {kind}/{name} missing"));
    let text = std::fs::read(path).expect("readable");
    let mut bodies =
        if kind == "ws" { common::captures::ws_received(&text) } else { common::captures::http_bodies(&text) };
    bodies.retain(|b| !b.is_empty());
    bodies.into_iter().next().unwrap_or_else(|| panic!("{name}: no body"))
}

#[test]
fn hand_checked_captures() {
    let body = first_body("http", "03-create.http");
    let Ok(Message::Success(created)) = Message::decode(&body) else { panic!("03") };
    assert_eq!(created.id(), Some(341_572_047_273_531));
    assert_eq!(created.session_id, None);

    let body = first_body("http", "05-message-echotest-audio-video-ack.http");
    let Ok(Message::Ack(ack)) = Message::decode(&body) else { panic!("05") };
    assert!(ack.hint.is_some_and(|h| h == "I'm taking my time!"));
    assert!(ack.transaction.is_some_and(|t| t == "tx-0004"));

    let body = first_body("http", "16-longpoll-maxev5-array.http");
    let events: Vec<_> = Batch::decode(&body).expect("array").map(|m| m.expect("decodes")).collect();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|m| matches!(m, Message::Event(e) if e.sender.0 == 7_603_604_986_915_578)));

    let body = first_body("http", "50-err-458-unknown-session.http");
    let Ok(Message::Error(e)) = Message::decode(&body) else { panic!("50") };
    assert_eq!(e.code, ErrorCode::SessionNotFound);
    assert!(e.reason.is_some_and(|r| r.to_string().starts_with("No such session ")));

    let body = first_body("ws", "43-err-457-unknown-request-root.txt");
    let Ok(Message::Error(e)) = Message::decode(&body) else { panic!("43") };
    assert_eq!(e.code, ErrorCode::InvalidRequestPath);

    let body = first_body("http", "190-timeout-longpoll-receives-timeout-event.http");
    let timeout = Batch::decode(&body).expect("batch").find_map(|m| match m {
        Ok(Message::Timeout(t)) => Some(t.session_id),
        _ => None,
    });
    assert!(timeout.is_some());

    let body = first_body("ws", "15-message-jsep-offer-ack-and-event-with-answer.txt");
    let Ok(Message::Event(event)) = Message::decode(&body) else { panic!("15") };
    let jsep = event.jsep.expect("answer");
    assert_eq!(jsep.kind, JsepType::Answer);
    let sdp = jsep.sdp.to_string();
    assert!(sdp.starts_with("v=0\r\no=- ") && sdp.contains("\r\na=setup:active\r\n") && sdp.ends_with("\r\n"));

    let body = first_body("ws", "02-handshake-ok-then-info-fragmented.txt");
    let Ok(Message::ServerInfo(info)) = Message::decode(&body) else { panic!("02") };
    assert_eq!(body.len(), 2800 + 361, "two frames reassembled");
    assert!(info.version_string().is_some_and(|v| v == "1.1.2"));
    assert_eq!(info.version(), Some(1102));
    assert_eq!(info.session_timeout(), Some(60));
    assert!(info.has_plugin("janus.plugin.echotest") && info.has_plugin("janus.plugin.videoroom"));

    for (name, id) in [
        ("30-create-with-client-id-above-2^53.http", 9_007_199_254_753_337u64),
        ("33-create-with-client-id-i64max.http", 9_223_372_036_854_775_807),
    ] {
        let body = first_body("http", name);
        let Ok(Message::Success(created)) = Message::decode(&body) else { panic!("{name}") };
        assert_eq!(created.id(), Some(id), "{name}");
    }
}
