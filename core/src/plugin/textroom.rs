//! The TextRoom plugin (`janus.plugin.textroom`): text chat rooms over a data channel.
//!
//! Two channels carry its traffic:
//!
//! - **The Janus API** (`message` on the handle) sets up the data channel ([`Setup`] → an
//!   event with Janus's JSEP offer, then [`AckOffer`] with the client's JSEP answer) and
//!   manages rooms ([`CreateRoom`], [`DestroyRoom`], [`RoomExists`], [`ListRooms`],
//!   [`ListParticipants`], [`Announce`], [`Kick`]). Their answers are read with
//!   [`Event::decode`]. Janus 1.1.2 refuses `join`, `message` and `leave` here (415
//!   [`ErrorCode::InvalidRequest`]).
//! - **The data channel** carries the chat: [`Join`], [`SendMessage`], [`Leave`],
//!   [`Announcement`] are written into a caller buffer with their `encode`; what Janus sends
//!   back on the channel is read with [`DataMessage::decode`].
//!
//! ```
//! use janus_signal::plugin::textroom::{DataMessage, SendMessage};
//!
//! let mut payload = [0u8; 96];
//! let n = SendMessage::new("tx-1", 1234, "hi \"all\"").with_ack(true).encode(&mut payload).unwrap();
//! assert_eq!(
//!     &payload[..n],
//!     br#"{"textroom":"message","transaction":"tx-1","room":1234,"text":"hi \"all\"","ack":true}"#
//! );
//!
//! let incoming = br#"{"textroom":"message","room":1234,"from":"bob","date":"2026-11-30T20:00:00+0000","text":"hi \"you\""}"#;
//! let Ok(DataMessage::Message(chat)) = DataMessage::decode(incoming) else { panic!() };
//! assert!(chat.from == "bob");
//! let mut text = [0u8; 16];
//! assert_eq!(chat.text.unescape_into(&mut text).unwrap(), "hi \"you\"");
//! assert!(!chat.whisper);
//! ```

use serde::Serialize;

use super::{plugin_error_codes, plugin_object, plugin_request};
use super::{EventError, Fields, Id, List, PluginError as GenericPluginError, PluginId, open};
use crate::error::{DecodeError, EncodeError};
use crate::json::{JsonStr, RawJson, to_slice};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.textroom";

