//! Decoding what Janus sends: replies, events, and long-poll batches.
//!
//! [`Message::decode`] validates one JSON object and returns a typed view that borrows from
//! the input. Members are found in any order and in any formatting Janus is configured with
//! (`indented`, `plain`, `compact`). Members this crate does not model are still reachable
//! through each message's `raw` view. A `janus` kind this crate does not know decodes to
//! [`Message::Unknown`], not to an error, so newer servers do not break older clients.
//!
//! ```
//! use janus_signal::message::{JsepType, Message};
//!
//! let bytes = br#"{
//!    "janus": "event",
//!    "session_id": 6036143552999677,
//!    "transaction": "ws-0006",
//!    "sender": 1241231443534215,
//!    "plugindata": {"plugin": "janus.plugin.echotest", "data": {"echotest": "event", "result": "ok"}},
//!    "jsep": {"type": "answer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}
//! }"#;
//! let Message::Event(event) = Message::decode(bytes).unwrap() else { panic!() };
//! assert_eq!(event.sender.0, 1241231443534215);
//! let plugin = event.plugin_data.unwrap();
//! assert!(plugin.plugin == "janus.plugin.echotest");
//! assert!(plugin.data.get("result").unwrap().as_str().unwrap() == "ok");
//! let jsep = event.jsep.unwrap();
//! assert_eq!(jsep.kind, JsepType::Answer);
//! let mut sdp = [0u8; 64];
//! assert_eq!(jsep.sdp.unescape_into(&mut sdp).unwrap(), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n");
//! ```

mod admin;
mod batch;
mod error_code;
mod server_info;

pub use admin::{AdminReply, HandleInfo, Ids, Token, Tokens};
pub use batch::Batch;
pub use error_code::ErrorCode;
pub use server_info::ServerInfo;

use crate::error::DecodeError;
use crate::ids::{HandleId, SessionId};
use crate::json::{JsonKind, JsonStr, RawJson};

/// Declares every `janus` kind this crate models, once: its name as sent, its variant and
/// type, how it routes (which of `transaction`, `session_id` and `sender` it carries, and
/// whether they are required), and how it is read from the members the decoder found. From
/// this one table come [`Message`], [`Message::KINDS`], the dispatch in [`Message::decode`],
/// and the accessors [`Message::kind`], [`Message::transaction`], [`Message::session_id`],
/// [`Message::sender`] and [`Message::raw`]. An entry without its routing does not compile.
///
/// Routing words: `none` (the kind never carries it), `optional` (a field of type `Option`),
/// `required` (a field the kind cannot do without).
macro_rules! kinds {
    ($(
        $(#[$doc:meta])*
        $name:literal => $variant:ident($ty:ident) {
            transaction: $tx:ident,
            session_id: $sid:ident,
            sender: $snd:ident,
            read($r:ident, $f:ident, $c:ident) => $read:expr $(,)?
        }
    )*) => {
        /// One message from Janus.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Message<'a> {
            $($(#[$doc])* $variant($ty<'a>),)*
            /// A `janus` kind this crate does not know.
            Unknown(Unknown<'a>),
        }

        /// The known kinds, without their data: what the dispatch matches on once the kind's
        /// name has been recognised.
        #[derive(Clone, Copy)]
        enum Tag {
            $($variant,)*
        }

        impl<'a> Message<'a> {
            /// Every `janus` kind this crate models, as sent, in declaration order. Any other
            /// kind decodes to [`Message::Unknown`].
            ///
            /// ```
            /// use janus_signal::message::Message;
            ///
            /// assert!(Message::KINDS.contains(&"webrtcup"));
            /// for kind in Message::KINDS {
            ///     // What the strictest kinds cannot do without: `sender`, `error.code`, `candidate`.
            ///     let json = format!(
            ///         r#"{{"janus":"{kind}","session_id":1,"sender":2,"error":{{"code":458}},"candidate":null}}"#
            ///     );
            ///     let message = Message::decode(json.as_bytes()).unwrap();
            ///     assert_eq!(message.kind(), *kind);
            ///     assert!(!matches!(message, Message::Unknown(_)));
            /// }
            /// ```
            pub const KINDS: &'static [&'static str] = &[$($name),*];

            /// The kind named `name` as sent without escapes (Janus never escapes its kinds):
            /// one match on the text where 64-bit words are native; small targets search
            /// [`KINDS`](Self::KINDS) in order instead (flash matters more there).
            fn tag_of(name: &str) -> Option<Tag> {
                #[cfg(target_pointer_width = "64")]
                return match name {
                    $($name => Some(Tag::$variant),)*
                    _ => None,
                };
                #[cfg(not(target_pointer_width = "64"))]
                {
                    const TAGS: &[Tag] = &[$(Tag::$variant),*];
                    Self::KINDS.iter().position(|k| *k == name).and_then(|at| TAGS.get(at).copied())
                }
            }

            /// Reads a message of the known kind `tag`: what every kind reads (`transaction`,
            /// `session_id`) once, then the kind's own members.
            fn read_known(tag: Tag, fields: &Fields<'a>, raw: RawJson<'a>) -> Result<Self, DecodeError> {
                let kind = match tag {
                    $(Tag::$variant => $name,)*
                };
                let reader = Reader { kind };
                let common = Common {
                    transaction: reader.text(fields.transaction(), "transaction")?,
                    session_id: reader.session(fields)?,
                    raw,
                };
                Ok(match tag {
                    $(Tag::$variant => {
                        let ($r, $f, $c) = (&reader, fields, common);
                        Self::$variant($read)
                    })*
                })
            }

            /// The `janus` kind as sent.
            #[must_use]
            pub fn kind(&self) -> &'a str {
                match self {
                    $(Self::$variant(_) => $name,)*
                    Self::Unknown(u) => u.kind.escaped(),
                }
            }

            /// The transaction this message answers, if it carries one.
            #[must_use]
            pub fn transaction(&self) -> Option<JsonStr<'a>> {
                match self {
                    $(Self::$variant(m) => route!($tx, m.transaction),)*
                    Self::Unknown(m) => m.transaction,
                }
            }

            /// The session the message belongs to, if it names one.
            #[must_use]
            pub fn session_id(&self) -> Option<SessionId> {
                match self {
                    $(Self::$variant(m) => route!($sid, m.session_id),)*
                    Self::Unknown(m) => m.session_id,
                }
            }

            /// The handle the message is about (`sender`), if any.
            #[must_use]
            pub fn sender(&self) -> Option<HandleId> {
                match self {
                    $(Self::$variant(m) => route!($snd, m.sender),)*
                    Self::Unknown(m) => m.sender,
                }
            }

            /// The whole message as received.
            #[must_use]
            pub fn raw(&self) -> RawJson<'a> {
                match self {
                    $(Self::$variant(m) => m.raw,)*
                    Self::Unknown(m) => m.raw,
                }
            }
        }
    };
}

