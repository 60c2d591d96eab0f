//! Every Janus message of every real capture, decoded.
//!
//! The captures (`tests/fixtures/captures/`, a byte-for-byte copy of the project's
//! `shared/janus/captures/`, plus that shared folder itself when it exists beside the
//! repository, so that captures added there later are covered) hold raw HTTP responses with
//! their framing and raw WebSocket transcripts. `support/capture_files.rs` takes the Janus JSON
//! out of them without the crate under test (`httparse` for heads, framing by hand, frame byte
//! counts), and cross-checks that against the recorder's own summary of each HTTP response.
//!
//! Each JSON text is then decoded with [`Batch::decode`] (one object, or a long-poll array) and
//! read by `serde_json` as an independent oracle: every message must decode, to the variant its
//! `janus` kind names, with the same transaction, session, sender, ids, plugin data, error code
//! and reason, JSEP type and SDP (unescaped byte for byte), hangup reason and `server_info`
//! members as the oracle reads. Mismatches are collected, so one run lists all of them.
//!
//! A second test checks a hand-made table of specific captures against values read off the
//! files by eye.

#[path = "support/capture_files.rs"]
mod capture_files;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use capture_files::{CaptureFile, Extracted, capture_files, extract, recorder_summary, roots};
use janus_signal::EncodeError;
use janus_signal::json::{JsonStr, RawJson};
use janus_signal::message::{Batch, ErrorCode, Jsep, JsepType, Message, PluginData, ServerInfo, TrickleCandidate};
use serde_json::Value;

/// The Janus messages in the shipped captures: 120 in `http/` (118 JSON bodies; 10 are
/// long-poll arrays, and `16-longpoll-maxev5-array` holds 3 messages) and 79 in `ws/` (73
/// received text frames, 3 messages from raw server frames, 3 HTTP bodies in `ws/71`).
/// `SUMMARY.txt` says 244 (152 http, 92 ws): it was made from more captures than were shipped.
/// It cites `138-videoroom-event-after-second-join.http`, and lists videoroom, streaming and
/// textroom data shapes, `success` replies with `plugindata`, and plugin error codes (videoroom
/// 423/425/427/428, streaming 455) that no shipped file contains. Captures added to the shared
/// folder later only raise the count.
const MIN_MESSAGES: usize = 199;

/// Collects what does not match for one message, instead of stopping at the first.
struct Check<'f> {
    label: String,
    failures: &'f mut Vec<String>,
}

impl Check<'_> {
    fn fail(&mut self, what: impl AsRef<str>) {
        self.failures.push(format!("{}: {}", self.label, what.as_ref()));
    }

    fn that(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.fail(what());
        }
    }

    fn eq<T: PartialEq + Debug>(&mut self, what: &str, decoder: T, oracle: T) {
        if decoder != oracle {
            self.fail(format!("{what}: decoder {decoder:?}, serde_json {oracle:?}"));
        }
    }

    /// The unescaped text, through `unescape_into` with an exactly sized buffer; `Display`,
    /// `eq_str` and the too-small error must agree with it.
    fn text(&mut self, what: &str, text: JsonStr<'_>) -> String {
        let len = text.unescaped_len();
        let mut buf = vec![0u8; len];
        let unescaped = match text.unescape_into(&mut buf) {
            Ok(s) => s.to_owned(),
            Err(e) => {
                self.fail(format!("{what}: unescape_into a buffer of unescaped_len() = {len} bytes: {e:?}"));
                return text.to_string();
            }
        };
        let displayed = text.to_string();
        self.that(displayed == unescaped, || {
            format!("{what}: Display gives {displayed:?}, unescape_into {unescaped:?}")
        });
        self.that(text.eq_str(&unescaped), || format!("{what}: eq_str of its own unescaped text is false"));
        if let Some(short) = len.checked_sub(1) {
            let result = text.unescape_into(&mut buf[..short]);
            let expected = Err(EncodeError::BufferTooSmall { needed: len, available: short });
            self.that(result.map(str::len) == expected, || {
                format!("{what}: a buffer one byte short does not report needed = {len}")
            });
        }
        unescaped
    }

    fn opt_text(&mut self, what: &str, text: Option<JsonStr<'_>>) -> Option<String> {
        text.map(|t| self.text(what, t))
    }

    /// A span of the decoder's, read by the oracle.
    fn value(&mut self, what: &str, raw: RawJson<'_>) -> Value {
        serde_json::from_slice(raw.as_bytes()).unwrap_or_else(|e| {
            self.fail(format!("{what}: the span {:?} is not JSON to serde_json: {e}", raw.as_text()));
            Value::Null
        })
    }
}

fn o_str(oracle: &Value, key: &str) -> Option<String> {
    oracle.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn o_u64(oracle: &Value, key: &str) -> Option<u64> {
    oracle.get(key).and_then(Value::as_u64)
}

fn o_bool(oracle: &Value, key: &str) -> Option<bool> {
    oracle.get(key).and_then(Value::as_bool)
}

/// A member that is present and not `null` (the decoder treats `null` as absent).
fn o_present<'v>(oracle: &'v Value, key: &str) -> Option<&'v Value> {
    oracle.get(key).filter(|v| !v.is_null())
}

