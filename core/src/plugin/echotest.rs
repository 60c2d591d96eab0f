//! The EchoTest plugin (`janus.plugin.echotest`): sends back whatever media it receives.
//!
//! One request, [`Configure`], sent alone or with a JSEP offer (Janus then answers with a
//! JSEP answer); the plugin answers with [`Event::Accepted`], and says [`Event::Done`] when
//! the PeerConnection goes away.
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::echotest::{Configure, Event};
//!
//! let mut body = [0u8; 64];
//! let n = to_slice(&Configure::new().with_audio(true).with_video(false), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"audio":true,"video":false}"#);
//!
//! let data = RawJson::parse(br#"{"echotest":"event","result":"ok"}"#).unwrap();
//! assert_eq!(Event::decode(data), Ok(Event::Accepted));
//! ```

use super::{EventError, open, plugin_error_codes, plugin_request};
use crate::json::{JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.echotest";

plugin_error_codes! {
    /// EchoTest's `error_code`s (`janus_echotest.c`).
    ErrorCode {
        /// 411: the message had no body.
        NoMessage = 411,
        /// 412: the body is not valid JSON.
        InvalidJson = 412,
        /// 413: a member has the wrong type.
        InvalidElement = 413,
        /// 414: the SDP is invalid.
        InvalidSdp = 414,
    }
}

/// An EchoTest [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

plugin_request! {
    /// The echotest's only request: what to echo. Every member is optional; an empty one is
    /// valid (and is what goes with a bare JSEP offer).
    #[derive(Default)]
    pub struct Configure<'a> {
        /// Nothing set: the plugin's defaults.
        const fn new();
        /// `audio`: echo audio.
        audio: bool => with_audio,
        /// `video`: echo video.
        video: bool => with_video,
        /// `data`: echo data channel messages.
        data: bool => with_data,
        /// `bitrate` cap in bit/s (REMB).
        bitrate: u64 => with_bitrate,
        record: bool,
        filename: &'a str,
    }
}

impl<'a> Configure<'a> {
    /// `record` the echoed media to `filename` (a path on the server, without extension).
    #[must_use]
    pub const fn with_recording(mut self, filename: &'a str) -> Self {
        self.record = Some(true);
        self.filename = Some(filename);
        self
    }
}

/// What the EchoTest plugin says, read from `plugindata.data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// `result: "ok"`: the request was applied (with a JSEP answer when it carried an offer).
    Accepted,
    /// `result: "done"`: the PeerConnection is gone (hangup, ICE failure).
    Done,
    /// Anything else (simulcast or SVC layer changes, newer events…).
    Other {
        /// `result`, if it is a string.
        result: Option<JsonStr<'a>>,
        /// The whole data.
        data: RawJson<'a>,
    },
}

impl<'a> Event<'a> {
    /// Reads the plugin's data (`plugindata.data`).
    ///
    /// # Errors
    ///
    /// [`EventError::Plugin`] for `error_code` / `error`; [`EventError::Decode`] when the data
    /// is not an object or `echotest` / `result` have the wrong type.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (_, fields) = open("echotest", data)?;
        let result = match fields.get("result") {
            Some(result) if result.kind() == crate::json::JsonKind::Object => None,
            _ => fields.text("result")?,
        };
        Ok(match result {
            Some(r) if r == "ok" => Self::Accepted,
            Some(r) if r == "done" => Self::Done,
            result => Self::Other { result, data },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeError;
    use crate::json::to_slice;

    #[test]
    fn configure_encodes_only_what_is_set() {
        let mut out = [0u8; 128];
        let n = to_slice(&Configure::new(), &mut out).unwrap();
        assert_eq!(&out[..n], b"{}");
        let all = Configure::new()
            .with_audio(true)
            .with_video(true)
            .with_data(false)
            .with_bitrate(64000)
            .with_recording("/tmp/x");
        let n = to_slice(&all, &mut out).unwrap();
        assert_eq!(
            &out[..n],
            br#"{"audio":true,"video":true,"data":false,"bitrate":64000,"record":true,"filename":"/tmp/x"}"#
        );
    }

    #[test]
    fn events() {
        let parse = |s: &'static str| RawJson::from_str(s).unwrap();
        assert_eq!(Event::decode(parse(r#"{"echotest":"event","result":"ok"}"#)), Ok(Event::Accepted));
        assert_eq!(Event::decode(parse(r#"{"echotest":"event","result":"done"}"#)), Ok(Event::Done));
        let other = parse(r#"{"echotest":"event","result":{"status":"slow_link"}}"#);
        assert_eq!(Event::decode(other), Ok(Event::Other { result: None, data: other }));
        let error =
            parse(r#"{"echotest":"event","error_code":413,"error":"Invalid element (audio should be a boolean)"}"#);
        let Err(EventError::Plugin(e)) = Event::decode(error) else { panic!() };
        assert_eq!(e.code, ErrorCode::InvalidElement);
        assert_eq!(
            Event::decode(parse(r#"{"echotest":"event","result":1}"#)),
            Err(EventError::Decode(DecodeError::InvalidField { kind: "echotest", field: "result" }))
        );
        assert_eq!(Event::decode(parse("null")), Err(EventError::Decode(DecodeError::NotAnObject)));
    }
}
