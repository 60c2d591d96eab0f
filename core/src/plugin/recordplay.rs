//! The Record&Play plugin (`janus.plugin.recordplay`): records a PeerConnection into `.mjr`
//! files on the server and plays recordings back.
//!
//! `list`, `update` and `configure` are answered at once, in a `success`; `record`, `play`,
//! `start`, `stop`, `pause` and `resume` by an `event` whose data is
//! `{"recordplay":"event","result":{"status":…}}`. To record, send [`Record`] with an offer
//! (Janus answers); to play, send [`Play`] (Janus offers) and answer with [`Start`]. When the
//! PeerConnection goes away the plugin says [`Event::Done`] (then a recording is written out
//! and listed).
//!
//! What Janus 1.1.2 really sends (read in `janus_recordplay.c`): `list` gives `audio`,
//! `video` and `data` as booleans; `start` is answered `playing` without an id; `stop` is
//! answered `stopped` with the id for players too; `done` is a plain string in `result`.
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::recordplay::{Event, Record};
//!
//! let mut body = [0u8; 64];
//! let n = to_slice(&Record::new("my talk").with_id(42), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"request":"record","name":"my talk","id":42}"#);
//!
//! let data = RawJson::parse(br#"{"recordplay":"event","result":{"status":"recording","id":42}}"#).unwrap();
//! assert_eq!(Event::decode(data), Ok(Event::Recording { id: 42 }));
//! ```

