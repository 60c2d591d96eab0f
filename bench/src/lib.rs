//! What the benchmarks share: the real capture corpus, and the serde_json baseline types.

use std::borrow::Cow;

use janus_signal::message::{Batch, Message};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[path = "../../tests/support/captures.rs"]
mod captures;

/// Every Janus message body of the captures in `tests/fixtures/captures`, with its `janus` kind
/// (the kind of the first message for long-poll arrays). As Janus sent them (indented), or with
/// `JANUS_BENCH_COMPACT=1` in the environment written again as compact JSON (what Janus sends
/// with `json = "compact"`; keys in serde_json's order).
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    let compact = std::env::var_os("JANUS_BENCH_COMPACT").is_some_and(|v| v == "1");
    captures::all_janus_bodies()
        .into_iter()
        .map(|(_, body)| {
            if compact {
                let value: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
                serde_json::to_vec(&value).expect("writes")
            } else {
                body
            }
        })
        .map(|body| {
            let kind = janus_signal::message::Batch::decode(&body)
                .ok()
                .and_then(|mut b| b.next())
                .and_then(Result::ok)
                .map_or("?".to_owned(), |m| m.kind().to_owned());
            (kind, body)
        })
        .collect()
}

/// The baseline: the same information read by serde_json into borrowed typed structs, the
/// way a serde_json-based client does (plugin data kept raw, escaped text as `Cow`).
#[derive(Debug, Deserialize)]
pub struct SerdeMessage<'a> {
    /// `janus`.
    #[serde(borrow)]
    pub janus: Cow<'a, str>,
    /// `transaction`.
    #[serde(borrow, default)]
    pub transaction: Option<Cow<'a, str>>,
    /// `session_id`.
    #[serde(default)]
    pub session_id: Option<u64>,
    /// `sender`.
    #[serde(default)]
    pub sender: Option<u64>,
    /// `data`.
    #[serde(borrow, default)]
    pub data: Option<&'a RawValue>,
    /// `plugindata`.
    #[serde(borrow, default)]
    pub plugindata: Option<SerdePluginData<'a>>,
    /// `jsep`.
    #[serde(borrow, default)]
    pub jsep: Option<SerdeJsep<'a>>,
    /// `error`.
    #[serde(borrow, default)]
    pub error: Option<SerdeError<'a>>,
    /// `reason`.
    #[serde(borrow, default)]
    pub reason: Option<Cow<'a, str>>,
}

/// `plugindata`.
#[derive(Debug, Deserialize)]
pub struct SerdePluginData<'a> {
    /// `plugin`.
    #[serde(borrow)]
    pub plugin: Cow<'a, str>,
    /// `data`, raw.
    #[serde(borrow)]
    pub data: &'a RawValue,
}

/// `jsep`.
#[derive(Debug, Deserialize)]
pub struct SerdeJsep<'a> {
    /// `type`.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// `sdp`, unescaped.
    #[serde(borrow)]
    pub sdp: Cow<'a, str>,
}

/// `error`.
#[derive(Debug, Deserialize)]
pub struct SerdeError<'a> {
    /// `code`.
    pub code: u64,
    /// `reason`.
    #[serde(borrow, default)]
    pub reason: Option<Cow<'a, str>>,
}

/// The `message` request the encode benchmarks write, as serde_json writes it.
#[derive(Debug, Serialize)]
pub struct SerdeRequest<'a, B: Serialize> {
    /// `janus`.
    pub janus: &'a str,
    /// `transaction`.
    pub transaction: &'a str,
    /// `session_id`.
    pub session_id: u64,
    /// `handle_id`.
    pub handle_id: u64,
    /// `body`.
    pub body: &'a B,
    /// `jsep`.
    pub jsep: SerdeJsepOut<'a>,
}

/// Outgoing `jsep`.
#[derive(Debug, Serialize)]
pub struct SerdeJsepOut<'a> {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// `sdp`.
    pub sdp: &'a str,
}

/// The echotest body.
#[derive(Debug, Serialize)]
pub struct EchoBody {
    /// `audio`.
    pub audio: bool,
    /// `video`.
    pub video: bool,
}

// What a client reads from one message, with each library: kind, ids, transaction, plugin
// name and data, SDP (unescaped), error code and reason. Shared by the criterion benches, the
// instruction-count helper and the peer comparison.

/// Whether `body` is a long-poll array (what a serde_json client checks first, since
/// untagged enums cannot borrow).
pub fn is_array(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

/// janus-signal: borrowed, validated, text with escapes (the SDP) unescaped into `sdp_buf`,
/// text without borrowed as it is (what serde's `Cow` does). Like [`read_serde`], a
/// long-poll array goes through the array reader ([`Batch`]) and a single message is decoded
/// as one ([`Message::decode`], what a WebSocket client does).
pub fn read_ours(body: &[u8], sdp_buf: &mut [u8]) -> usize {
    if is_array(body) {
        Batch::decode(body).expect("valid").map(|m| read_message(m.expect("valid"), sdp_buf)).sum()
    } else {
        read_message(Message::decode(body).expect("valid"), sdp_buf)
    }
}

fn read_message(message: Message<'_>, sdp_buf: &mut [u8]) -> usize {
    let mut n = message.kind().len() + message.session_id().map_or(0, |s| s.0 as usize & 1);
    n += message.transaction().map_or(0, |t| t.escaped().len());
    match message {
        Message::Event(e) => {
            if let Some(pd) = e.plugin_data {
                n += pd.plugin.escaped().len() + pd.data.as_bytes().len();
            }
            if let Some(jsep) = e.jsep {
                n += jsep.sdp.unescaped(sdp_buf).expect("fits").len();
            }
        }
        Message::Error(e) => n += e.reason.map_or(0, |r| r.unescaped(sdp_buf).expect("fits").len()),
        Message::Success(s) => n += s.data.map_or(0, |d| d.as_bytes().len()),
        _ => {}
    }
    n
}

/// serde_json into this crate's borrowed typed structs ([`SerdeMessage`]).
pub fn read_serde(body: &[u8]) -> usize {
    let messages: Vec<SerdeMessage<'_>> = if is_array(body) {
        serde_json::from_slice(body).expect("valid")
    } else {
        vec![serde_json::from_slice(body).expect("valid")]
    };
    let mut n = 0;
    for m in messages {
        n += m.janus.len() + m.session_id.map_or(0, |s| s as usize & 1);
        n += m.transaction.map_or(0, |t| t.len());
        if let Some(pd) = m.plugindata {
            n += pd.plugin.len() + pd.data.get().len();
        }
        if let Some(jsep) = m.jsep {
            n += jsep.sdp.len();
        }
        if let Some(e) = m.error {
            n += e.reason.map_or(0, |r| r.len());
        }
        n += m.data.map_or(0, |d| d.get().len());
    }
    n
}