plugin_error_codes! {
    /// TextRoom's `error_code`s (`janus_textroom.c`).
    ErrorCode {
        /// 411: the message had no body.
        NoMessage = 411,
        /// 412: the body is not valid JSON.
        InvalidJson = 412,
        /// 413: a mandatory member is missing.
        MissingElement = 413,
        /// 414: a member has the wrong type or value.
        InvalidElement = 414,
        /// 415: unknown `request` (or not allowed on this channel).
        InvalidRequest = 415,
        /// 416: the data channel is already set up.
        AlreadySetup = 416,
        /// 417: no such room.
        NoSuchRoom = 417,
        /// 418: a room with this id exists.
        RoomExists = 418,
        /// 419: wrong `secret` or `pin`, or not allowed.
        Unauthorized = 419,
        /// 420: the username is taken in this room.
        UsernameExists = 420,
        /// 421: already in this room.
        AlreadyInRoom = 421,
        /// 422: not in this room.
        NotInRoom = 422,
        /// 423: no such user.
        NoSuchUser = 423,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A TextRoom [`PluginError`](super::PluginError).
pub type PluginError<'a> = GenericPluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- Janus API requests -------------------------------------------------------------------

plugin_request! {
    /// `setup`: asks Janus for a data channel; answered by [`Event::Accepted`] with Janus's JSEP
    /// offer.
    #[serde(tag = "request", rename = "setup")]
    #[derive(Default)]
    pub struct Setup {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `ack`: sent with the client's JSEP answer to the offer of [`Setup`].
    #[serde(tag = "request", rename = "ack")]
    #[derive(Default)]
    pub struct AckOffer {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `create`: a new room, answered by [`Event::Created`].
    #[serde(tag = "request", rename = "create")]
    #[derive(Default)]
    pub struct CreateRoom<'a> {
        /// A room with a Janus-chosen id.
        const fn new();
        /// `room`: the id to create (418 [`ErrorCode::RoomExists`] when taken).
        room: Id<'a> => with_room [into],
        /// `description`.
        description: &'a str => with_description,
        /// `secret`: needed to edit or destroy the room.
        secret: &'a str => with_secret,
        /// `pin`: needed to join.
        pin: &'a str => with_pin,
        /// `is_private`: hidden from `list`.
        is_private: bool => with_private,
        /// `history`: how many messages newcomers get.
        history: u64 => with_history,
        /// `permanent`: also save the room to the plugin's config file.
        permanent: bool => with_permanent,
    }
}

plugin_request! {
    /// `destroy`: removes a room, answered by [`Event::Destroyed`].
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
    /// `exists`: answered by [`Event::Exists`].
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
    /// `listparticipants`: answered by [`Event::Participants`].
    #[serde(tag = "request", rename = "listparticipants")]
    pub struct ListParticipants<'a> {
        /// Lists the participants of `room`.
        fn new(room: Id<'a> [into]);
    }
}

plugin_request! {
    /// `announcement` over the Janus API: a message from the room itself to everyone in it
    /// (needs the room's `secret`); answered by [`Event::Success`]. The same request exists on
    /// the data channel as [`Announcement`].
    #[serde(tag = "request", rename = "announcement")]
    pub struct Announce<'a> {
        /// Announces `text` in `room`.
        fn new(room: Id<'a> [into], text: &'a str);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `kick` over the Janus API: removes a participant (needs the room's `secret`); answered by
    /// [`Event::Success`], or 423 [`ErrorCode::NoSuchUser`].
    #[serde(tag = "request", rename = "kick")]
    pub struct Kick<'a> {
        /// Kicks `username` out of `room`.
        fn new(room: Id<'a> [into], username: &'a str);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

// ----- Janus API events ---------------------------------------------------------------------

/// What the TextRoom plugin says over the Janus API, read from `plugindata.data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// `event` with `result: "ok"`: the answer to [`Setup`] (with Janus's JSEP offer) or
    /// [`AckOffer`].
    Accepted,
    /// `created`: the answer to [`CreateRoom`].
    Created {
        /// The new room.
        room: PluginId<'a>,
        /// Whether it was saved to the config file.
        permanent: Option<bool>,
    },
    /// `destroyed`: the answer to [`DestroyRoom`].
    Destroyed {
        /// The room.
        room: PluginId<'a>,
        /// Whether it was removed from the config file.
        permanent: Option<bool>,
    },
    /// `success` with `exists`: the answer to [`RoomExists`].
    Exists {
        /// The room asked about.
        room: PluginId<'a>,
        /// Whether it exists.
        exists: bool,
    },
    /// `success` with `list`: the answer to [`ListRooms`].
    Rooms(List<'a, RoomInfo<'a>>),
    /// The answer to [`ListParticipants`] (Janus 1.1.2 sends it without a `textroom` member).
    Participants {
        /// The room.
        room: PluginId<'a>,
        /// Who is in it.
        participants: List<'a, Participant<'a>>,
    },
    /// `success` of another request ([`Announce`], [`Kick`], `allowed`, `edit`…): the whole
    /// data.
    Success(RawJson<'a>),
    /// Anything else.
    Other {
        /// The `textroom` member, if any.
        kind: Option<JsonStr<'a>>,
        /// The whole data.
        data: RawJson<'a>,
    },
}

plugin_object! {
    /// One room of [`Event::Rooms`].
    pub struct RoomInfo<'a> as "textroom room" {
        /// The room.
        pub room: PluginId<'a> = required_id,
        /// `description`.
        pub description: Option<JsonStr<'a>> = text,
        /// `pin_required`.
        pub pin_required: Option<bool> = bool,
        /// `num_participants`.
        pub num_participants: Option<u64> = u64,
        /// `history`.
        pub history: Option<u64> = u64,
    }
}

plugin_object! {
    /// A participant: in [`Event::Participants`] and in the `participants` of a join's
    /// [`DataMessage::Success`].
    pub struct Participant<'a> as "textroom participant" {
        /// `username`.
        pub username: JsonStr<'a> = required_text,
        /// `display`.
        pub display: Option<JsonStr<'a>> = text,
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
        let (kind, f) = open("textroom", data)?;
        let Some(kind) = kind else {
            // Janus 1.1.2 answers a successful `kick` with `"textbridge": "success"` (a typo in
            // janus_textroom.c): the same answer as `"textroom": "success"`.
            if f.text("textbridge")?.is_some_and(|k| k == "success") {
                return Ok(Self::Success(data));
            }
            if let Some(participants) = f.list("participants")? {
                return Ok(Self::Participants { room: f.required_id("room")?, participants });
            }
            return Ok(Self::Other { kind: None, data });
        };
        let event = if kind == "event" && f.text("result")?.is_some_and(|r| r == "ok") {
            Self::Accepted
        } else if kind == "created" {
            Self::Created { room: f.required_id("room")?, permanent: f.bool("permanent")? }
        } else if kind == "destroyed" {
            Self::Destroyed { room: f.required_id("room")?, permanent: f.bool("permanent")? }
        } else if kind == "success" && f.has("exists") {
            Self::Exists { room: f.required_id("room")?, exists: f.bool("exists")?.unwrap_or(false) }
        } else if kind == "success" && f.has("list") {
            Self::Rooms(f.required_list("list")?)
        } else if kind == "success" && f.has("participants") {
            Self::Participants { room: f.required_id("room")?, participants: f.required_list("participants")? }
        } else if kind == "success" {
            Self::Success(data)
        } else {
            Self::Other { kind: Some(kind), data }
        };
        Ok(event)
    }
}

// ----- data channel requests ----------------------------------------------------------------

/// Writes a data channel request into `out`.
fn encode_payload<T: Serialize>(payload: &T, out: &mut [u8]) -> Result<usize, EncodeError> {
    to_slice(payload, out)
}

plugin_request! {
    /// `join` on the data channel: enters a room; answered by [`DataMessage::Success`] with the
    /// participants.
    #[serde(tag = "textroom", rename = "join")]
    pub struct Join<'a> {
        /// Joins `room` as `username`; `transaction` comes back in the answer.
        fn new(transaction: &'a str, room: Id<'a> [into], username: &'a str);
        /// `display`: the name others see.
        display: &'a str => with_display,
        /// `pin` of the room.
        pin: &'a str => with_pin,
        /// `token`, when the room has an `allowed` list.
        token: &'a str => with_token,
    }
}

plugin_request! {
    /// `message` on the data channel: says something to the room, or to some participants.
    #[serde(tag = "textroom", rename = "message")]
    pub struct SendMessage<'a> {
        /// Sends `text` to everyone in `room`.
        fn new(transaction: &'a str, room: Id<'a> [into], text: &'a str);
        to: &'a str,
        tos: &'a [&'a str],
        /// `ack`: whether Janus answers with [`DataMessage::Success`] (it does by default).
        ack: bool => with_ack,
    }
}

impl<'a> SendMessage<'a> {
    /// `to`: only to this username (a whisper).
    #[must_use]
    pub const fn to(mut self, username: &'a str) -> Self {
        self.to = Some(username);
        self.tos = None;
        self
    }

    /// `tos`: only to these usernames.
    #[must_use]
    pub const fn to_each(mut self, usernames: &'a [&'a str]) -> Self {
        self.tos = Some(usernames);
        self.to = None;
        self
    }
}

plugin_request! {
    /// `leave` on the data channel.
    #[serde(tag = "textroom", rename = "leave")]
    pub struct Leave<'a> {
        /// Leaves `room`.
        fn new(transaction: &'a str, room: Id<'a> [into]);
    }
}

