//! The Streaming plugin (`janus.plugin.streaming`): mountpoints that relay RTP (or files) to
//! viewers.
//!
//! `list`, `info`, `create` and `destroy` are answered at once in a `success`; `watch` is
//! answered by an event with Janus's JSEP offer, which the viewer answers with [`Start`] and
//! its JSEP answer; [`Pause`], [`Start`] and [`Stop`] are answered by status events.
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::streaming::{Event, Status, Watch};
//!
//! let mut body = [0u8; 64];
//! let n = to_slice(&Watch::new(99), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"request":"watch","id":99}"#);
//!
//! let data = RawJson::parse(br#"{"streaming":"event","result":{"status":"preparing"}}"#).unwrap();
//! assert!(matches!(Event::decode(data), Ok(Event::Status { status: Status::Preparing, .. })));
//! ```

use serde::Serialize;

use super::{EventError, Fields, Id, List, PluginId, open, plugin_error_codes, plugin_object, plugin_request};
use crate::error::DecodeError;
use crate::json::{JsonKind, JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.streaming";

plugin_error_codes! {
    /// Streaming's `error_code`s (`janus_streaming.c`).
    ErrorCode {
        /// 450: the message had no body.
        NoMessage = 450,
        /// 451: the body is not valid JSON.
        InvalidJson = 451,
        /// 452: unknown `request`, or not allowed now.
        InvalidRequest = 452,
        /// 453: a mandatory member is missing.
        MissingElement = 453,
        /// 454: a member has the wrong type or value.
        InvalidElement = 454,
        /// 455: no such mountpoint.
        NoSuchMountpoint = 455,
        /// 456: the mountpoint could not be created (e.g. its id is taken or a port is busy).
        CantCreate = 456,
        /// 457: wrong `secret` or `pin`.
        Unauthorized = 457,
        /// 458: cannot switch to that mountpoint.
        CantSwitch = 458,
        /// 459: cannot record.
        CantRecord = 459,
        /// 470: unknown error.
        Unknown = 470,
    }
}

/// A Streaming [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests -----------------------------------------------------------------------------

plugin_request! {
    /// `list`: the public mountpoints, answered by [`Event::Mountpoints`].
    #[serde(tag = "request", rename = "list")]
    #[derive(Default)]
    pub struct ListMountpoints {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `info`: one mountpoint's details, answered by [`Event::Info`].
    #[serde(tag = "request", rename = "info")]
    pub struct GetInfo<'a> {
        /// Asks about mountpoint `id`.
        fn new(id: Id<'a> [into]);
        /// `secret` of the mountpoint (shows its ports and more).
        secret: &'a str => with_secret,
    }
}

/// One medium of an RTP mountpoint ([`CreateRtpMountpoint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RtpMedia<'a> {
    /// `type`: `audio`, `video` or `data`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// `mid` of the medium in the offers Janus makes.
    pub mid: &'a str,
    /// `port` to receive RTP on; 0 lets Janus pick one in its `rtp_port_range`.
    pub port: u16,
    /// `pt`: the RTP payload type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pt: Option<u8>,
    /// `codec`, e.g. `opus`, `vp8`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec: Option<&'a str>,
}

plugin_request! {
    /// `create` with `type` `rtp`: a live mountpoint fed with RTP, answered by
    /// [`Event::Created`]. Needs the plugin's `admin_key` when one is configured.
    #[serde(tag = "request", rename = "create")]
    pub struct CreateRtpMountpoint<'a> {
        fixed {
            #[serde(rename = "type")]
            kind: &'static str = "rtp",
        }
        /// A mountpoint receiving `media`, with a Janus-chosen id.
        const fn new(media: &'a [RtpMedia<'a>]);
        /// `id` of the new mountpoint.
        id: Id<'a> => with_id [into],
        /// `name`.
        name: &'a str => with_name,
        /// `description`.
        description: &'a str => with_description,
        /// `secret`: needed to edit or destroy it.
        secret: &'a str => with_secret,
        /// `pin`: needed to watch it.
        pin: &'a str => with_pin,
        /// `is_private`: hidden from `list`.
        is_private: bool => with_private,
        /// `permanent`: also save it to the plugin's config file.
        permanent: bool => with_permanent,
        /// `admin_key`, when the plugin is configured with one.
        admin_key: &'a str => with_admin_key,
    }
}