use super::{EventError, Fields, List, open, plugin_error_codes, plugin_events, plugin_object, plugin_request};
use crate::error::DecodeError;
use crate::json::{JsonKind, JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.recordplay";

plugin_error_codes! {
    /// Record&Play's `error_code`s (`janus_recordplay.c`).
    ErrorCode {
        /// 411: the message had no body.
        NoMessage = 411,
        /// 412: the body is not valid JSON.
        InvalidJson = 412,
        /// 413: unknown `request`.
        InvalidRequest = 413,
        /// 414: a member has the wrong type (or `play` came with an SDP).
        InvalidElement = 414,
        /// 415: a mandatory member is missing (or `record` without an offer, `start` without
        /// an answer).
        MissingElement = 415,
        /// 416: no such recording.
        NotFound = 416,
        /// 417: none of the recording's files could be read.
        InvalidRecording = 417,
        /// 418: the request does not fit this handle (e.g. `start` without a `play`).
        InvalidState = 418,
        /// 419: the SDP is invalid.
        InvalidSdp = 419,
        /// 420: a recording with this id exists.
        RecordingExists = 420,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A Record&Play [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests -----------------------------------------------------------------------------

plugin_request! {
    /// `list`: the finished recordings, answered by [`Event::Recordings`].
    #[serde(tag = "request", rename = "list")]
    #[derive(Default)]
    pub struct ListRecordings {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `update`: rescans the recordings folder; answered by [`Event::Updated`].
    #[serde(tag = "request", rename = "update")]
    #[derive(Default)]
    pub struct Update {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `configure`: what Janus asks of a recorder's sender; answered by [`Event::Configured`].
    #[serde(tag = "request", rename = "configure")]
    #[derive(Default)]
    pub struct Configure {
        /// Changes nothing; answers the settings.
        const fn new();
        /// `video-bitrate-max`: the REMB cap in bit/s.
        video_bitrate_max as "video-bitrate-max": u64 => with_video_bitrate_max,
        /// `video-keyframe-interval`: how often to ask for a keyframe, in ms.
        video_keyframe_interval as "video-keyframe-interval": u64 => with_video_keyframe_interval,
    }
}

plugin_request! {
    /// `record`: records this PeerConnection, sent with a JSEP offer; answered by
    /// [`Event::Recording`] with Janus's answer.
    #[serde(tag = "request", rename = "record")]
    pub struct Record<'a> {
        /// Records under the name `name` (not empty).
        const fn new(name: &'a str);
        /// `id` of the recording (Janus picks one otherwise; 420 when taken).
        id: u64 => with_id,
        /// `filename` base of the `.mjr` files (a path on the server).
        filename: &'a str => with_filename,
        /// `audiocodec`: the audio codec to prefer among those offered.
        audiocodec: &'a str => with_audiocodec,
        /// `videocodec`: the video codec to prefer among those offered.
        videocodec: &'a str => with_videocodec,
        /// `videoprofile`: the video codec profile (H.264, VP9).
        videoprofile: &'a str => with_videoprofile,
        /// `opusred`: record RED-encapsulated opus.
        opusred: bool => with_opusred,
        /// `textdata`: data channel messages are text (the default) or binary.
        textdata: bool => with_textdata,
    }
}

plugin_request! {
    /// `play`: plays recording `id` back; answered by [`Event::Preparing`] with Janus's offer,
    /// to be answered with [`Start`].
    #[serde(tag = "request", rename = "play")]
    pub struct Play {
        /// Plays recording `id`.
        const fn new(id: u64);
        /// `restart`: an ICE restart of the current playout (Janus offers again).
        restart: bool => with_restart,
    }
}

plugin_request! {
    /// `start`: sent with the JSEP answer to [`Play`]'s offer; answered by [`Event::Playing`].
    #[serde(tag = "request", rename = "start")]
    #[derive(Default)]
    pub struct Start {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `stop`: stops recording or playing; answered by [`Event::Stopped`], then
    /// [`Event::Done`].
    #[serde(tag = "request", rename = "stop")]
    #[derive(Default)]
    pub struct Stop {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `pause`: pauses a recording; answered by [`Event::Paused`] (on a handle without a
    /// recording by a bare event: [`Event::Other`]). Only recorders pause.
    #[serde(tag = "request", rename = "pause")]
    #[derive(Default)]
    pub struct Pause {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `resume`: resumes a paused recording; answered by [`Event::Resumed`] (on a handle
    /// without a recording: [`Event::Other`]).
    #[serde(tag = "request", rename = "resume")]
    #[derive(Default)]
    pub struct Resume {
        /// The request.
        const fn new();
    }
}

// ----- events -------------------------------------------------------------------------------

plugin_object! {
    /// One recording of [`Event::Recordings`].
    pub struct RecordingInfo<'a> as "recordplay recording" {
        /// `id`: what [`Play`] takes. (Janus sends ids of 2^63 and above, which only a
        /// hand-written `.nfo` can give, as negative numbers: that element then fails to read.)
        pub id: u64 = required_u64,
        /// `name`.
        pub name: Option<JsonStr<'a>> = text,
        /// `date` it was made (free text).
        pub date: Option<JsonStr<'a>> = text,
        /// `audio`: it has audio.
        pub audio: Option<bool> = bool,
        /// `audio_codec`, when its file could be read.
        pub audio_codec: Option<JsonStr<'a>> = text,
        /// `video`: it has video.
        pub video: Option<bool> = bool,
        /// `video_codec`, when its file could be read.
        pub video_codec: Option<JsonStr<'a>> = text,
        /// `data`: it has data channel messages.
        pub data: Option<bool> = bool,
    }
}

plugin_events! {
    /// What the Record&Play plugin says, read from `plugindata.data`.
    pub enum Event<'a> {
        /// `recording`: the answer to [`Record`] (with Janus's JSEP answer).
        "recording" => Recording {
            /// The recording's id.
            id: u64 = required_u64,
        },
        /// `playing`: the answer to [`Start`].
        "playing" => Playing,
        /// `stopped`: the answer to [`Stop`].
        "stopped" => Stopped {
            /// The recording, when the handle had one.
            id: Option<u64> = u64,
        },
        /// `paused`: the answer to [`Pause`].
        "paused" => Paused {
            /// The recording.
            id: Option<u64> = u64,
        },
        /// `resumed`: the answer to [`Resume`].
        "resumed" => Resumed {
            /// The recording.
            id: Option<u64> = u64,
        },
        /// `slow_link`: losses on the media.
        "slow_link" => SlowLink {
            /// `media`: `audio` or `video`.
            media: Option<JsonStr<'a>> = text,
            /// `current-bitrate` (video).
            current_bitrate: Option<u64> = u64("current-bitrate"),
            /// `uplink`: 1 when the losses are on the way to Janus.
            uplink: Option<u64> = u64,
        },
    }
    others {
        /// `list`: the answer to [`ListRecordings`].
        Recordings(List<'a, RecordingInfo<'a>>),
        /// `ok`: the answer to [`Update`].
        Updated,
        /// `configure`: the answer to [`Configure`], with the settings now.
        Configured {
            /// `video-bitrate-max`.
            video_bitrate_max: Option<u64>,
            /// `video-keyframe-interval`, ms.
            video_keyframe_interval: Option<u64>,
        },
        /// `preparing` (or `restarting`): the answer to [`Play`] (with Janus's JSEP offer).
        Preparing {
            /// The recording played.
            id: u64,
            /// Whether this is an ICE restart (`restarting`).
            restart: bool,
            /// `warning`: a file that could not be read (the others play).
            warning: Option<JsonStr<'a>>,
        },
        /// `result: "done"`: the PeerConnection is gone (after [`Stop`], the end of a playout,
        /// a failure or a detach); a recording is now written out.
        Done,
        /// Anything else: the `status` (if any) and the whole data.
        Other {
            /// `result.status`, if it is a string.
            status: Option<JsonStr<'a>>,
            /// The whole data.
            data: RawJson<'a>,
        },
    }
}

impl<'a> Event<'a> {
    /// Reads the plugin's data (`plugindata.data` of an `event` or `success`).
    ///
    /// # Errors
    ///
    /// [`EventError::Plugin`] when the data carries `error_code` / `error`;
    /// [`EventError::Decode`] when it is not an object or a member the plugin always sends
    /// is missing or mistyped.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (kind, f) = open("recordplay", data)?;
        let Some(kind) = kind else {
            return Ok(Self::Other { status: None, data });
        };
        if kind == "list" {
            return Ok(Self::Recordings(f.required_list("list")?));
        }
        if kind == "ok" {
            return Ok(Self::Updated);
        }
        if kind == "configure" {
            let settings = f.object("settings")?.map(|s| Fields::of("recordplay settings", s)).transpose()?;
            return Ok(Self::Configured {
                video_bitrate_max: settings.map(|s| s.u64("video-bitrate-max")).transpose()?.flatten(),
                video_keyframe_interval: settings.map(|s| s.u64("video-keyframe-interval")).transpose()?.flatten(),
            });
        }
        if kind != "event" {
            return Ok(Self::Other { status: None, data });
        }
        match f.get("result") {
            Some(result) if result.kind() == JsonKind::Object => Ok(Self::decode_result(Fields::of("recordplay result", result)?, data)?),
            Some(_) if f.text("result")?.is_some_and(|r| r == "done") => Ok(Self::Done),
            _ => Ok(Self::Other { status: None, data }),
        }
    }

    fn decode_result(r: Fields<'a>, data: RawJson<'a>) -> Result<Self, DecodeError> {
        let Some(status) = r.text("status")? else {
            return Ok(Self::Other { status: None, data });
        };
        if let Some(known) = Self::from_kind(status, &r)? {
            return Ok(known);
        }
        Ok(if status == "preparing" || status == "restarting" {
            Self::Preparing { id: r.required_u64("id")?, restart: status == "restarting", warning: r.text("warning")? }
        } else {
            Self::Other { status: Some(status), data }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;
    use serde::Serialize;
    use std::string::String;

    fn encode<T: Serialize>(value: &T) -> String {
        let mut out = [0u8; 256];
        let n = to_slice(value, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn decode(json: &str) -> Result<Event<'_>, Error<'_>> {
        Event::decode(RawJson::from_str(json).unwrap())
    }

    #[test]
    fn requests_encode_exactly() {
        assert_eq!(encode(&ListRecordings::new()), r#"{"request":"list"}"#);
        assert_eq!(encode(&Update::new()), r#"{"request":"update"}"#);
        assert_eq!(
            encode(&Configure::new().with_video_bitrate_max(512_000).with_video_keyframe_interval(5000)),
            r#"{"request":"configure","video-bitrate-max":512000,"video-keyframe-interval":5000}"#
        );
        let record = Record::new("n \"1\"")
            .with_id(7)
            .with_filename("/tmp/r")
            .with_audiocodec("opus")
            .with_videocodec("vp8")
            .with_videoprofile("42e01f")
            .with_opusred(false)
            .with_textdata(true);
        assert_eq!(
            encode(&record),
            r#"{"request":"record","name":"n \"1\"","id":7,"filename":"/tmp/r","audiocodec":"opus","videocodec":"vp8","videoprofile":"42e01f","opusred":false,"textdata":true}"#
        );
        assert_eq!(encode(&Play::new(7)), r#"{"request":"play","id":7}"#);
        assert_eq!(encode(&Play::new(7).with_restart(true)), r#"{"request":"play","id":7,"restart":true}"#);
        assert_eq!(encode(&Start::new()), r#"{"request":"start"}"#);
        assert_eq!(encode(&Stop::new()), r#"{"request":"stop"}"#);
        assert_eq!(encode(&Pause::new()), r#"{"request":"pause"}"#);
        assert_eq!(encode(&Resume::new()), r#"{"request":"resume"}"#);
    }

    #[test]
    fn answers_and_events_decode() {
        let list = r#"{"recordplay":"list","list":[{"id":7,"name":"n","date":"2026-12-07 10:00:00","audio":true,"audio_codec":"opus","video":false,"data":false}]}"#;
        let Ok(Event::Recordings(list)) = decode(list) else { panic!() };
        let first = list.iter().next().unwrap().unwrap();
        assert_eq!((first.id, first.audio, first.video, first.data), (7, Some(true), Some(false), Some(false)));
        assert!(first.audio_codec.unwrap() == "opus");
        assert_eq!(decode(r#"{"recordplay":"ok"}"#), Ok(Event::Updated));
        assert_eq!(
            decode(r#"{"recordplay":"configure","status":"ok","settings":{"video-keyframe-interval":15000,"video-bitrate-max":1048576}}"#),
            Ok(Event::Configured { video_bitrate_max: Some(1_048_576), video_keyframe_interval: Some(15000) })
        );
        assert_eq!(decode(r#"{"recordplay":"event","result":{"status":"recording","id":7}}"#), Ok(Event::Recording { id: 7 }));
        assert_eq!(
            decode(r#"{"recordplay":"event","result":{"status":"restarting","id":7}}"#),
            Ok(Event::Preparing { id: 7, restart: true, warning: None })
        );
        let Ok(Event::Preparing { restart: false, warning: Some(w), .. }) =
            decode(r#"{"recordplay":"event","result":{"status":"preparing","id":7,"warning":"Broken video file, playing audio only"}}"#)
        else {
            panic!()
        };
        assert!(w == "Broken video file, playing audio only");
        assert_eq!(decode(r#"{"recordplay":"event","result":{"status":"playing"}}"#), Ok(Event::Playing));
        assert_eq!(decode(r#"{"recordplay":"event","result":{"status":"stopped","id":7}}"#), Ok(Event::Stopped { id: Some(7) }));
        assert_eq!(decode(r#"{"recordplay":"event","result":{"status":"paused","id":7}}"#), Ok(Event::Paused { id: Some(7) }));
        assert_eq!(decode(r#"{"recordplay":"event","result":{"status":"resumed","id":7}}"#), Ok(Event::Resumed { id: Some(7) }));
        assert_eq!(decode(r#"{"recordplay":"event","result":"done"}"#), Ok(Event::Done));
        let Ok(Event::SlowLink { uplink: Some(1), current_bitrate: None, .. }) =
            decode(r#"{"recordplay":"event","result":{"status":"slow_link","media":"audio","uplink":1}}"#)
        else {
            panic!()
        };
        assert!(matches!(decode(r#"{"recordplay":"event"}"#), Ok(Event::Other { status: None, .. })));
    }

    #[test]
    fn errors_and_bad_data_are_typed() {
        let Err(EventError::Plugin(e)) = decode(r#"{"recordplay":"event","error_code":416,"error":"No such recording"}"#) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(
            decode(r#"{"recordplay":"event","result":{"status":"recording"}}"#),
            Err(EventError::Decode(DecodeError::MissingField { kind: "recordplay result", field: "id" }))
        );
        assert_eq!(
            decode(r#"{"recordplay":"event","result":7}"#),
            Err(EventError::Decode(DecodeError::InvalidField { kind: "recordplay", field: "result" }))
        );
        assert_eq!(
            decode(r#"{"recordplay":"list"}"#),
            Err(EventError::Decode(DecodeError::MissingField { kind: "recordplay", field: "list" }))
        );
    }
}