plugin_request! {
    /// `announcement` on the data channel: a message from the room itself (needs its `secret`).
    #[serde(tag = "textroom", rename = "announcement")]
    pub struct Announcement<'a> {
        /// Announces `text` in `room`.
        fn new(transaction: &'a str, room: Id<'a> [into], secret: &'a str, text: &'a str);
    }
}

/// The data channel's requests, written as the payload to send.
macro_rules! data_channel_payloads {
    ($($request:ident),*) => {$(
        impl $request<'_> {
            /// Writes the payload into `out` and returns its length.
            ///
            /// # Errors
            ///
            /// [`EncodeError::BufferTooSmall`] with the size needed.
            pub fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
                encode_payload(self, out)
            }
        }
    )*};
}

data_channel_payloads!(Join, SendMessage, Leave, Announcement);

// ----- data channel messages ----------------------------------------------------------------

/// A chat message received on the data channel ([`DataMessage::Message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatMessage<'a> {
    /// The room.
    pub room: PluginId<'a>,
    /// `from`: the sender's username.
    pub from: JsonStr<'a>,
    /// `date`, as Janus formats it (`%FT%T%z`).
    pub date: Option<JsonStr<'a>>,
    /// `text`, escaped as sent.
    pub text: JsonStr<'a>,
    /// `whisper`: sent to some participants only.
    pub whisper: bool,
}

