//! The VideoCall plugin (`janus.plugin.videocall`): one-to-one calls between registered
//! usernames, relayed through Janus.
//!
//! Every request is answered by an `event` (after an `ack`), whose data is
//! `{"videocall":"event","result":{…}}`. The answer to a request never carries a JSEP: the
//! offer of a [`Call`] reaches the callee in [`Event::IncomingCall`], the answer of an
//! [`Accept`] reaches the caller in [`Event::Accepted`], each rewritten by Janus.
//!
//! What Janus 1.1.2 really sends (read in `janus_videocall.c`, where its docs differ): the
//! caller's `calling` has no `username`; the caller's `accepted` names the callee, the
//! callee's has no `username`; the answer to [`Hangup`] always says `"Explicit hangup"` (the
//! `reason` goes to the other party); a busy callee is a [`Event::HangUp`] with `"User busy"`,
//! not an error; there is no `configure`, only [`Set`].
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::videocall::{Call, Event};
//!
//! let mut body = [0u8; 64];
//! let n = to_slice(&Call::new("bob"), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"request":"call","username":"bob"}"#);
//!
//! let data = RawJson::parse(br#"{"videocall":"event","result":{"event":"incomingcall","username":"alice"}}"#).unwrap();
//! let Ok(Event::IncomingCall { username }) = Event::decode(data) else { panic!() };
//! assert!(username == "alice");
//! ```

