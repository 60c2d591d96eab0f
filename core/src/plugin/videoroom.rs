//! The VideoRoom plugin (`janus.plugin.videoroom`): an SFU with rooms of publishers and
//! subscribers.
//!
//! Room management (`create`, `destroy`, `exists`, `list`, `listparticipants`) is answered
//! at once, in a `success`; joining, publishing, subscribing, `configure` and `leave` are
//! answered by an `event` (with a JSEP answer to a publisher's offer, or a JSEP offer for a
//! subscriber). Both carry the data [`Event::decode`] reads.
//!
//! Room and participant ids are numbers, or strings when the plugin runs with
//! `string_ids = true` (a global setting in `janus.plugin.videoroom.jcfg`): requests take an
//! [`Id`], events give a [`PluginId`].
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::videoroom::{CreateRoom, Event, SelfOrFeed};
//! use janus_signal::plugin::PluginId;
//!
//! let mut body = [0u8; 128];
//! let create = CreateRoom::new().with_room("lobby").with_description("Our \"lobby\"").with_publishers(6);
//! let n = to_slice(&create, &mut body).unwrap();
//! assert_eq!(
//!     &body[..n],
//!     br#"{"request":"create","room":"lobby","description":"Our \"lobby\"","publishers":6}"#
//! );
//!
//! let data = RawJson::parse(br#"{"videoroom":"event","room":"lobby","leaving":"ok"}"#).unwrap();
//! let Ok(Event::Leaving { room, who, .. }) = Event::decode(data) else { panic!() };
//! assert!(matches!(room, Some(PluginId::Text(r)) if r == "lobby"));
//! assert_eq!(who, SelfOrFeed::Myself);
//! ```

use serde::Serialize;

use super::{EventError, Fields, Id, List, ListItem, PluginId, open, plugin_error_codes, plugin_events, plugin_object, plugin_request};
use crate::error::DecodeError;
use crate::json::{JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.videoroom";

plugin_error_codes! {
    /// VideoRoom's `error_code`s (`janus_videoroom.c`).
    ErrorCode {
        /// 421: the message had no body.
        NoMessage = 421,
        /// 422: the body is not valid JSON.
        InvalidJson = 422,
        /// 423: unknown `request` (or not allowed in this state).
        InvalidRequest = 423,
        /// 424: join the room first.
        JoinFirst = 424,
        /// 425: this handle already joined.
        AlreadyJoined = 425,
        /// 426: no such room.
        NoSuchRoom = 426,
        /// 427: a room with this id exists.
        RoomExists = 427,
        /// 428: no such feed (publisher), or it publishes nothing yet.
        NoSuchFeed = 428,
        /// 429: a mandatory member is missing.
        MissingElement = 429,
        /// 430: a member has the wrong type (e.g. a numeric room id with `string_ids`).
        InvalidElement = 430,
        /// 431: the JSEP type is not the expected one.
        InvalidSdpType = 431,
        /// 432: the room has its maximum number of publishers.
        PublishersFull = 432,
        /// 433: wrong `secret` or `pin`, or not allowed.
        Unauthorized = 433,
        /// 434: this handle already publishes.
        AlreadyPublished = 434,
        /// 435: this handle does not publish.
        NotPublished = 435,
        /// 436: a participant with this id exists.
        IdExists = 436,
        /// 437: the SDP is invalid.
        InvalidSdp = 437,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A VideoRoom [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests -----------------------------------------------------------------------------

/// One stream of a dummy publisher (`dummy_streams` of [`CreateRoom`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DummyStream<'a> {
    /// `type`: `audio`, `video` or `data`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// `codec`, e.g. `opus` or `vp8`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codec: Option<&'a str>,
}

plugin_request! {
    /// `create`: a new room, answered by [`Event::Created`].
    #[serde(tag = "request", rename = "create")]
    #[derive(Default)]
    pub struct CreateRoom<'a> {
        /// A room with a Janus-chosen id and default settings.
        const fn new();
        /// `room`: the id to create (427 [`ErrorCode::RoomExists`] when taken).
        room: Id<'a> => with_room [into],
        /// `description`.
        description: &'a str => with_description,
        /// `is_private`: hidden from `list`.
        is_private: bool => with_private,
        /// `publishers`: the most publishers at once.
        publishers: u64 => with_publishers,
        /// `secret`: needed to edit or destroy the room.
        secret: &'a str => with_secret,
        /// `pin`: needed to join.
        pin: &'a str => with_pin,
        /// `permanent`: also save the room to the plugin's config file.
        permanent: bool => with_permanent,
        /// `notify_joining`: tell participants about everyone who joins ([`Event::Joining`]).
        notify_joining: bool => with_notify_joining,
        dummy_publisher: bool,
        dummy_streams: &'a [DummyStream<'a>],
    }
}

impl<'a> CreateRoom<'a> {
    /// `dummy_publisher` with `dummy_streams`: a publisher without a PeerConnection that
    /// subscribers can subscribe to (Janus ≥ 1.1; for tests and placeholders).
    #[must_use]
    pub const fn with_dummy_publisher(mut self, streams: &'a [DummyStream<'a>]) -> Self {
        self.dummy_publisher = Some(true);
        self.dummy_streams = Some(streams);
        self
    }
}