/// One message Janus sends on the TextRoom data channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataMessage<'a> {
    /// `success`: a request of ours worked.
    Success {
        /// The request's `transaction`.
        transaction: Option<JsonStr<'a>>,
        /// `participants` (the answer to [`Join`]).
        participants: Option<List<'a, Participant<'a>>>,
        /// The whole message (`sent` of a whisper…).
        raw: RawJson<'a>,
    },
    /// `error`: a request of ours failed.
    Error {
        /// The request's `transaction`.
        transaction: Option<JsonStr<'a>>,
        /// The typed code and reason.
        error: PluginError<'a>,
    },
    /// `message`: someone said something.
    Message(ChatMessage<'a>),
    /// `announcement`: the room said something.
    Announcement {
        /// The room.
        room: PluginId<'a>,
        /// `date`.
        date: Option<JsonStr<'a>>,
        /// `text`.
        text: JsonStr<'a>,
    },
    /// `join`: someone entered a room we are in.
    Joined {
        /// The room.
        room: PluginId<'a>,
        /// Their username.
        username: JsonStr<'a>,
        /// Their display name.
        display: Option<JsonStr<'a>>,
    },
    /// `leave`: someone left.
    Left {
        /// The room.
        room: PluginId<'a>,
        /// Their username.
        username: JsonStr<'a>,
    },
    /// `kicked`: someone was kicked.
    Kicked {
        /// The room.
        room: PluginId<'a>,
        /// Their username.
        username: JsonStr<'a>,
    },
    /// `destroyed`: the room is gone.
    Destroyed {
        /// The room.
        room: PluginId<'a>,
    },
    /// Anything else.
    Other {
        /// The `textroom` member, if any.
        kind: Option<JsonStr<'a>>,
        /// The whole message.
        raw: RawJson<'a>,
    },
}