use super::{EventError, List, Opened, open_result, plugin_error_codes, plugin_events, plugin_request};
use crate::json::{JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.videocall";

plugin_error_codes! {
    /// VideoCall's `error_code`s (`janus_videocall.c`).
    ErrorCode {
        /// 470: the message had no body.
        NoMessage = 470,
        /// 471: the body is not valid JSON.
        InvalidJson = 471,
        /// 472: unknown `request` (`configure` too: the plugin has [`Set`]).
        InvalidRequest = 472,
        /// 473: register a username first (only `call` needs it).
        RegisterFirst = 473,
        /// 474: a member has the wrong type or value.
        InvalidElement = 474,
        /// 475: a mandatory member is missing.
        MissingElement = 475,
        /// 476: the username is taken.
        UsernameTaken = 476,
        /// 477: this handle already registered a username.
        AlreadyRegistered = 477,
        /// 478: no such username.
        NoSuchUsername = 478,
        /// 479: a call to oneself (use the EchoTest).
        UseEchoTest = 479,
        /// 480: this handle is already in a call (or ringing).
        AlreadyInCall = 480,
        /// 481: no incoming call to accept.
        NoCall = 481,
        /// 482: `call` or `accept` without its SDP.
        MissingSdp = 482,
        /// 483: the SDP is invalid.
        InvalidSdp = 483,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A VideoCall [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests -----------------------------------------------------------------------------

plugin_request! {
    /// `list`: every registered username (this one's too), answered by [`Event::Users`].
    #[serde(tag = "request", rename = "list")]
    #[derive(Default)]
    pub struct ListUsers {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `register`: takes a username for this handle (until it detaches); answered by
    /// [`Event::Registered`].
    #[serde(tag = "request", rename = "register")]
    pub struct Register<'a> {
        /// Registers `username`.
        const fn new(username: &'a str);
    }
}

plugin_request! {
    /// `call`: calls `username`, sent with a JSEP offer; answered by [`Event::Calling`] while
    /// the callee gets [`Event::IncomingCall`] with Janus's offer.
    #[serde(tag = "request", rename = "call")]
    pub struct Call<'a> {
        /// Calls `username`.
        const fn new(username: &'a str);
    }
}

plugin_request! {
    /// `accept`: accepts the incoming call, sent with a JSEP answer; answered by
    /// [`Event::Accepted`], and the caller gets Janus's answer in its own `accepted`.
    #[serde(tag = "request", rename = "accept")]
    #[derive(Default)]
    pub struct Accept {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `set`: changes what this side sends or records (with a JSEP: renegotiates, and the other
    /// side gets [`Event::Update`]); answered by [`Event::Set`].
    #[serde(tag = "request", rename = "set")]
    #[derive(Default)]
    pub struct Set<'a> {
        /// Changes nothing yet.
        const fn new();
        /// `audio`: send audio.
        audio: bool => with_audio,
        /// `video`: send video.
        video: bool => with_video,
        /// `bitrate` cap in bit/s (REMB; 0: no cap).
        bitrate: u64 => with_bitrate,
        /// `record` the call.
        record: bool => with_record,
        /// `filename` base of the recording (a path on the server).
        filename: &'a str => with_filename,
        /// `restart`: ICE restart with the JSEP this `set` carries.
        restart: bool => with_restart,
        /// `substream`: the simulcast substream to receive (0–2).
        substream: u8 => with_substream,
        /// `temporal`: the simulcast temporal layer to receive (0–2).
        temporal: u8 => with_temporal,
    }
}

plugin_request! {
    /// `hangup`: ends the call (or declines a ringing one); answered by [`Event::HangUp`]
    /// (`"Explicit hangup"`), and the other side gets [`Event::HangUp`] with `reason`.
    #[serde(tag = "request", rename = "hangup")]
    #[derive(Default)]
    pub struct Hangup<'a> {
        /// Hangs up.
        const fn new();
        /// `reason` the other side is given (Janus's default: `"We did the hangup"`).
        reason: &'a str => with_reason,
    }
}

// ----- events -------------------------------------------------------------------------------

plugin_events! {
    /// What the VideoCall plugin says, read from `plugindata.data` (its `result.event`).
    pub enum Event<'a> {
        /// `registered`: the answer to [`Register`].
        "registered" => Registered {
            /// The username taken.
            username: JsonStr<'a> = required_text,
        },
        /// `calling`: the answer to [`Call`] (the callee is ringing).
        "calling" => Calling,
        /// `incomingcall`: someone calls this handle (the event carries Janus's JSEP offer).
        "incomingcall" => IncomingCall {
            /// Who calls.
            username: JsonStr<'a> = required_text,
        },
        /// `accepted`: the answer to [`Accept`] (no `username`), or the callee accepted this
        /// handle's call (its username, and Janus's JSEP answer).
        "accepted" => Accepted {
            /// The callee, for the caller.
            username: Option<JsonStr<'a>> = text,
        },
        /// `update`: the other side renegotiated (carries the JSEP to apply).
        "update" => Update,
        /// `set`: the answer to [`Set`].
        "set" => Set,
        /// `hangup`: the answer to [`Hangup`], the other side hung up, its PeerConnection went
        /// away (`"Remote WebRTC hangup"`), or the callee was busy (`"User busy"`).
        "hangup" => HangUp {
            /// The side that caused it.
            username: Option<JsonStr<'a>> = text,
            /// Why.
            reason: Option<JsonStr<'a>> = text,
        },
        /// `slow_link`: Janus sees losses on the media it sends this side.
        "slow_link" => SlowLink {
            /// `media`: `audio` or `video`.
            media: Option<JsonStr<'a>> = text,
            /// `current-bitrate` Janus now caps at.
            current_bitrate: Option<u64> = u64("current-bitrate"),
        },
    }
    others {
        /// `list`: the answer to [`ListUsers`].
        Users(List<'a, JsonStr<'a>>),
        /// Anything else (`simulcast`, newer events): the `result` object (or the whole data
        /// when it has none).
        Other {
            /// `result.event`, if it is a string.
            event: Option<JsonStr<'a>>,
            /// The `result` object, or the whole data.
            data: RawJson<'a>,
        },
    }
}

impl<'a> Event<'a> {
    /// Reads the plugin's data (`plugindata.data` of an `event`).
    ///
    /// # Errors
    ///
    /// [`EventError::Plugin`] when the data carries `error_code` / `error`;
    /// [`EventError::Decode`] when it is not an object or a member the plugin always sends
    /// is missing or mistyped. Events this crate does not know are [`Event::Other`].
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (r, result) = match open_result("videocall", "videocall result", data)? {
            Opened::Result(r) => (r, r.raw()),
            Opened::NoResult(data) => return Ok(Self::Other { event: None, data }),
        };
        if let Some(list) = r.list("list")? {
            return Ok(Self::Users(list));
        }
        let Some(event) = r.text("event")? else {
            return Ok(Self::Other { event: None, data: result });
        };
        Ok(Self::from_kind(event, &r)?.unwrap_or(Self::Other { event: Some(event), data: result }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;
    use crate::error::DecodeError;
    use crate::plugin::PluginError as GenericError;
    use serde::Serialize;
    use std::string::String;

    fn encode<T: Serialize>(value: &T) -> String {
        let mut out = [0u8; 256];
        let n = to_slice(value, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn result(json: &str) -> Result<Event<'_>, Error<'_>> {
        Event::decode(RawJson::from_str(json).unwrap())
    }

    #[test]
    fn requests_encode_exactly() {
        assert_eq!(encode(&ListUsers::new()), r#"{"request":"list"}"#);
        assert_eq!(encode(&Register::new("a \"b\"")), r#"{"request":"register","username":"a \"b\""}"#);
        assert_eq!(encode(&Call::new("bob")), r#"{"request":"call","username":"bob"}"#);
        assert_eq!(encode(&Accept::new()), r#"{"request":"accept"}"#);
        assert_eq!(encode(&Set::new()), r#"{"request":"set"}"#);
        let set = Set::new()
            .with_audio(true)
            .with_video(false)
            .with_bitrate(128_000)
            .with_record(true)
            .with_filename("/tmp/call")
            .with_restart(false)
            .with_substream(2)
            .with_temporal(1);
        assert_eq!(
            encode(&set),
            r#"{"request":"set","audio":true,"video":false,"bitrate":128000,"record":true,"filename":"/tmp/call","restart":false,"substream":2,"temporal":1}"#
        );
        assert_eq!(encode(&Hangup::new()), r#"{"request":"hangup"}"#);
        assert_eq!(encode(&Hangup::new().with_reason("bye")), r#"{"request":"hangup","reason":"bye"}"#);
    }

    #[test]
    fn events_decode() {
        let Ok(Event::Registered { username }) =
            result(r#"{"videocall":"event","result":{"event":"registered","username":"alice"}}"#)
        else {
            panic!()
        };
        assert!(username == "alice");
        let Ok(Event::Users(users)) = result(r#"{"videocall":"event","result":{"list":["alice","bob"]}}"#) else {
            panic!()
        };
        let names: std::vec::Vec<_> = users.iter().map(|u| u.unwrap().escaped()).collect();
        assert_eq!(names, ["alice", "bob"]);
        assert_eq!(result(r#"{"videocall":"event","result":{"event":"calling"}}"#), Ok(Event::Calling));
        assert_eq!(result(r#"{"videocall":"event","result":{"event":"accepted"}}"#), Ok(Event::Accepted { username: None }));
        let Ok(Event::Accepted { username: Some(callee) }) =
            result(r#"{"videocall":"event","result":{"event":"accepted","username":"bob"}}"#)
        else {
            panic!()
        };
        assert!(callee == "bob");
        assert_eq!(result(r#"{"videocall":"event","result":{"event":"update"}}"#), Ok(Event::Update));
        assert_eq!(result(r#"{"videocall":"event","result":{"event":"set"}}"#), Ok(Event::Set));
        let Ok(Event::HangUp { username: None, reason: Some(reason) }) =
            result(r#"{"videocall":"event","result":{"event":"hangup","reason":"Explicit hangup"}}"#)
        else {
            panic!()
        };
        assert!(reason == "Explicit hangup");
        let Ok(Event::SlowLink { current_bitrate: Some(256), .. }) =
            result(r#"{"videocall":"event","result":{"event":"slow_link","media":"video","current-bitrate":256}}"#)
        else {
            panic!()
        };
        assert!(matches!(
            result(r#"{"videocall":"event","result":{"event":"simulcast","substream":1}}"#),
            Ok(Event::Other { event: Some(e), .. }) if e == "simulcast"
        ));
    }

    #[test]
    fn errors_and_bad_data_are_typed() {
        let Err(EventError::Plugin(GenericError { code, .. })) =
            result(r#"{"videocall":"event","error_code":476,"error":"Username 'a' already taken"}"#)
        else {
            panic!()
        };
        assert_eq!(code, ErrorCode::UsernameTaken);
        assert_eq!(
            result(r#"{"videocall":"event","result":{"event":"incomingcall"}}"#),
            Err(EventError::Decode(DecodeError::MissingField { kind: "videocall result", field: "username" }))
        );
        assert_eq!(
            result(r#"{"videocall":"event","result":7}"#),
            Err(EventError::Decode(DecodeError::InvalidField { kind: "videocall", field: "result" }))
        );
        assert_eq!(
            result(r#"{"videocall":"event","result":{"list":[1]}}"#).map(|e| match e {
                Event::Users(users) => users.iter().next().map(|u| u.is_err()),
                _ => None,
            }),
            Ok(Some(true))
        );
    }
}