plugin_request! {
    /// `destroy`: removes a room, answered by [`Event::Destroyed`] (participants get it too).
    #[serde(tag = "request", rename = "destroy")]
    pub struct DestroyRoom<'a> {
        /// Destroys `room`.
        fn new(room: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
        /// `permanent`: also remove it from the config file.
        permanent: bool => with_permanent,
    }
}

plugin_request! {
    /// `exists`: whether a room exists, answered by [`Event::Exists`].
    #[serde(tag = "request", rename = "exists")]
    pub struct RoomExists<'a> {
        /// Asks about `room`.
        fn new(room: Id<'a> [into]);
    }
}

plugin_request! {
    /// `list`: the public rooms, answered by [`Event::Rooms`].
    #[serde(tag = "request", rename = "list")]
    #[derive(Default)]
    pub struct ListRooms {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `listparticipants`: the participants of a room, answered by [`Event::Participants`].
    #[serde(tag = "request", rename = "listparticipants")]
    pub struct ListParticipants<'a> {
        /// Lists the participants of `room`.
        fn new(room: Id<'a> [into]);
    }
}

plugin_request! {
    /// `join` with `ptype` `publisher`: takes a seat in a room, answered by [`Event::Joined`].
    #[serde(tag = "request", rename = "join")]
    pub struct JoinAsPublisher<'a> {
        fixed { ptype: &'static str = "publisher" }
        /// Joins `room` as a publisher.
        fn new(room: Id<'a> [into]);
        /// `id`: the participant id to use (Janus picks one otherwise).
        id: Id<'a> => with_id [into],
        /// `display`: the name others see.
        display: &'a str => with_display,
        /// `pin` of the room.
        pin: &'a str => with_pin,
        /// `token`, when the room has an `allowed` list.
        token: &'a str => with_token,
    }
}

plugin_request! {
    /// `publish`: sent with a JSEP offer once joined; answered by [`Event::Configured`] with
    /// Janus's JSEP answer.
    #[serde(tag = "request", rename = "publish")]
    #[derive(Default)]
    pub struct Publish<'a> {
        /// Publishes with the room's defaults.
        const fn new();
        /// `display`: a new display name.
        display: &'a str => with_display,
        /// `bitrate` cap in bit/s (REMB).
        bitrate: u64 => with_bitrate,
        /// `audiocodec`: the codec to prefer among those the room allows.
        audiocodec: &'a str => with_audiocodec,
        /// `videocodec`: the codec to prefer among those the room allows.
        videocodec: &'a str => with_videocodec,
    }
}

plugin_request! {
    /// `unpublish`: stops publishing (stays in the room).
    #[serde(tag = "request", rename = "unpublish")]
    #[derive(Default)]
    pub struct Unpublish {
        /// The request.
        const fn new();
    }
}

/// One stream to subscribe to: a publisher's feed, and optionally one of its `mid`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SubscribeStream<'a> {
    feed: Id<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mid: Option<&'a str>,
}

impl<'a> SubscribeStream<'a> {
    /// Every stream of the publisher `feed`.
    #[must_use]
    pub fn feed(feed: impl Into<Id<'a>>) -> Self {
        Self { feed: feed.into(), mid: None }
    }

    /// Only the stream `mid` of the publisher.
    #[must_use]
    pub const fn with_mid(mut self, mid: &'a str) -> Self {
        self.mid = Some(mid);
        self
    }
}