/// Checks one decoded message against the oracle's reading of the same JSON.
fn check_message(c: &mut Check<'_>, message: &Message<'_>, oracle: &Value) {
    let Some(kind) = oracle.get("janus").and_then(Value::as_str) else {
        c.fail("the oracle finds no `janus` string, yet the decoder accepted the message");
        return;
    };
    // Every kind in the decoder's own list decodes to its variant (`kind()` comes from the
    // same declaration), any other to `Unknown`.
    c.eq("known kind", !matches!(message, Message::Unknown(_)), Message::KINDS.contains(&kind));
    c.eq("kind()", message.kind(), kind);
    let transaction = c.opt_text("transaction", message.transaction());
    c.eq("transaction()", transaction, o_str(oracle, "transaction"));
    c.eq("session_id()", message.session_id().map(|s| s.0), o_u64(oracle, "session_id"));
    c.eq("sender()", message.sender().map(|h| h.0), o_u64(oracle, "sender"));
    let raw = c.value("raw()", message.raw());
    c.that(raw == *oracle, || "raw() is not the whole message".to_owned());
    c.eq("Message::decode(raw())", Message::decode(message.raw().as_bytes()).ok(), Some(*message));

    match message {
        Message::Success(s) => {
            let data = o_present(oracle, "data");
            c.eq("success id", s.id(), data.and_then(|d| o_u64(d, "id")));
            c.eq("success id field", s.id, s.id());
            let decoded_data = s.data.map(|d| c.value("success data", d));
            c.eq("success data", decoded_data.as_ref(), data);
            check_plugin_data(c, s.plugin_data, o_present(oracle, "plugindata"));
        }
        Message::Ack(a) => {
            let hint = c.opt_text("ack hint", a.hint);
            c.eq("ack hint", hint, o_str(oracle, "hint"));
        }
        Message::Error(e) => {
            let error = oracle.get("error").unwrap_or(&Value::Null);
            let code = o_u64(error, "code");
            c.eq("error code", Some(e.code.code()), code);
            c.eq("ErrorCode::from_code", Some(e.code), code.map(ErrorCode::from_code));
            c.eq("error code Display", e.code.to_string(), code.map(|n| n.to_string()).unwrap_or_default());
            let reason = c.opt_text("error reason", e.reason);
            c.eq("error reason", reason, o_str(error, "reason"));
        }
        Message::Event(e) => {
            check_plugin_data(c, e.plugin_data, o_present(oracle, "plugindata"));
            check_jsep(c, e.jsep, o_present(oracle, "jsep"));
        }
        Message::Media(m) => {
            let media_type = c.opt_text("media type", m.media_type);
            c.eq("media type", media_type, o_str(oracle, "type"));
            let mid = c.opt_text("media mid", m.mid);
            c.eq("media mid", mid, o_str(oracle, "mid"));
            c.eq("media receiving", m.receiving, o_bool(oracle, "receiving"));
            c.eq("media seconds", m.seconds, o_u64(oracle, "seconds"));
            c.eq("media substream", m.substream, o_u64(oracle, "substream"));
        }
        Message::SlowLink(s) => {
            let mid = c.opt_text("slowlink mid", s.mid);
            c.eq("slowlink mid", mid, o_str(oracle, "mid"));
            let media = c.opt_text("slowlink media", s.media);
            c.eq("slowlink media", media, o_str(oracle, "media"));
            c.eq("slowlink uplink", s.uplink, o_bool(oracle, "uplink"));
            c.eq("slowlink lost", s.lost, o_u64(oracle, "lost"));
            c.eq("slowlink nacks", s.nacks, o_u64(oracle, "nacks"));
            c.eq("slowlink lost_packets()", s.lost_packets(), o_u64(oracle, "lost").or(o_u64(oracle, "nacks")));
        }
        Message::Hangup(h) => {
            let reason = c.opt_text("hangup reason", h.reason);
            c.eq("hangup reason", reason, o_str(oracle, "reason"));
        }
        Message::Trickle(t) => check_trickle(c, t.candidate, oracle.get("candidate")),
        Message::ServerInfo(info) => check_server_info(c, info, oracle),
        Message::Unknown(u) => {
            let unknown_kind = c.text("unknown kind", u.kind);
            c.eq("unknown kind", unknown_kind.as_str(), kind);
        }
        // Nothing beyond transaction, session and sender, checked above.
        _ => {}
    }
}

fn check_plugin_data(c: &mut Check<'_>, decoded: Option<PluginData<'_>>, oracle: Option<&Value>) {
    let (pd, oracle) = match (decoded, oracle) {
        (None, None) => return,
        (Some(pd), Some(oracle)) => (pd, oracle),
        (decoded, oracle) => {
            c.fail(format!("plugindata: decoder {decoded:?}, serde_json {oracle:?}"));
            return;
        }
    };
    let plugin = c.text("plugindata.plugin", pd.plugin);
    c.eq("plugindata.plugin", Some(plugin), o_str(oracle, "plugin"));
    let data = c.value("plugindata.data", pd.data);
    let o_data = oracle.get("data").unwrap_or(&Value::Null);
    c.that(data == *o_data, || format!("plugindata.data: decoder {data}, serde_json {o_data}"));
    let has_error = o_data.get("error_code").is_some() || o_data.get("error").is_some();
    c.eq("PluginData::error() is Some", pd.error().is_some(), has_error);
    if let Some(error) = pd.error() {
        c.eq("plugin error_code", error.code, o_u64(o_data, "error_code"));
        let reason = c.opt_text("plugin error", error.reason);
        c.eq("plugin error", reason, o_str(o_data, "error"));
    }
}

