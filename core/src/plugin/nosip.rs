//! The NoSIP plugin (`janus.plugin.nosip`): WebRTC on one side, plain RTP on the other, with
//! the signaling left to the application (a legacy SIP stack, a media server).
//!
//! Every request is answered by an `event` (after an `ack`), whose data is
//! `{"nosip":"event","result":{…}}`. [`Generate`] turns the WebRTC description sent with it
//! (offer or answer) into a plain RTP one ([`Event::Generated`], in the data, not as a JSEP);
//! [`Process`] takes the other side's plain description and Janus answers with the WebRTC one
//! as the event's JSEP ([`Event::Processed`]). The plugin sends nothing on its own.
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::nosip::{Event, Process};
//! use janus_signal::request::SdpType;
//!
//! let mut body = [0u8; 96];
//! let n = to_slice(&Process::new(SdpType::Answer, "v=0\r\n"), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"request":"process","type":"answer","sdp":"v=0\r\n"}"#);
//!
//! let data = RawJson::parse(br#"{"nosip":"event","result":{"event":"hangingup"}}"#).unwrap();
//! assert_eq!(Event::decode(data), Ok(Event::HangingUp));
//! ```

use super::{EventError, Opened, open_result, plugin_error_codes, plugin_events, plugin_request};
use crate::json::{JsonStr, RawJson};
use crate::request::SdpType;

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.nosip";