/// One routing member of a kind in [`kinds!`]: `none`, `optional` or `required`.
macro_rules! route {
    (none, $m:ident . $field:ident) => {{
        let _ = $m;
        None
    }};
    (optional, $m:ident . $field:ident) => {
        $m.$field
    };
    (required, $m:ident . $field:ident) => {
        Some($m.$field)
    };
}

/// What every kind's reader starts from: `transaction` and `session_id`, read with the kind's
/// name in their errors, and the whole message.
struct Common<'a> {
    transaction: Option<JsonStr<'a>>,
    session_id: Option<SessionId>,
    raw: RawJson<'a>,
}

kinds! {
    /// `success`: a request was carried out (create, attach, detach, destroy, claim, a
    /// synchronous plugin request, an Admin API request).
    "success" => Success(Success) {
        transaction: optional, session_id: optional, sender: optional,
        read(r, f, c) => Success {
            transaction: c.transaction,
            session_id: c.session_id,
            sender: r.sender(f)?,
            id: r.u64(f.data_id(), "data.id")?,
            data: f.data().filter(|d| !d.is_null()),
            plugin_data: r.plugin_data(f)?,
            raw: c.raw,
        },
    }
    /// `ack`: the request was accepted; for a plugin `message` the answer follows as an
    /// [`Event`](Self::Event) with the same transaction (which may arrive *before* the ack).
    "ack" => Ack(Ack) {
        transaction: optional, session_id: optional, sender: none,
        read(r, f, c) => Ack { transaction: c.transaction, session_id: c.session_id, hint: r.text(f.hint(), "hint")?, raw: c.raw },
    }
    /// `error`: the request failed in the Janus core.
    "error" => Error(ErrorReply) {
        transaction: optional, session_id: optional, sender: none,
        read(r, f, c) => {
            r.object(f.error(), "error")?.ok_or_else(|| r.missing("error"))?;
            let code = r.u64(f.error_code(), "error.code")?.ok_or_else(|| r.missing("error.code"))?;
            ErrorReply {
                transaction: c.transaction,
                session_id: c.session_id,
                code: ErrorCode::from_code(code),
                reason: r.text(f.error_reason(), "error.reason")?,
                raw: c.raw,
            }
        },
    }
    /// `event`: a plugin speaks, either answering a request (with its transaction) or on its
    /// own.
    "event" => Event(PluginEvent) {
        transaction: optional, session_id: optional, sender: required,
        read(r, f, c) => PluginEvent {
            transaction: c.transaction,
            session_id: c.session_id,
            sender: r.required_sender(f)?,
            plugin_data: r.plugin_data(f)?,
            jsep: r.jsep(f)?,
            raw: c.raw,
        },
    }
    /// `webrtcup`: the handle's PeerConnection is up.
    "webrtcup" => WebrtcUp(WebrtcUp) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => WebrtcUp { session_id: c.session_id, sender: r.required_sender(f)?, raw: c.raw },
    }
    /// `media`: Janus started or stopped receiving a medium.
    "media" => Media(Media) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => Media {
            session_id: c.session_id,
            sender: r.required_sender(f)?,
            media_type: r.text(c.raw.get("type"), "type")?,
            mid: r.text(c.raw.get("mid"), "mid")?,
            receiving: r.bool(c.raw.get("receiving"), "receiving")?,
            seconds: r.u64(c.raw.get("seconds"), "seconds")?,
            substream: r.u64(c.raw.get("substream"), "substream")?,
            raw: c.raw,
        },
    }
    /// `slowlink`: Janus sees packet loss on a medium.
    "slowlink" => SlowLink(SlowLink) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => SlowLink {
            session_id: c.session_id,
            sender: r.required_sender(f)?,
            mid: r.text(c.raw.get("mid"), "mid")?,
            media: r.text(c.raw.get("media"), "media")?,
            uplink: r.bool(c.raw.get("uplink"), "uplink")?,
            lost: r.u64(c.raw.get("lost"), "lost")?,
            nacks: r.u64(c.raw.get("nacks"), "nacks")?,
            raw: c.raw,
        },
    }
    /// `hangup`: the PeerConnection went away.
    "hangup" => Hangup(Hangup) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => Hangup {
            session_id: c.session_id,
            sender: r.required_sender(f)?,
            reason: r.text(f.reason(), "reason")?,
            raw: c.raw,
        },
    }
    /// `detached`: the handle is gone.
    "detached" => Detached(Detached) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => Detached { session_id: c.session_id, sender: r.required_sender(f)?, raw: c.raw },
    }
    /// `timeout`: the session expired for lack of keepalives.
    "timeout" => Timeout(Timeout) {
        transaction: none, session_id: required, sender: none,
        read(r, _f, c) => Timeout {
            session_id: c.session_id.ok_or_else(|| r.missing("session_id"))?,
            raw: c.raw,
        },
    }
    /// `trickle`: a candidate gathered by Janus (full-trickle).
    "trickle" => Trickle(Trickle) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => Trickle {
            session_id: c.session_id,
            sender: r.required_sender(f)?,
            candidate: r.trickle_candidate(f.candidate())?,
            raw: c.raw,
        },
    }
    /// `ice-failed` (Janus ≥ 1.2): ICE failed on the handle.
    "ice-failed" => IceFailed(IceFailed) {
        transaction: none, session_id: optional, sender: required,
        read(r, f, c) => IceFailed { session_id: c.session_id, sender: r.required_sender(f)?, raw: c.raw },
    }
    /// `keepalive`: sent by the HTTP transport when a long poll had nothing for 30 s.
    "keepalive" => Keepalive(Keepalive) {
        transaction: none, session_id: optional, sender: none,
        read(_r, _f, c) => Keepalive { session_id: c.session_id, raw: c.raw },
    }
    /// `pong`: the answer to `ping`.
    "pong" => Pong(Pong) {
        transaction: optional, session_id: none, sender: none,
        read(_r, _f, c) => Pong { transaction: c.transaction, raw: c.raw },
    }
    /// `server_info`: the answer to `info`.
    "server_info" => ServerInfo(ServerInfo) {
        transaction: optional, session_id: none, sender: none,
        read(_r, _f, c) => ServerInfo::new(c.transaction, c.raw),
    }
}
/// A `success` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Success<'a> {
    /// The transaction of the request.
    pub transaction: Option<JsonStr<'a>>,
    /// The session, absent in the answer to `create`.
    pub session_id: Option<SessionId>,
    /// The handle, for replies to handle requests carrying plugin data.
    pub sender: Option<HandleId>,
    /// `data.id`: the new session id (create) or handle id (attach).
    pub id: Option<u64>,
    /// `data`, when present.
    pub data: Option<RawJson<'a>>,
    /// The plugin's synchronous answer (`plugindata`), when present. It may carry a plugin
    /// error ([`PluginData::error`]) even though the Janus kind is `success`.
    pub plugin_data: Option<PluginData<'a>>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

