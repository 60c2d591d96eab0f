//! The SIP plugin (`janus.plugin.sip`): a SIP user agent per handle (Sofia-SIP inside Janus),
//! bridging WebRTC calls to SIP.
//!
//! Every request is answered by an `event` (after an `ack`) whose data is
//! `{"sip":"event","result":{"event":…},"call_id"?:…}`; what the SIP side does later
//! (registration outcome, ringing, the callee's answer, incoming calls, hangups, messages)
//! comes as more events of the same shape, registration ones without a transaction.
//!
//! What Janus 1.1.2 really does (read in `janus_sip.c` and seen with the Debian build):
//! `hangup`, `decline`, `hold` and `unhold` in the wrong state get no answer at all (only the
//! `ack`); `transfer`, `recording`, `info`, `dtmf_info` and an in-dialog `message` in the wrong
//! state fail with `error_code` 0 ([`ErrorCode::Other`]`(0)`); a `guest` registration sends
//! nothing and answers `registered` with `register_sent: false`; a registrar that cannot be
//! reached gives `registration_failed` (503 at once when the port is closed, 408 after the
//! plugin's `sip_timer_t1x64` when nothing answers).
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::sip::{Event, Register};
//!
//! let mut body = [0u8; 128];
//! let register = Register::new("sip:alice@example.com").with_secret("pw").with_proxy("sip:example.com");
//! let n = to_slice(&register, &mut body).unwrap();
//! assert_eq!(
//!     &body[..n],
//!     br#"{"request":"register","username":"sip:alice@example.com","secret":"pw","proxy":"sip:example.com"}"#
//! );
//!
//! let data = RawJson::parse(br#"{"sip":"event","result":{"event":"registration_failed","code":503,"reason":"Service Unavailable"}}"#).unwrap();
//! let Ok(Event::RegistrationFailed { code: 503, .. }) = Event::decode(data) else { panic!() };
//! ```

use serde::Serialize;

use super::{EventError, Fields, Opened, open_result, plugin_error_codes, plugin_events, plugin_request};
use crate::error::DecodeError;
use crate::json::{JsonStr, RawJson};

/// The plugin's package name, for `attach`.
pub const PLUGIN: &str = "janus.plugin.sip";

plugin_error_codes! {
    /// SIP's `error_code`s (`janus_sip.c`). Some wrong-state failures come with code 0:
    /// [`ErrorCode::Other`]`(0)`.
    ErrorCode {
        /// 440: the message had no body.
        NoMessage = 440,
        /// 441: the body is not valid JSON.
        InvalidJson = 441,
        /// 442: unknown `request`.
        InvalidRequest = 442,
        /// 443: a mandatory member is missing (e.g. `secret` or `ha1_secret`).
        MissingElement = 443,
        /// 444: a member has the wrong type or value, or members conflict.
        InvalidElement = 444,
        /// 445: already registered (use `refresh`).
        AlreadyRegistered = 445,
        /// 446: a SIP URI that does not parse.
        InvalidAddress = 446,
        /// 447: the request does not fit the state (register first, not in a call…).
        WrongState = 447,
        /// 448: no SDP (or one that does not parse, or has a data channel).
        MissingSdp = 448,
        /// 449: Sofia-SIP failed.
        LibsofiaError = 449,
        /// 450: no RTP/RTCP ports, or the SDP could not be rewritten.
        IoError = 450,
        /// 451: a recording request that records nothing.
        RecordingError = 451,
        /// 452: SDES-SRTP required but not offered.
        TooStrict = 452,
        /// 453: a helper session problem (no such master, already a helper…).
        HelperError = 453,
        /// 454: no such call (a `transfer`'s `replace`).
        NoSuchCallId = 454,
        /// 499: unknown error.
        Unknown = 499,
    }
}

/// A SIP [`PluginError`](super::PluginError).
pub type PluginError<'a> = super::PluginError<'a, ErrorCode>;
/// What [`Event::decode`] fails with.
pub type Error<'a> = EventError<'a, ErrorCode>;