fn check_jsep(c: &mut Check<'_>, decoded: Option<Jsep<'_>>, oracle: Option<&Value>) {
    let (jsep, oracle) = match (decoded, oracle) {
        (None, None) => return,
        (Some(jsep), Some(oracle)) => (jsep, oracle),
        (decoded, oracle) => {
            c.fail(format!("jsep: decoder {decoded:?}, serde_json {oracle:?}"));
            return;
        }
    };
    let o_type = o_str(oracle, "type");
    let named = matches!(o_type.as_deref(), Some("offer" | "answer"));
    let kind = match jsep.kind {
        JsepType::Offer => "offer".to_owned(),
        JsepType::Answer => "answer".to_owned(),
        JsepType::Other(other) => c.text("jsep.type", other),
    };
    c.eq("jsep.type", Some(kind), o_type);
    c.eq("jsep.type is Other", matches!(jsep.kind, JsepType::Other(_)), !named);
    // The SDP unescaping check: byte for byte what serde_json unescapes.
    let sdp = c.text("jsep.sdp", jsep.sdp);
    let o_sdp = o_str(oracle, "sdp").unwrap_or_default();
    c.that(sdp == o_sdp, || {
        format!("jsep.sdp: unescaped {} bytes differ from serde_json's {}", sdp.len(), o_sdp.len())
    });
    c.eq("jsep.sdp unescaped_len()", jsep.sdp.unescaped_len(), o_sdp.len());
    c.eq("jsep.trickle", jsep.trickle, o_bool(oracle, "trickle"));
    c.eq("jsep.e2ee", jsep.e2ee, o_bool(oracle, "e2ee"));
    let raw = c.value("jsep raw", jsep.raw);
    c.that(raw == *oracle, || "jsep.raw is not the jsep object".to_owned());
}

fn check_trickle(c: &mut Check<'_>, decoded: TrickleCandidate<'_>, oracle: Option<&Value>) {
    let completed = oracle.is_none_or(|o| o.is_null() || o_bool(o, "completed") == Some(true));
    match (decoded, oracle) {
        (TrickleCandidate::Completed, _) => c.that(completed, || format!("trickle: Completed for {oracle:?}")),
        (TrickleCandidate::Candidate { candidate, sdp_mid, sdp_mline_index, raw }, Some(o)) if !completed => {
            let candidate = c.text("trickle candidate", candidate);
            c.eq("trickle candidate", Some(candidate), o_str(o, "candidate"));
            let sdp_mid = c.opt_text("trickle sdpMid", sdp_mid);
            c.eq("trickle sdpMid", sdp_mid, o_str(o, "sdpMid"));
            c.eq("trickle sdpMLineIndex", sdp_mline_index, o_u64(o, "sdpMLineIndex"));
            let raw = c.value("trickle raw", raw);
            c.that(raw == *o, || "trickle candidate raw is not the candidate object".to_owned());
        }
        (decoded, oracle) => c.fail(format!("trickle candidate: decoder {decoded:?}, serde_json {oracle:?}")),
    }
}

fn check_server_info(c: &mut Check<'_>, info: &ServerInfo<'_>, oracle: &Value) {
    let texts = [("name", info.name()), ("version_string", info.version_string()), ("server-name", info.server_name())];
    for (key, decoded) in texts {
        let decoded = c.opt_text(key, decoded);
        c.eq(key, decoded, o_str(oracle, key));
    }
    let numbers = [
        ("version", info.version()),
        ("session-timeout", info.session_timeout()),
        ("reclaim-session-timeout", info.reclaim_session_timeout()),
        ("candidates-timeout", info.candidates_timeout()),
    ];
    for (key, decoded) in numbers {
        c.eq(key, decoded, o_u64(oracle, key));
    }
    let flags = [
        ("api_secret", info.api_secret_required()),
        ("auth_token", info.auth_token_required()),
        ("accepting-new-sessions", info.accepting_new_sessions()),
        ("data_channels", info.data_channels()),
        ("full-trickle", info.full_trickle()),
    ];
    for (key, decoded) in flags {
        c.eq(key, decoded, o_bool(oracle, key));
    }
    for (key, members) in [("plugins", info.plugins()), ("transports", info.transports())] {
        let mut decoded = BTreeMap::new();
        for (name, value) in members {
            let name = c.text(key, name);
            let value = c.value(key, value);
            decoded.insert(name, value);
        }
        let o_map: BTreeMap<String, Value> = oracle
            .get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        c.that(decoded == o_map, || format!("{key}: decoder {:?}, serde_json {:?}", decoded.keys(), o_map.keys()));
    }
    if let Some(plugins) = oracle.get("plugins").and_then(Value::as_object) {
        for name in plugins.keys() {
            c.that(info.has_plugin(name), || format!("has_plugin({name:?}) is false"));
        }
    }
    c.that(!info.has_plugin("janus.plugin.nope"), || "has_plugin(\"janus.plugin.nope\") is true".to_owned());
}

/// What the decode walk saw.
#[derive(Default)]
struct Tally {
    /// Messages per `janus` kind (as the oracle reads it), per capture folder.
    kinds: BTreeMap<String, BTreeMap<&'static str, usize>>,
    /// Messages per capture folder.
    per_dir: BTreeMap<&'static str, usize>,
    /// JSON texts per capture folder, and how many of them were arrays.
    bodies: BTreeMap<&'static str, (usize, usize)>,
    /// Top-level members seen per kind.
    fields: BTreeMap<String, BTreeSet<String>>,
    /// Core error codes seen.
    error_codes: BTreeSet<u64>,
    /// Plugin error codes seen, as `plugin code`.
    plugin_errors: BTreeSet<String>,
    /// Every message of every `http/` file, by file name (for the recorder's summary files).
    http_messages: BTreeMap<String, Vec<Value>>,
    /// Non-JSON bodies skipped.
    skipped: Vec<String>,
}

impl Tally {
    fn total(&self) -> usize {
        self.per_dir.values().sum()
    }

    fn record(&mut self, dir: &'static str, oracle: &Value) {
        let kind = oracle.get("janus").and_then(Value::as_str).unwrap_or("<no janus>").to_owned();
        *self.kinds.entry(kind.clone()).or_default().entry(dir).or_default() += 1;
        *self.per_dir.entry(dir).or_default() += 1;
        let fields = self.fields.entry(kind).or_default();
        fields.extend(oracle.as_object().into_iter().flat_map(|o| o.keys().cloned()));
        if let Some(code) = oracle.get("error").and_then(|e| o_u64(e, "code")) {
            self.error_codes.insert(code);
        }
        let plugindata = oracle.get("plugindata");
        if let Some(code) = plugindata.and_then(|p| p.get("data")).and_then(|d| o_u64(d, "error_code")) {
            let plugin = plugindata.and_then(|p| o_str(p, "plugin")).unwrap_or_default();
            self.plugin_errors.insert(format!("{plugin} {code}"));
        }
    }
}