impl Success<'_> {
    /// `data.id`: the new session id (create) or handle id (attach).
    #[must_use]
    pub fn id(&self) -> Option<u64> {
        self.id
    }
}

/// An `ack` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack<'a> {
    /// The transaction of the request.
    pub transaction: Option<JsonStr<'a>>,
    /// The session.
    pub session_id: Option<SessionId>,
    /// Some plugins say they are "taking their time".
    pub hint: Option<JsonStr<'a>>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// An `error` reply of the Janus core.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorReply<'a> {
    /// The transaction of the failed request; absent when Janus could not read it.
    pub transaction: Option<JsonStr<'a>>,
    /// The session, when the request named one.
    pub session_id: Option<SessionId>,
    /// `error.code`.
    pub code: ErrorCode,
    /// `error.reason`.
    pub reason: Option<JsonStr<'a>>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A plugin `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginEvent<'a> {
    /// Present when the event answers a request; absent for unsolicited events.
    pub transaction: Option<JsonStr<'a>>,
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle the event is for.
    pub sender: HandleId,
    /// What the plugin says.
    pub plugin_data: Option<PluginData<'a>>,
    /// A session description from the plugin (an answer to the client's offer, or an offer).
    pub jsep: Option<Jsep<'a>>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// `plugindata`: which plugin spoke, and its own data, untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginData<'a> {
    /// The plugin's package name, e.g. `janus.plugin.videoroom`.
    pub plugin: JsonStr<'a>,
    /// The plugin's data: read it with [`RawJson`]'s accessors or [`RawJson::decode`] into
    /// your own type.
    pub data: RawJson<'a>,
}

/// A plugin-level error: `error_code` and/or `error` inside the plugin's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginError<'a> {
    /// `error_code`, e.g. 428 for videoroom's "No such feed".
    pub code: Option<u64>,
    /// `error`, the reason text.
    pub reason: Option<JsonStr<'a>>,
}

impl<'a> PluginData<'a> {
    /// The plugin error in the data, if there is one. Plugins report errors this way both in
    /// events and in `success` replies to synchronous requests.
    #[must_use]
    pub fn error(&self) -> Option<PluginError<'a>> {
        let code = self.data.get("error_code").and_then(|c| c.as_u64());
        let reason = self.data.get("error").and_then(|r| r.as_str());
        (code.is_some() || reason.is_some()).then_some(PluginError { code, reason })
    }

    /// Decodes the plugin's data into the caller's type; see [`RawJson::decode`].
    ///
    /// # Errors
    ///
    /// [`DecodeError::Serde`] when the data does not fit the type.
    pub fn decode<T: serde::Deserialize<'a>>(&self, scratch: &mut [u8]) -> Result<T, DecodeError> {
        self.data.decode(scratch)
    }
}