plugin_request! {
    /// `join` with `ptype` `subscriber`: answered by [`Event::Attached`] with a JSEP offer, to be
    /// answered with [`Start`].
    #[serde(tag = "request", rename = "join")]
    pub struct JoinAsSubscriber<'a> {
        fixed { ptype: &'static str = "subscriber" }
        /// Subscribes to `streams` in `room`.
        fn new(room: Id<'a> [into], streams: &'a [SubscribeStream<'a>]);
        /// `private_id` of this user's publisher handle (rooms with `require_pvtid`).
        private_id: u64 => with_private_id,
        /// `pin` of the room.
        pin: &'a str => with_pin,
    }
}

plugin_request! {
    /// `start`: a subscriber sends it with its JSEP answer; answered by [`Event::Started`].
    #[serde(tag = "request", rename = "start")]
    #[derive(Default)]
    pub struct Start {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `pause`: a subscriber stops receiving media for a while.
    #[serde(tag = "request", rename = "pause")]
    #[derive(Default)]
    pub struct Pause {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// Settings of one stream in [`Configure`], chosen by its `mid`.
    pub struct StreamSettings<'a> {
        /// Settings for the stream `mid`.
        const fn new(mid: &'a str);
        /// `send`: whether Janus relays this stream (subscribers) or the publisher sends it.
        send: bool => with_send,
    }
}

plugin_request! {
    /// `configure`: changes a publisher's or subscriber's settings; answered by
    /// [`Event::Configured`].
    #[serde(tag = "request", rename = "configure")]
    #[derive(Default)]
    pub struct Configure<'a> {
        /// Changes nothing yet.
        const fn new();
        /// `bitrate` cap in bit/s (publishers).
        bitrate: u64 => with_bitrate,
        /// `keyframe`: ask the publisher for a keyframe.
        keyframe: bool => with_keyframe,
        /// `display`: a new display name (publishers).
        display: &'a str => with_display,
        /// `streams`: per-stream settings.
        streams: &'a [StreamSettings<'a>] => with_streams,
    }
}

plugin_request! {
    /// `leave`: leaves the room (publishers: [`Event::Leaving`]; subscribers: [`Event::Left`]).
    #[serde(tag = "request", rename = "leave")]
    #[derive(Default)]
    pub struct Leave {
        /// The request.
        const fn new();
    }
}

// ----- events -------------------------------------------------------------------------------

plugin_events! {
    /// What the VideoRoom plugin says, read from `plugindata.data`.
    pub enum Event<'a> {
        /// `created`: the answer to [`CreateRoom`].
        "created" => Created {
            /// The new room.
            room: PluginId<'a> = required_id,
            /// Whether it was saved to the config file.
            permanent: Option<bool> = bool,
        },
        /// `destroyed`: the answer to [`DestroyRoom`], or the room went away under a participant.
        "destroyed" => Destroyed {
            /// The room.
            room: PluginId<'a> = required_id,
            /// Whether it was removed from the config file.
            permanent: Option<bool> = bool,
        },
        /// `participants`: the answer to [`ListParticipants`].
        "participants" => Participants {
            /// The room.
            room: PluginId<'a> = required_id,
            /// Who is in it.
            participants: List<'a, Participant<'a>> = required_list,
        },
        /// `attached`: the answer to [`JoinAsSubscriber`] (the event carries Janus's JSEP offer).
        "attached" => Attached {
            /// The room.
            room: PluginId<'a> = required_id,
            /// The subscribed streams (`feed_id`, `feed_mid`, `mid`…).
            streams: Option<List<'a, Stream<'a>>> = list,
        },
        /// `updated`: a subscriber's streams changed (a publisher it watches unpublished or left,
        /// or after `subscribe`/`unsubscribe`/`update`); carries Janus's new JSEP offer, to be
        /// answered with [`Start`]. Subscribers get this where publishers get
        /// [`Event::Unpublished`] / [`Event::Leaving`].
        "updated" => Updated {
            /// The room.
            room: PluginId<'a> = required_id,
            /// The subscription's streams now (`active: false` for those without a source).
            streams: Option<List<'a, Stream<'a>>> = list,
        },
    }
    others {
        /// `success` with `exists`: the answer to [`RoomExists`].
        Exists {
            /// The room asked about.
            room: PluginId<'a>,
            /// Whether it exists.
            exists: bool,
        },
        /// `success` with `list`: the answer to [`ListRooms`].
        Rooms(List<'a, RoomInfo<'a>>),
        /// `success` of another request (`edit`, `allowed`, `kick`, `moderate`…).
        Success(RawJson<'a>),
        /// `joined`: the answer to [`JoinAsPublisher`].
        Joined(Joined<'a>),
        /// `event` with `configured: "ok"`: the answer to [`Publish`] (with Janus's JSEP answer)
        /// or [`Configure`].
        Configured {
            /// The room.
            room: Option<PluginId<'a>>,
            /// The audio codec in use (publishers).
            audio_codec: Option<JsonStr<'a>>,
            /// The video codec in use (publishers).
            video_codec: Option<JsonStr<'a>>,
            /// The published streams (publishers).
            streams: Option<List<'a, Stream<'a>>>,
        },
        /// `event` with `started: "ok"`: the answer to [`Start`].
        Started {
            /// The room.
            room: Option<PluginId<'a>>,
        },
        /// `event` with `paused: "ok"`: the answer to [`Pause`].
        Paused {
            /// The room.
            room: Option<PluginId<'a>>,
        },
        /// `event` with `leaving`: this publisher left ([`Leave`]), or another one did.
        Leaving {
            /// The room.
            room: Option<PluginId<'a>>,
            /// `"ok"` (this handle) or the id of the participant that left.
            who: SelfOrFeed<'a>,
            /// `reason`, e.g. `kicked`.
            reason: Option<JsonStr<'a>>,
        },
        /// `event` with `left: "ok"`: this subscriber left ([`Leave`]).
        Left {
            /// The room.
            room: Option<PluginId<'a>>,
        },
        /// `event` with `unpublished`: this handle ([`Unpublish`]) or another publisher stopped
        /// publishing. Only publisher-type handles (participants) hear of other feeds; Janus
        /// 1.1.2 may tell them twice (again when the PeerConnection closes).
        Unpublished {
            /// The room.
            room: Option<PluginId<'a>>,
            /// `"ok"` (this handle) or the feed that stopped.
            who: SelfOrFeed<'a>,
        },
        /// `event` with `publishers`: new publishers in the room.
        Publishers {
            /// The room.
            room: Option<PluginId<'a>>,
            /// The new publishers.
            publishers: List<'a, Publisher<'a>>,
        },
        /// `event` with `joining`: someone joined a room with `notify_joining`.
        Joining {
            /// The room.
            room: Option<PluginId<'a>>,
            /// Who.
            participant: Participant<'a>,
        },
        /// `event` with `kicked`: a participant was kicked.
        Kicked {
            /// The room.
            room: Option<PluginId<'a>>,
            /// Who.
            participant: PluginId<'a>,
        },
        /// Anything else (`talking`, `slow_link`, newer kinds…): the `videoroom` kind
        /// and the whole data.
        Other {
            /// The `videoroom` member, if any.
            kind: Option<JsonStr<'a>>,
            /// The whole data.
            data: RawJson<'a>,
        },
    }
}

/// `"ok"` (the handle that asked) or another participant's id: the value of `leaving` and
/// `unpublished`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfOrFeed<'a> {
    /// `"ok"`: this handle.
    Myself,
    /// Another participant (feed).
    Feed(PluginId<'a>),
}

impl<'a> SelfOrFeed<'a> {
    fn read(fields: &Fields<'a>, field: &'static str) -> Result<Option<Self>, DecodeError> {
        Ok(fields.id(field)?.map(|id| match id {
            PluginId::Text(text) if text == "ok" => Self::Myself,
            other => Self::Feed(other),
        }))
    }
}

/// The data of `joined`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined<'a> {
    /// The room.
    pub room: PluginId<'a>,
    /// The room's description.
    pub description: Option<JsonStr<'a>>,
    /// This participant's id (its feed id once it publishes).
    pub id: PluginId<'a>,
    /// `private_id`, to pass when subscribing from this user's other handles.
    pub private_id: Option<u64>,
    /// Who publishes in the room now.
    pub publishers: List<'a, Publisher<'a>>,
    /// `attendees`: participants that do not publish (rooms with `notify_joining`).
    pub attendees: Option<List<'a, Participant<'a>>>,
}

plugin_object! {
    /// One room of [`Event::Rooms`].
    pub struct RoomInfo<'a> as "videoroom room" {
        /// The room.
        pub room: PluginId<'a> = required_id,
        /// `description`.
        pub description: Option<JsonStr<'a>> = text,
        /// `pin_required`.
        pub pin_required: Option<bool> = bool,
        /// `is_private`.
        pub is_private: Option<bool> = bool,
        /// `max_publishers`.
        pub max_publishers: Option<u64> = u64,
        /// `num_participants`.
        pub num_participants: Option<u64> = u64,
    }
}

plugin_object! {
    /// One participant of [`Event::Participants`], [`Joined::attendees`] or [`Event::Joining`].
    pub struct Participant<'a> as "videoroom participant" {
        /// The participant id.
        pub id: PluginId<'a> = required_id,
        /// `display`.
        pub display: Option<JsonStr<'a>> = text,
        /// `publisher`: whether it is publishing now.
        pub publisher: Option<bool> = bool,
        /// `talking` (rooms with audio level events).
        pub talking: Option<bool> = bool,
    }
}