plugin_request! {
    /// `destroy`: removes a mountpoint, answered by [`Event::Destroyed`].
    #[serde(tag = "request", rename = "destroy")]
    pub struct DestroyMountpoint<'a> {
        /// Destroys mountpoint `id`.
        fn new(id: Id<'a> [into]);
        /// `secret` of the mountpoint.
        secret: &'a str => with_secret,
        /// `permanent`: also remove it from the config file.
        permanent: bool => with_permanent,
    }
}

plugin_request! {
    /// `watch`: asks for a mountpoint's media; answered by [`Event::Status`] `preparing` with
    /// Janus's JSEP offer.
    #[serde(tag = "request", rename = "watch")]
    pub struct Watch<'a> {
        /// Watches mountpoint `id`.
        fn new(id: Id<'a> [into]);
        /// `pin` of the mountpoint.
        pin: &'a str => with_pin,
    }
}

plugin_request! {
    /// `start`: sent with the viewer's JSEP answer to the offer of [`Watch`] (or alone to resume
    /// after [`Pause`]); answered by [`Event::Status`] `starting` when the PeerConnection is not
    /// up yet, `started` when it is (a resume after [`Pause`]).
    #[serde(tag = "request", rename = "start")]
    #[derive(Default)]
    pub struct Start {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `pause`: answered by [`Event::Status`] `pausing`.
    #[serde(tag = "request", rename = "pause")]
    #[derive(Default)]
    pub struct Pause {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `stop`: ends watching; answered by [`Event::Status`] `stopping` when the viewer had
    /// started (Janus 1.1.2 only acks a `stop` of a viewer that never started).
    #[serde(tag = "request", rename = "stop")]
    #[derive(Default)]
    pub struct Stop {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `switch`: moves a viewer to another mountpoint without renegotiating.
    #[serde(tag = "request", rename = "switch")]
    pub struct Switch<'a> {
        /// Switches to mountpoint `id`.
        fn new(id: Id<'a> [into]);
    }
}

// ----- events -------------------------------------------------------------------------------

/// The `status` of a viewer, in `result` events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status<'a> {
    /// `preparing`: the answer to [`Watch`], with Janus's JSEP offer.
    Preparing,
    /// `starting`: the answer to [`Start`] while the PeerConnection is not up yet (a live
    /// one is answered `started`).
    Starting,
    /// `started`: media flows.
    Started,
    /// `pausing`: the answer to [`Pause`].
    Pausing,
    /// `stopping`: the answer to [`Stop`].
    Stopping,
    /// `stopped`: the mountpoint went away or ended under a viewer (a [`Stop`] is answered
    /// `stopping` and a hangup, with no `stopped`).
    Stopped,
    /// `switching`: sent to event handlers on a [`Switch`] (Janus 1.1 answers the request
    /// itself with `result: {"switched": "ok"}`, read as [`Event::Other`]).
    Switching,
    /// `updating`: a renegotiation.
    Updating,
    /// Another status, as sent.
    Other(JsonStr<'a>),
}

impl<'a> Status<'a> {
    fn from_text(text: JsonStr<'a>) -> Self {
        const NAMED: [(&str, Status<'static>); 8] = [
            ("preparing", Status::Preparing),
            ("starting", Status::Starting),
            ("started", Status::Started),
            ("pausing", Status::Pausing),
            ("stopping", Status::Stopping),
            ("stopped", Status::Stopped),
            ("switching", Status::Switching),
            ("updating", Status::Updating),
        ];
        NAMED.iter().find(|(name, _)| text == *name).map_or(Self::Other(text), |(_, status)| *status)
    }
}

/// What the Streaming plugin says, read from `plugindata.data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// `list`: the answer to [`ListMountpoints`].
    Mountpoints(List<'a, MountpointSummary<'a>>),
    /// `info`: the answer to [`GetInfo`].
    Info(MountpointInfo<'a>),
    /// `created`: the answer to [`CreateRtpMountpoint`].
    Created {
        /// `created`: the new mountpoint's name.
        name: Option<JsonStr<'a>>,
        /// `stream.id`: its id.
        id: PluginId<'a>,
        /// `permanent`.
        permanent: Option<bool>,
        /// `stream`: its type, ports and more.
        stream: RawJson<'a>,
    },
    /// `destroyed`: the answer to [`DestroyMountpoint`].
    Destroyed {
        /// The mountpoint.
        id: PluginId<'a>,
    },
    /// `event` with `result.status`: the answer to [`Watch`], [`Start`], [`Pause`], [`Stop`],
    /// [`Switch`], or a change announced by the plugin.
    Status {
        /// `result.status`.
        status: Status<'a>,
        /// `result`, for its other members (`id` after a switch…).
        result: RawJson<'a>,
    },
    /// Anything else (`ok` of `edit`/`enable`, `recording`, newer kinds…).
    Other {
        /// The `streaming` member, if any.
        kind: Option<JsonStr<'a>>,
        /// The whole data.
        data: RawJson<'a>,
    },
}

plugin_object! {
    /// One mountpoint of [`Event::Mountpoints`].
    pub struct MountpointSummary<'a> as "streaming mountpoint" {
        /// `id`.
        pub id: PluginId<'a> = required_id,
        /// `type`: `live` or `on demand`.
        pub kind: Option<JsonStr<'a>> = text("type"),
        /// `description`.
        pub description: Option<JsonStr<'a>> = text,
        /// `enabled`.
        pub enabled: Option<bool> = bool,
        /// `media`.
        pub media: Option<List<'a, MountpointMedia<'a>>> = list,
    }
}

/// The `info` of [`Event::Info`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountpointInfo<'a> {
    /// `id`.
    pub id: PluginId<'a>,
    /// `name`.
    pub name: Option<JsonStr<'a>>,
    /// `description`.
    pub description: Option<JsonStr<'a>>,
    /// `type`: `live` or `on demand`.
    pub kind: Option<JsonStr<'a>>,
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `viewers` (present when the mountpoint counts them).
    pub viewers: Option<u64>,
    /// `media`.
    pub media: Option<List<'a, MountpointMedia<'a>>>,
    /// The whole `info` object.
    pub raw: RawJson<'a>,
}

plugin_object! {
    /// One medium of a mountpoint.
    pub struct MountpointMedia<'a> as "streaming media" {
        /// `mid`.
        pub mid: Option<JsonStr<'a>> = text,
        /// `type`: `audio`, `video` or `data`.
        pub kind: Option<JsonStr<'a>> = text("type"),
        /// `label`.
        pub label: Option<JsonStr<'a>> = text,
        /// `codec` (in `info`).
        pub codec: Option<JsonStr<'a>> = text,
        /// `pt`: the RTP payload type (in `info`).
        pub pt: Option<u64> = u64,
        /// `port` Janus receives it on (in `info` with the secret, or for mountpoints without one).
        pub port: Option<u64> = u64,
        /// `age_ms`: milliseconds since the last packet.
        pub age_ms: Option<u64> = u64,
    }
}

impl<'a> Event<'a> {
    /// Reads the plugin's data (`plugindata.data` of an `event` or `success`).
    ///
    /// # Errors
    ///
    /// [`EventError::Plugin`] for `error_code` / `error`; [`EventError::Decode`] when the data
    /// is not an object or a member the plugin always sends is missing or mistyped.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (kind, f) = open("streaming", data)?;
        let Some(kind) = kind else {
            return Ok(Self::Other { kind: None, data });
        };
        let event = if kind == "list" {
            Self::Mountpoints(f.required_list("list")?)
        } else if kind == "info" {
            let info = f.object("info")?.ok_or(DecodeError::MissingField { kind: "streaming", field: "info" })?;
            let i = Fields::of("streaming info", info)?;
            Self::Info(MountpointInfo {
                id: i.required_id("id")?,
                name: i.text("name")?,
                description: i.text("description")?,
                kind: i.text("type")?,
                enabled: i.bool("enabled")?,
                viewers: i.u64("viewers")?,
                media: i.list("media")?,
                raw: info,
            })
        } else if kind == "created" {
            let stream = f.object("stream")?.ok_or(DecodeError::MissingField { kind: "streaming", field: "stream" })?;
            Self::Created {
                name: f.text("created")?,
                id: Fields::of("streaming stream", stream)?.required_id("id")?,
                permanent: f.bool("permanent")?,
                stream,
            }
        } else if kind == "destroyed" {
            Self::Destroyed { id: f.required_id("destroyed")? }
        } else if kind == "event"
            && let Some(result) = f.get("result").filter(|r| r.kind() == JsonKind::Object)
            && let Some(status) = Fields::of("streaming result", result)?.text("status")?
        {
            Self::Status { status: Status::from_text(status), result }
        } else {
            Self::Other { kind: Some(kind), data }
        };
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;
    use std::string::{String, ToString};
    use std::vec::Vec;

    fn encode<T: Serialize>(value: &T) -> String {
        let mut out = [0u8; 512];
        let n = to_slice(value, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn data(json: &str) -> RawJson<'_> {
        RawJson::from_str(json).unwrap()
    }

    #[test]
    fn requests_encode_exactly() {
        assert_eq!(encode(&ListMountpoints::new()), r#"{"request":"list"}"#);
        assert_eq!(encode(&GetInfo::new(5).with_secret("s")), r#"{"request":"info","id":5,"secret":"s"}"#);
        let media = [
            RtpMedia { kind: "audio", mid: "a", port: 0, pt: Some(111), codec: Some("opus") },
            RtpMedia { kind: "video", mid: "v", port: 5004, pt: None, codec: None },
        ];
        let create = CreateRtpMountpoint::new(&media)
            .with_id(7)
            .with_name("n")
            .with_description("d \"x\"")
            .with_secret("s")
            .with_pin("p")
            .with_private(false)
            .with_permanent(false)
            .with_admin_key("k");
        assert_eq!(
            encode(&create),
            r#"{"request":"create","type":"rtp","media":[{"type":"audio","mid":"a","port":0,"pt":111,"codec":"opus"},{"type":"video","mid":"v","port":5004}],"id":7,"name":"n","description":"d \"x\"","secret":"s","pin":"p","is_private":false,"permanent":false,"admin_key":"k"}"#
        );
        assert_eq!(
            encode(&DestroyMountpoint::new("m").with_secret("s").with_permanent(true)),
            r#"{"request":"destroy","id":"m","secret":"s","permanent":true}"#
        );
        assert_eq!(encode(&Watch::new(1).with_pin("p")), r#"{"request":"watch","id":1,"pin":"p"}"#);
        assert_eq!(encode(&Start::new()), r#"{"request":"start"}"#);
        assert_eq!(encode(&Pause::new()), r#"{"request":"pause"}"#);
        assert_eq!(encode(&Stop::new()), r#"{"request":"stop"}"#);
        assert_eq!(encode(&Switch::new(2)), r#"{"request":"switch","id":2}"#);
    }

    /// The data of answers captured from Janus 1.1.2.
    #[test]
    fn answers() {
        let created = data(
            r#"{"streaming":"created","created":"test \"mp\"","permanent":false,"stream":{"id":687992265091,"type":"live","description":"desc é\t","is_private":false,"ports":[{"type":"audio","mid":"a","port":20000}]}}"#,
        );
        let Ok(Event::Created { name, id, permanent, stream }) = Event::decode(created) else { panic!() };
        assert_eq!(name.unwrap().to_string(), "test \"mp\"");
        assert_eq!((id, permanent), (PluginId::Number(687992265091), Some(false)));
        assert!(stream.get("ports").is_some());
        let list = data(
            r#"{"streaming":"list","list":[{"id":687992265091,"type":"live","description":"desc é\t","enabled":true,"media":[{"mid":"a","type":"audio","label":"audio","age_ms":0}]}]}"#,
        );
        let Ok(Event::Mountpoints(list)) = Event::decode(list) else { panic!() };
        let items: Vec<_> = list.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(items[0].description.unwrap().to_string(), "desc é\t");
        assert_eq!(items[0].enabled, Some(true));
        assert!(items[0].media.unwrap().iter().next().unwrap().unwrap().label.unwrap() == "audio");
        let info = data(
            r#"{"streaming":"info","info":{"id":5,"name":"n","description":"d","enabled":true,"viewers":0,"type":"live","media":[{"mindex":0,"type":"audio","mid":"a","label":"audio","pt":111,"codec":"opus","rtpmap":"opus/48000/2","port":20000,"age_ms":1}]}}"#,
        );
        let Ok(Event::Info(info)) = Event::decode(info) else { panic!() };
        assert_eq!((info.id, info.viewers), (PluginId::Number(5), Some(0)));
        let media = info.media.unwrap().iter().next().unwrap().unwrap();
        assert_eq!((media.pt, media.port), (Some(111), Some(20000)));
        assert_eq!(
            Event::decode(data(r#"{"streaming":"destroyed","destroyed":687992265091}"#)),
            Ok(Event::Destroyed { id: PluginId::Number(687992265091) })
        );
        for (status, expected) in [
            ("preparing", Status::Preparing),
            ("starting", Status::Starting),
            ("started", Status::Started),
            ("pausing", Status::Pausing),
            ("stopping", Status::Stopping),
            ("stopped", Status::Stopped),
            ("switching", Status::Switching),
            ("updating", Status::Updating),
        ] {
            let json = std::format!(r#"{{"streaming":"event","result":{{"status":"{status}"}}}}"#);
            assert!(matches!(Event::decode(data(&json)), Ok(Event::Status { status, .. }) if status == expected));
        }
        let odd = data(r#"{"streaming":"event","result":{"status":"dancing"}}"#);
        assert!(matches!(Event::decode(odd), Ok(Event::Status { status: Status::Other(s), .. }) if s == "dancing"));
        let ok = data(r#"{"streaming":"event","result":"ok"}"#);
        assert!(matches!(Event::decode(ok), Ok(Event::Other { .. })));
    }

    #[test]
    fn errors() {
        let error = data(r#"{"streaming":"event","error_code":455,"error":"No such mountpoint/stream 4711"}"#);
        let Err(EventError::Plugin(e)) = Event::decode(error) else { panic!() };
        assert_eq!(e.code, ErrorCode::NoSuchMountpoint);
        assert_eq!(e.reason.unwrap().to_string(), "No such mountpoint/stream 4711");
        let cases = [
            (r#"{"streaming":"info"}"#, DecodeError::MissingField { kind: "streaming", field: "info" }),
            (r#"{"streaming":"info","info":{}}"#, DecodeError::MissingField { kind: "streaming info", field: "id" }),
            (r#"{"streaming":"list","list":5}"#, DecodeError::InvalidField { kind: "streaming", field: "list" }),
            (
                r#"{"streaming":"created","created":"x"}"#,
                DecodeError::MissingField { kind: "streaming", field: "stream" },
            ),
            (
                r#"{"streaming":"destroyed","destroyed":true}"#,
                DecodeError::InvalidField { kind: "streaming", field: "destroyed" },
            ),
            (
                r#"{"streaming":"event","result":{"status":5}}"#,
                DecodeError::InvalidField { kind: "streaming result", field: "status" },
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(Event::decode(data(json)), Err(EventError::Decode(expected)), "{json}");
        }
    }
}