/// The type of a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsepType<'a> {
    /// `offer`
    Offer,
    /// `answer`
    Answer,
    /// Anything else, kept as sent.
    Other(JsonStr<'a>),
}

/// `jsep`: a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jsep<'a> {
    /// `type`.
    pub kind: JsepType<'a>,
    /// `sdp`, escaped as on the wire: unescape it on demand, or forward it verbatim.
    pub sdp: JsonStr<'a>,
    /// `trickle`: `false` when the SDP already holds all candidates.
    pub trickle: Option<bool>,
    /// `e2ee`: end-to-end encryption is in use.
    pub e2ee: Option<bool>,
    /// The whole `jsep` object, for members not modelled here.
    pub raw: RawJson<'a>,
}

/// A `webrtcup` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebrtcUp<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle.
    pub sender: HandleId,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `media` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Media<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle.
    pub sender: HandleId,
    /// `type`: `audio` or `video`.
    pub media_type: Option<JsonStr<'a>>,
    /// `mid` of the stream (Janus ≥ 1.0).
    pub mid: Option<JsonStr<'a>>,
    /// `receiving`: whether Janus receives this medium now.
    pub receiving: Option<bool>,
    /// `seconds`: how long nothing arrived, when `receiving` is false.
    pub seconds: Option<u64>,
    /// `substream` of a simulcast stream.
    pub substream: Option<u64>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `slowlink` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlowLink<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle.
    pub sender: HandleId,
    /// `mid` of the stream (Janus ≥ 1.0).
    pub mid: Option<JsonStr<'a>>,
    /// `media`: `audio` or `video` (Janus ≥ 1.0).
    pub media: Option<JsonStr<'a>>,
    /// `uplink`: true when the loss is on what Janus receives.
    pub uplink: Option<bool>,
    /// `lost` packets (Janus after 0.7.3).
    pub lost: Option<u64>,
    /// `nacks` (older Janus, before `lost`).
    pub nacks: Option<u64>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

impl SlowLink<'_> {
    /// Lost packets, from `lost` or, on older servers, `nacks`.
    #[must_use]
    pub fn lost_packets(&self) -> Option<u64> {
        self.lost.or(self.nacks)
    }
}

/// A `hangup` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hangup<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle.
    pub sender: HandleId,
    /// `reason`, e.g. `ICE failed` or `Janus API`.
    pub reason: Option<JsonStr<'a>>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `detached` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detached<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle that is gone.
    pub sender: HandleId,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `timeout` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout<'a> {
    /// The session that expired.
    pub session_id: SessionId,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `trickle` event from Janus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trickle<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle.
    pub sender: HandleId,
    /// The candidate, or the end of candidates.
    pub candidate: TrickleCandidate<'a>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// The `candidate` of a trickle event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrickleCandidate<'a> {
    /// One ICE candidate.
    Candidate {
        /// The `candidate:` line.
        candidate: JsonStr<'a>,
        /// `sdpMid`.
        sdp_mid: Option<JsonStr<'a>>,
        /// `sdpMLineIndex`.
        sdp_mline_index: Option<u64>,
        /// The whole candidate object.
        raw: RawJson<'a>,
    },
    /// `{"completed": true}` (or `null`): no more candidates.
    Completed,
}