plugin_object! {
    /// One publisher of [`Joined::publishers`] or [`Event::Publishers`].
    pub struct Publisher<'a> as "videoroom publisher" {
        /// Its feed id: subscribe with [`SubscribeStream::feed`].
        pub id: PluginId<'a> = required_id,
        /// `display`.
        pub display: Option<JsonStr<'a>> = text,
        /// `dummy`: a dummy publisher of the room.
        pub dummy: Option<bool> = bool,
        /// `streams` it publishes.
        pub streams: Option<List<'a, Stream<'a>>> = list,
    }
}

plugin_object! {
    /// One media stream: of a publisher (`type`, `mindex`, `mid`, `codec`) or of a subscription
    /// (plus `feed_id`, `feed_mid`, `feed_display`, `send`, `ready`, `active`).
    pub struct Stream<'a> as "videoroom stream" {
        /// `type`: `audio`, `video` or `data`.
        pub kind: Option<JsonStr<'a>> = text("type"),
        /// `mindex`: the m-line.
        pub mindex: Option<u64> = u64,
        /// `mid`.
        pub mid: Option<JsonStr<'a>> = text,
        /// `codec`.
        pub codec: Option<JsonStr<'a>> = text,
        /// `disabled`.
        pub disabled: Option<bool> = bool,
        /// `feed_id`: the publisher of a subscribed stream.
        pub feed_id: Option<PluginId<'a>> = id,
        /// `feed_mid`: the publisher's `mid` of a subscribed stream.
        pub feed_mid: Option<JsonStr<'a>> = text,
        /// `feed_display`: the publisher's display name.
        pub feed_display: Option<JsonStr<'a>> = text,
        /// `send`: whether Janus relays it.
        pub send: Option<bool> = bool,
        /// `active` (subscriber streams): whether the stream still has a source; `false` after
        /// its publisher unpublished (while `send` may stay `true`).
        pub active: Option<bool> = bool,
        /// `ready` (subscriber streams): whether the stream is negotiated.
        pub ready: Option<bool> = bool,
    }
}