// ----- requests -----------------------------------------------------------------------------

/// The kind of a [`Register`]: a normal registration, a guest (no REGISTER sent) or a helper
/// of another handle's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegisterType {
    /// `guest`: no REGISTER is sent; calls go out from this identity.
    Guest,
    /// `helper`: shares the registration of the handle `master_id` names.
    Helper,
}

plugin_request! {
    /// `register`: registers `username` (a `sip:` URI) with its registrar; answered by
    /// [`Event::Registering`] (then [`Event::Registered`] or [`Event::RegistrationFailed`]), or
    /// at once by [`Event::Registered`] for a guest or a helper.
    #[serde(tag = "request", rename = "register")]
    pub struct Register<'a> {
        /// Registers `username`, e.g. `sip:alice@example.com`.
        const fn new(username: &'a str);
        /// `type`: a guest or a helper.
        r#type: RegisterType => with_type,
        /// `secret`: the password.
        secret: &'a str => with_secret,
        /// `ha1_secret`: the password as HA1 (instead of `secret`).
        ha1_secret: &'a str => with_ha1_secret,
        /// `authuser`: the user to authenticate as (default: the URI's user).
        authuser: &'a str => with_authuser,
        /// `display_name`.
        display_name: &'a str => with_display_name,
        /// `user_agent` of this handle's stack.
        user_agent: &'a str => with_user_agent,
        /// `proxy`: the registrar (a `sip:` URI; default: the username's host).
        proxy: &'a str => with_proxy,
        /// `outbound_proxy`.
        outbound_proxy: &'a str => with_outbound_proxy,
        /// `register_ttl`: `Expires` in seconds.
        register_ttl: u32 => with_register_ttl,
        /// `refresh`: registers again although registered.
        refresh: bool => with_refresh,
        /// `send_register: false`: takes the identity without REGISTER (needs a secret).
        send_register: bool => with_send_register,
        /// `force_tcp`: SIP over TCP.
        force_tcp: bool => with_force_tcp,
        /// `master_id` of the handle a helper shares (with [`RegisterType::Helper`]).
        master_id: u64 => with_master_id,
    }
}

plugin_request! {
    /// `unregister`: answered by [`Event::Unregistering`] (then [`Event::Unregistered`]).
    #[serde(tag = "request", rename = "unregister")]
    #[derive(Default)]
    pub struct Unregister {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `call`: calls `uri`, sent with a JSEP offer; answered by [`Event::Calling`], then the
    /// callee's progress ([`Event::Ringing`], [`Event::Progress`], [`Event::Accepted`] with
    /// the answer, or [`Event::HangUp`]).
    #[serde(tag = "request", rename = "call")]
    pub struct Call<'a> {
        /// Calls `uri`, e.g. `sip:bob@example.com`.
        const fn new(uri: &'a str);
        /// `call_id`: the SIP Call-ID to use.
        call_id: &'a str => with_call_id,
        /// `srtp`: `sdes_optional` or `sdes_mandatory`.
        srtp: &'a str => with_srtp,
        /// `srtp_profile`.
        srtp_profile: &'a str => with_srtp_profile,
        /// `autoaccept_reinvites`: answer re-INVITEs without asking (default true).
        autoaccept_reinvites: bool => with_autoaccept_reinvites,
        /// `secret` for this call (replaces the registered one).
        secret: &'a str => with_secret,
        /// `authuser` for this call.
        authuser: &'a str => with_authuser,
        /// `refer_id` of the [`Event::TransferRequested`] this call follows (Janus reports the
        /// outcome to the transferor).
        refer_id: u64 => with_refer_id,
    }
}

plugin_request! {
    /// `accept`: accepts the incoming call, sent with a JSEP answer (or an offer when the
    /// INVITE had none); answered by [`Event::Accepted`] (or [`Event::Accepting`]).
    #[serde(tag = "request", rename = "accept")]
    #[derive(Default)]
    pub struct Accept<'a> {
        /// The request.
        const fn new();
        /// `srtp`: `sdes_optional` or `sdes_mandatory`.
        srtp: &'a str => with_srtp,
        /// `autoaccept_reinvites`.
        autoaccept_reinvites: bool => with_autoaccept_reinvites,
    }
}