/// An `ice-failed` event (Janus ≥ 1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IceFailed<'a> {
    /// The session.
    pub session_id: Option<SessionId>,
    /// The handle.
    pub sender: HandleId,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `keepalive` from the HTTP transport's long poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive<'a> {
    /// The session, when the server names it (1.1.2 does not).
    pub session_id: Option<SessionId>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A `pong` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pong<'a> {
    /// The transaction of the `ping`.
    pub transaction: Option<JsonStr<'a>>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A message of a `janus` kind this crate does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unknown<'a> {
    /// The `janus` kind.
    pub kind: JsonStr<'a>,
    /// `transaction`, if any.
    pub transaction: Option<JsonStr<'a>>,
    /// `session_id`, if any.
    pub session_id: Option<SessionId>,
    /// `sender`, if any.
    pub sender: Option<HandleId>,
    /// The whole message.
    pub raw: RawJson<'a>,
}

/// A message that is well-formed JSON but cannot be read as its kind: a known `janus` kind
/// with a member missing or of the wrong type (an `ice-failed` without `sender`, a `media`
/// whose `receiving` is a string…), an object without a `janus` string, or an element of a
/// long-poll array that is not an object. Its `janus` and `transaction` are read leniently
/// (when they are strings), so that the client can tell a reply to one of its requests from an
/// unsolicited message; the rest (`session_id`, `sender`…) stays readable in `raw`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed<'a> {
    /// `janus`, when it is a string.
    pub kind: Option<JsonStr<'a>>,
    /// `transaction`, when it is a string.
    pub transaction: Option<JsonStr<'a>>,
    /// What was wrong.
    pub defect: Defect,
    /// The whole message as received.
    pub raw: RawJson<'a>,
}

/// What made a [`Malformed`] message unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Defect {
    /// A member the kind cannot do without is absent.
    Missing {
        /// The `janus` kind (`"?"` when `janus` itself is missing).
        kind: &'static str,
        /// The member, as a JSON path such as `sender`.
        field: &'static str,
    },
    /// A member has the wrong JSON type or is out of range.
    Invalid {
        /// The `janus` kind (`"?"` before the kind is known).
        kind: &'static str,
        /// The member, as a JSON path such as `receiving`.
        field: &'static str,
    },
    /// The value is not a JSON object.
    NotAnObject,
}

impl Defect {
    /// The defect a [`DecodeError`] of a validated value describes.
    #[must_use]
    pub fn of(error: &DecodeError) -> Self {
        match *error {
            DecodeError::MissingField { kind, field } => Self::Missing { kind, field },
            DecodeError::InvalidField { kind, field } => Self::Invalid { kind, field },
            _ => Self::NotAnObject,
        }
    }
}

impl From<Defect> for DecodeError {
    fn from(defect: Defect) -> Self {
        match defect {
            Defect::Missing { kind, field } => Self::MissingField { kind, field },
            Defect::Invalid { kind, field } => Self::InvalidField { kind, field },
            Defect::NotAnObject => Self::NotAnObject,
        }
    }
}

impl core::fmt::Display for Defect {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        DecodeError::from(*self).fmt(f)
    }
}

impl<'a> Malformed<'a> {
    /// Reads `janus` and `transaction` of the object `raw` leniently, from the members `f`
    /// found.
    fn lenient(raw: RawJson<'a>, f: &Fields<'a>, error: &DecodeError) -> Self {
        Self {
            kind: f.janus().and_then(|v| v.as_str()),
            transaction: f.transaction().and_then(|v| v.as_str()),
            defect: Defect::of(error),
            raw,
        }
    }

    /// An array element that is not an object.
    fn not_an_object(raw: RawJson<'a>) -> Self {
        Self { kind: None, transaction: None, defect: Defect::NotAnObject, raw }
    }
}