/// Decodes every message of one JSON text and checks it against the oracle.
fn check_body(label: &str, bytes: &[u8], failures: &mut Vec<String>) -> Vec<Value> {
    let oracle: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            failures.push(format!("{label}: not JSON to serde_json either ({e}): the extraction is wrong"));
            return Vec::new();
        }
    };
    let items: Vec<Value> = match oracle {
        Value::Array(items) => items,
        other => vec![other],
    };
    let batch = match Batch::decode(bytes) {
        Ok(batch) => batch,
        Err(e) => {
            failures.push(format!("{label}: Batch::decode fails: {e:?}"));
            return items;
        }
    };
    let decoded: Vec<_> = batch.collect();
    if decoded.len() != items.len() {
        failures.push(format!("{label}: Batch yields {} messages, serde_json reads {}", decoded.len(), items.len()));
    }
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    if !is_array {
        let single = Message::decode(bytes);
        if decoded.first() != Some(&single) {
            failures.push(format!("{label}: Message::decode and Batch::decode disagree"));
        }
    }
    for (i, (result, oracle)) in decoded.iter().zip(&items).enumerate() {
        let label = if is_array { format!("{label} [{i}]") } else { label.to_owned() };
        let mut c = Check { label, failures: &mut *failures };
        match result {
            Ok(message) => check_message(&mut c, message, oracle),
            Err(e) => c.fail(format!("does not decode: {e:?} (janus {})", oracle.get("janus").unwrap_or(&Value::Null))),
        }
    }
    items
}

/// The recorder's `=== SUMMARY ===` of an `.http` file must describe the first response found:
/// status, framing (with every chunk size), and the decoded body.
fn check_recorder_summary(file: &CaptureFile, extracted: &Extracted, failures: &mut Vec<String>) {
    let summary = match recorder_summary(&file.bytes) {
        Ok(Some(summary)) => summary,
        Ok(None) => {
            if !extracted.responses.is_empty() {
                failures.push(format!("{}: responses but no recorder summary", file.label));
            }
            return;
        }
        Err(e) => {
            failures.push(format!("{}: recorder summary: {e}", file.label));
            return;
        }
    };
    let Some(first) = extracted.responses.first() else {
        failures.push(format!("{}: a recorder summary but no response found", file.label));
        return;
    };
    let mut c = Check { label: format!("{} (vs the recorder's summary)", file.label), failures };
    c.eq("status", Some(first.status), summary.status);
    c.eq("framing", Some(&first.framing), summary.framing.as_ref());
    let body: Option<Value> = serde_json::from_slice(&first.body).ok();
    c.eq("decoded body", body.as_ref(), summary.decoded.as_ref());
}

/// The recorder's `*-summary.json` files list events of the `*-pollNN.http` files beside them,
/// re-serialised: they must be exactly those messages, in order, and decode like them. They
/// are not counted as messages of their own.
fn check_summary_json(file: &CaptureFile, tally: &Tally, failures: &mut Vec<String>) -> usize {
    let entries: Vec<Value> = match serde_json::from_slice(&file.bytes) {
        Ok(Value::Array(entries)) => entries,
        other => {
            failures.push(format!("{}: not a JSON array: {other:?}", file.label));
            return 0;
        }
    };
    let events: Vec<&Value> = entries.iter().filter_map(|e| e.get("event")).collect();
    if events.len() != entries.len() {
        failures.push(format!("{}: entries without an `event`", file.label));
    }
    let prefix = file.name.trim_end_matches("summary.json");
    let polls: Vec<&Value> = tally
        .http_messages
        .iter()
        .filter(|(name, _)| name.starts_with(prefix) && name.ends_with(".http"))
        .flat_map(|(_, messages)| messages)
        .collect();
    if events != polls {
        failures.push(format!("{}: events differ from the messages of {prefix}*.http", file.label));
    }
    for (i, event) in events.iter().enumerate() {
        let bytes = serde_json::to_vec_pretty(event).unwrap_or_default();
        check_body(&format!("{} event {i}", file.label), &bytes, failures);
    }
    events.len()
}

/// What `SUMMARY.txt` lists: message kinds with their members, core error codes, plugin errors.
struct SummaryTxt {
    headline: String,
    kinds: BTreeMap<String, (BTreeSet<String>, String)>,
    core_codes: BTreeSet<u64>,
    plugin_errors: BTreeSet<String>,
}

fn read_summary_txt(text: &str) -> SummaryTxt {
    let mut summary = SummaryTxt {
        headline: text.lines().next().unwrap_or_default().to_owned(),
        kinds: BTreeMap::new(),
        core_codes: BTreeSet::new(),
        plugin_errors: BTreeSet::new(),
    };
    let mut section = "";
    for line in text.lines() {
        if line.starts_with("== ") {
            section = line;
            continue;
        }
        let Some(item) = line.strip_prefix("- ") else { continue };
        if section.starts_with("== Janus API message kinds") {
            let (kind, rest) = item.split_once(": ").unwrap_or((item, ""));
            let (fields, example) = rest.split_once("   (e.g. ").unwrap_or((rest, ""));
            let fields = fields.split(", ").filter_map(|f| f.split(':').next()).map(str::to_owned).collect();
            summary.kinds.insert(kind.to_owned(), (fields, example.trim_end_matches(')').to_owned()));
        } else if section.starts_with("== error codes seen") {
            let (code, _) = item.split_once(": ").unwrap_or((item, ""));
            match code.strip_prefix("plugin ") {
                Some(plugin_code) => summary.plugin_errors.insert(plugin_code.to_owned()),
                None => summary.core_codes.insert(code.parse().unwrap_or_else(|_| panic!("SUMMARY.txt code {code:?}"))),
            };
        }
    }
    summary
}

