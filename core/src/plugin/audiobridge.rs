//! The AudioBridge plugin (`janus.plugin.audiobridge`): an audio conference mixer. Each
//! participant sends one audio stream and receives the room's mix.
//!
//! Room management (`create`, `edit`, `destroy`, `exists`, `list`, `listparticipants`,
//! `mute`/`unmute` of a participant or the whole room, `kick`, RTP forwarders, recording and
//! file playback) is answered at once, in a `success`. `join`, `configure`, `changeroom`,
//! `leave` and `hangup` are answered by an `event`, with a JSEP answer when they carried an
//! offer. Room and participant ids are numbers, or strings when the plugin runs with
//! `string_ids = true`.
//!
//! What Janus 1.1.2 really sends (read in `janus_audiobridge.c`, where its docs differ):
//! `list` answers with `"list"`; the `joined` a participant gets about someone else has no
//! top-level `id` (the newcomer is the one element of `participants`); `configure` is
//! answered with `result: "ok"` and no room; `leaving`, `kicked` and `kicked_all` carry the
//! participant id itself.
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::audiobridge::{Event, Join};
//! use janus_signal::plugin::PluginId;
//!
//! let mut body = [0u8; 96];
//! let n = to_slice(&Join::new(1234).with_display("Alice").with_muted(true), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"request":"join","room":1234,"display":"Alice","muted":true}"#);
//!
//! let data = RawJson::parse(br#"{"audiobridge":"event","room":1234,"leaving":77}"#).unwrap();
//! assert_eq!(
//!     Event::decode(data),
//!     Ok(Event::Leaving { room: PluginId::Number(1234), id: PluginId::Number(77) })
//! );
//! ```

use super::{
    EventError, Fields, Id, List, PluginId, open, plugin_error_codes, plugin_events, plugin_object, plugin_request,
};
use crate::error::DecodeError;
use crate::json::{JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.audiobridge";

plugin_error_codes! {
    /// AudioBridge's `error_code`s (`janus_audiobridge.c`).
    ErrorCode {
        /// 480: the message had no body.
        NoMessage = 480,
        /// 481: the body is not valid JSON.
        InvalidJson = 481,
        /// 482: unknown `request`.
        InvalidRequest = 482,
        /// 483: a mandatory member is missing.
        MissingElement = 483,
        /// 484: a member has the wrong type or value.
        InvalidElement = 484,
        /// 485: no such room.
        NoSuchRoom = 485,
        /// 486: a room with this id exists.
        RoomExists = 486,
        /// 487: join a room first.
        NotJoined = 487,
        /// 488: the Opus codec failed.
        LibopusError = 488,
        /// 489: wrong `secret`, `pin`, `admin_key` or token.
        Unauthorized = 489,
        /// 490: a participant (or file) with this id exists.
        IdExists = 490,
        /// 491: this handle is already in a room (use `changeroom`).
        AlreadyJoined = 491,
        /// 492: no such participant.
        NoSuchUser = 492,
        /// 493: the SDP is invalid.
        InvalidSdp = 493,
        /// 494: no such group.
        NoSuchGroup = 494,
        /// 499: unknown error (also an unsupported sampling rate, or a file that cannot be played).
        Unknown = 499,
    }
}

/// An AudioBridge [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests: rooms ----------------------------------------------------------------------

plugin_request! {
    /// `create`: a new room, answered by [`Event::Created`].
    #[serde(tag = "request", rename = "create")]
    #[derive(Default)]
    pub struct CreateRoom<'a> {
        /// A room with a Janus-chosen id and default settings (16 kHz).
        const fn new();
        /// `room`: the id to create (486 [`ErrorCode::RoomExists`] when taken).
        room: Id<'a> => with_room [into],
        /// `description`.
        description: &'a str => with_description,
        /// `secret`: needed to edit or destroy the room, mute or kick participants.
        secret: &'a str => with_secret,
        /// `pin`: needed to join.
        pin: &'a str => with_pin,
        /// `is_private`: hidden from `list`.
        is_private: bool => with_private,
        /// `sampling_rate`: 8000, 12000, 16000 (the default), 24000 or 48000.
        sampling_rate: u32 => with_sampling_rate,
        /// `spatial_audio`: a stereo mix with each participant at a `spatial_position`.
        spatial_audio: bool => with_spatial_audio,
        /// `audiolevel_event`: send [`Event::Talking`] events.
        audiolevel_event: bool => with_audiolevel_event,
        /// `record`: record the mix.
        record: bool => with_record,
        /// `record_file`: where to record the mix (a path on the server).
        record_file: &'a str => with_record_file,
        /// `allow_rtp_participants`: participants may join with plain RTP.
        allow_rtp_participants: bool => with_rtp_participants,
        /// `permanent`: also save the room to the plugin's config file.
        permanent: bool => with_permanent,
        /// `admin_key`, when the plugin is configured with one.
        admin_key: &'a str => with_admin_key,
    }
}

