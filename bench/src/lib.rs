//! What the benchmarks share: the real capture corpus, and the serde_json baseline types.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[path = "../../tests/common/captures.rs"]
mod captures;

/// Every Janus message body of the captures in `tests/fixtures/captures`, with its `janus` kind
/// (the kind of the first message for long-poll arrays).
pub fn corpus() -> Vec<(String, Vec<u8>)> {
    captures::all_janus_bodies()
        .into_iter()
        .map(|(_, body)| {
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