impl<'a> Event<'a> {
    /// Reads the plugin's data (`plugindata.data` of an `event` or `success`).
    ///
    /// # Errors
    ///
    /// [`EventError::Plugin`] when the data carries `error_code` / `error`;
    /// [`EventError::Decode`] when it is not an object or a member the plugin always sends
    /// is missing or mistyped. Kinds this crate does not know are [`Event::Other`], not
    /// errors.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (kind, f) = open("videoroom", data)?;
        let Some(kind) = kind else {
            return Ok(Self::Other { kind: None, data });
        };
        if let Some(known) = Self::from_kind(kind, &f)? {
            return Ok(known);
        }
        let event = if kind == "success" {
            if let Some(exists) = f.bool("exists")? {
                Self::Exists { room: f.required_id("room")?, exists }
            } else if let Some(list) = f.list("list")? {
                Self::Rooms(list)
            } else {
                Self::Success(data)
            }
        } else if kind == "joined" {
            Self::Joined(Joined {
                room: f.required_id("room")?,
                description: f.text("description")?,
                id: f.required_id("id")?,
                private_id: f.u64("private_id")?,
                publishers: f.required_list("publishers")?,
                attendees: f.list("attendees")?,
            })
        } else if kind == "event" {
            Self::decode_event(f)?
        } else {
            Self::Other { kind: Some(kind), data }
        };
        Ok(event)
    }

    /// The sub-kinds of `"videoroom": "event"`, told apart by their members.
    fn decode_event(f: Fields<'a>) -> Result<Self, DecodeError> {
        let room = f.id("room")?;
        if f.has("configured") {
            return Ok(Self::Configured {
                room,
                audio_codec: f.text("audio_codec")?,
                video_codec: f.text("video_codec")?,
                streams: f.list("streams")?,
            });
        }
        if let Some(who) = SelfOrFeed::read(&f, "leaving")? {
            return Ok(Self::Leaving { room, who, reason: f.text("reason")? });
        }
        if f.has("left") {
            return Ok(Self::Left { room });
        }
        if let Some(who) = SelfOrFeed::read(&f, "unpublished")? {
            return Ok(Self::Unpublished { room, who });
        }
        if let Some(publishers) = f.list("publishers")? {
            return Ok(Self::Publishers { room, publishers });
        }
        if let Some(joining) = f.object("joining")? {
            return Ok(Self::Joining { room, participant: Participant::from_json(joining)? });
        }
        if let Some(participant) = f.id("kicked")? {
            return Ok(Self::Kicked { room, participant });
        }
        if f.has("started") {
            return Ok(Self::Started { room });
        }
        if f.has("paused") {
            return Ok(Self::Paused { room });
        }
        Ok(Self::Other { kind: f.text("videoroom")?, data: f.raw() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;
    use crate::message::Message;
    use crate::plugin::plugin_data;
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
        assert_eq!(encode(&CreateRoom::new()), r#"{"request":"create"}"#);
        let dummy = [DummyStream { kind: "audio", codec: Some("opus") }];
        let create = CreateRoom::new()
            .with_room(7)
            .with_description("d")
            .with_private(false)
            .with_publishers(3)
            .with_secret("s")
            .with_pin("p")
            .with_permanent(false)
            .with_notify_joining(true)
            .with_dummy_publisher(&dummy);
        assert_eq!(
            encode(&create),
            r#"{"request":"create","room":7,"description":"d","is_private":false,"publishers":3,"secret":"s","pin":"p","permanent":false,"notify_joining":true,"dummy_publisher":true,"dummy_streams":[{"type":"audio","codec":"opus"}]}"#
        );
        assert_eq!(encode(&DestroyRoom::new("r").with_secret("s")), r#"{"request":"destroy","room":"r","secret":"s"}"#);
        assert_eq!(encode(&RoomExists::new(1)), r#"{"request":"exists","room":1}"#);
        assert_eq!(encode(&ListRooms::new()), r#"{"request":"list"}"#);
        assert_eq!(encode(&ListParticipants::new(1)), r#"{"request":"listparticipants","room":1}"#);
        assert_eq!(
            encode(&JoinAsPublisher::new(1).with_id(9).with_display("A \"B\"\n").with_pin("1").with_token("t")),
            r#"{"request":"join","ptype":"publisher","room":1,"id":9,"display":"A \"B\"\n","pin":"1","token":"t"}"#
        );
        assert_eq!(
            encode(
                &Publish::new().with_bitrate(128000).with_audiocodec("opus").with_videocodec("vp8").with_display("x")
            ),
            r#"{"request":"publish","display":"x","bitrate":128000,"audiocodec":"opus","videocodec":"vp8"}"#
        );
        assert_eq!(encode(&Unpublish::new()), r#"{"request":"unpublish"}"#);
        let streams = [SubscribeStream::feed(5), SubscribeStream::feed("f").with_mid("1")];
        assert_eq!(
            encode(&JoinAsSubscriber::new(1, &streams).with_private_id(42).with_pin("p")),
            r#"{"request":"join","ptype":"subscriber","room":1,"streams":[{"feed":5},{"feed":"f","mid":"1"}],"private_id":42,"pin":"p"}"#
        );
        let settings = [StreamSettings::new("0").with_send(false)];
        assert_eq!(
            encode(&Configure::new().with_bitrate(1).with_keyframe(true).with_display("d").with_streams(&settings)),
            r#"{"request":"configure","bitrate":1,"keyframe":true,"display":"d","streams":[{"mid":"0","send":false}]}"#
        );
        assert_eq!(encode(&Start::new()), r#"{"request":"start"}"#);
        assert_eq!(encode(&Pause::new()), r#"{"request":"pause"}"#);
        assert_eq!(encode(&Leave::new()), r#"{"request":"leave"}"#);
    }

    /// Bytes as Janus 1.1.2 sent them (indented, captured from the test server).
    const JOINED_EVENT: &str = r#"{
   "janus": "event",
   "session_id": 8080235962015672,
   "transaction": "t5",
   "sender": 2405466216759465,
   "plugindata": {
      "plugin": "janus.plugin.videoroom",
      "data": {
         "videoroom": "joined",
         "room": 989017477325,
         "description": "a \"quoted\" room é\n",
         "id": 3890846691895874,
         "private_id": 1388408675,
         "publishers": [
            {
               "id": 5709189263890250,
               "display": "Dummy publisher",
               "dummy": true,
               "audio_codec": "opus",
               "video_codec": "vp8",
               "streams": [
                  {
                     "type": "audio",
                     "mindex": 0,
                     "mid": "0",
                     "codec": "opus"
                  },
                  {
                     "type": "video",
                     "mindex": 1,
                     "mid": "1",
                     "codec": "vp8"
                  }
               ]
            }
         ]
      }
   }
}"#;

    #[test]
    fn joined_from_a_real_event() {
        let message = Message::decode(JOINED_EVENT.as_bytes()).unwrap();
        let data = plugin_data(&message).unwrap();
        assert!(data.plugin == PLUGIN);
        let Ok(Event::Joined(joined)) = Event::decode(data.data) else { panic!() };
        assert_eq!(Event::from_message(&message), Some(Ok(Event::Joined(joined))));
        assert_eq!(crate::plugin::echotest::Event::from_message(&message), None, "another plugin's data");
        assert_eq!(joined.room, PluginId::Number(989017477325));
        assert_eq!(joined.id, PluginId::Number(3890846691895874));
        assert_eq!(joined.private_id, Some(1388408675));
        assert_eq!(joined.description.unwrap().to_string(), "a \"quoted\" room é\n");
        let publishers: Vec<_> = joined.publishers.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(publishers.len(), 1);
        assert_eq!(publishers[0].id, PluginId::Number(5709189263890250));
        assert!(publishers[0].display.unwrap() == "Dummy publisher");
        assert_eq!(publishers[0].dummy, Some(true));
        let streams: Vec<_> = publishers[0].streams.unwrap().iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(streams.len(), 2);
        assert!(streams[1].kind.unwrap() == "video" && streams[1].mid.unwrap() == "1");
        assert_eq!(streams[1].mindex, Some(1));
        assert!(joined.attendees.is_none());
    }

    /// The data of a `joined` from Janus 1.1.2 with `string_ids = true`: every id is text,
    /// even the dummy publisher's numeric-looking one.
    #[test]
    fn string_ids_from_a_real_event() {
        let joined = data(
            r#"{
         "videoroom": "joined",
         "room": "room-\"x\"-756840374",
         "description": "str ids",
         "id": "user-é\"1",
         "private_id": 1952336401,
         "publishers": [
            {
               "id": "5168011042907342",
               "display": "Dummy publisher",
               "dummy": true,
               "audio_codec": "opus",
               "streams": [{"type": "audio", "mindex": 0, "mid": "0", "codec": "opus"}]
            }
         ]
      }"#,
        );
        let Ok(Event::Joined(joined)) = Event::decode(joined) else { panic!() };
        let PluginId::Text(room) = joined.room else { panic!() };
        assert_eq!(room.escaped(), r#"room-\"x\"-756840374"#);
        assert_eq!(room.to_string(), "room-\"x\"-756840374");
        assert!(matches!(joined.id, PluginId::Text(id) if id == "user-é\"1"));
        let dummy = joined.publishers.iter().next().unwrap().unwrap().id;
        assert!(matches!(dummy, PluginId::Text(id) if id == "5168011042907342"));
        // Forwarded as received: still a string, escapes intact.
        let streams = [SubscribeStream::feed(dummy)];
        assert_eq!(
            encode(&JoinAsSubscriber::new(joined.room, &streams)),
            r#"{"request":"join","ptype":"subscriber","room":"room-\"x\"-756840374","streams":[{"feed":"5168011042907342"}]}"#
        );
        let leaving = data(r#"{"videoroom":"event","room":"room-\"x\"-756840374","leaving":"user-é\"1"}"#);
        assert!(
            matches!(Event::decode(leaving), Ok(Event::Leaving { who: SelfOrFeed::Feed(PluginId::Text(id)), .. }) if id == "user-é\"1")
        );
    }

    #[test]
    fn synchronous_answers() {
        let created = data(r#"{"videoroom":"created","room":904391162320,"permanent":false}"#);
        assert_eq!(
            Event::decode(created),
            Ok(Event::Created { room: PluginId::Number(904391162320), permanent: Some(false) })
        );
        let destroyed = data(r#"{"videoroom":"destroyed","room":"abc","permanent":false}"#);
        assert!(matches!(Event::decode(destroyed), Ok(Event::Destroyed { room: PluginId::Text(r), .. }) if r == "abc"));
        let exists = data(r#"{"videoroom":"success","room":5,"exists":true}"#);
        assert_eq!(Event::decode(exists), Ok(Event::Exists { room: PluginId::Number(5), exists: true }));
        let list = data(
            r#"{"videoroom":"success","list":[{"room":904391162320,"description":"a \"quoted\" room é\n","pin_required":false,"is_private":false,"max_publishers":3,"num_participants":0,"audiocodec":"opus"},{"room":"s","description":"plain"}]}"#,
        );
        let Ok(Event::Rooms(rooms)) = Event::decode(list) else { panic!() };
        let rooms: Vec<_> = rooms.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(rooms[0].max_publishers, Some(3));
        let mut buf = [0u8; 64];
        assert_eq!(rooms[0].description.unwrap().unescape_into(&mut buf).unwrap(), "a \"quoted\" room é\n");
        assert!(matches!(rooms[1].room, PluginId::Text(t) if t == "s"));
        let participants = data(
            r#"{"videoroom":"participants","room":1,"participants":[{"id":3787169524309094,"display":"Al \"Bob\" é","publisher":false},{"id":"u-2"}]}"#,
        );
        let Ok(Event::Participants { participants, .. }) = Event::decode(participants) else { panic!() };
        let list: Vec<_> = participants.iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(list[0].display.unwrap().to_string(), "Al \"Bob\" é");
        assert_eq!(list[0].publisher, Some(false));
        assert!(matches!(list[1].id, PluginId::Text(t) if t == "u-2"));
        let other = data(r#"{"videoroom":"success"}"#);
        assert_eq!(Event::decode(other), Ok(Event::Success(other)));
    }

    #[test]
    fn event_variants() {
        let configured = data(
            r#"{"videoroom":"event","room":9,"configured":"ok","audio_codec":"opus","video_codec":"vp8","streams":[{"type":"audio","mindex":0,"mid":"0","codec":"opus","fec":true}]}"#,
        );
        let Ok(Event::Configured { room, audio_codec, streams, .. }) = Event::decode(configured) else { panic!() };
        assert_eq!(room, Some(PluginId::Number(9)));
        assert!(audio_codec.unwrap() == "opus");
        assert_eq!(streams.unwrap().len(), 1);
        let attached = data(
            r#"{"videoroom":"attached","room":9,"streams":[{"type":"audio","active":true,"mindex":0,"mid":"0","ready":false,"send":true,"feed_id":5709189263890250,"feed_display":"Dummy publisher","feed_mid":"0","codec":"opus"}]}"#,
        );
        let Ok(Event::Attached { streams: Some(streams), .. }) = Event::decode(attached) else { panic!() };
        let stream = streams.iter().next().unwrap().unwrap();
        assert_eq!(stream.feed_id, Some(PluginId::Number(5709189263890250)));
        assert_eq!(stream.send, Some(true));
        assert_eq!((stream.active, stream.ready), (Some(true), Some(false)));
        // What a subscriber gets when its feed unpublishes (Janus 1.1.2, seen in the media walk).
        let updated = data(
            r#"{"videoroom":"updated","room":9,"streams":[{"type":"audio","active":false,"mindex":0,"mid":"0","ready":false,"send":true},{"type":"video","active":false,"mindex":1,"mid":"1","ready":false,"send":true}]}"#,
        );
        let Ok(Event::Updated { room, streams: Some(streams) }) = Event::decode(updated) else { panic!() };
        assert_eq!(room, PluginId::Number(9));
        assert!(streams.iter().all(|s| s.unwrap().active == Some(false)));
        assert_eq!(streams.len(), 2);
        let leaving = |json| match Event::decode(data(json)) {
            Ok(Event::Leaving { who, .. }) => who,
            other => panic!("{other:?}"),
        };
        assert_eq!(leaving(r#"{"videoroom":"event","room":9,"leaving":"ok"}"#), SelfOrFeed::Myself);
        assert_eq!(leaving(r#"{"videoroom":"event","room":9,"leaving":12}"#), SelfOrFeed::Feed(PluginId::Number(12)));
        assert!(matches!(
            leaving(r#"{"videoroom":"event","room":"r","leaving":"user-1"}"#),
            SelfOrFeed::Feed(PluginId::Text(t)) if t == "user-1"
        ));
        let left = data(r#"{"videoroom":"event","room":9,"left":"ok"}"#);
        assert_eq!(Event::decode(left), Ok(Event::Left { room: Some(PluginId::Number(9)) }));
        let unpublished = data(r#"{"videoroom":"event","room":9,"unpublished":"ok"}"#);
        assert!(matches!(Event::decode(unpublished), Ok(Event::Unpublished { who: SelfOrFeed::Myself, .. })));
        let publishers = data(r#"{"videoroom":"event","room":9,"publishers":[{"id":1,"display":"x"}]}"#);
        assert!(matches!(Event::decode(publishers), Ok(Event::Publishers { publishers, .. }) if publishers.len() == 1));
        let joining = data(r#"{"videoroom":"event","room":9,"joining":{"id":4,"display":"d"}}"#);
        assert!(
            matches!(Event::decode(joining), Ok(Event::Joining { participant, .. }) if participant.id == PluginId::Number(4))
        );
        let kicked = data(r#"{"videoroom":"event","room":9,"kicked":4}"#);
        assert!(matches!(Event::decode(kicked), Ok(Event::Kicked { participant: PluginId::Number(4), .. })));
        let started = data(r#"{"videoroom":"event","room":9,"started":"ok"}"#);
        assert!(matches!(Event::decode(started), Ok(Event::Started { .. })));
        let paused = data(r#"{"videoroom":"event","room":9,"paused":"ok"}"#);
        assert!(matches!(Event::decode(paused), Ok(Event::Paused { .. })));
        let talking = data(r#"{"videoroom":"talking","room":9,"id":4}"#);
        assert!(matches!(Event::decode(talking), Ok(Event::Other { kind: Some(k), .. }) if k == "talking"));
        let unknown_event = data(r#"{"videoroom":"event","room":9,"switched":"ok"}"#);
        assert!(matches!(Event::decode(unknown_event), Ok(Event::Other { .. })));
    }

    #[test]
    fn plugin_errors_are_typed() {
        let error = data(r#"{"videoroom":"event","error_code":426,"error":"No such room (1)"}"#);
        let Err(EventError::Plugin(e)) = Event::decode(error) else { panic!() };
        assert_eq!(e.code, ErrorCode::NoSuchRoom);
        assert_eq!(e.code.code(), 426);
        assert!(e.reason.unwrap() == "No such room (1)");
        assert_eq!(e.to_string(), "plugin error 426 (NoSuchRoom): No such room (1)");
        let unknown = data(r#"{"videoroom":"event","error_code":4711}"#);
        let Err(EventError::Plugin(e)) = Event::decode(unknown) else { panic!() };
        assert_eq!(e.code, ErrorCode::Other(4711));
        assert!(e.reason.is_none());
        let reason_only = data(r#"{"error":"bad"}"#);
        assert!(matches!(Event::decode(reason_only), Err(EventError::Plugin(e)) if e.code == ErrorCode::Other(0)));
        for code in 421..=437 {
            assert_eq!(ErrorCode::from_code(code).code(), code);
            assert_ne!(ErrorCode::from_code(code), ErrorCode::Other(code));
        }
    }

    #[test]
    fn hostile_data_gives_typed_errors() {
        let cases: &[(&str, Error<'_>)] = &[
            ("[]", EventError::Decode(DecodeError::NotAnObject)),
            (
                r#"{"videoroom":5}"#,
                EventError::Decode(DecodeError::InvalidField { kind: "videoroom", field: "videoroom" }),
            ),
            (
                r#"{"videoroom":"joined","room":1,"id":2}"#,
                EventError::Decode(DecodeError::MissingField { kind: "videoroom", field: "publishers" }),
            ),
            (
                r#"{"videoroom":"joined","room":1,"id":-2,"publishers":[]}"#,
                EventError::Decode(DecodeError::InvalidField { kind: "videoroom", field: "id" }),
            ),
            (
                r#"{"videoroom":"created","room":1.5}"#,
                EventError::Decode(DecodeError::InvalidField { kind: "videoroom", field: "room" }),
            ),
            (
                r#"{"videoroom":"participants","room":1,"participants":{}}"#,
                EventError::Decode(DecodeError::InvalidField { kind: "videoroom", field: "participants" }),
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(Event::decode(data(json)).as_ref(), Err(expected), "{json}");
        }
        // Bad list elements show up when reached, as typed errors.
        let Ok(Event::Participants { participants, .. }) =
            Event::decode(data(r#"{"videoroom":"participants","room":1,"participants":[7,{"display":"x"}]}"#))
        else {
            panic!()
        };
        let items: Vec<_> = participants.iter().collect();
        assert_eq!(items[0], Err(DecodeError::NotAnObject));
        assert_eq!(items[1], Err(DecodeError::MissingField { kind: "videoroom participant", field: "id" }));
        // No kind at all: not an error.
        assert!(matches!(Event::decode(data("{}")), Ok(Event::Other { kind: None, .. })));
    }
}