plugin_request! {
    /// `edit`: changes a room, answered by [`Event::Edited`].
    #[serde(tag = "request", rename = "edit")]
    pub struct EditRoom<'a> {
        /// Edits `room`.
        fn new(room: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
        /// `new_description`.
        new_description: &'a str => with_new_description,
        /// `new_secret`.
        new_secret: &'a str => with_new_secret,
        /// `new_pin` (empty: no pin).
        new_pin: &'a str => with_new_pin,
        /// `new_is_private`.
        new_is_private: bool => with_new_private,
        /// `permanent`: also save the change to the config file.
        permanent: bool => with_permanent,
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
    /// `list`: the public rooms (all with the plugin's `admin_key`), answered by
    /// [`Event::Rooms`].
    #[serde(tag = "request", rename = "list")]
    #[derive(Default)]
    pub struct ListRooms<'a> {
        /// The request.
        const fn new();
        /// `admin_key`: list private rooms too.
        admin_key: &'a str => with_admin_key,
    }
}

plugin_request! {
    /// `listparticipants`: who is in a room, answered by [`Event::Participants`].
    #[serde(tag = "request", rename = "listparticipants")]
    pub struct ListParticipants<'a> {
        /// Lists the participants of `room`.
        fn new(room: Id<'a> [into]);
    }
}