plugin_error_codes! {
    /// NoSIP's `error_code`s (`janus_nosip.c`; above 444 they differ from the SIP plugin's).
    ErrorCode {
        /// 440: the message had no body.
        NoMessage = 440,
        /// 441: the body is not valid JSON.
        InvalidJson = 441,
        /// 442: unknown `request`.
        InvalidRequest = 442,
        /// 443: a mandatory member is missing.
        MissingElement = 443,
        /// 444: a member has the wrong type or value.
        InvalidElement = 444,
        /// 445: the request does not fit the state (declared, unused in 1.1.2).
        WrongState = 445,
        /// 446: no SDP, or one that cannot be parsed (or has a data channel).
        MissingSdp = 446,
        /// 447: the SDP has no audio and no video, or no address.
        InvalidSdp = 447,
        /// 448: no RTP/RTCP ports could be allocated.
        IoError = 448,
        /// 449: a recording request that records nothing.
        RecordingError = 449,
        /// 450: SDES-SRTP required but not offered.
        TooStrict = 450,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A NoSIP [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests -----------------------------------------------------------------------------

plugin_request! {
    /// `generate`: sent with a WebRTC JSEP (offer or answer); answered by [`Event::Generated`]
    /// with the plain RTP description to give the other side.
    #[serde(tag = "request", rename = "generate")]
    #[derive(Default)]
    pub struct Generate<'a> {
        /// The request (the JSEP goes with the message).
        const fn new();
        /// `info`: opaque text, only logged.
        info: &'a str => with_info,
        /// `srtp`: `sdes_optional` or `sdes_mandatory` (SDES-SRTP on the plain side).
        srtp: &'a str => with_srtp,
        /// `srtp_profile`, e.g. `AES_CM_128_HMAC_SHA1_80`.
        srtp_profile: &'a str => with_srtp_profile,
    }
}

plugin_request! {
    /// `process`: the other side's plain RTP description; answered by [`Event::Processed`]
    /// with the WebRTC one as the event's JSEP (an offer to answer with [`Generate`], or the
    /// answer to this handle's offer).
    #[serde(tag = "request", rename = "process")]
    pub struct Process<'a> {
        /// Processes `sdp`, an offer or an answer.
        const fn new(r#type: SdpType, sdp: &'a str);
        /// `info`: opaque text, only logged.
        info: &'a str => with_info,
        /// `srtp`: `sdes_optional` or `sdes_mandatory`.
        srtp: &'a str => with_srtp,
        /// `srtp_profile`.
        srtp_profile: &'a str => with_srtp_profile,
        /// `update`: a renegotiation.
        update: bool => with_update,
    }
}

plugin_request! {
    /// `hangup`: closes the PeerConnection (and the RTP side); answered by
    /// [`Event::HangingUp`], always.
    #[serde(tag = "request", rename = "hangup")]
    #[derive(Default)]
    pub struct Hangup {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `recording`: starts or stops recording this side's and the other side's media;
    /// answered by [`Event::RecordingUpdated`].
    #[serde(tag = "request", rename = "recording")]
    pub struct Recording<'a> {
        /// `start` or `stop`.
        const fn new(action: &'a str);
        /// `audio`: this side's audio.
        audio: bool => with_audio,
        /// `video`: this side's video.
        video: bool => with_video,
        /// `peer_audio`: the other side's audio.
        peer_audio: bool => with_peer_audio,
        /// `peer_video`: the other side's video.
        peer_video: bool => with_peer_video,
        /// `filename` base (a path on the server).
        filename: &'a str => with_filename,
    }
}

// ----- events -------------------------------------------------------------------------------

plugin_events! {
    /// What the NoSIP plugin says, read from `plugindata.data` (its `result.event`).
    pub enum Event<'a> {
        /// `generated`: the answer to [`Generate`]: the plain RTP description.
        "generated" => Generated {
            /// `type`: `offer` or `answer`.
            kind: JsonStr<'a> = required_text("type"),
            /// `sdp`, escaped as sent.
            sdp: JsonStr<'a> = required_text,
            /// `update`: a renegotiation.
            update: Option<bool> = bool,
        },
        /// `processed`: the answer to [`Process`] (the WebRTC description is the event's JSEP).
        "processed" => Processed {
            /// `srtp`, when the plain side offered SDES-SRTP.
            srtp: Option<JsonStr<'a>> = text,
            /// `update`: a renegotiation.
            update: Option<bool> = bool,
        },
        /// `hangingup`: the answer to [`Hangup`].
        "hangingup" => HangingUp,
        /// `recordingupdated`: the answer to [`Recording`].
        "recordingupdated" => RecordingUpdated,
    }
    others {
        /// Anything else: the `result` object (or the whole data when it has none).
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
    /// is missing or mistyped.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (r, result) = match open_result("nosip", "nosip result", data)? {
            Opened::Result(r) => (r, r.raw()),
            Opened::NoResult(data) => return Ok(Self::Other { event: None, data }),
        };
        let Some(event) = r.text("event")? else {
            return Ok(Self::Other { event: None, data: result });
        };
        Ok(Self::from_kind(event, &r)?.unwrap_or(Self::Other { event: Some(event), data: result }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeError;
    use crate::json::to_slice;
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
        assert_eq!(encode(&Generate::new()), r#"{"request":"generate"}"#);
        assert_eq!(
            encode(&Generate::new().with_info("i").with_srtp("sdes_optional").with_srtp_profile("AES_CM_128_HMAC_SHA1_80")),
            r#"{"request":"generate","info":"i","srtp":"sdes_optional","srtp_profile":"AES_CM_128_HMAC_SHA1_80"}"#
        );
        assert_eq!(
            encode(&Process::new(SdpType::Offer, "v=0\r\n").with_update(true).with_srtp("sdes_mandatory")),
            r#"{"request":"process","type":"offer","sdp":"v=0\r\n","srtp":"sdes_mandatory","update":true}"#
        );
        assert_eq!(encode(&Hangup::new()), r#"{"request":"hangup"}"#);
        let recording = Recording::new("start")
            .with_audio(true)
            .with_video(false)
            .with_peer_audio(true)
            .with_peer_video(false)
            .with_filename("/tmp/n");
        assert_eq!(
            encode(&recording),
            r#"{"request":"recording","action":"start","audio":true,"video":false,"peer_audio":true,"peer_video":false,"filename":"/tmp/n"}"#
        );
    }

    #[test]
    fn events_decode() {
        let Ok(Event::Generated { kind, sdp, update: None }) =
            result(r#"{"nosip":"event","result":{"event":"generated","type":"offer","sdp":"v=0\r\n"}}"#)
        else {
            panic!()
        };
        assert!(kind == "offer" && sdp == "v=0\r\n");
        let Ok(Event::Processed { srtp: Some(srtp), update: Some(true) }) =
            result(r#"{"nosip":"event","result":{"event":"processed","srtp":"sdes_optional","update":true}}"#)
        else {
            panic!()
        };
        assert!(srtp == "sdes_optional");
        assert_eq!(result(r#"{"nosip":"event","result":{"event":"hangingup"}}"#), Ok(Event::HangingUp));
        assert_eq!(result(r#"{"nosip":"event","result":{"event":"recordingupdated"}}"#), Ok(Event::RecordingUpdated));
        assert!(matches!(
            result(r#"{"nosip":"event","result":{"event":"new"}}"#),
            Ok(Event::Other { event: Some(e), .. }) if e == "new"
        ));
    }

    #[test]
    fn errors_and_bad_data_are_typed() {
        let Err(EventError::Plugin(e)) = result(r#"{"nosip":"event","error_code":446,"error":"Missing SDP"}"#) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::MissingSdp);
        assert_eq!(
            result(r#"{"nosip":"event","result":{"event":"generated","type":"offer"}}"#),
            Err(EventError::Decode(DecodeError::MissingField { kind: "nosip result", field: "sdp" }))
        );
        assert_eq!(result("1"), Err(EventError::Decode(DecodeError::NotAnObject)));
    }
}