/// The members every message kind may carry, gathered in one pass over the object, together
/// with the members read from inside the first `plugindata`, `jsep`, `error` and `data`
/// objects (found in the same pass, so that nothing is scanned twice). Slots in arrays, by
/// [`Top`] and [`Inner`]: a slot's address is computed where it is used.
#[derive(Default)]
struct Fields<'a> {
    tops: [Option<RawJson<'a>>; TOP_SLOTS],
    inners: [Option<RawJson<'a>>; INNER_SLOTS],
}

/// Declares the slots of [`Fields`]: an enum naming them, their number, and a reader each.
macro_rules! slots {
    ($(#[$doc:meta])* $enum:ident, $count:ident in $array:ident { $($(#[$vdoc:meta])* $variant:ident => $name:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum $enum {
            $($(#[$vdoc])* $variant),*
        }

        /// How many slots the enum names.
        const $count: usize = [$($enum::$variant),*].len();

        impl<'a> Fields<'a> {
            $(
                fn $name(&self) -> Option<RawJson<'a>> {
                    self.$array.get($enum::$variant as usize).copied().flatten()
                }
            )*
        }
    };
}

slots! {
    /// The top-level members [`Fields`] collects.
    Top, TOP_SLOTS in tops {
        Janus => janus,
        Transaction => transaction,
        SessionId => session_id,
        Sender => sender,
        Data => data,
        PluginData => plugindata,
        Jsep => jsep,
        Error => error,
        Hint => hint,
        Reason => reason,
        Candidate => candidate,
    }
}

slots! {
    /// The members of inner objects [`Fields`] collects.
    Inner, INNER_SLOTS in inners {
        /// `data.id` (key compared unescaped, like [`RawJson::get`]).
        DataId => data_id,
        /// `plugindata.plugin` and `plugindata.data` (unescaped keys only).
        Plugin => plugin,
        PluginData => plugin_data,
        /// `jsep.type`, `jsep.sdp`, `jsep.trickle`, `jsep.e2ee` (unescaped keys only).
        JsepType => jsep_type,
        JsepSdp => jsep_sdp,
        JsepTrickle => jsep_trickle,
        JsepE2ee => jsep_e2ee,
        /// `error.code` and `error.reason` (keys compared unescaped, like [`RawJson::get`]).
        ErrorCode => error_code,
        ErrorReason => error_reason,
    }
}

/// [`Top`] by name, in the order of [`FIELD_NAMES`].
const TOPS: [Top; 11] = [
    Top::Janus,
    Top::Transaction,
    Top::SessionId,
    Top::Sender,
    Top::Data,
    Top::PluginData,
    Top::Jsep,
    Top::Error,
    Top::Hint,
    Top::Reason,
    Top::Candidate,
];

impl Top {
    /// The member named `key` (escaped form; `escaped` when it has escapes).
    fn find(key: &[u8], escaped: bool) -> Option<Self> {
        if escaped {
            // Janus never escapes its keys; an escaped one is compared after unescaping.
            let key = JsonStr::from_validated(core::str::from_utf8(key).ok()?);
            let at = FIELD_NAMES.iter().position(|n| key.eq_str(n))?;
            return TOPS.get(at).copied();
        }
        // By length, then whole words at once (a `match` on byte strings compares a byte at a
        // time).
        let is = |name: &[u8]| key == name;
        Some(match key.len() {
            4 if is(b"data") => Self::Data,
            4 if is(b"jsep") => Self::Jsep,
            4 if is(b"hint") => Self::Hint,
            5 if is(b"janus") => Self::Janus,
            5 if is(b"error") => Self::Error,
            6 if is(b"sender") => Self::Sender,
            6 if is(b"reason") => Self::Reason,
            9 if is(b"candidate") => Self::Candidate,
            10 if is(b"session_id") => Self::SessionId,
            10 if is(b"plugindata") => Self::PluginData,
            11 if is(b"transaction") => Self::Transaction,
            _ => return None,
        })
    }

    /// Whether the decoder reads members of this member's object.
    fn has_inner(self) -> bool {
        matches!(self, Self::Data | Self::PluginData | Self::Jsep | Self::Error)
    }
}

/// Whether a key (escaped form, `escaped` when it has escapes) is `name` once unescaped.
fn key_is(key: &[u8], escaped: bool, name: &str) -> bool {
    if escaped {
        core::str::from_utf8(key).is_ok_and(|k| JsonStr::from_validated(k).eq_str(name))
    } else {
        key == name.as_bytes()
    }
}

impl<'a> Fields<'a> {
    /// The slot of a member of an inner object, if the decoder reads it.
    fn inner_slot(outer: Top, key: &[u8], escaped: bool) -> Option<Inner> {
        match outer {
            Top::Data => key_is(key, escaped, "id").then_some(Inner::DataId),
            Top::Error if key_is(key, escaped, "code") => Some(Inner::ErrorCode),
            Top::Error => key_is(key, escaped, "reason").then_some(Inner::ErrorReason),
            // `plugindata` and `jsep` members are matched only when not escaped.
            _ if escaped => None,
            // Whole slices compared (a `match` on byte strings compares a byte at a time).
            Top::PluginData if key == b"plugin" => Some(Inner::Plugin),
            Top::PluginData if key == b"data" => Some(Inner::PluginData),
            Top::Jsep if key == b"type" => Some(Inner::JsepType),
            Top::Jsep if key == b"sdp" => Some(Inner::JsepSdp),
            Top::Jsep if key == b"trickle" => Some(Inner::JsepTrickle),
            Top::Jsep if key == b"e2ee" => Some(Inner::JsepE2ee),
            _ => None,
        }
    }

    /// Collects the members of an already validated object (an element of a long-poll array).
    fn gather(object: RawJson<'a>) -> Self {
        let mut f = Self::default();
        // Validated input walks without error; were it not, the fields found so far are kept.
        let _ = f.walk(object.as_text(), 0, 0);
        f
    }

    /// Validates `bytes` as one JSON object and collects its members in the same pass: each
    /// member's value is validated once, which also finds where it ends, and the members of
    /// the inner objects the decoder reads are collected while those are validated. The first
    /// occurrence of a duplicated key wins. Errors are those of [`RawJson::parse`], at the
    /// same offsets.
    fn parse_object(&mut self, bytes: &'a [u8]) -> Result<RawJson<'a>, DecodeError> {
        use crate::json::skip_ws;
        let text = crate::json::utf8(bytes)?;
        let start = skip_ws(bytes, 0);
        if bytes.get(start) != Some(&b'{') {
            // Not an object: report exactly what a full parse reports.
            RawJson::parse(bytes)?;
            return Err(DecodeError::NotAnObject);
        }
        let end = self.walk(text, start, 0).map_err(DecodeError::Json)?;
        let trailing = skip_ws(bytes, end);
        if trailing != bytes.len() {
            let kind = crate::json::JsonErrorKind::TrailingBytes;
            return Err(DecodeError::Json(crate::json::JsonError { kind, offset: trailing }));
        }
        let raw = RawJson::from_validated(text.get(start..end).unwrap_or_default());
        Ok(raw)
    }

    /// Walks the object whose `{` is at `open` in `text`, itself inside `outer` levels of
    /// nesting (0 for a message, 1 for an element of a long-poll array); returns the index
    /// after its `}`.
    pub(super) fn walk(&mut self, text: &'a str, open: usize, outer: usize) -> Result<usize, crate::json::JsonError> {
        use crate::json::ObjectWalk;
        let bytes = text.as_bytes();
        let mut walk = ObjectWalk::new(bytes, open, outer);
        while let Some(member) = walk.next_key()? {
            let from = member.value;
            let Some(field) = Top::find(member.key, member.escaped)
                .filter(|&t| self.tops.get(t as usize).is_some_and(Option::is_none))
            else {
                walk.value()?;
                continue;
            };
            let to = if field.has_inner() && bytes.get(from) == Some(&b'{') {
                let mut inner = walk.nested();
                self.walk_inner(text, &mut inner, field)?;
                walk.nested_done(&inner);
                inner.end()
            } else {
                walk.value()?
            };
            if let Some(slot) = self.tops.get_mut(field as usize) {
                *slot = Some(RawJson::from_validated(text.get(from..to).unwrap_or_default()));
            }
        }
        Ok(walk.end())
    }

    /// Walks the members of the inner object `field` (`plugindata`, `jsep`, `error`, `data`).
    #[inline(never)]
    fn walk_inner(
        &mut self,
        text: &'a str,
        walk: &mut crate::json::ObjectWalk<'a>,
        field: Top,
    ) -> Result<(), crate::json::JsonError> {
        while let Some(member) = walk.next_key()? {
            let to = walk.value()?;
            if let Some(slot) =
                Self::inner_slot(field, member.key, member.escaped).and_then(|at| self.inners.get_mut(at as usize))
                && slot.is_none()
            {
                *slot = Some(RawJson::from_validated(text.get(member.value..to).unwrap_or_default()));
            }
        }
        Ok(())
    }
}

/// The names of the top-level members [`Fields`] collects.
const FIELD_NAMES: [&str; 11] = [
    "janus",
    "transaction",
    "session_id",
    "sender",
    "data",
    "plugindata",
    "jsep",
    "error",
    "hint",
    "reason",
    "candidate",
];

/// Reads optional members with the right type, naming the message kind in errors.
struct Reader {
    kind: &'static str,
}

impl Reader {
    fn invalid(&self, field: &'static str) -> DecodeError {
        DecodeError::InvalidField { kind: self.kind, field }
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField { kind: self.kind, field }
    }

    /// A string member; `null` counts as absent.
    fn text<'a>(&self, value: Option<RawJson<'a>>, field: &'static str) -> Result<Option<JsonStr<'a>>, DecodeError> {
        match value {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| self.invalid(field)),
        }
    }

    fn u64(&self, value: Option<RawJson<'_>>, field: &'static str) -> Result<Option<u64>, DecodeError> {
        match value {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| self.invalid(field)),
        }
    }

    fn bool(&self, value: Option<RawJson<'_>>, field: &'static str) -> Result<Option<bool>, DecodeError> {
        match value {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) => v.as_bool().map(Some).ok_or_else(|| self.invalid(field)),
        }
    }

    fn session(&self, f: &Fields<'_>) -> Result<Option<SessionId>, DecodeError> {
        Ok(self.u64(f.session_id(), "session_id")?.map(SessionId))
    }

    fn sender(&self, f: &Fields<'_>) -> Result<Option<HandleId>, DecodeError> {
        Ok(self.u64(f.sender(), "sender")?.map(HandleId))
    }

    fn required_sender(&self, f: &Fields<'_>) -> Result<HandleId, DecodeError> {
        self.sender(f)?.ok_or_else(|| self.missing("sender"))
    }

    fn object<'a>(&self, value: Option<RawJson<'a>>, field: &'static str) -> Result<Option<RawJson<'a>>, DecodeError> {
        match value {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(v) if v.kind() == JsonKind::Object => Ok(Some(v)),
            Some(_) => Err(self.invalid(field)),
        }
    }

    /// `plugindata`, from the members [`Fields`] found inside it.
    fn plugin_data<'a>(&self, f: &Fields<'a>) -> Result<Option<PluginData<'a>>, DecodeError> {
        if self.object(f.plugindata(), "plugindata")?.is_none() {
            return Ok(None);
        }
        let plugin = self.text(f.plugin(), "plugindata.plugin")?.ok_or_else(|| self.missing("plugindata.plugin"))?;
        let data = f.plugin_data().ok_or_else(|| self.missing("plugindata.data"))?;
        Ok(Some(PluginData { plugin, data }))
    }

    /// `jsep`, from the members [`Fields`] found inside it.
    fn jsep<'a>(&self, f: &Fields<'a>) -> Result<Option<Jsep<'a>>, DecodeError> {
        let Some(raw) = self.object(f.jsep(), "jsep")? else {
            return Ok(None);
        };
        let kind = self.text(f.jsep_type(), "jsep.type")?.ok_or_else(|| self.missing("jsep.type"))?;
        let kind = if kind == "offer" {
            JsepType::Offer
        } else if kind == "answer" {
            JsepType::Answer
        } else {
            JsepType::Other(kind)
        };
        let sdp = self.text(f.jsep_sdp(), "jsep.sdp")?.ok_or_else(|| self.missing("jsep.sdp"))?;
        let trickle = self.bool(f.jsep_trickle(), "jsep.trickle")?;
        let e2ee = self.bool(f.jsep_e2ee(), "jsep.e2ee")?;
        Ok(Some(Jsep { kind, sdp, trickle, e2ee, raw }))
    }

    fn trickle_candidate<'a>(&self, value: Option<RawJson<'a>>) -> Result<TrickleCandidate<'a>, DecodeError> {
        let raw = match value {
            None => return Err(self.missing("candidate")),
            Some(v) if v.is_null() => return Ok(TrickleCandidate::Completed),
            Some(v) if v.kind() == JsonKind::Object => v,
            Some(_) => return Err(self.invalid("candidate")),
        };
        if self.bool(raw.get("completed"), "candidate.completed")? == Some(true) {
            return Ok(TrickleCandidate::Completed);
        }
        let candidate = self
            .text(raw.get("candidate"), "candidate.candidate")?
            .ok_or_else(|| self.missing("candidate.candidate"))?;
        Ok(TrickleCandidate::Candidate {
            candidate,
            sdp_mid: self.text(raw.get("sdpMid"), "candidate.sdpMid")?,
            sdp_mline_index: self.u64(raw.get("sdpMLineIndex"), "candidate.sdpMLineIndex")?,
            raw,
        })
    }
}