plugin_request! {
    /// `mute`: mutes one participant (everyone gets [`Event::ParticipantsChanged`]); answered
    /// by [`Event::Success`].
    #[serde(tag = "request", rename = "mute")]
    pub struct Mute<'a> {
        /// Mutes participant `id` of `room`.
        fn new(room: Id<'a> [into], id: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `unmute`: the reverse of [`Mute`].
    #[serde(tag = "request", rename = "unmute")]
    pub struct Unmute<'a> {
        /// Unmutes participant `id` of `room`.
        fn new(room: Id<'a> [into], id: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `mute_room`: mutes everyone but the room's admins (everyone gets
    /// [`Event::RoomMuted`]); answered by [`Event::Success`].
    #[serde(tag = "request", rename = "mute_room")]
    pub struct MuteRoom<'a> {
        /// Mutes `room`.
        fn new(room: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `unmute_room`: the reverse of [`MuteRoom`].
    #[serde(tag = "request", rename = "unmute_room")]
    pub struct UnmuteRoom<'a> {
        /// Unmutes `room`.
        fn new(room: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `kick`: removes a participant (everyone, the kicked one too, gets [`Event::Kicked`],
    /// then the others [`Event::Leaving`]); answered by [`Event::Success`].
    #[serde(tag = "request", rename = "kick")]
    pub struct Kick<'a> {
        /// Kicks participant `id` out of `room`.
        fn new(room: Id<'a> [into], id: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `kick_all`: removes every participant (each gets [`Event::KickedAll`]).
    #[serde(tag = "request", rename = "kick_all")]
    pub struct KickAll<'a> {
        /// Empties `room`.
        fn new(room: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `enable_recording`: starts or stops recording the mix; answered by [`Event::Success`].
    #[serde(tag = "request", rename = "enable_recording")]
    pub struct EnableRecording<'a> {
        /// Starts (`true`) or stops recording `room`.
        fn new(room: Id<'a> [into], record: bool);
        /// `record_file`: where to record (a path on the server).
        record_file: &'a str => with_record_file,
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `rtp_forward`: forwards the room's mix as RTP to `host`:`port`; answered by
    /// [`Event::Forwarding`].
    #[serde(tag = "request", rename = "rtp_forward")]
    pub struct RtpForward<'a> {
        /// Forwards the mix of `room`.
        fn new(room: Id<'a> [into], host: &'a str, port: u16);
        /// `codec`: `opus` (the default), `pcma` or `pcmu`.
        codec: &'a str => with_codec,
        /// `ptype`: the RTP payload type (default 100).
        ptype: u8 => with_ptype,
        /// `ssrc` of the forwarded stream.
        ssrc: u32 => with_ssrc,
        /// `always_on`: forward even while nobody talks.
        always_on: bool => with_always_on,
        /// `secret` of the room.
        secret: &'a str => with_secret,
        /// `admin_key`, when the plugin locks RTP forwarding with one.
        admin_key: &'a str => with_admin_key,
    }
}

plugin_request! {
    /// `stop_rtp_forward`: stops a forwarder; answered by [`Event::Success`].
    #[serde(tag = "request", rename = "stop_rtp_forward")]
    pub struct StopRtpForward<'a> {
        /// Stops forwarder `stream_id` of `room`.
        fn new(room: Id<'a> [into], stream_id: u64);
        /// `secret` of the room.
        secret: &'a str => with_secret,
        /// `admin_key`, when the plugin locks RTP forwarding with one.
        admin_key: &'a str => with_admin_key,
    }
}

plugin_request! {
    /// `listforwarders`: a room's RTP forwarders, answered by [`Event::Forwarders`].
    #[serde(tag = "request", rename = "listforwarders")]
    pub struct ListForwarders<'a> {
        /// Lists the forwarders of `room`.
        fn new(room: Id<'a> [into]);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `play_file`: plays an Opus file (`.opus`, a path on the server) into the room; answered
    /// by [`Event::File`], then everyone gets [`Event::Announcement`].
    #[serde(tag = "request", rename = "play_file")]
    pub struct PlayFile<'a> {
        /// Plays `filename` in `room`.
        fn new(room: Id<'a> [into], filename: &'a str);
        /// `file_id`: the id to refer to it by (Janus picks one otherwise).
        file_id: &'a str => with_file_id,
        /// `loop`: play it again and again.
        r#loop: bool => with_loop,
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `is_playing`: whether a file still plays; answered by [`Event::File`].
    #[serde(tag = "request", rename = "is_playing")]
    pub struct IsPlaying<'a> {
        /// Asks about `file_id` in `room`.
        fn new(room: Id<'a> [into], file_id: &'a str);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

plugin_request! {
    /// `stop_file`: stops a file; answered by [`Event::File`].
    #[serde(tag = "request", rename = "stop_file")]
    pub struct StopFile<'a> {
        /// Stops `file_id` in `room`.
        fn new(room: Id<'a> [into], file_id: &'a str);
        /// `secret` of the room.
        secret: &'a str => with_secret,
    }
}

// ----- requests: participants ---------------------------------------------------------------

plugin_request! {
    /// `join`: enters a room (with a JSEP offer to send and receive audio, or without to set up
    /// media later); answered by [`Event::Joined`], and the others get a `joined` about this
    /// participant.
    #[serde(tag = "request", rename = "join")]
    pub struct Join<'a> {
        /// Joins `room`.
        fn new(room: Id<'a> [into]);
        /// `id`: the participant id to use (Janus picks one otherwise).
        id: Id<'a> => with_id [into],
        /// `display`: the name others see.
        display: &'a str => with_display,
        /// `pin` of the room.
        pin: &'a str => with_pin,
        /// `secret` of the room: joins as the room's admin (not muted by `mute_room`).
        secret: &'a str => with_secret,
        /// `token`, when the room has an `allowed` list.
        token: &'a str => with_token,
        /// `muted`: join muted.
        muted: bool => with_muted,
        /// `codec`: `opus` (the default), `pcma` or `pcmu`.
        codec: &'a str => with_codec,
        /// `bitrate` of the Opus encoder, in bit/s.
        bitrate: u32 => with_bitrate,
        /// `quality`: Opus complexity, 1–10.
        quality: u8 => with_quality,
        /// `volume` in percent (100: unchanged).
        volume: u32 => with_volume,
        /// `spatial_position`: 0 (left) to 100 (right), in spatial rooms.
        spatial_position: u8 => with_spatial_position,
        /// `record` this participant's audio.
        record: bool => with_record,
        /// `filename` of that recording (a path on the server).
        filename: &'a str => with_filename,
    }
}

plugin_request! {
    /// `configure`: changes this participant's settings (with a JSEP offer: renegotiates);
    /// answered by [`Event::Configured`].
    #[serde(tag = "request", rename = "configure")]
    #[derive(Default)]
    pub struct Configure<'a> {
        /// Changes nothing yet.
        const fn new();
        /// `muted`.
        muted: bool => with_muted,
        /// `display`: a new name.
        display: &'a str => with_display,
        /// `bitrate` of the Opus encoder, in bit/s.
        bitrate: u32 => with_bitrate,
        /// `quality`: Opus complexity, 1–10.
        quality: u8 => with_quality,
        /// `volume` in percent.
        volume: u32 => with_volume,
        /// `spatial_position`: 0 (left) to 100 (right), in spatial rooms.
        spatial_position: u8 => with_spatial_position,
        /// `record` this participant's audio.
        record: bool => with_record,
        /// `filename` of that recording.
        filename: &'a str => with_filename,
    }
}

plugin_request! {
    /// `changeroom`: leaves the room for another one, keeping the PeerConnection; answered by
    /// [`Event::RoomChanged`].
    #[serde(tag = "request", rename = "changeroom")]
    pub struct ChangeRoom<'a> {
        /// Moves to `room`.
        fn new(room: Id<'a> [into]);
        /// `id` in the new room.
        id: Id<'a> => with_id [into],
        /// `display` in the new room.
        display: &'a str => with_display,
        /// `pin` of the new room.
        pin: &'a str => with_pin,
        /// `token`, when the new room has an `allowed` list.
        token: &'a str => with_token,
        /// `muted` in the new room.
        muted: bool => with_muted,
    }
}

plugin_request! {
    /// `leave`: leaves the room (the PeerConnection stays); answered by [`Event::Left`].
    #[serde(tag = "request", rename = "leave")]
    #[derive(Default)]
    pub struct Leave {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `hangup`: closes the PeerConnection; answered by [`Event::HangingUp`].
    #[serde(tag = "request", rename = "hangup")]
    #[derive(Default)]
    pub struct Hangup {
        /// The request.
        const fn new();
    }
}

// ----- events -------------------------------------------------------------------------------

plugin_object! {
    /// One room of [`Event::Rooms`].
    pub struct RoomInfo<'a> as "audiobridge room" {
        /// `room`.
        pub room: PluginId<'a> = required_id,
        /// `description`.
        pub description: Option<JsonStr<'a>> = text,
        /// `sampling_rate`.
        pub sampling_rate: Option<u64> = u64,
        /// `spatial_audio`.
        pub spatial_audio: Option<bool> = bool,
        /// `pin_required`.
        pub pin_required: Option<bool> = bool,
        /// `record`: whether the mix is being recorded.
        pub record: Option<bool> = bool,
        /// `muted`: whether the room is muted.
        pub muted: Option<bool> = bool,
        /// `num_participants`.
        pub num_participants: Option<u64> = u64,
    }
}

plugin_object! {
    /// A participant: in [`Event::Participants`], [`Event::Joined`] and the notifications
    /// about others.
    pub struct Participant<'a> as "audiobridge participant" {
        /// `id`.
        pub id: PluginId<'a> = required_id,
        /// `display`, when it has one.
        pub display: Option<JsonStr<'a>> = text,
        /// `setup`: whether its PeerConnection is up.
        pub setup: Option<bool> = bool,
        /// `muted`.
        pub muted: Option<bool> = bool,
        /// `talking` (participants that negotiated the audio level extension).
        pub talking: Option<bool> = bool,
        /// `spatial_position` (spatial rooms).
        pub spatial_position: Option<u64> = u64,
    }
}

plugin_object! {
    /// One RTP forwarder of [`Event::Forwarders`].
    pub struct Forwarder<'a> as "audiobridge forwarder" {
        /// `stream_id`: what [`StopRtpForward`] takes.
        pub stream_id: u64 = required_u64,
        /// `ip` it sends to.
        pub ip: Option<JsonStr<'a>> = text,
        /// `port` it sends to.
        pub port: Option<u64> = u64,
        /// `ssrc`.
        pub ssrc: Option<u64> = u64,
        /// `codec`.
        pub codec: Option<JsonStr<'a>> = text,
        /// `ptype`.
        pub ptype: Option<u64> = u64,
        /// `always_on`.
        pub always_on: Option<bool> = bool,
    }
}

plugin_events! {
    /// What the AudioBridge plugin says, read from `plugindata.data`.
    pub enum Event<'a> {
        /// `created`: the answer to [`CreateRoom`].
        "created" => Created {
            /// The new room.
            room: PluginId<'a> = required_id,
            /// Whether it was saved to the config file.
            permanent: Option<bool> = bool,
        },
        /// `edited`: the answer to [`EditRoom`].
        "edited" => Edited {
            /// The room.
            room: PluginId<'a> = required_id,
            /// Whether the change was saved to the config file.
            permanent: Option<bool> = bool,
        },
        /// `destroyed`: the answer to [`DestroyRoom`], or the room went away under a
        /// participant.
        "destroyed" => Destroyed {
            /// The room.
            room: PluginId<'a> = required_id,
            /// Whether it was removed from the config file (absent in a participant's notice).
            permanent: Option<bool> = bool,
        },
        /// `participants`: the answer to [`ListParticipants`].
        "participants" => Participants {
            /// The room.
            room: PluginId<'a> = required_id,
            /// Who is in it.
            participants: List<'a, Participant<'a>> = required_list,
        },
        /// `forwarders`: the answer to [`ListForwarders`].
        "forwarders" => Forwarders {
            /// The room.
            room: PluginId<'a> = required_id,
            /// The forwarders.
            forwarders: List<'a, Forwarder<'a>> = required_list("rtp_forwarders"),
        },
        /// `joined`: the answer to [`Join`] (with `id`: this participant's, and the others in
        /// `participants`), or someone else joined (no `id`: the newcomer is the one element of
        /// `participants`).
        "joined" => Joined {
            /// The room.
            room: PluginId<'a> = required_id,
            /// This participant's id, in the answer to its own [`Join`].
            id: Option<PluginId<'a>> = id,
            /// The others already in the room, or the newcomer.
            participants: List<'a, Participant<'a>> = required_list,
        },
        /// `roomchanged`: the answer to [`ChangeRoom`].
        "roomchanged" => RoomChanged {
            /// The new room.
            room: PluginId<'a> = required_id,
            /// This participant's id there.
            id: PluginId<'a> = required_id,
            /// The others in it.
            participants: List<'a, Participant<'a>> = required_list,
        },
        /// `left`: the answer to [`Leave`].
        "left" => Left {
            /// The room.
            room: Option<PluginId<'a>> = id,
            /// This participant's id.
            id: Option<PluginId<'a>> = id,
        },
        /// `hangingup`: the answer to [`Hangup`].
        "hangingup" => HangingUp,
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
        /// `success` with `stream_id`: the answer to [`RtpForward`] (and [`StopRtpForward`]).
        Forwarding {
            /// The room.
            room: Option<PluginId<'a>>,
            /// The forwarder.
            stream_id: u64,
            /// `host`: where it sends (resolved), absent when stopping.
            host: Option<JsonStr<'a>>,
            /// `port`, absent when stopping.
            port: Option<u64>,
        },
        /// `success` with `file_id`: the answer to [`PlayFile`], [`IsPlaying`] and [`StopFile`].
        File {
            /// The room.
            room: Option<PluginId<'a>>,
            /// The file.
            file_id: JsonStr<'a>,
            /// `playing` (the answer to [`IsPlaying`]).
            playing: Option<bool>,
        },
        /// `success` of another request (`mute`, `kick`, `enable_recording`, …): the data.
        Success(RawJson<'a>),
        /// `event` with `result: "ok"`: the answer to [`Configure`] (with Janus's JSEP answer to
        /// an offer).
        Configured,
        /// `event` with `participants`: others changed (their PeerConnection came up, they were
        /// muted or renamed).
        ParticipantsChanged {
            /// The room.
            room: PluginId<'a>,
            /// Who changed, as they are now.
            participants: List<'a, Participant<'a>>,
        },
        /// `event` with `leaving`: another participant left.
        Leaving {
            /// The room.
            room: PluginId<'a>,
            /// Who.
            id: PluginId<'a>,
        },
        /// `event` with `kicked`: a participant (maybe this one) was kicked.
        Kicked {
            /// The room.
            room: PluginId<'a>,
            /// Who.
            id: PluginId<'a>,
        },
        /// `event` with `kicked_all`: everyone was kicked out; `id` is this participant.
        KickedAll {
            /// The room.
            room: PluginId<'a>,
            /// This participant.
            id: PluginId<'a>,
        },
        /// `event` with `muted`: the room was muted or unmuted ([`MuteRoom`]).
        RoomMuted {
            /// The room.
            room: PluginId<'a>,
            /// Whether it is muted now.
            muted: bool,
        },
        /// `talking` / `stopped-talking` (rooms with `audiolevel_event`).
        Talking {
            /// The room.
            room: PluginId<'a>,
            /// Who.
            id: PluginId<'a>,
            /// `true` for `talking`, `false` for `stopped-talking`.
            talking: bool,
        },
        /// `announcement-started` / `announcement-stopped`: a file ([`PlayFile`]) started or
        /// ended.
        Announcement {
            /// The room.
            room: PluginId<'a>,
            /// The file.
            file_id: JsonStr<'a>,
            /// `true` when it started, `false` when it stopped.
            started: bool,
        },
        /// Anything else: the `audiobridge` kind and the whole data.
        Other {
            /// The `audiobridge` member, if it is a string.
            kind: Option<JsonStr<'a>>,
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
    /// is missing or mistyped. Kinds this crate does not know are [`Event::Other`].
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (kind, f) = open("audiobridge", data)?;
        let Some(kind) = kind else {
            return Ok(Self::Other { kind: None, data });
        };
        if let Some(known) = Self::from_kind(kind, &f)? {
            return Ok(known);
        }
        let event = if kind == "success" {
            Self::decode_success(f)?
        } else if kind == "talking" || kind == "stopped-talking" {
            Self::Talking { room: f.required_id("room")?, id: f.required_id("id")?, talking: kind == "talking" }
        } else if kind == "announcement-started" || kind == "announcement-stopped" {
            Self::Announcement {
                room: f.required_id("room")?,
                file_id: f.required_text("file_id")?,
                started: kind == "announcement-started",
            }
        } else if kind == "event" {
            Self::decode_event(f)?
        } else {
            Self::Other { kind: Some(kind), data }
        };
        Ok(event)
    }

    /// The answers of `"audiobridge": "success"`, told apart by their members.
    fn decode_success(f: Fields<'a>) -> Result<Self, DecodeError> {
        if let Some(exists) = f.bool("exists")? {
            return Ok(Self::Exists { room: f.required_id("room")?, exists });
        }
        if let Some(list) = f.list("list")? {
            return Ok(Self::Rooms(list));
        }
        if let Some(stream_id) = f.u64("stream_id")? {
            return Ok(Self::Forwarding { room: f.id("room")?, stream_id, host: f.text("host")?, port: f.u64("port")? });
        }
        if let Some(file_id) = f.text("file_id")? {
            return Ok(Self::File { room: f.id("room")?, file_id, playing: f.bool("playing")? });
        }
        Ok(Self::Success(f.raw()))
    }

    /// The sub-kinds of `"audiobridge": "event"`, told apart by their members.
    fn decode_event(f: Fields<'a>) -> Result<Self, DecodeError> {
        if f.has("result") {
            return Ok(Self::Configured);
        }
        if let Some(participants) = f.list("participants")? {
            return Ok(Self::ParticipantsChanged { room: f.required_id("room")?, participants });
        }
        if let Some(id) = f.id("leaving")? {
            return Ok(Self::Leaving { room: f.required_id("room")?, id });
        }
        if let Some(id) = f.id("kicked")? {
            return Ok(Self::Kicked { room: f.required_id("room")?, id });
        }
        if let Some(id) = f.id("kicked_all")? {
            return Ok(Self::KickedAll { room: f.required_id("room")?, id });
        }
        if let Some(muted) = f.bool("muted")? {
            return Ok(Self::RoomMuted { room: f.required_id("room")?, muted });
        }
        Ok(Self::Other { kind: f.text("audiobridge")?, data: f.raw() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;
    use serde::Serialize;
    use std::string::String;

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
        let create = CreateRoom::new()
            .with_room(7)
            .with_description("d \"x\"")
            .with_secret("s")
            .with_pin("p")
            .with_private(true)
            .with_sampling_rate(48000)
            .with_spatial_audio(true)
            .with_audiolevel_event(true)
            .with_record(false)
            .with_record_file("/tmp/r.wav")
            .with_rtp_participants(false)
            .with_permanent(false)
            .with_admin_key("k");
        assert_eq!(
            encode(&create),
            r#"{"request":"create","room":7,"description":"d \"x\"","secret":"s","pin":"p","is_private":true,"sampling_rate":48000,"spatial_audio":true,"audiolevel_event":true,"record":false,"record_file":"/tmp/r.wav","allow_rtp_participants":false,"permanent":false,"admin_key":"k"}"#
        );
        let edit = EditRoom::new("r")
            .with_secret("s")
            .with_new_description("n")
            .with_new_secret("t")
            .with_new_pin("")
            .with_new_private(false)
            .with_permanent(false);
        assert_eq!(
            encode(&edit),
            r#"{"request":"edit","room":"r","secret":"s","new_description":"n","new_secret":"t","new_pin":"","new_is_private":false,"permanent":false}"#
        );
        assert_eq!(
            encode(&DestroyRoom::new(7).with_secret("s").with_permanent(true)),
            r#"{"request":"destroy","room":7,"secret":"s","permanent":true}"#
        );
        assert_eq!(encode(&RoomExists::new(7)), r#"{"request":"exists","room":7}"#);
        assert_eq!(encode(&ListRooms::new()), r#"{"request":"list"}"#);
        assert_eq!(encode(&ListRooms::new().with_admin_key("k")), r#"{"request":"list","admin_key":"k"}"#);
        assert_eq!(encode(&ListParticipants::new(7)), r#"{"request":"listparticipants","room":7}"#);
        assert_eq!(encode(&Mute::new(7, 9).with_secret("s")), r#"{"request":"mute","room":7,"id":9,"secret":"s"}"#);
        assert_eq!(encode(&Unmute::new(7, "u")), r#"{"request":"unmute","room":7,"id":"u"}"#);
        assert_eq!(encode(&MuteRoom::new(7)), r#"{"request":"mute_room","room":7}"#);
        assert_eq!(encode(&UnmuteRoom::new(7).with_secret("s")), r#"{"request":"unmute_room","room":7,"secret":"s"}"#);
        assert_eq!(encode(&Kick::new(7, 9).with_secret("s")), r#"{"request":"kick","room":7,"id":9,"secret":"s"}"#);
        assert_eq!(encode(&KickAll::new(7)), r#"{"request":"kick_all","room":7}"#);
        assert_eq!(
            encode(&EnableRecording::new(7, true).with_record_file("/tmp/m.wav").with_secret("s")),
            r#"{"request":"enable_recording","room":7,"record":true,"record_file":"/tmp/m.wav","secret":"s"}"#
        );
        let forward = RtpForward::new(7, "127.0.0.1", 5002)
            .with_codec("pcmu")
            .with_ptype(0)
            .with_ssrc(42)
            .with_always_on(true)
            .with_secret("s")
            .with_admin_key("k");
        assert_eq!(
            encode(&forward),
            r#"{"request":"rtp_forward","room":7,"host":"127.0.0.1","port":5002,"codec":"pcmu","ptype":0,"ssrc":42,"always_on":true,"secret":"s","admin_key":"k"}"#
        );
        assert_eq!(
            encode(&StopRtpForward::new(7, 3)),
            r#"{"request":"stop_rtp_forward","room":7,"stream_id":3}"#
        );
        assert_eq!(encode(&ListForwarders::new(7)), r#"{"request":"listforwarders","room":7}"#);
        assert_eq!(
            encode(&PlayFile::new(7, "/tmp/a.opus").with_file_id("f").with_loop(true)),
            r#"{"request":"play_file","room":7,"filename":"/tmp/a.opus","file_id":"f","loop":true}"#
        );
        assert_eq!(encode(&IsPlaying::new(7, "f")), r#"{"request":"is_playing","room":7,"file_id":"f"}"#);
        assert_eq!(encode(&StopFile::new(7, "f")), r#"{"request":"stop_file","room":7,"file_id":"f"}"#);
        let join = Join::new(7)
            .with_id(9)
            .with_display("A")
            .with_pin("p")
            .with_secret("s")
            .with_token("t")
            .with_muted(true)
            .with_codec("opus")
            .with_bitrate(24000)
            .with_quality(5)
            .with_volume(120)
            .with_spatial_position(30)
            .with_record(true)
            .with_filename("/tmp/p");
        assert_eq!(
            encode(&join),
            r#"{"request":"join","room":7,"id":9,"display":"A","pin":"p","secret":"s","token":"t","muted":true,"codec":"opus","bitrate":24000,"quality":5,"volume":120,"spatial_position":30,"record":true,"filename":"/tmp/p"}"#
        );
        assert_eq!(encode(&Configure::new()), r#"{"request":"configure"}"#);
        let configure = Configure::new()
            .with_muted(false)
            .with_display("B")
            .with_bitrate(1)
            .with_quality(2)
            .with_volume(3)
            .with_spatial_position(4)
            .with_record(false)
            .with_filename("f");
        assert_eq!(
            encode(&configure),
            r#"{"request":"configure","muted":false,"display":"B","bitrate":1,"quality":2,"volume":3,"spatial_position":4,"record":false,"filename":"f"}"#
        );
        assert_eq!(
            encode(&ChangeRoom::new(8).with_id(9).with_display("A").with_pin("p").with_token("t").with_muted(false)),
            r#"{"request":"changeroom","room":8,"id":9,"display":"A","pin":"p","token":"t","muted":false}"#
        );
        assert_eq!(encode(&Leave::new()), r#"{"request":"leave"}"#);
        assert_eq!(encode(&Hangup::new()), r#"{"request":"hangup"}"#);
    }

    #[test]
    fn answers_and_events_decode() {
        let n = PluginId::Number;
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"created","room":7,"permanent":false}"#)),
            Ok(Event::Created { room: n(7), permanent: Some(false) })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"edited","room":7,"permanent":false}"#)),
            Ok(Event::Edited { room: n(7), permanent: Some(false) })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"destroyed","room":7}"#)),
            Ok(Event::Destroyed { room: n(7), permanent: None })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"success","room":7,"exists":true}"#)),
            Ok(Event::Exists { room: n(7), exists: true })
        );
        let list = r#"{"audiobridge":"success","list":[{"room":7,"description":"d","sampling_rate":16000,"spatial_audio":false,"pin_required":false,"record":false,"muted":false,"num_participants":2}]}"#;
        let Ok(Event::Rooms(rooms)) = Event::decode(data(list)) else { panic!() };
        let room = rooms.iter().next().unwrap().unwrap();
        assert_eq!((room.room, room.sampling_rate, room.num_participants), (n(7), Some(16000), Some(2)));
        let forwarding = r#"{"audiobridge":"success","room":7,"stream_id":3,"host":"127.0.0.1","port":5002}"#;
        let Ok(Event::Forwarding { room: Some(room), stream_id: 3, host: Some(host), port: Some(5002) }) =
            Event::decode(data(forwarding))
        else {
            panic!()
        };
        assert!(room == n(7) && host == "127.0.0.1");
        let file = r#"{"audiobridge":"success","room":7,"file_id":"f","playing":false}"#;
        let Ok(Event::File { room: Some(room), file_id, playing: Some(false) }) = Event::decode(data(file)) else {
            panic!()
        };
        assert!(room == n(7) && file_id == "f");
        let success = data(r#"{"audiobridge":"success"}"#);
        assert_eq!(Event::decode(success), Ok(Event::Success(success)));

        // The joiner's answer has its id; the notice to the others has none.
        let own = r#"{"audiobridge":"joined","room":7,"id":9,"participants":[{"id":8,"display":"B","setup":true,"muted":false,"talking":false}]}"#;
        let Ok(Event::Joined { room, id, participants }) = Event::decode(data(own)) else { panic!() };
        assert_eq!((room, id), (n(7), Some(n(9))));
        let other = participants.iter().next().unwrap().unwrap();
        assert_eq!((other.id, other.setup, other.muted, other.talking), (n(8), Some(true), Some(false), Some(false)));
        assert!(other.display.unwrap() == "B");
        let notice = r#"{"audiobridge":"joined","room":7,"participants":[{"id":9,"setup":false,"muted":true}]}"#;
        let Ok(Event::Joined { id: None, participants, .. }) = Event::decode(data(notice)) else { panic!() };
        assert_eq!(participants.iter().next().unwrap().unwrap().muted, Some(true));

        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"left","room":7,"id":9}"#)),
            Ok(Event::Left { room: Some(n(7)), id: Some(n(9)) })
        );
        assert_eq!(Event::decode(data(r#"{"audiobridge":"hangingup"}"#)), Ok(Event::HangingUp));
        assert_eq!(Event::decode(data(r#"{"audiobridge":"event","result":"ok"}"#)), Ok(Event::Configured));
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"event","room":7,"leaving":9}"#)),
            Ok(Event::Leaving { room: n(7), id: n(9) })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"event","room":7,"kicked":9}"#)),
            Ok(Event::Kicked { room: n(7), id: n(9) })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"event","room":7,"kicked_all":9}"#)),
            Ok(Event::KickedAll { room: n(7), id: n(9) })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"event","room":7,"muted":true}"#)),
            Ok(Event::RoomMuted { room: n(7), muted: true })
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"stopped-talking","room":7,"id":9}"#)),
            Ok(Event::Talking { room: n(7), id: n(9), talking: false })
        );
        let started = r#"{"audiobridge":"announcement-started","room":7,"file_id":"f"}"#;
        let Ok(Event::Announcement { file_id, started: true, .. }) = Event::decode(data(started)) else { panic!() };
        assert!(file_id == "f");
        let forwarders = r#"{"audiobridge":"forwarders","room":7,"rtp_forwarders":[{"stream_id":3,"ip":"127.0.0.1","port":5002,"ssrc":1,"codec":"opus","ptype":100,"always_on":false}]}"#;
        let Ok(Event::Forwarders { forwarders, .. }) = Event::decode(data(forwarders)) else { panic!() };
        assert_eq!(forwarders.iter().next().unwrap().unwrap().stream_id, 3);
        let other = data(r#"{"audiobridge":"suspended","room":7}"#);
        assert!(matches!(Event::decode(other), Ok(Event::Other { kind: Some(k), .. }) if k == "suspended"));
    }

    #[test]
    fn errors_and_bad_data_are_typed() {
        let Err(EventError::Plugin(e)) =
            Event::decode(data(r#"{"audiobridge":"event","error_code":485,"error":"No such room (7)"}"#))
        else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::NoSuchRoom);
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"joined","room":7}"#)),
            Err(EventError::Decode(DecodeError::MissingField { kind: "audiobridge", field: "participants" }))
        );
        assert_eq!(
            Event::decode(data(r#"{"audiobridge":"event","room":7,"leaving":true}"#)),
            Err(EventError::Decode(DecodeError::InvalidField { kind: "audiobridge", field: "leaving" }))
        );
        assert_eq!(Event::decode(data("[]")), Err(EventError::Decode(DecodeError::NotAnObject)));
    }
}