plugin_request! {
    /// `decline`: refuses the incoming call; answered by [`Event::Declining`] and a
    /// [`Event::HangUp`] (nothing when there is no incoming call).
    #[serde(tag = "request", rename = "decline")]
    #[derive(Default)]
    pub struct Decline {
        /// Declines with 486 Busy Here.
        const fn new();
        /// `code`: the SIP status to answer (≥ 400).
        code: u16 => with_code,
        /// `refer_id`: declines the [`Event::TransferRequested`] with this id instead of a call.
        refer_id: u64 => with_refer_id,
    }
}

plugin_request! {
    /// `hold`: puts the call on hold (a re-INVITE); answered by [`Event::Holding`] (nothing
    /// outside a call).
    #[serde(tag = "request", rename = "hold")]
    #[derive(Default)]
    pub struct Hold<'a> {
        /// Holds with `sendonly`.
        const fn new();
        /// `direction`: `sendonly`, `recvonly` or `inactive`.
        direction: &'a str => with_direction,
    }
}

plugin_request! {
    /// `unhold`: resumes the call; answered by [`Event::Resuming`] (nothing outside a call).
    #[serde(tag = "request", rename = "unhold")]
    #[derive(Default)]
    pub struct Unhold {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `update`: renegotiates the call, sent with a JSEP (with `update: true`); answered by
    /// [`Event::Updating`] or [`Event::Updated`].
    #[serde(tag = "request", rename = "update")]
    #[derive(Default)]
    pub struct Update {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `hangup`: ends the call (a BYE, or CANCEL while inviting); answered by
    /// [`Event::HangingUp`] (nothing outside a call).
    #[serde(tag = "request", rename = "hangup")]
    #[derive(Default)]
    pub struct Hangup {
        /// The request.
        const fn new();
    }
}

plugin_request! {
    /// `transfer`: asks the other party to call `uri` (a REFER); answered by
    /// [`Event::Transferring`].
    #[serde(tag = "request", rename = "transfer")]
    pub struct Transfer<'a> {
        /// Transfers to `uri`.
        const fn new(uri: &'a str);
        /// `replace`: the Call-ID of the call the transfer replaces (attended transfer).
        replace: &'a str => with_replace,
    }
}

plugin_request! {
    /// `recording`: records the call's media on the server; answered by
    /// [`Event::RecordingUpdated`].
    #[serde(tag = "request", rename = "recording")]
    pub struct Recording<'a> {
        /// `start`, `stop`, `pause` or `resume`.
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

plugin_request! {
    /// `info`: a SIP INFO in the call; answered by [`Event::InfoSent`].
    #[serde(tag = "request", rename = "info")]
    pub struct Info<'a> {
        /// Sends `content` of content type `type`.
        const fn new(r#type: &'a str, content: &'a str);
    }
}

plugin_request! {
    /// `dtmf_info`: a DTMF digit as SIP INFO; answered by [`Event::DtmfSent`].
    #[serde(tag = "request", rename = "dtmf_info")]
    pub struct DtmfInfo<'a> {
        /// Sends `digit` (one character).
        const fn new(digit: &'a str);
        /// `duration` in ms (default 160).
        duration: u32 => with_duration,
    }
}

plugin_request! {
    /// `message`: a SIP MESSAGE, in the call or (with `uri`) to anyone; answered by
    /// [`Event::MessageSent`], then [`Event::MessageDelivery`].
    #[serde(tag = "request", rename = "message")]
    pub struct SendMessage<'a> {
        /// Sends `content` (text/plain unless said otherwise).
        const fn new(content: &'a str);
        /// `content_type`.
        content_type: &'a str => with_content_type,
        /// `uri`: out of the call, to this URI.
        uri: &'a str => with_uri,
    }
}

plugin_request! {
    /// `subscribe`: a SIP SUBSCRIBE to an event package; answered by [`Event::Subscribing`],
    /// then [`Event::SubscribeSucceeded`] or [`Event::SubscribeFailed`], and [`Event::Notify`]s.
    #[serde(tag = "request", rename = "subscribe")]
    pub struct Subscribe<'a> {
        /// Subscribes to `event`, e.g. `message-summary`.
        const fn new(event: &'a str);
        /// `to`: whose (default: this identity).
        to: &'a str => with_to,
        /// `accept`: the `Accept` header.
        accept: &'a str => with_accept,
        /// `subscribe_ttl` in seconds.
        subscribe_ttl: u32 => with_subscribe_ttl,
    }
}

plugin_request! {
    /// `unsubscribe`: ends a subscription; answered by [`Event::Unsubscribing`].
    #[serde(tag = "request", rename = "unsubscribe")]
    pub struct Unsubscribe<'a> {
        /// Unsubscribes from `event`.
        const fn new(event: &'a str);
        /// `to`: whose.
        to: &'a str => with_to,
    }
}

plugin_request! {
    /// `reset`: clears a stuck call state when idle; answered by [`Event::Reset`].
    #[serde(tag = "request", rename = "reset")]
    #[derive(Default)]
    pub struct Reset {
        /// The request.
        const fn new();
    }
}

// ----- events -------------------------------------------------------------------------------

/// A caller or a call being updated: [`Event::IncomingCall`] and [`Event::UpdatingCall`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingCall<'a> {
    /// `username`: the caller's URI.
    pub username: JsonStr<'a>,
    /// `displayname`, quotes included as sent (empty when the caller has none).
    pub displayname: Option<JsonStr<'a>>,
    /// `callee`: the URI called.
    pub callee: Option<JsonStr<'a>>,
    /// `call_id`.
    pub call_id: Option<JsonStr<'a>>,
    /// `srtp`, when the caller offered SDES-SRTP.
    pub srtp: Option<JsonStr<'a>>,
}

plugin_events! {
    /// What the SIP plugin says, read from `plugindata.data` (its `result.event`).
    pub enum Event<'a> {
        /// `registering`: the answer to [`Register`] (the REGISTER is on its way).
        "registering" => Registering,
        /// `registered`: the registrar accepted, or a guest or helper took the identity at once.
        "registered" => Registered {
            /// The URI's user part.
            username: JsonStr<'a> = required_text,
            /// `register_sent`: whether a REGISTER was sent (false for a guest or helper).
            register_sent: Option<bool> = bool,
            /// `master_id`: what a helper names to share this registration.
            master_id: Option<u64> = u64,
            /// `helper`: this handle is a helper.
            helper: Option<bool> = bool,
        },
        /// `registration_failed`: the registrar refused or could not be reached.
        "registration_failed" => RegistrationFailed {
            /// The SIP status (or 503 / 408 from Sofia for a closed or silent registrar).
            code: u64 = required_u64,
            /// Its phrase.
            reason: Option<JsonStr<'a>> = text,
        },
        /// `unregistering`: the answer to [`Unregister`].
        "unregistering" => Unregistering,
        /// `unregistered`: the registration is gone.
        "unregistered" => Unregistered {
            /// The URI's user part.
            username: Option<JsonStr<'a>> = text,
        },
        /// `calling`: the answer to [`Call`].
        "calling" => Calling {
            /// The call's Call-ID.
            call_id: Option<JsonStr<'a>> = text,
        },
        /// `proceeding`: the callee's side answered 1xx.
        "proceeding" => Proceeding {
            /// The SIP status.
            code: Option<u64> = u64,
        },
        /// `ringing`: 180/183 without SDP.
        "ringing" => Ringing,
        /// `progress`: early media (183 with SDP; the event carries the answer as JSEP).
        "progress" => Progress {
            /// The callee's URI.
            username: Option<JsonStr<'a>> = text,
        },
        /// `accepting`: the answer to [`Accept`] with an offer (the ACK brings `accepted`).
        "accepting" => Accepting,
        /// `accepted`: the answer to [`Accept`], or the callee answered this handle's call
        /// (with the answer as JSEP).
        "accepted" => Accepted {
            /// The callee's URI (for the caller).
            username: Option<JsonStr<'a>> = text,
        },
        /// `missed_call`: a call came while this handle was busy.
        "missed_call" => MissedCall {
            /// `caller`.
            caller: Option<JsonStr<'a>> = text,
            /// `callee`.
            callee: Option<JsonStr<'a>> = text,
        },
        /// `declining`: the answer to [`Decline`].
        "declining" => Declining {
            /// The status sent.
            code: Option<u64> = u64,
        },
        /// `hangingup`: the answer to [`Hangup`].
        "hangingup" => HangingUp,
        /// `hangup`: the call is over.
        "hangup" => HangUp {
            /// The SIP status.
            code: Option<u64> = u64,
            /// Its phrase (`"Session Terminated"` for a BYE from the other side).
            reason: Option<JsonStr<'a>> = text,
            /// `reason_header`: the text of a `Reason` header.
            reason_header: Option<JsonStr<'a>> = text,
        },
        /// `holding`: the answer to [`Hold`].
        "holding" => Holding,
        /// `resuming`: the answer to [`Unhold`].
        "resuming" => Resuming,
        /// `updating`: the answer to [`Update`] (this side re-INVITEs).
        "updating" => Updating,
        /// `updated`: the answer to [`Update`] answering a re-INVITE.
        "updated" => Updated,
        /// `transferring`: the answer to [`Transfer`].
        "transferring" => Transferring,
        /// `transfer`: the other side asks this one to call someone (a REFER).
        "transfer" => TransferRequested {
            /// `refer_id`: what [`Call`] or [`Decline`] name to report back.
            refer_id: Option<u64> = u64,
            /// `refer_to`: whom to call.
            refer_to: Option<JsonStr<'a>> = text,
            /// `referred_by`.
            referred_by: Option<JsonStr<'a>> = text,
        },
        /// `recordingupdated`: the answer to [`Recording`].
        "recordingupdated" => RecordingUpdated,
        /// `infosent`: the answer to [`Info`].
        "infosent" => InfoSent,
        /// `dtmfsent`: the answer to [`DtmfInfo`].
        "dtmfsent" => DtmfSent,
        /// `messagesent`: the answer to [`SendMessage`].
        "messagesent" => MessageSent {
            /// The MESSAGE's Call-ID.
            call_id: Option<JsonStr<'a>> = text,
        },
        /// `messagedelivery`: the outcome of a [`SendMessage`].
        "messagedelivery" => MessageDelivery {
            /// The SIP status.
            code: Option<u64> = u64,
            /// Its phrase.
            reason: Option<JsonStr<'a>> = text,
        },
        /// `info`: a SIP INFO from the other side.
        "info" => InfoReceived {
            /// `sender`.
            sender: Option<JsonStr<'a>> = text,
            /// `type`: the content type.
            kind: Option<JsonStr<'a>> = text("type"),
            /// `content`.
            content: Option<JsonStr<'a>> = text,
        },
        /// `message`: a SIP MESSAGE to this identity.
        "message" => MessageReceived {
            /// `sender`.
            sender: Option<JsonStr<'a>> = text,
            /// `displayname`.
            displayname: Option<JsonStr<'a>> = text,
            /// `content`.
            content: Option<JsonStr<'a>> = text,
            /// `content_type`.
            content_type: Option<JsonStr<'a>> = text,
        },
        /// `notify`: a NOTIFY of a subscription.
        "notify" => Notify {
            /// `notify`: the event package.
            event: Option<JsonStr<'a>> = text("notify"),
            /// `substate`.
            substate: Option<JsonStr<'a>> = text,
            /// `content`.
            content: Option<JsonStr<'a>> = text,
        },
        /// `subscribing`: the answer to [`Subscribe`].
        "subscribing" => Subscribing,
        /// `subscribe_succeeded`.
        "subscribe_succeeded" => SubscribeSucceeded {
            /// The SIP status.
            code: Option<u64> = u64,
            /// `expires`.
            expires: Option<u64> = u64,
        },
        /// `subscribe_failed`.
        "subscribe_failed" => SubscribeFailed {
            /// The SIP status.
            code: Option<u64> = u64,
            /// Its phrase.
            reason: Option<JsonStr<'a>> = text,
        },
        /// `unsubscribing`: the answer to [`Unsubscribe`].
        "unsubscribing" => Unsubscribing,
        /// `reset`: the answer to [`Reset`].
        "reset" => Reset,
    }
    others {
        /// `incomingcall`: someone calls (with the offer as JSEP when the INVITE had SDP).
        IncomingCall(IncomingCall<'a>),
        /// `updatingcall`: the other side renegotiates (a re-INVITE).
        UpdatingCall(IncomingCall<'a>),
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
    /// [`EventError::Plugin`] when the data carries `error_code` / `error` (also code 0);
    /// [`EventError::Decode`] when it is not an object or a member the plugin always sends
    /// is missing or mistyped.
    pub fn decode(data: RawJson<'a>) -> Result<Self, Error<'a>> {
        let (r, result) = match open_result("sip", "sip result", data)? {
            Opened::Result(r) => (r, r.raw()),
            Opened::NoResult(data) => return Ok(Self::Other { event: None, data }),
        };
        let Some(event) = r.text("event")? else {
            return Ok(Self::Other { event: None, data: result });
        };
        if let Some(known) = Self::from_kind(event, &r)? {
            return Ok(known);
        }
        if event == "incomingcall" || event == "updatingcall" {
            let call = IncomingCall::read(&r)?;
            return Ok(if event == "incomingcall" { Self::IncomingCall(call) } else { Self::UpdatingCall(call) });
        }
        Ok(Self::Other { event: Some(event), data: result })
    }
}

impl<'a> IncomingCall<'a> {
    fn read(r: &Fields<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            username: r.required_text("username")?,
            displayname: r.text("displayname")?,
            callee: r.text("callee")?,
            call_id: r.text("call_id")?,
            srtp: r.text("srtp")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;
    use std::string::String;

    fn encode<T: Serialize>(value: &T) -> String {
        let mut out = [0u8; 512];
        let n = to_slice(value, &mut out).unwrap();
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn decode(json: &str) -> Result<Event<'_>, Error<'_>> {
        Event::decode(RawJson::from_str(json).unwrap())
    }

    #[test]
    fn requests_encode_exactly() {
        assert_eq!(
            encode(&Register::new("sip:a@127.0.0.1").with_type(RegisterType::Guest)),
            r#"{"request":"register","username":"sip:a@127.0.0.1","type":"guest"}"#
        );
        let register = Register::new("sip:a@h")
            .with_type(RegisterType::Helper)
            .with_secret("s")
            .with_ha1_secret("h")
            .with_authuser("u")
            .with_display_name("A \"a\"")
            .with_user_agent("ua")
            .with_proxy("sip:p")
            .with_outbound_proxy("sip:o")
            .with_register_ttl(60)
            .with_refresh(true)
            .with_send_register(false)
            .with_force_tcp(true)
            .with_master_id(9);
        assert_eq!(
            encode(&register),
            r#"{"request":"register","username":"sip:a@h","type":"helper","secret":"s","ha1_secret":"h","authuser":"u","display_name":"A \"a\"","user_agent":"ua","proxy":"sip:p","outbound_proxy":"sip:o","register_ttl":60,"refresh":true,"send_register":false,"force_tcp":true,"master_id":9}"#
        );
        assert_eq!(encode(&Unregister::new()), r#"{"request":"unregister"}"#);
        let call = Call::new("sip:b@h")
            .with_call_id("c")
            .with_srtp("sdes_optional")
            .with_srtp_profile("AES_CM_128_HMAC_SHA1_80")
            .with_autoaccept_reinvites(false)
            .with_secret("s")
            .with_authuser("u")
            .with_refer_id(3);
        assert_eq!(
            encode(&call),
            r#"{"request":"call","uri":"sip:b@h","call_id":"c","srtp":"sdes_optional","srtp_profile":"AES_CM_128_HMAC_SHA1_80","autoaccept_reinvites":false,"secret":"s","authuser":"u","refer_id":3}"#
        );
        assert_eq!(encode(&Accept::new().with_srtp("sdes_mandatory")), r#"{"request":"accept","srtp":"sdes_mandatory"}"#);
        assert_eq!(
            encode(&Decline::new().with_code(603).with_refer_id(3)),
            r#"{"request":"decline","code":603,"refer_id":3}"#
        );
        assert_eq!(encode(&Hold::new().with_direction("inactive")), r#"{"request":"hold","direction":"inactive"}"#);
        assert_eq!(encode(&Unhold::new()), r#"{"request":"unhold"}"#);
        assert_eq!(encode(&Update::new()), r#"{"request":"update"}"#);
        assert_eq!(encode(&Hangup::new()), r#"{"request":"hangup"}"#);
        assert_eq!(
            encode(&Transfer::new("sip:c@h").with_replace("x")),
            r#"{"request":"transfer","uri":"sip:c@h","replace":"x"}"#
        );
        assert_eq!(
            encode(&Recording::new("start").with_audio(true).with_peer_audio(true).with_filename("/tmp/s")),
            r#"{"request":"recording","action":"start","audio":true,"peer_audio":true,"filename":"/tmp/s"}"#
        );
        assert_eq!(
            encode(&Info::new("application/x", "hi")),
            r#"{"request":"info","type":"application/x","content":"hi"}"#
        );
        assert_eq!(encode(&DtmfInfo::new("5").with_duration(200)), r#"{"request":"dtmf_info","digit":"5","duration":200}"#);
        assert_eq!(
            encode(&SendMessage::new("hi\n").with_content_type("text/plain").with_uri("sip:b@h")),
            r#"{"request":"message","content":"hi\n","content_type":"text/plain","uri":"sip:b@h"}"#
        );
        assert_eq!(
            encode(&Subscribe::new("message-summary").with_to("sip:a@h").with_accept("x/y").with_subscribe_ttl(60)),
            r#"{"request":"subscribe","event":"message-summary","to":"sip:a@h","accept":"x/y","subscribe_ttl":60}"#
        );
        assert_eq!(encode(&Unsubscribe::new("presence")), r#"{"request":"unsubscribe","event":"presence"}"#);
        assert_eq!(encode(&Reset::new()), r#"{"request":"reset"}"#);
    }

    #[test]
    fn events_decode() {
        let Ok(Event::Registered { username, register_sent: Some(false), master_id: Some(9), helper: None }) = decode(
            r#"{"sip":"event","result":{"event":"registered","username":"alice","register_sent":false,"master_id":9}}"#,
        ) else {
            panic!()
        };
        assert!(username == "alice");
        let Ok(Event::Calling { call_id: Some(id) }) =
            decode(r#"{"sip":"event","call_id":"c1","result":{"event":"calling","call_id":"c1"}}"#)
        else {
            panic!()
        };
        assert!(id == "c1");
        let Ok(Event::HangUp { code: Some(200), reason: Some(reason), reason_header: Some(header) }) = decode(
            r#"{"sip":"event","result":{"event":"hangup","code":200,"reason":"Session Terminated","reason_header":"Normal call clearing","reason_header_protocol":"Q.850","reason_header_cause":"16"}}"#,
        ) else {
            panic!()
        };
        assert!(reason == "Session Terminated" && header == "Normal call clearing");
        let Ok(Event::IncomingCall(call)) = decode(
            r#"{"sip":"event","call_id":"x","result":{"event":"incomingcall","username":"sip:bob@h","call_id":"x","displayname":"\"Bob\"","callee":"sip:alice@h"}}"#,
        ) else {
            panic!()
        };
        assert!(call.username == "sip:bob@h" && call.call_id.is_some_and(|c| c == "x"));
        for (json, expected) in [
            (r#"{"sip":"event","result":{"event":"registering"}}"#, Event::Registering),
            (r#"{"sip":"event","result":{"event":"unregistering"}}"#, Event::Unregistering),
            (r#"{"sip":"event","result":{"event":"ringing"}}"#, Event::Ringing),
            (r#"{"sip":"event","result":{"event":"accepting"}}"#, Event::Accepting),
            (r#"{"sip":"event","result":{"event":"hangingup"}}"#, Event::HangingUp),
            (r#"{"sip":"event","result":{"event":"holding"}}"#, Event::Holding),
            (r#"{"sip":"event","result":{"event":"resuming"}}"#, Event::Resuming),
            (r#"{"sip":"event","result":{"event":"updating"}}"#, Event::Updating),
            (r#"{"sip":"event","result":{"event":"updated"}}"#, Event::Updated),
            (r#"{"sip":"event","result":{"event":"transferring"}}"#, Event::Transferring),
            (r#"{"sip":"event","result":{"event":"recordingupdated"}}"#, Event::RecordingUpdated),
            (r#"{"sip":"event","result":{"event":"infosent"}}"#, Event::InfoSent),
            (r#"{"sip":"event","result":{"event":"dtmfsent"}}"#, Event::DtmfSent),
            (r#"{"sip":"event","result":{"event":"subscribing"}}"#, Event::Subscribing),
            (r#"{"sip":"event","result":{"event":"unsubscribing"}}"#, Event::Unsubscribing),
            (r#"{"sip":"event","result":{"event":"reset"}}"#, Event::Reset),
            (r#"{"sip":"event","result":{"event":"proceeding","code":100}}"#, Event::Proceeding { code: Some(100) }),
            (r#"{"sip":"event","result":{"event":"declining","code":603}}"#, Event::Declining { code: Some(603) }),
            (
                r#"{"sip":"event","result":{"event":"subscribe_succeeded","code":200,"expires":60,"reason":"OK"}}"#,
                Event::SubscribeSucceeded { code: Some(200), expires: Some(60) },
            ),
        ] {
            assert_eq!(decode(json), Ok(expected), "{json}");
        }
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"messagedelivery","code":200,"reason":"OK"}}"#),
            Ok(Event::MessageDelivery { code: Some(200), .. })
        ));
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"message","sender":"sip:b@h","content":"hi","content_type":"text/plain"}}"#),
            Ok(Event::MessageReceived { sender: Some(_), content: Some(_), .. })
        ));
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"notify","notify":"message-summary","content":"x"}}"#),
            Ok(Event::Notify { event: Some(_), .. })
        ));
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"transfer","refer_id":5,"refer_to":"sip:c@h"}}"#),
            Ok(Event::TransferRequested { refer_id: Some(5), .. })
        ));
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"missed_call","caller":"sip:b@h","callee":"sip:a@h"}}"#),
            Ok(Event::MissedCall { caller: Some(_), .. })
        ));
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"info","sender":"sip:b@h","type":"x/y","content":"c"}}"#),
            Ok(Event::InfoReceived { kind: Some(_), .. })
        ));
        assert!(matches!(
            decode(r#"{"sip":"event","result":{"event":"brand-new"}}"#),
            Ok(Event::Other { event: Some(e), .. }) if e == "brand-new"
        ));
    }

    #[test]
    fn errors_and_bad_data_are_typed() {
        let Err(EventError::Plugin(e)) =
            decode(r#"{"sip":"event","error_code":447,"error":"Wrong state (register first)"}"#)
        else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::WrongState);
        let Err(EventError::Plugin(e)) = decode(r#"{"sip":"event","error_code":0,"error":"Wrong state (not in a call?)"}"#)
        else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::Other(0));
        assert_eq!(
            decode(r#"{"sip":"event","result":{"event":"registration_failed","reason":"x"}}"#),
            Err(EventError::Decode(DecodeError::MissingField { kind: "sip result", field: "code" }))
        );
        assert_eq!(
            decode(r#"{"sip":"event","result":{"event":"registered"}}"#),
            Err(EventError::Decode(DecodeError::MissingField { kind: "sip result", field: "username" }))
        );
    }
}