impl<'a> Message<'a> {
    /// Decodes one message: validates `bytes` as a JSON object and reads it.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] for malformed JSON, [`DecodeError::NotAnObject`],
    /// [`DecodeError::MissingField`] when `janus` (or a member the kind cannot do without,
    /// such as `error.code` or an event's `sender`) is absent, and
    /// [`DecodeError::InvalidField`] when a known member has the wrong type.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut fields = Fields::default();
        let raw = fields.parse_object(bytes)?;
        Self::from_fields(raw, &fields)
    }

    /// Reads a message from an already validated JSON value (for example one element of a
    /// long-poll array).
    ///
    /// # Errors
    ///
    /// As [`decode`](Self::decode), except for JSON syntax errors.
    pub fn from_json(raw: RawJson<'a>) -> Result<Self, DecodeError> {
        if raw.kind() != JsonKind::Object {
            return Err(DecodeError::NotAnObject);
        }
        Self::from_fields(raw, &Fields::gather(raw))
    }

    fn from_fields(raw: RawJson<'a>, f: &Fields<'a>) -> Result<Self, DecodeError> {
        let janus = Reader { kind: "?" }
            .text(f.janus(), "janus")?
            .ok_or(DecodeError::MissingField { kind: "?", field: "janus" })?;
        // Where 64-bit words are native, the kind as sent first (no kind's name has a
        // backslash); small targets look for escapes first (less flash). A kind sent with
        // escapes is compared unescaped with each name.
        let unescaped = || Self::KINDS.iter().find(|k| janus.eq_str(k)).and_then(|k| Self::tag_of(k));
        #[cfg(target_pointer_width = "64")]
        let tag = Self::tag_of(janus.escaped()).or_else(|| if janus.has_escapes() { unescaped() } else { None });
        #[cfg(not(target_pointer_width = "64"))]
        let tag = match janus.as_plain() {
            Some(plain) => Self::tag_of(plain),
            None => unescaped(),
        };
        match tag {
            Some(tag) => Self::read_known(tag, f, raw),
            None => Self::read_unknown(janus, f, raw),
        }
    }

    /// Reads a message of a kind this crate does not know, whose `janus` is `kind`.
    fn read_unknown(kind: JsonStr<'a>, f: &Fields<'a>, raw: RawJson<'a>) -> Result<Self, DecodeError> {
        let r = Reader { kind: "?" };
        Ok(Self::Unknown(Unknown {
            kind,
            transaction: r.text(f.transaction(), "transaction")?,
            session_id: r.session(f)?,
            sender: r.sender(f)?,
            raw,
        }))
    }
}

#[cfg(test)]
mod tests;
