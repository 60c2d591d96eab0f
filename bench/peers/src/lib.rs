//! Peer comparisons for the codec: janus-signal, serde_json into borrowed typed structs (the
//! `janus-signal-bench` baseline) and jarust 1.10's own protocol types, reading the same
//! information from every Janus body of the capture corpus.
//!
//! What a client reads from one message: kind, ids, transaction, plugin name and data, SDP
//! (unescaped), error code and reason. [`read_ours`] and [`read_serde`] come from
//! `janus-signal-bench` (the same readers `bench/benches/codec.rs` uses); [`read_jarust`] is what jarust does on its receive path
//! (`serde_json::from_str::<JaResponse>` in its WebSocket demultiplexer,
//! `response.json::<Vec<JaResponse>>()` for HTTP long polls).

use janus_signal_bench::is_array;
use jarust::interface::handle_msg::HandleMessageWithJsep;
use jarust::interface::japrotocol::{
    GenericEvent, JaHandleEvent, JaResponse, JaSuccessProtocol, PluginData, PluginInnerData, ResponseType,
};
use serde_json::{Value, json};

pub use janus_signal_bench::{corpus, read_ours, read_serde};

/// The 3 KB offer of the encode benchmarks.
pub const OFFER: &str = include_str!("../../../tests/fixtures/sdp/offer-audio-video-loopback.sdp");
/// The transaction of the encode benchmarks.
pub const TRANSACTION: &str = "Xa81bq0PmR2c";
/// The session id of the encode benchmarks.
pub const SESSION_ID: u64 = 8_374_001_098_332_022;
/// The handle id of the encode benchmarks.
pub const HANDLE_ID: u64 = 1_241_231_443_534_215;

fn plugin_data_len(pd: &PluginData) -> usize {
    pd.plugin.len()
        + match &pd.data {
            PluginInnerData::Error { error_code, error } => *error_code as usize + error.len(),
            PluginInnerData::Data(v) => value_len(v),
        }
}

/// A cheap look at a parsed `Value`, so the optimizer keeps it (jarust hands plugin data to
/// the plugin layer as a `Value`).
fn value_len(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        Value::String(s) => s.len(),
        _ => 1,
    }
}

/// jarust 1.10: `JaResponse` (owned `String`s, plugin data as a `serde_json::Value`). Janus
/// messages that jarust's types do not accept give the serde error.
pub fn read_jarust(body: &[u8]) -> Result<usize, serde_json::Error> {
    let messages: Vec<JaResponse> =
        if is_array(body) { serde_json::from_slice(body)? } else { vec![serde_json::from_slice(body)?] };
    let mut n = 0;
    for m in messages {
        n += m.session_id.map_or(0, |s| s as usize & 1) + m.sender.map_or(0, |s| s as usize & 1);
        n += m.transaction.map_or(0, |t| t.len());
        n += match m.janus {
            ResponseType::Error { error } => error.code as usize + error.reason.len(),
            ResponseType::ServerInfo(info) => info.name.len() + info.plugins.len(),
            ResponseType::Ack => 3,
            ResponseType::Success(JaSuccessProtocol::Data { data }) => data.id as usize & 1,
            ResponseType::Success(JaSuccessProtocol::Plugin { plugin_data }) => plugin_data_len(&plugin_data),
            ResponseType::Success(JaSuccessProtocol::Empty {}) => 7,
            ResponseType::Event(JaHandleEvent::PluginEvent { plugin_data }) => plugin_data_len(&plugin_data),
            ResponseType::Event(JaHandleEvent::GenericEvent(GenericEvent::Slowlink { media, lost, .. })) => {
                media.len() + lost as usize
            }
            ResponseType::Event(JaHandleEvent::GenericEvent(_)) => 5,
        };
        if let Some(jsep) = m.jsep {
            n += jsep.sdp.len();
        }
    }
    Ok(n)
}

/// jarust's `message`-with-`jsep` request as its WebSocket transport writes it: the envelope
/// `HandleMessageWithJsep::to_message_envelope` builds (crate-private in jarust, so its
/// `json!` is repeated here), the transaction added the way its `decorate_request` does,
/// then `Value::to_string`.
pub fn encode_jarust(message: &HandleMessageWithJsep, transaction: &str) -> String {
    let mut request = json!({
        "janus": "message",
        "session_id": message.session_id,
        "handle_id": message.handle_id,
        "body": message.body,
        "jsep": message.jsep,
    });
    request["transaction"] = transaction.to_owned().into();
    request.to_string()
}

/// The request [`encode_jarust`] writes in the encode benchmarks: the echotest body and the
/// 3 KB offer, in jarust's own request type.
pub fn jarust_message_with_offer() -> HandleMessageWithJsep {
    use jarust::interface::japrotocol::{Jsep, JsepType};
    HandleMessageWithJsep {
        session_id: SESSION_ID,
        handle_id: HANDLE_ID,
        body: json!({"audio": true, "video": true}),
        jsep: Jsep { jsep_type: JsepType::Offer, sdp: OFFER.to_owned(), trickle: None },
    }
}