#[test]
fn every_captured_janus_message_decodes_like_serde_json_reads_it() {
    let files = capture_files();
    let shipped = files.iter().filter(|f| f.root == "fixtures").count();
    assert!(shipped >= 190, "tests/fixtures/captures/ holds {shipped} files: the copy of the captures is missing");

    let mut failures = Vec::new();
    let mut tally = Tally::default();
    let mut summary_files = Vec::new();
    for file in &files {
        if file.name.ends_with(".json") {
            summary_files.push(file);
            continue;
        }
        let extracted = match extract(&file.bytes) {
            Ok(extracted) => extracted,
            Err(e) => {
                failures.push(format!("{}: {e}", file.label));
                continue;
            }
        };
        if file.name.ends_with(".http") {
            check_recorder_summary(file, &extracted, &mut failures);
        }
        tally.skipped.extend(extracted.skipped.iter().map(|s| format!("{}: {s}", file.label)));
        for body in &extracted.bodies {
            let label = format!("{} ({})", file.label, body.origin);
            let messages = check_body(&label, &body.bytes, &mut failures);
            let bodies = tally.bodies.entry(file.dir).or_default();
            bodies.0 += 1;
            bodies.1 += usize::from(body.bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['));
            for message in &messages {
                tally.record(file.dir, message);
            }
            if file.dir == "http" {
                tally.http_messages.entry(file.name.clone()).or_default().extend(messages);
            }
        }
    }
    let copies: usize = summary_files.iter().map(|f| check_summary_json(f, &tally, &mut failures)).sum();

    let summary_path = roots()[0].1.join("SUMMARY.txt");
    let summary_text = std::fs::read_to_string(&summary_path).expect("tests/fixtures/captures/SUMMARY.txt");
    let summary = read_summary_txt(&summary_text);

    println!("Janus messages in the captures, by `janus` kind:");
    println!("  {:<12} {:>5} {:>5} {:>6}", "kind", "http", "ws", "total");
    for (kind, dirs) in &tally.kinds {
        let (http, ws) = (dirs.get("http").copied().unwrap_or(0), dirs.get("ws").copied().unwrap_or(0));
        println!("  {kind:<12} {http:>5} {ws:>5} {:>6}", http + ws);
    }
    let (http, ws) = (tally.per_dir.get("http").copied().unwrap_or(0), tally.per_dir.get("ws").copied().unwrap_or(0));
    println!("  {:<12} {http:>5} {ws:>5} {:>6}", "all", tally.total());
    for (dir, (bodies, arrays)) in &tally.bodies {
        println!("{dir}: {bodies} JSON texts ({arrays} of them long-poll arrays)");
    }
    println!("{} files read ({shipped} shipped in tests/fixtures)", files.len());
    println!("{copies} events of *-summary.json files checked as copies of poll messages (not counted)");
    println!("{} non-JSON response bodies skipped:", tally.skipped.len());
    for skipped in &tally.skipped {
        println!("  {skipped}");
    }
    println!("SUMMARY.txt says: {}", summary.headline);
    for (kind, (fields, example)) in &summary.kinds {
        let seen = tally.fields.get(kind).cloned().unwrap_or_default();
        let unseen: Vec<_> = fields.difference(&seen).collect();
        if !unseen.is_empty() {
            println!("  SUMMARY.txt lists `{kind}` members no shipped capture has: {unseen:?}");
        }
        if !files.iter().any(|f| f.name == *example) {
            println!("  SUMMARY.txt cites {example} for `{kind}`: no such capture");
        }
    }
    let unseen_plugin_errors: Vec<_> = summary.plugin_errors.difference(&tally.plugin_errors).collect();
    println!("  plugin errors listed in SUMMARY.txt but in no capture: {unseen_plugin_errors:?}");

    for kind in summary.kinds.keys() {
        if !tally.kinds.contains_key(kind) {
            failures.push(format!("SUMMARY.txt lists `{kind}` messages; no capture has one"));
        }
    }
    for code in summary.core_codes.difference(&tally.error_codes) {
        failures.push(format!("SUMMARY.txt lists core error {code}; no capture has it"));
    }
    if tally.total() < MIN_MESSAGES {
        failures.push(format!("only {} Janus messages found, at least {MIN_MESSAGES} expected", tally.total()));
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

/// The SDP of Janus's answers in the captures, checked by hand.
#[derive(Debug)]
struct Sdp {
    kind: JsepType<'static>,
    bytes: usize,
    lines: usize,
    second_line: &'static str,
    ufrag: &'static str,
    last_line: &'static str,
}

/// One message of a capture, with the values read off the file by hand.
#[derive(Debug)]
enum Expect {
    Success {
        tx: Option<&'static str>,
        session: Option<u64>,
        id: Option<u64>,
    },
    Ack {
        tx: &'static str,
        session: u64,
        hint: Option<&'static str>,
    },
    Error {
        tx: Option<&'static str>,
        session: Option<u64>,
        code: ErrorCode,
        reason: &'static str,
    },
    Event {
        tx: Option<&'static str>,
        session: u64,
        sender: u64,
        plugin: &'static str,
        data: &'static str,
        sdp: Option<Sdp>,
    },
    Hangup {
        session: u64,
        sender: u64,
        reason: &'static str,
    },
    Detached {
        session: u64,
        sender: u64,
    },
    Timeout {
        session: u64,
    },
    Keepalive,
    Pong {
        tx: &'static str,
    },
    ServerInfo {
        tx: &'static str,
        version: &'static str,
        session_timeout: u64,
        api_secret: bool,
    },
}

const ECHO_OK: &str = r#"{"echotest":"event","result":"ok"}"#;
const ECHO_DONE: &str = r#"{"echotest":"event","result":"done"}"#;
const ECHOTEST: &str = "janus.plugin.echotest";
const HTTP_SESSION: u64 = 341_572_047_273_531;
const HTTP_HANDLE: u64 = 7_603_604_986_915_578;

/// Every message of each capture, in file order.
const TABLE: &[(&str, &[Expect])] = &[
    ("http/03-create.http", &[Expect::Success { tx: Some("tx-0002"), session: None, id: Some(HTTP_SESSION) }]),
    (
        "http/04-attach-echotest-opaque-id.http",
        &[Expect::Success { tx: Some("tx-0003"), session: Some(HTTP_SESSION), id: Some(HTTP_HANDLE) }],
    ),
    (
        "http/05-message-echotest-audio-video-ack.http",
        &[Expect::Ack { tx: "tx-0004", session: HTTP_SESSION, hint: Some("I'm taking my time!") }],
    ),
    (
        "http/10-longpoll-event-with-jsep-answer.http",
        &[Expect::Event {
            tx: Some("tx-0006"),
            session: HTTP_SESSION,
            sender: HTTP_HANDLE,
            plugin: ECHOTEST,
            data: ECHO_OK,
            sdp: Some(Sdp {
                kind: JsepType::Answer,
                bytes: 1680,
                lines: 55,
                second_line: "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
                ufrag: "a=ice-ufrag:fjQj",
                last_line: "a=end-of-candidates",
            }),
        }],
    ),
    // A long poll with maxev=5 that found three events queued: one array, three messages.
    (
        "http/16-longpoll-maxev5-array.http",
        &[
            Expect::Event {
                tx: Some("tx-0012"),
                session: HTTP_SESSION,
                sender: HTTP_HANDLE,
                plugin: ECHOTEST,
                data: ECHO_OK,
                sdp: None,
            },
            Expect::Event {
                tx: Some("tx-0013"),
                session: HTTP_SESSION,
                sender: HTTP_HANDLE,
                plugin: ECHOTEST,
                data: ECHO_OK,
                sdp: None,
            },
            Expect::Event {
                tx: Some("tx-0014"),
                session: HTTP_SESSION,
                sender: HTTP_HANDLE,
                plugin: ECHOTEST,
                data: ECHO_OK,
                sdp: None,
            },
        ],
    ),
    (
        "http/15-events-after-offer-poll01.http",
        &[Expect::Event {
            tx: None,
            session: HTTP_SESSION,
            sender: HTTP_HANDLE,
            plugin: ECHOTEST,
            data: ECHO_DONE,
            sdp: None,
        }],
    ),
    (
        "http/15-events-after-offer-poll02.http",
        &[Expect::Hangup { session: HTTP_SESSION, sender: HTTP_HANDLE, reason: "ICE failed" }],
    ),
    ("http/20-longpoll-after-detach.http", &[Expect::Detached { session: HTTP_SESSION, sender: HTTP_HANDLE }]),
    ("http/40-longpoll-timeout-maxev1-keepalive.http", &[Expect::Keepalive]),
    ("http/190-timeout-longpoll-receives-timeout-event.http", &[Expect::Timeout { session: 668_784_472_404_118 }]),
    (
        "http/50-err-458-unknown-session.http",
        &[Expect::Error {
            tx: Some("tx-0003"),
            session: Some(1_234_567_890),
            code: ErrorCode::SessionNotFound,
            reason: "No such session 1234567890",
        }],
    ),
    (
        "http/63-err-457-conflicting-session-path.http",
        &[Expect::Error {
            tx: None,
            session: None,
            code: ErrorCode::InvalidRequestPath,
            reason: "Conflicting session ID (payload and path)",
        }],
    ),
    (
        "http/185-token-attach-unauthorized-plugin-405.http",
        &[Expect::Error {
            tx: Some("tx-0006"),
            session: Some(6_925_738_478_067_770),
            code: ErrorCode::UnauthorizedPlugin,
            reason: "Provided token can't access plugin 'janus.plugin.videoroom'",
        }],
    ),
    // Client-chosen session ids: above 2^53 (not exact in an f64), i64::MAX, and u64::MAX, which
    // Janus (jansson, signed 64-bit) refuses.
    (
        "http/30-create-with-client-id-above-2^53.http",
        &[Expect::Success { tx: Some("tx-0027"), session: None, id: Some(9_007_199_254_753_337) }],
    ),
    (
        "http/33-create-with-client-id-i64max.http",
        &[Expect::Success { tx: Some("tx-0030"), session: None, id: Some(9_223_372_036_854_775_807) }],
    ),
    (
        "http/32-create-with-client-id-u64max.http",
        &[Expect::Error {
            tx: None,
            session: None,
            code: ErrorCode::InvalidJson,
            reason: "JSON error: on line 1: too big integer near '18446744073709551615'",
        }],
    ),
    // An Admin API answer: `success` without `data`, the plugin's answer under `response`.
    (
        "http/122-admin-message-plugin-videoroom-list.http",
        &[Expect::Success { tx: Some("tx-0097"), session: None, id: None }],
    ),
    ("http/110-admin-ping.http", &[Expect::Pong { tx: "tx-0086" }]),
    (
        "http/01-info-get.http",
        &[Expect::ServerInfo { tx: "fX2cMjKipIq", version: "1.1.2", session_timeout: 60, api_secret: false }],
    ),
    (
        "http/170-apisecret-info-get.http",
        &[Expect::ServerInfo { tx: "fxDZH8qpxzg", version: "1.1.2", session_timeout: 60, api_secret: true }],
    ),
    // Two pipelined requests: the second response is under "FURTHER BYTES".
    (
        "http/102-pipelined-two-requests.http",
        &[
            Expect::ServerInfo { tx: "cors", version: "1.1.2", session_timeout: 60, api_secret: false },
            Expect::ServerInfo { tx: "cors", version: "1.1.2", session_timeout: 60, api_secret: false },
        ],
    ),
    // HTTP/1.0: no length, no chunks, the body ends at the close.
    (
        "http/87-http10-request.http",
        &[Expect::ServerInfo { tx: "cors", version: "1.1.2", session_timeout: 60, api_secret: false }],
    ),
    // server_info over 2800 bytes: TEXT (2800 bytes, FIN=0) + CONTINUATION (361 bytes).
    (
        "ws/02-handshake-ok-then-info-fragmented.txt",
        &[Expect::ServerInfo { tx: "raw-info", version: "1.1.2", session_timeout: 60, api_secret: false }],
    ),
    // The event with the answer arrives before the ack of the same transaction.
    (
        "ws/15-message-jsep-offer-ack-and-event-with-answer.txt",
        &[
            Expect::Event {
                tx: Some("ws-0006"),
                session: 6_036_143_552_999_677,
                sender: 1_241_231_443_534_215,
                plugin: ECHOTEST,
                data: ECHO_OK,
                sdp: Some(Sdp {
                    kind: JsepType::Answer,
                    bytes: 1680,
                    lines: 55,
                    second_line: "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
                    ufrag: "a=ice-ufrag:bGHg",
                    last_line: "a=end-of-candidates",
                }),
            },
            Expect::Ack { tx: "ws-0006", session: 6_036_143_552_999_677, hint: Some("I'm taking my time!") },
        ],
    ),
    (
        "ws/46-err-454-invalid-json.txt",
        &[Expect::Error {
            tx: None,
            session: None,
            code: ErrorCode::InvalidJson,
            reason: "Invalid Janus API request - <string>(1,35): unexpected token near end of file",
        }],
    ),
    (
        "ws/85-session-timeout-event.txt",
        &[
            Expect::Timeout { session: 8_597_144_826_869_274 },
            Expect::Detached { session: 8_597_144_826_869_274, sender: 7_837_608_593_804_193 },
        ],
    ),
    // A WebSocket session claimed over HTTP: success, ack, then the event in a long-poll array.
    (
        "ws/71-claim-ws-session-over-http.txt",
        &[
            Expect::Success { tx: Some("http-0026"), session: Some(2_698_030_615_714_118), id: None },
            Expect::Ack { tx: "http-0027", session: 2_698_030_615_714_118, hint: Some("I'm taking my time!") },
            Expect::Event {
                tx: Some("http-0027"),
                session: 2_698_030_615_714_118,
                sender: 6_233_767_007_096_949,
                plugin: ECHOTEST,
                data: ECHO_OK,
                sdp: None,
            },
        ],
    ),
];

fn text(t: Option<JsonStr<'_>>) -> Option<String> {
    t.map(|t| t.to_string())
}

/// Compares one decoded message with its hand-written expectation.
fn check_expected(message: &Message<'_>, expect: &Expect) -> Result<(), String> {
    let plain = |v: Option<&str>| v.map(str::to_owned);
    let same = |what: &str, got: String, want: String| {
        if got == want { Ok(()) } else { Err(format!("{what}: decoded {got}, expected {want}")) }
    };
    let ids = |m: &Message<'_>| (text(m.transaction()), m.session_id().map(|s| s.0), m.sender().map(|h| h.0));
    match (expect, message) {
        (Expect::Success { tx, session, id }, Message::Success(s)) => {
            same(
                "tx, session, sender",
                format!("{:?}", ids(message)),
                format!("{:?}", (plain(*tx), *session, None::<u64>)),
            )?;
            same("id", format!("{:?}", s.id()), format!("{id:?}"))?;
            same("plugin data", format!("{:?}", s.plugin_data), "None".to_owned())
        }
        (Expect::Ack { tx, session, hint }, Message::Ack(a)) => {
            same(
                "tx, session",
                format!("{:?}", ids(message)),
                format!("{:?}", (Some(*tx), Some(*session), None::<u64>)),
            )?;
            same("hint", format!("{:?}", text(a.hint)), format!("{:?}", plain(*hint)))
        }
        (Expect::Error { tx, session, code, reason }, Message::Error(e)) => {
            same("tx, session", format!("{:?}", ids(message)), format!("{:?}", (plain(*tx), *session, None::<u64>)))?;
            same("code", format!("{:?} {}", e.code, e.code.code()), format!("{code:?} {}", code.code()))?;
            same("reason", format!("{:?}", text(e.reason)), format!("{:?}", Some(reason)))
        }
        (Expect::Event { tx, session, sender, plugin, data, sdp }, Message::Event(e)) => {
            let want = (plain(*tx), Some(*session), Some(*sender));
            same("tx, session, sender", format!("{:?}", ids(message)), format!("{want:?}"))?;
            let pd = e.plugin_data.ok_or("no plugin data")?;
            same("plugin", pd.plugin.to_string(), (*plugin).to_owned())?;
            let decoded: Value = serde_json::from_slice(pd.data.as_bytes()).map_err(|e| e.to_string())?;
            let expected: Value = serde_json::from_str(data).map_err(|e| e.to_string())?;
            same("plugin data", decoded.to_string(), expected.to_string())?;
            same("plugin error", format!("{:?}", pd.error()), "None".to_owned())?;
            match (sdp, e.jsep) {
                (None, None) => Ok(()),
                (Some(sdp), Some(jsep)) => {
                    same("jsep type", format!("{:?}", jsep.kind), format!("{:?}", sdp.kind))?;
                    let mut buf = vec![0u8; sdp.bytes];
                    let unescaped = jsep.sdp.unescape_into(&mut buf).map_err(|e| format!("{e:?}"))?;
                    same("sdp bytes", unescaped.len().to_string(), sdp.bytes.to_string())?;
                    same("unescaped_len", jsep.sdp.unescaped_len().to_string(), sdp.bytes.to_string())?;
                    let lines: Vec<&str> = unescaped.split_terminator("\r\n").collect();
                    same("sdp lines", lines.len().to_string(), sdp.lines.to_string())?;
                    same("sdp ends with CRLF", unescaped.ends_with("\r\n").to_string(), "true".to_owned())?;
                    same(
                        "sdp has no bare LF",
                        unescaped.replace("\r\n", "").contains('\n').to_string(),
                        false.to_string(),
                    )?;
                    same("line 1", lines[0].to_owned(), "v=0".to_owned())?;
                    same("line 2", lines[1].to_owned(), sdp.second_line.to_owned())?;
                    same("ufrag", lines.contains(&sdp.ufrag).to_string(), true.to_string())?;
                    same("last line", lines[lines.len() - 1].to_owned(), sdp.last_line.to_owned())?;
                    same("setup", lines.contains(&"a=setup:active").to_string(), true.to_string())
                }
                (sdp, jsep) => Err(format!("jsep: decoded {jsep:?}, expected {sdp:?}")),
            }
        }
        (Expect::Hangup { session, sender, reason }, Message::Hangup(h)) => {
            same(
                "tx, session, sender",
                format!("{:?}", ids(message)),
                format!("{:?}", (None::<String>, Some(*session), Some(*sender))),
            )?;
            same("reason", format!("{:?}", text(h.reason)), format!("{:?}", Some(reason)))
        }
        (Expect::Detached { session, sender }, Message::Detached(_)) => same(
            "tx, session, sender",
            format!("{:?}", ids(message)),
            format!("{:?}", (None::<String>, Some(*session), Some(*sender))),
        ),
        (Expect::Timeout { session }, Message::Timeout(t)) => {
            same("session", t.session_id.0.to_string(), session.to_string())?;
            same(
                "tx, session, sender",
                format!("{:?}", ids(message)),
                format!("{:?}", (None::<String>, Some(*session), None::<u64>)),
            )
        }
        (Expect::Keepalive, Message::Keepalive(k)) => {
            same("session", format!("{:?}", k.session_id), "None".to_owned())?;
            same("raw", k.raw.as_text().split_whitespace().collect(), r#"{"janus":"keepalive"}"#.to_owned())
        }
        (Expect::Pong { tx }, Message::Pong(_)) => same(
            "tx, session, sender",
            format!("{:?}", ids(message)),
            format!("{:?}", (Some(*tx), None::<u64>, None::<u64>)),
        ),
        (Expect::ServerInfo { tx, version, session_timeout, api_secret }, Message::ServerInfo(info)) => {
            same("tx", format!("{:?}", text(info.transaction)), format!("{:?}", Some(tx)))?;
            same("version_string", format!("{:?}", text(info.version_string())), format!("{:?}", Some(version)))?;
            same("version", format!("{:?}", info.version()), "Some(1102)".to_owned())?;
            same("name", format!("{:?}", text(info.name())), format!("{:?}", Some("Janus WebRTC Server")))?;
            same("server-name", format!("{:?}", text(info.server_name())), format!("{:?}", Some("janus-test")))?;
            same("session-timeout", format!("{:?}", info.session_timeout()), format!("{:?}", Some(session_timeout)))?;
            same("reclaim-session-timeout", format!("{:?}", info.reclaim_session_timeout()), "Some(0)".to_owned())?;
            same("candidates-timeout", format!("{:?}", info.candidates_timeout()), "Some(45)".to_owned())?;
            same("api_secret", format!("{:?}", info.api_secret_required()), format!("{:?}", Some(api_secret)))?;
            same("auth_token", format!("{:?}", info.auth_token_required()), "Some(false)".to_owned())?;
            same("full-trickle", format!("{:?}", info.full_trickle()), "Some(false)".to_owned())?;
            let plugins: Vec<String> = info.plugins().map(|(name, _)| name.to_string()).collect();
            let expected =
                ["janus.plugin.streaming", "janus.plugin.videoroom", "janus.plugin.echotest", "janus.plugin.textroom"];
            same("plugins", format!("{plugins:?}"), format!("{expected:?}"))?;
            let transports: Vec<String> = info.transports().map(|(name, _)| name.to_string()).collect();
            same(
                "transports",
                format!("{transports:?}"),
                format!("{:?}", ["janus.transport.http", "janus.transport.websockets"]),
            )?;
            same("has_plugin(echotest)", info.has_plugin(ECHOTEST).to_string(), true.to_string())?;
            same("has_plugin(nope)", info.has_plugin("janus.plugin.nope").to_string(), false.to_string())
        }
        (expect, message) => Err(format!("decoded {}, expected {expect:?}", message.kind())),
    }
}

#[test]
fn hand_checked_captures_have_the_values_in_the_files() {
    let root = &roots()[0].1;
    let mut failures = Vec::new();
    for (file, expected) in TABLE {
        let bytes = std::fs::read(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let extracted = extract(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut messages = Vec::new();
        for body in &extracted.bodies {
            for message in Batch::decode(&body.bytes).unwrap_or_else(|e| panic!("{file}: {e:?}")) {
                messages.push(message.unwrap_or_else(|e| panic!("{file}: {e:?}")));
            }
        }
        if messages.len() != expected.len() {
            failures.push(format!("{file}: {} messages, expected {}", messages.len(), expected.len()));
            continue;
        }
        for (i, (message, expect)) in messages.iter().zip(expected.iter()).enumerate() {
            if let Err(e) = check_expected(message, expect) {
                failures.push(format!("{file} message {i}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