impl<'a> DataMessage<'a> {
    /// Reads one data channel message.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] for malformed JSON, [`DecodeError::NotAnObject`], and
    /// [`DecodeError::MissingField`] / [`DecodeError::InvalidField`] when a member the
    /// plugin always sends is missing or mistyped. A plugin error is not a decode error: it is
    /// [`DataMessage::Error`], with the transaction it answers.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        Self::from_json(RawJson::parse(bytes)?)
    }

    /// Like [`decode`](Self::decode) for an already validated value.
    ///
    /// # Errors
    ///
    /// As [`decode`](Self::decode), except for JSON syntax errors.
    pub fn from_json(raw: RawJson<'a>) -> Result<Self, DecodeError> {
        let f = Fields::of("textroom", raw)?;
        let Some(kind) = f.text("textroom")? else {
            return Ok(Self::Other { kind: None, raw });
        };
        let message = if kind == "success" {
            Self::Success { transaction: f.text("transaction")?, participants: f.list("participants")?, raw }
        } else if kind == "error" {
            let error =
                GenericPluginError::from_data(raw).unwrap_or(PluginError { code: ErrorCode::Other(0), reason: None });
            Self::Error { transaction: f.text("transaction")?, error }
        } else if kind == "message" {
            Self::Message(ChatMessage {
                room: f.required_id("room")?,
                from: f.required_text("from")?,
                date: f.text("date")?,
                text: f.required_text("text")?,
                whisper: f.bool("whisper")?.unwrap_or(false),
            })
        } else if kind == "announcement" {
            Self::Announcement { room: f.required_id("room")?, date: f.text("date")?, text: f.required_text("text")? }
        } else if kind == "join" {
            Self::Joined {
                room: f.required_id("room")?,
                username: f.required_text("username")?,
                display: f.text("display")?,
            }
        } else if kind == "leave" {
            Self::Left { room: f.required_id("room")?, username: f.required_text("username")? }
        } else if kind == "kicked" {
            Self::Kicked { room: f.required_id("room")?, username: f.required_text("username")? }
        } else if kind == "destroyed" {
            Self::Destroyed { room: f.required_id("room")? }
        } else {
            Self::Other { kind: Some(kind), raw }
        };
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};
    use std::vec::Vec;

    fn encode<T: Serialize>(value: &T) -> String {
        let mut out = [0u8; 256];
        let n = to_slice(value, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn data(json: &str) -> RawJson<'_> {
        RawJson::from_str(json).unwrap()
    }

    #[test]
    fn a_successful_kick_reads_as_success() {
        // What Janus 1.1.2 sends after kicking a participant who is in the room.
        let answer = data(r#"{"textbridge":"success"}"#);
        assert!(matches!(Event::decode(answer), Ok(Event::Success(_))));
    }

    #[test]
    fn api_requests_encode_exactly() {
        assert_eq!(encode(&Setup::new()), r#"{"request":"setup"}"#);
        assert_eq!(encode(&AckOffer::new()), r#"{"request":"ack"}"#);
        let create = CreateRoom::new()
            .with_room(5)
            .with_description("d")
            .with_secret("s")
            .with_pin("p")
            .with_private(true)
            .with_history(10)
            .with_permanent(false);
        assert_eq!(
            encode(&create),
            r#"{"request":"create","room":5,"description":"d","secret":"s","pin":"p","is_private":true,"history":10,"permanent":false}"#
        );
        assert_eq!(
            encode(&DestroyRoom::new(5).with_secret("s").with_permanent(false)),
            r#"{"request":"destroy","room":5,"secret":"s","permanent":false}"#
        );
        assert_eq!(encode(&RoomExists::new("r")), r#"{"request":"exists","room":"r"}"#);
        assert_eq!(encode(&ListRooms::new()), r#"{"request":"list"}"#);
        assert_eq!(encode(&ListParticipants::new(5)), r#"{"request":"listparticipants","room":5}"#);
        assert_eq!(
            encode(&Announce::new(5, "hear \"this\"").with_secret("s")),
            r#"{"request":"announcement","room":5,"text":"hear \"this\"","secret":"s"}"#
        );
        assert_eq!(
            encode(&Kick::new(5, "bob").with_secret("s")),
            r#"{"request":"kick","room":5,"username":"bob","secret":"s"}"#
        );
    }

    #[test]
    fn data_channel_requests_encode_exactly() {
        let mut out = [0u8; 256];
        let as_str = |n: usize, out: &[u8]| String::from_utf8(out[..n].to_vec()).unwrap();
        let n = Join::new("t1", 5, "alice")
            .with_display("Alice \"A\"")
            .with_pin("p")
            .with_token("k")
            .encode(&mut out)
            .unwrap();
        assert_eq!(
            as_str(n, &out),
            r#"{"textroom":"join","transaction":"t1","room":5,"username":"alice","display":"Alice \"A\"","pin":"p","token":"k"}"#
        );
        let n = SendMessage::new("t2", "r", "line 1\nline 2").to("bob").encode(&mut out).unwrap();
        assert_eq!(
            as_str(n, &out),
            r#"{"textroom":"message","transaction":"t2","room":"r","text":"line 1\nline 2","to":"bob"}"#
        );
        let n = SendMessage::new("t3", 5, "x").to_each(&["a", "b"]).with_ack(false).encode(&mut out).unwrap();
        assert_eq!(
            as_str(n, &out),
            r#"{"textroom":"message","transaction":"t3","room":5,"text":"x","tos":["a","b"],"ack":false}"#
        );
        let n = Leave::new("t4", 5).encode(&mut out).unwrap();
        assert_eq!(as_str(n, &out), r#"{"textroom":"leave","transaction":"t4","room":5}"#);
        let n = Announcement::new("t5", 5, "s", "hear").encode(&mut out).unwrap();
        assert_eq!(
            as_str(n, &out),
            r#"{"textroom":"announcement","transaction":"t5","room":5,"secret":"s","text":"hear"}"#
        );
        let mut small = [0u8; 10];
        assert!(matches!(
            Leave::new("t4", 5).encode(&mut small),
            Err(EncodeError::BufferTooSmall { needed: 48, available: 10 })
        ));
    }

    /// The data of answers captured from Janus 1.1.2.
    #[test]
    fn api_events() {
        assert_eq!(Event::decode(data(r#"{"textroom":"event","result":"ok"}"#)), Ok(Event::Accepted));
        assert_eq!(
            Event::decode(data(r#"{"textroom":"created","room":607914554110,"permanent":false}"#)),
            Ok(Event::Created { room: PluginId::Number(607914554110), permanent: Some(false) })
        );
        assert_eq!(
            Event::decode(data(r#"{"textroom":"destroyed","room":607914554110,"permanent":false}"#)),
            Ok(Event::Destroyed { room: PluginId::Number(607914554110), permanent: Some(false) })
        );
        assert_eq!(
            Event::decode(data(r#"{"textroom":"success","room":6,"exists":false}"#)),
            Ok(Event::Exists { room: PluginId::Number(6), exists: false })
        );
        let list = data(
            r#"{"textroom":"success","list":[{"room":607914554110,"description":"tr \"x\"","pin_required":false,"num_participants":0,"history":0}]}"#,
        );
        let Ok(Event::Rooms(rooms)) = Event::decode(list) else { panic!() };
        let room = rooms.iter().next().unwrap().unwrap();
        assert_eq!(room.description.unwrap().to_string(), "tr \"x\"");
        assert_eq!(room.num_participants, Some(0));
        let participants = data(r#"{"room":607914554110,"participants":[{"username":"alice","display":"Al \"A\""}]}"#);
        let Ok(Event::Participants { room, participants }) = Event::decode(participants) else { panic!() };
        assert_eq!(room, PluginId::Number(607914554110));
        let alice = participants.iter().next().unwrap().unwrap();
        assert!(alice.username == "alice");
        assert_eq!(alice.display.unwrap().to_string(), "Al \"A\"");
        let error = data(r#"{"textroom":"event","error_code":415,"error":"Unknown request 'join'"}"#);
        let Err(EventError::Plugin(e)) = Event::decode(error) else { panic!() };
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(matches!(Event::decode(data(r#"{"textroom":"event","result":"no"}"#)), Ok(Event::Other { .. })));
        let success = data(r#"{"textroom":"success"}"#);
        assert_eq!(Event::decode(success), Ok(Event::Success(success)));
        let kick = data(r#"{"textroom":"error","error_code":423,"error":"No such user x in room 691020084671"}"#);
        assert!(matches!(Event::decode(kick), Err(EventError::Plugin(e)) if e.code == ErrorCode::NoSuchUser));
        assert!(matches!(Event::decode(data(r#"{}"#)), Ok(Event::Other { kind: None, .. })));
    }

    #[test]
    fn data_channel_messages() {
        let success = br#"{"textroom":"success","transaction":"t1","participants":[{"username":"bob"}]}"#;
        let Ok(DataMessage::Success { transaction, participants, .. }) = DataMessage::decode(success) else { panic!() };
        assert!(transaction.unwrap() == "t1");
        assert_eq!(participants.unwrap().len(), 1);
        let error = br#"{"textroom":"error","transaction":"t2","error_code":420,"error":"Username already taken"}"#;
        let Ok(DataMessage::Error { transaction, error }) = DataMessage::decode(error) else { panic!() };
        assert!(transaction.unwrap() == "t2");
        assert_eq!(error.code, ErrorCode::UsernameExists);
        let whisper = br#"{"textroom":"message","room":"lobby","from":"al\u00e9","date":"2026-11-30T20:00:00+0000","text":"\ud83d\ude00 \"hi\"","whisper":true}"#;
        let Ok(DataMessage::Message(chat)) = DataMessage::decode(whisper) else { panic!() };
        assert!(chat.whisper);
        assert_eq!(chat.from.to_string(), "alé");
        assert_eq!(chat.text.to_string(), "\u{1f600} \"hi\"");
        assert!(matches!(chat.room, PluginId::Text(r) if r == "lobby"));
        let announcement = br#"{"textroom":"announcement","room":5,"date":"d","text":"news"}"#;
        assert!(
            matches!(DataMessage::decode(announcement), Ok(DataMessage::Announcement { text, .. }) if text == "news")
        );
        let join = br#"{"textroom":"join","room":5,"username":"bob","display":"Bob"}"#;
        assert!(matches!(DataMessage::decode(join), Ok(DataMessage::Joined { username, .. }) if username == "bob"));
        let leave = br#"{"textroom":"leave","room":5,"username":"bob"}"#;
        assert!(matches!(DataMessage::decode(leave), Ok(DataMessage::Left { .. })));
        let kicked = br#"{"textroom":"kicked","room":5,"username":"bob"}"#;
        assert!(matches!(DataMessage::decode(kicked), Ok(DataMessage::Kicked { .. })));
        let destroyed = br#"{"textroom":"destroyed","room":5}"#;
        assert_eq!(DataMessage::decode(destroyed), Ok(DataMessage::Destroyed { room: PluginId::Number(5) }));
        let other = br#"{"textroom":"dance"}"#;
        assert!(matches!(DataMessage::decode(other), Ok(DataMessage::Other { kind: Some(k), .. }) if k == "dance"));
    }

    #[test]
    fn hostile_data_channel_messages() {
        let cases: &[(&[u8], DecodeError)] = &[
            (b"[1]", DecodeError::NotAnObject),
            (
                br#"{"textroom":"message","room":5,"text":"x"}"#,
                DecodeError::MissingField { kind: "textroom", field: "from" },
            ),
            (
                br#"{"textroom":"message","room":-1,"from":"a","text":"x"}"#,
                DecodeError::InvalidField { kind: "textroom", field: "room" },
            ),
            (
                br#"{"textroom":"join","room":5,"username":7}"#,
                DecodeError::InvalidField { kind: "textroom", field: "username" },
            ),
            (br#"{"textroom":true}"#, DecodeError::InvalidField { kind: "textroom", field: "textroom" }),
        ];
        for (bytes, expected) in cases {
            assert_eq!(DataMessage::decode(bytes).as_ref(), Err(expected), "{}", String::from_utf8_lossy(bytes));
        }
        assert!(matches!(DataMessage::decode(br#"{"textroom":"message""#), Err(DecodeError::Json(_))));
        assert!(matches!(DataMessage::decode(b"\xff"), Err(DecodeError::Json(_))));
        // Every prefix of a real message is a typed error or a message, never a panic.
        let full = br#"{"textroom":"message","room":5,"from":"a","date":"d","text":"t \"q\""}"#;
        let results: Vec<_> = (0..full.len()).map(|n| DataMessage::decode(&full[..n]).is_err()).collect();
        assert!(results.iter().all(|&is_err| is_err));
    }
}
