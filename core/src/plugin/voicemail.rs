//! The VoiceMail plugin (`janus.plugin.voicemail`): records what the caller says (opus) into
//! an `.opus` file on the server and tells where it is.
//!
//! Every request is answered by an `event` (after an `ack`) whose data is
//! `{"voicemail":"event","status":…}`. Janus 1.1.2 never offers: send the offer with
//! [`Record`] and its answer comes with [`Event::Starting`]. [`Stop`] always answers
//! [`Event::Done`] with the recording's URL, and then the plugin ends the handle (a
//! `detached` follows); a new message needs a new handle.
//!
//! ```
//! use janus_signal::json::RawJson;
//! use janus_signal::plugin::voicemail::Event;
//!
//! let data = RawJson::parse(br#"{"voicemail":"event","status":"done","recording":"/voicemail/janus-voicemail-7.opus"}"#).unwrap();
//! let Ok(Event::Done { recording: Some(url) }) = Event::decode(data) else { panic!() };
//! assert!(url == "/voicemail/janus-voicemail-7.opus");
//! ```

use super::{EventError, open, plugin_error_codes, plugin_events, plugin_request};
use crate::json::{JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.voicemail";

plugin_error_codes! {
    /// VoiceMail's `error_code`s (`janus_voicemail.c`; they overlap core error codes in
    /// number, so tell them apart by where they come: here, in the plugin's data).
    ErrorCode {
        /// 460: the message had no body.
        NoMessage = 460,
        /// 461: the body is not valid JSON.
        InvalidJson = 461,
        /// 462: unknown `request`.
        InvalidRequest = 462,
        /// 463: a mandatory member is missing.
        MissingElement = 463,
        /// 464: a member has the wrong type (or the JSEP asks for end-to-end encryption).
        InvalidElement = 464,
        /// 465: this handle is already recording.
        AlreadyRecording = 465,
        /// 466: the output file could not be opened.
        IoError = 466,
        /// 467: the Ogg stream could not be set up.
        LiboggError = 467,
        /// 468: not recording yet (`update` before the media started).
        InvalidState = 468,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A VoiceMail [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

plugin_request! {
    /// `record`: opens the recording, sent with the caller's JSEP offer (opus); answered by
    /// [`Event::Starting`] with Janus's answer. Janus 1.1.2 answers an offer without opus with
    /// nothing at all (the request times out).
    #[serde(tag = "request", rename = "record")]
    #[derive(Default)]
    pub struct Record {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `update`: renegotiates a recording whose media started (with a JSEP offer); answered by
    /// [`Event::Updating`].
    #[serde(tag = "request", rename = "update")]
    #[derive(Default)]
    pub struct Update {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `stop`: closes the recording; answered by [`Event::Done`], after which the plugin ends
    /// the handle.
    #[serde(tag = "request", rename = "stop")]
    #[derive(Default)]
    pub struct Stop {
        /// The request.
        const fn new();
    }
}

plugin_events! {
    /// What the VoiceMail plugin says, read from `plugindata.data` (its `status`).
    pub enum Event<'a> {
        /// `status: "starting"`: the answer to [`Record`] (with Janus's answer to its offer).
        "starting" => Starting,
        /// `status: "started"`: the media is up and being recorded (it stops by itself after
        /// 10 s).
        "started" => Started,
        /// `status: "updating"`: the answer to [`Update`].
        "updating" => Updating,
        /// `status: "done"`: the answer to [`Stop`] (or the 10 s are over).
        "done" => Done {
            /// `recording`: the recording's URL (`base` of the plugin's config and the file
            /// name).
            recording: Option<JsonStr<'a>> = text,
        },
    }
    others {
        /// Anything else: `status` and the whole data.
        Other {
            /// `status`, if it is a string.
            status: Option<JsonStr<'a>>,
            /// The whole data.
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
    /// [`EventError::Decode`] when it is not an object or `status` / `recording` are not
    /// strings.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (_, f) = open("voicemail", data)?;
        let Some(status) = f.text("status")? else {
            return Ok(Self::Other { status: None, data });
        };
        Ok(Self::from_kind(status, &f)?.unwrap_or(Self::Other { status: Some(status), data }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeError;
    use crate::json::to_slice;

    #[test]
    fn requests_encode_exactly() {
        let mut out = [0u8; 32];
        let n = to_slice(&Record::new(), &mut out).unwrap();
        assert_eq!(&out[..n], br#"{"request":"record"}"#);
        let n = to_slice(&Update::new(), &mut out).unwrap();
        assert_eq!(&out[..n], br#"{"request":"update"}"#);
        let n = to_slice(&Stop::new(), &mut out).unwrap();
        assert_eq!(&out[..n], br#"{"request":"stop"}"#);
    }

    #[test]
    fn events_decode() {
        let parse = |s: &'static str| RawJson::from_str(s).unwrap();
        assert_eq!(Event::decode(parse(r#"{"voicemail":"event","status":"starting"}"#)), Ok(Event::Starting));
        assert_eq!(Event::decode(parse(r#"{"voicemail":"event","status":"started"}"#)), Ok(Event::Started));
        assert_eq!(Event::decode(parse(r#"{"voicemail":"event","status":"updating"}"#)), Ok(Event::Updating));
        assert_eq!(
            Event::decode(parse(r#"{"voicemail":"event","status":"done"}"#)),
            Ok(Event::Done { recording: None })
        );
        let other = parse(r#"{"voicemail":"event","status":"paused"}"#);
        assert!(matches!(Event::decode(other), Ok(Event::Other { status: Some(s), .. }) if s == "paused"));
        let Err(EventError::Plugin(e)) =
            Event::decode(parse(r#"{"voicemail":"event","error_code":465,"error":"Already recording"}"#))
        else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::AlreadyRecording);
        assert_eq!(
            Event::decode(parse(r#"{"voicemail":"event","status":"done","recording":5}"#)),
            Err(EventError::Decode(DecodeError::InvalidField { kind: "voicemail", field: "recording" }))
        );
    }
}
