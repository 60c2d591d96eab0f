//! Typed requests and events of the Janus plugins this crate knows: [`audiobridge`],
//! [`echotest`], [`nosip`], [`recordplay`], [`sip`], [`streaming`], [`textroom`],
//! [`videocall`], [`videoroom`] and [`voicemail`]: the ten media plugins of the Debian
//! `janus` package.
//!
//! Everything here is as allocation-free as the rest of the crate:
//!
//! - **Requests** are small [`Serialize`] structs that borrow their text. Pass one as the
//!   `body` of a [`PluginMessage`](crate::request::PluginMessage) (or to a blocking client's
//!   `message`), or write it alone with [`json::to_slice`](crate::json::to_slice). Each writes
//!   its `"request"` name itself.
//! - **Events** are read from the plugin's data (`plugindata.data`, a [`RawJson`] span of the
//!   received bytes) with each plugin's `Event::decode`. Fields borrow from those bytes. Free
//!   text (descriptions, display names, chat text) is a [`JsonStr`]: escaped as sent, unescaped
//!   on demand. Lists (rooms, participants, publishers, streams) are a [`List`]: a typed
//!   iterator over the raw array, so any number of elements can be read without a buffer.
//! - **Plugin errors** (`error_code` / `error` in the data, sent both in `event`s and in
//!   synchronous `success` replies) come out as [`EventError::Plugin`] with the plugin's own
//!   error code enum, for example
//!   [`videoroom::ErrorCode::NoSuchRoom`].
//! - **Ids** of rooms, feeds and mountpoints are numbers, or strings when the plugin runs with
//!   `string_ids = true`: [`PluginId`] when received, [`Id`] when sent.
//!
//! ```
//! use janus_signal::json::{RawJson, to_slice};
//! use janus_signal::plugin::videoroom::{self, ErrorCode, Event, JoinAsPublisher};
//! use janus_signal::plugin::{EventError, PluginId};
//!
//! let mut body = [0u8; 96];
//! let n = to_slice(&JoinAsPublisher::new(1234).with_display("Alice"), &mut body).unwrap();
//! assert_eq!(&body[..n], br#"{"request":"join","ptype":"publisher","room":1234,"display":"Alice"}"#);
//!
//! let data = RawJson::parse(br#"{"videoroom":"joined","room":1234,"id":77,"private_id":5,"publishers":[]}"#).unwrap();
//! let Ok(Event::Joined(joined)) = videoroom::Event::decode(data) else { panic!() };
//! assert_eq!(joined.id, PluginId::Number(77));
//! assert_eq!(joined.publishers.iter().count(), 0);
//!
//! let data = RawJson::parse(br#"{"videoroom":"event","error_code":426,"error":"No such room (9)"}"#).unwrap();
//! match videoroom::Event::decode(data) {
//!     Err(EventError::Plugin(e)) => {
//!         assert_eq!(e.code, ErrorCode::NoSuchRoom);
//!         assert!(e.reason.unwrap() == "No such room (9)");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```

/// Registers the plugin modules, once: each line declares the module, gives its `Event` its
/// `from_message` and [`PluginEvent`], and puts it in [`PLUGINS`], [`debug_event`] and
/// [`debug_data`] (which the fuzz entry and the tests run on every message).
/// A plugin module file that is not registered here fails the test
/// `every_plugin_module_is_registered`.
macro_rules! plugins {
    ($($(#[$doc:meta])* $module:ident,)*) => {
        $($(#[$doc])* pub mod $module;)*

        /// The package names (`janus.plugin.…`) of the plugins this crate has typed helpers for,
        /// one per module of [`plugin`](self), in registration order.
        ///
        /// ```
        /// assert!(janus_signal::plugin::PLUGINS.contains(&"janus.plugin.videoroom"));
        /// ```
        pub const PLUGINS: &[&str] = &[$($module::PLUGIN),*];

        /// Reads `message` with every registered plugin's event decoder and writes what each
        /// finds (`None` when the message is not that plugin's) to `out`, for fuzzing and tests:
        /// one call reaches every plugin, registered or added later.
        ///
        /// # Errors
        ///
        /// What `out` returns.
        pub fn debug_event(message: &Message<'_>, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
            $(write!(out, "{}: {:?}; ", $module::PLUGIN, $module::Event::from_message(message))?;)*
            Ok(())
        }

        $(
            impl<'a> $module::Event<'a> {
                /// Reads the plugin's data of a whole message (a synchronous `success` or an
                /// `event`); `None` when the message carries no data of this plugin.
                ///
                /// # Errors
                ///
                /// As [`decode`](Self::decode).
                pub fn from_message(message: &Message<'a>) -> Option<Result<Self, $module::Error<'a>>> {
                    data_from(message, $module::PLUGIN).map(Self::decode)
                }
            }

            impl<'a> PluginEvent<'a> for $module::Event<'a> {
                const PLUGIN: &'static str = $module::PLUGIN;
                type Error = $module::Error<'a>;

                fn from_message(message: &Message<'a>) -> Option<Result<Self, Self::Error>> {
                    $module::Event::from_message(message)
                }

                fn is_other(&self) -> bool {
                    matches!(self, $module::Event::Other { .. })
                }
            }
        )*

        /// Reads `data` as every registered plugin's event data (`plugindata.data`) and writes
        /// what each finds to `out`, for fuzzing and tests: the plugin decoders on any JSON,
        /// without the message around it.
        ///
        /// # Errors
        ///
        /// What `out` returns.
        pub fn debug_data(data: RawJson<'_>, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
            $(write!(out, "{}: {:?}; ", $module::PLUGIN, $module::Event::decode(data))?;)*
            Ok(())
        }
    };
}

/// The events of a registered plugin, read from a whole message in one call, whichever the
/// plugin: what generic code (`janus-signal-socket`'s `OwnedMessage::plugin::<E>()`, tests)
/// asks for. Every plugin module's `Event` implements it through `plugins!`.
///
/// ```
/// use janus_signal::message::Message;
/// use janus_signal::plugin::{PluginEvent, echotest};
///
/// fn plugin_event<'a, E: PluginEvent<'a>>(message: &Message<'a>) -> Option<Result<E, E::Error>> {
///     E::from_message(message)
/// }
///
/// let bytes = br#"{"janus":"event","session_id":1,"sender":2,
///     "plugindata":{"plugin":"janus.plugin.echotest","data":{"echotest":"event","result":"ok"}}}"#;
/// let message = Message::decode(bytes).unwrap();
/// assert_eq!(plugin_event::<echotest::Event>(&message), Some(Ok(echotest::Event::Accepted)));
/// assert_eq!(<echotest::Event as PluginEvent>::PLUGIN, "janus.plugin.echotest");
/// assert!(!echotest::Event::Accepted.is_other());
/// ```
pub trait PluginEvent<'a>: Sized {
    /// The plugin's package name (`janus.plugin.…`).
    const PLUGIN: &'static str;
    /// What reading the plugin's data fails with.
    type Error;
    /// The plugin's data in `message` (a synchronous `success` or an `event`), read; `None`
    /// when the message carries no data of this plugin.
    fn from_message(message: &Message<'a>) -> Option<Result<Self, Self::Error>>;
    /// Whether this is the plugin's catch-all `Other` (a kind this crate does not read yet).
    fn is_other(&self) -> bool;
}

plugins! {
    audiobridge,
    echotest,
    nosip,
    recordplay,
    sip,
    streaming,
    textroom,
    videocall,
    videoroom,
    voicemail,
}

use core::fmt;
use core::marker::PhantomData;

use serde::Serialize;

use crate::error::DecodeError;
pub use crate::json::PluginId;
use crate::json::{Elements, JsonKind, JsonStr, RawJson};
use crate::message::{Message, PluginData};

/// The plugin's data of a message: `plugindata` of an `event` or of a synchronous `success`.
///
/// ```
/// use janus_signal::message::Message;
/// use janus_signal::plugin::plugin_data;
///
/// let bytes = br#"{"janus":"success","session_id":1,"transaction":"t","sender":2,
///     "plugindata":{"plugin":"janus.plugin.videoroom","data":{"videoroom":"created","room":5,"permanent":false}}}"#;
/// let message = Message::decode(bytes).unwrap();
/// let data = plugin_data(&message).unwrap();
/// assert!(data.plugin == "janus.plugin.videoroom");
/// ```
#[must_use]
pub fn plugin_data<'a>(message: &Message<'a>) -> Option<PluginData<'a>> {
    match message {
        Message::Success(success) => success.plugin_data,
        Message::Event(event) => event.plugin_data,
        _ => None,
    }
}

/// The data of `plugin` in a message, if the message carries plugin data from that plugin.
pub(crate) fn data_from<'a>(message: &Message<'a>, plugin: &str) -> Option<RawJson<'a>> {
    plugin_data(message).filter(|data| data.plugin == plugin).map(|data| data.data)
}

/// A room, feed or mountpoint id to send in a request: a number, or text for plugins running
/// with `string_ids = true`.
///
/// Build it from a `u64`, a `&str` (escaped when written), or a [`PluginId`] received from
/// Janus (its text is forwarded as received, without unescaping).
///
/// ```
/// use janus_signal::json::to_slice;
/// use janus_signal::plugin::Id;
///
/// let mut out = [0u8; 16];
/// let n = to_slice(&Id::from(42), &mut out).unwrap();
/// assert_eq!(&out[..n], b"42");
/// let n = to_slice(&Id::from("room \"a\""), &mut out).unwrap();
/// assert_eq!(&out[..n], br#""room \"a\"""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Id<'a> {
    /// A numeric id (the plugins' default).
    Number(u64),
    /// A text id, escaped when written.
    Text(&'a str),
    /// A text id exactly as received (already escaped), written verbatim.
    Received(JsonStr<'a>),
}

impl From<u64> for Id<'_> {
    fn from(id: u64) -> Self {
        Self::Number(id)
    }
}

impl<'a> From<&'a str> for Id<'a> {
    fn from(id: &'a str) -> Self {
        Self::Text(id)
    }
}

impl<'a> From<PluginId<'a>> for Id<'a> {
    fn from(id: PluginId<'a>) -> Self {
        match id {
            PluginId::Number(n) => Self::Number(n),
            PluginId::Text(text) => Self::Received(text),
        }
    }
}

/// A plugin's error codes: one enum per plugin, with `Other` for codes it does not name.
pub trait PluginErrorCode: Copy + fmt::Debug {
    /// The enum value of a numeric `error_code`.
    fn from_code(code: u64) -> Self;
    /// The numeric `error_code`.
    fn code(self) -> u64;
}

/// Defines a plugin's error code enum from `(Variant, code, "doc")` rows.
macro_rules! plugin_error_codes {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A code this crate does not name (or 0 when the plugin sent `error` without
            /// `error_code`).
            Other(u64),
        }

        impl $crate::plugin::PluginErrorCode for $name {
            fn from_code(code: u64) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other),
                }
            }

            fn code(self) -> u64 {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }
        }

        impl $name {
            /// The enum value of a numeric `error_code`.
            #[must_use]
            pub fn from_code(code: u64) -> Self {
                <Self as $crate::plugin::PluginErrorCode>::from_code(code)
            }

            /// The numeric `error_code`.
            #[must_use]
            pub fn code(self) -> u64 {
                <Self as $crate::plugin::PluginErrorCode>::code(self)
            }
        }
    };
}
pub(crate) use plugin_error_codes;

/// Declares a plugin request, once: the [`Serialize`] struct (members written in declaration
/// order: `fixed`, then those of `new`, then the optional ones, which are left out while
/// unset), its constructor and one `with_…` builder per optional member.
///
/// ```text
/// plugin_request! {
///     /// `destroy`: removes a room.                    ← the struct's docs and attributes
///     #[serde(tag = "request", rename = "destroy")]
///     pub struct DestroyRoom<'a> {
///         fixed { ptype: &'static str = "publisher" }   ← always written (optional section)
///         /// Destroys `room`.                          ← docs of `new`
///         fn new(room: Id<'a> [into]);                  ← `const fn` when no `[into]`
///         /// `secret` of the room.                     ← docs of the builder
///         secret: &'a str => with_secret,               ← `Option<&'a str>`, `const fn with_secret`
///         room2: Id<'a> => with_room2 [into],           ← `fn with_room2(impl Into<Id<'a>>)`
///         record: bool,                                 ← no builder: set by a hand-written one
///         max_rate as "max-rate": u64 => with_max_rate, ← a JSON name that is no Rust name
///     }
/// }
/// ```
///
/// `[into]` takes any `impl Into<T>` (ids from numbers, text or received [`PluginId`]s).
macro_rules! plugin_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            $(fixed $fixed:tt)? $(#[$nmeta:meta])* const fn new $args:tt; $($rest:tt)*
        }
    ) => {
        $crate::plugin::plugin_request! {
            @emit [const] $(#[$meta])* pub struct $name $(<$lt>)? {
                $(fixed $fixed)? $(#[$nmeta])* new $args; $($rest)*
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            $(fixed $fixed:tt)? $(#[$nmeta:meta])* fn new $args:tt; $($rest:tt)*
        }
    ) => {
        $crate::plugin::plugin_request! {
            @emit [] $(#[$meta])* pub struct $name $(<$lt>)? {
                $(fixed $fixed)? $(#[$nmeta])* new $args; $($rest)*
            }
        }
    };
    (
        @emit [$($const:tt)?]
        $(#[$meta:meta])*
        pub struct $name:ident $(<$lt:lifetime>)? {
            $(fixed { $($(#[$fmeta:meta])* $fixed:ident: $fty:ty = $fval:expr),* $(,)? })?
            $(#[$nmeta:meta])*
            new($($required:ident: $rty:ty $([$rconv:ident])?),* $(,)?);
            $($(#[$ometa:meta])* $optional:ident $(as $wire:literal)?: $oty:ty $(=> $builder:ident $([$oconv:ident])?)?,)*
        }
    ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ::serde::Serialize)]
        $(#[$meta])*
        pub struct $name $(<$lt>)? {
            $($($(#[$fmeta])* $fixed: $fty,)*)?
            $($required: $rty,)*
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                $(#[serde(rename = $wire)])?
                $optional: Option<$oty>,
            )*
        }

        impl $(<$lt>)? $name $(<$lt>)? {
            $(#[$nmeta])*
            #[must_use]
            pub $($const)? fn new($($required: $crate::plugin::plugin_request!(@arg $rty $([$rconv])?)),*) -> Self {
                Self {
                    $($($fixed: $fval,)*)?
                    $($required: $crate::plugin::plugin_request!(@take $required $([$rconv])?),)*
                    $($optional: None,)*
                }
            }

            $(
                $crate::plugin::plugin_request!(
                    @builder $(#[$ometa])* $optional: $oty => [$($builder $([$oconv])?)?]
                );
            )*
        }
    };
    (@arg $ty:ty [into]) => { impl Into<$ty> };
    (@arg $ty:ty) => { $ty };
    (@take $name:ident [into]) => { $name.into() };
    (@take $name:ident) => { $name };
    (@builder $(#[$meta:meta])* $field:ident: $ty:ty => []) => {};
    (@builder $(#[$meta:meta])* $field:ident: $ty:ty => [$builder:ident [into]]) => {
        $(#[$meta])*
        #[must_use]
        pub fn $builder(mut self, $field: impl Into<$ty>) -> Self {
            self.$field = Some($field.into());
            self
        }
    };
    (@builder $(#[$meta:meta])* $field:ident: $ty:ty => [$builder:ident]) => {
        $(#[$meta])*
        #[must_use]
        pub const fn $builder(mut self, $field: $ty) -> Self {
            self.$field = Some($field);
            self
        }
    };
}
pub(crate) use plugin_request;

/// Declares an object a plugin sends (a list element, a participant…), once: the struct with
/// one public member per declared one, plus `raw` (the whole object), and its [`ListItem`]
/// reader. Each member names the [`Fields`] reader that reads it (`text`, `u64`, `bool`, `id`,
/// `list`, `object` and their `required_` forms) and, when it differs from the member's
/// name, the JSON key.
///
/// ```text
/// plugin_object! {
///     /// One room of `list`.                              ← the struct's docs
///     pub struct RoomInfo<'a> as "videoroom room" {        ← the name errors give
///         /// `room`.                                      ← the member's docs
///         pub room: PluginId<'a> = required_id,
///         /// `type`.
///         pub kind: Option<JsonStr<'a>> = text("type"),
///     }
/// }
/// ```
macro_rules! plugin_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<'a> as $kind:literal {
            $($(#[$fmeta:meta])* pub $field:ident: $ty:ty = $reader:ident $(($key:literal))?,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<'a> {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// The whole object.
            pub raw: $crate::json::RawJson<'a>,
        }

        impl<'a> $crate::plugin::ListItem<'a> for $name<'a> {
            fn from_json(element: $crate::json::RawJson<'a>) -> Result<Self, $crate::error::DecodeError> {
                let f = $crate::plugin::Fields::of($kind, element)?;
                Ok(Self {
                    $($field: f.$reader($crate::plugin::plugin_object!(@key $field $($key)?))?,)*
                    raw: element,
                })
            }
        }
    };
    (@key $field:ident $key:literal) => { $key };
    (@key $field:ident) => { stringify!($field) };
}
pub(crate) use plugin_object;

/// Declares a plugin's events, once: the `Event` enum, with one variant per row naming the
/// value of the plugin's kind member that selects it (its `"event"`, `"status"` or own name,
/// whichever the plugin uses) and the [`Fields`] reader of each member, and the function
/// `from_kind(kind, fields)` that reads a row's variant (`None` for a kind no row names).
/// Variants a row cannot express (several kinds, computed members, sub-dispatch, `Other`)
/// follow in `others`, written as plain enum variants, and are read by the module's own
/// `decode`, which calls `from_kind` first.
///
/// ```text
/// plugin_events! {
///     /// What the plugin says.                            ← the enum's docs
///     pub enum Event<'a> {
///         /// `registering`.                               ← the variant's docs
///         "registering" => Registering,
///         /// `registered`.
///         "registered" => Registered {
///             /// The user.                                ← the member's docs
///             username: JsonStr<'a> = required_text,
///             master_id: Option<u64> = u64("master-id"),   ← a JSON key that differs
///         },
///     }
///     others {
///         /// Anything else.
///         Other { data: RawJson<'a> },
///     }
/// }
/// ```
macro_rules! plugin_events {
    (
        $(#[$meta:meta])*
        pub enum $name:ident<'a> {
            $(
                $(#[$vmeta:meta])*
                $kind:literal => $variant:ident $({
                    $($(#[$fmeta:meta])* $field:ident: $fty:ty = $reader:ident $(($key:literal))?),* $(,)?
                })?,
            )*
        }
        others { $($others:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name<'a> {
            $(
                $(#[$vmeta])*
                $variant $({ $($(#[$fmeta])* $field: $fty,)* })?,
            )*
            $($others)*
        }

        impl<'a> $name<'a> {
            /// The variant of a declared kind, its members read from `f`; `None` when no row
            /// names `kind`.
            fn from_kind(
                kind: $crate::json::JsonStr<'a>,
                f: &$crate::plugin::Fields<'a>,
            ) -> Result<Option<Self>, $crate::error::DecodeError> {
                let _ = f;
                $(
                    if kind == $kind {
                        return Ok(Some(Self::$variant $({
                            $($field: f.$reader($crate::plugin::plugin_object!(@key $field $($key)?))?,)*
                        })?));
                    }
                )*
                Ok(None)
            }
        }
    };
}
pub(crate) use plugin_events;

/// A plugin-level error: `error_code` (typed with the plugin's code enum `C`) and `error`
/// from the plugin's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginError<'a, C> {
    /// `error_code`.
    pub code: C,
    /// `error`, the reason text, escaped as sent.
    pub reason: Option<JsonStr<'a>>,
}

impl<'a, C: PluginErrorCode> PluginError<'a, C> {
    /// The error in `data`, if it carries `error_code` or `error`.
    #[must_use]
    pub fn from_data(data: RawJson<'a>) -> Option<Self> {
        let code = data.get("error_code").and_then(|c| c.as_u64());
        let reason = data.get("error").and_then(|r| r.as_str());
        if code.is_none() && reason.is_none() {
            return None;
        }
        Some(Self { code: C::from_code(code.unwrap_or(0)), reason })
    }
}

impl<C: PluginErrorCode> fmt::Display for PluginError<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "plugin error {} ({:?})", self.code.code(), self.code)?;
        match self.reason {
            Some(reason) => write!(f, ": {reason}"),
            None => Ok(()),
        }
    }
}

impl<C: PluginErrorCode> core::error::Error for PluginError<'_, C> {}

/// Why a plugin's data did not give an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError<'a, C> {
    /// The plugin reports an error (`error_code` / `error`).
    Plugin(PluginError<'a, C>),
    /// The data is not what the plugin sends: not an object, or a member it always sends is
    /// missing or has the wrong type. `kind` names the plugin and event, `field` the member.
    Decode(DecodeError),
}

impl<C> From<DecodeError> for EventError<'_, C> {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl<C: PluginErrorCode> fmt::Display for EventError<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plugin(e) => e.fmt(f),
            Self::Decode(e) => e.fmt(f),
        }
    }
}

impl<C: PluginErrorCode> core::error::Error for EventError<'_, C> {}

/// One element type of a [`List`]: read from one element of the raw array.
pub trait ListItem<'a>: Sized {
    /// Reads one element.
    ///
    /// # Errors
    ///
    /// [`DecodeError::NotAnObject`], [`DecodeError::MissingField`] or
    /// [`DecodeError::InvalidField`] when the element is not what the plugin sends.
    fn from_json(element: RawJson<'a>) -> Result<Self, DecodeError>;
}

/// A list of strings (VideoCall's usernames…): each element as sent, escaped.
impl<'a> ListItem<'a> for JsonStr<'a> {
    fn from_json(element: RawJson<'a>) -> Result<Self, DecodeError> {
        element.as_str().ok_or(DecodeError::InvalidField { kind: "list", field: "element" })
    }
}

/// A list in a plugin's data (rooms, participants, publishers, streams…), read lazily: the
/// raw JSON array, iterated element by element as typed values. Any size works without a
/// buffer; nothing is decoded until iterated.
pub struct List<'a, T> {
    raw: RawJson<'a>,
    item: PhantomData<fn() -> T>,
}

impl<'a, T: ListItem<'a>> List<'a, T> {
    /// Wraps a JSON array (anything else iterates as empty).
    #[must_use]
    pub fn new(raw: RawJson<'a>) -> Self {
        Self { raw, item: PhantomData }
    }

    /// The typed elements, in order; each one is a `Result` since each is decoded when reached.
    #[must_use]
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter { elements: self.raw.elements(), item: PhantomData }
    }

    /// The number of elements (walks the array).
    #[must_use]
    pub fn len(&self) -> usize {
        self.raw.elements().count()
    }

    /// Whether the array is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.raw.elements().next().is_none()
    }

    /// The JSON array as received.
    #[must_use]
    pub fn raw(&self) -> RawJson<'a> {
        self.raw
    }
}

impl<'a, T: ListItem<'a>> IntoIterator for List<'a, T> {
    type Item = Result<T, DecodeError>;
    type IntoIter = ListIter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T: ListItem<'a>> IntoIterator for &List<'a, T> {
    type Item = Result<T, DecodeError>;
    type IntoIter = ListIter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for List<'_, T> {}

impl<T> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<T> Eq for List<'_, T> {}

/// The elements as they decode (each a `Result`), so that a printed event shows its list.
impl<'a, T: ListItem<'a> + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over the typed elements of a [`List`].
pub struct ListIter<'a, T> {
    elements: Elements<'a>,
    item: PhantomData<fn() -> T>,
}

impl<'a, T: ListItem<'a>> Iterator for ListIter<'a, T> {
    type Item = Result<T, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.elements.next().map(T::from_json)
    }
}

impl<T> fmt::Debug for ListIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListIter").finish_non_exhaustive()
    }
}

/// Reads typed members of one object of a plugin's data, naming it in errors. `null`
/// counts as absent.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    kind: &'static str,
    object: RawJson<'a>,
}

impl<'a> Fields<'a> {
    /// The members of `object`, which must be a JSON object.
    pub(crate) fn of(kind: &'static str, object: RawJson<'a>) -> Result<Self, DecodeError> {
        if object.kind() != JsonKind::Object {
            return Err(DecodeError::NotAnObject);
        }
        Ok(Self { kind, object })
    }

    pub(crate) fn raw(&self) -> RawJson<'a> {
        self.object
    }

    fn invalid(&self, field: &'static str) -> DecodeError {
        DecodeError::InvalidField { kind: self.kind, field }
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField { kind: self.kind, field }
    }

    pub(crate) fn get(&self, field: &str) -> Option<RawJson<'a>> {
        self.object.get(field).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub(crate) fn text(&self, field: &'static str) -> Result<Option<JsonStr<'a>>, DecodeError> {
        self.get(field).map(|v| v.as_str().ok_or_else(|| self.invalid(field))).transpose()
    }

    pub(crate) fn required_text(&self, field: &'static str) -> Result<JsonStr<'a>, DecodeError> {
        self.text(field)?.ok_or_else(|| self.missing(field))
    }

    pub(crate) fn u64(&self, field: &'static str) -> Result<Option<u64>, DecodeError> {
        self.get(field).map(|v| v.as_u64().ok_or_else(|| self.invalid(field))).transpose()
    }

    pub(crate) fn required_u64(&self, field: &'static str) -> Result<u64, DecodeError> {
        self.u64(field)?.ok_or_else(|| self.missing(field))
    }

    pub(crate) fn bool(&self, field: &'static str) -> Result<Option<bool>, DecodeError> {
        self.get(field).map(|v| v.as_bool().ok_or_else(|| self.invalid(field))).transpose()
    }

    pub(crate) fn id(&self, field: &'static str) -> Result<Option<PluginId<'a>>, DecodeError> {
        self.get(field).map(|v| v.as_plugin_id().ok_or_else(|| self.invalid(field))).transpose()
    }

    pub(crate) fn required_id(&self, field: &'static str) -> Result<PluginId<'a>, DecodeError> {
        self.id(field)?.ok_or_else(|| self.missing(field))
    }

    pub(crate) fn object(&self, field: &'static str) -> Result<Option<RawJson<'a>>, DecodeError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) if v.kind() == JsonKind::Object => Ok(Some(v)),
            Some(_) => Err(self.invalid(field)),
        }
    }

    pub(crate) fn list<T: ListItem<'a>>(&self, field: &'static str) -> Result<Option<List<'a, T>>, DecodeError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) if v.kind() == JsonKind::Array => Ok(Some(List::new(v))),
            Some(_) => Err(self.invalid(field)),
        }
    }

    pub(crate) fn required_list<T: ListItem<'a>>(&self, field: &'static str) -> Result<List<'a, T>, DecodeError> {
        self.list(field)?.ok_or_else(|| self.missing(field))
    }
}

/// The first step of every plugin event decoder: the data must be an object; a plugin error
/// in it becomes [`EventError::Plugin`]; otherwise the value of the plugin's kind member
/// (`"videoroom"`, `"streaming"`, …), if any, and the members.
pub(crate) fn open<'a, C: PluginErrorCode>(
    plugin: &'static str,
    data: RawJson<'a>,
) -> Result<(Option<JsonStr<'a>>, Fields<'a>), EventError<'a, C>> {
    let fields = Fields::of(plugin, data)?;
    if let Some(error) = PluginError::from_data(data) {
        return Err(EventError::Plugin(error));
    }
    let kind = fields.text(plugin)?;
    Ok((kind, fields))
}

/// What [`open_result`] finds in `{"<plugin>":"event","result":{…}}`.
pub(crate) enum Opened<'a> {
    /// The `result` object's members (named `result_kind` in errors; `raw()` is the object).
    Result(Fields<'a>),
    /// No `result` object: the whole data.
    NoResult(RawJson<'a>),
}

/// The first step of the plugins that answer in a `result` object (VideoCall, NoSIP, SIP):
/// [`open`], then the `result` object (a `result` of another type is
/// [`DecodeError::InvalidField`]).
pub(crate) fn open_result<'a, C: PluginErrorCode>(
    plugin: &'static str,
    result_kind: &'static str,
    data: RawJson<'a>,
) -> Result<Opened<'a>, EventError<'a, C>> {
    let (_, f) = open(plugin, data)?;
    Ok(match f.object("result")? {
        Some(result) => Opened::Result(Fields::of(result_kind, result)?),
        None => Opened::NoResult(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::to_slice;

    /// Every `core/src/plugin/*.rs` file except this one is a plugin module, and every plugin
    /// module is registered in `plugins!` (so it is in `PLUGINS`, the fuzz entry and the
    /// tests that iterate them).
    #[test]
    #[cfg_attr(miri, ignore = "reads the source directory (Miri isolates the file system)")]
    fn every_plugin_module_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plugin");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap();
            if path.extension().is_some_and(|e| e == "rs") && name != "mod" {
                files += 1;
                let package = std::format!("janus.plugin.{name}");
                assert!(PLUGINS.contains(&package.as_str()), "{} is not registered in plugins!", path.display());
            }
        }
        assert_eq!(files, PLUGINS.len(), "PLUGINS has an entry without its module file");
    }

    #[test]
    fn ids_serialize_as_numbers_or_text() {
        let mut out = [0u8; 32];
        let received = RawJson::parse(br#""r\u00e9""#).unwrap().as_plugin_id().unwrap();
        let n = to_slice(&Id::from(received), &mut out).unwrap();
        assert_eq!(&out[..n], br#""r\u00e9""#);
        let n = to_slice(&Id::from(u64::MAX), &mut out).unwrap();
        assert_eq!(&out[..n], b"18446744073709551615");
        let n = to_slice(&Id::from("a\nb"), &mut out).unwrap();
        assert_eq!(&out[..n], br#""a\nb""#);
    }

    /// Walks every decoder over an event, including every list element, as a caller would.
    fn decode_everything(bytes: &[u8]) {
        struct Discard;
        impl fmt::Write for Discard {
            fn write_str(&mut self, _: &str) -> fmt::Result {
                Ok(())
            }
        }
        let Ok(data) = RawJson::parse(bytes) else { return };
        // Every registered plugin's decoder; printing a list reads its elements, and nested
        // lists (a publisher's streams, a mountpoint's media) inside them.
        debug_data(data, &mut Discard).unwrap();
        // TextRoom's data-channel messages are no plugin event: read on their own.
        if let Ok(textroom::DataMessage::Success { participants: Some(p), .. }) = textroom::DataMessage::decode(bytes) {
            p.iter().for_each(drop);
        }
    }

    /// Truncated and mutated real data: typed errors or events, never a panic.
    #[test]
    fn mutated_data_never_panics() {
        let samples: [&[u8]; 8] = [
            br#"{"audiobridge":"joined","room":1,"id":2,"participants":[{"id":3,"display":"\u00e9","setup":true,"muted":false}]}"#,
            br#"{"sip":"event","call_id":"c","result":{"event":"incomingcall","username":"sip:b@h","call_id":"c"}}"#,
            br#"{"recordplay":"list","list":[{"id":7,"name":"n","date":"d","audio":true,"video":false,"data":false}]}"#,
            br#"{"videoroom":"joined","room":1,"id":"a\"b","private_id":5,"publishers":[{"id":2,"streams":[{"mid":"0"}]}]}"#,
            br#"{"videoroom":"participants","room":1,"participants":[{"id":1,"display":"\u00e9"}]}"#,
            br#"{"streaming":"list","list":[{"id":1,"media":[{"mid":"a","pt":111}]}]}"#,
            br#"{"textroom":"success","transaction":"t","participants":[{"username":"u"}]}"#,
            br#"{"echotest":"event","error_code":413,"error":"x"}"#,
        ];
        // Miri is slow: every seventh prefix and one replacement byte there.
        let (stride, replacements): (usize, &[u8]) = if cfg!(miri) { (7, b"\"") } else { (1, b"\"{}[]:,0-\\e\xff") };
        for sample in samples {
            for end in (0..=sample.len()).step_by(stride) {
                decode_everything(&sample[..end]);
            }
            let mut mutated = sample.to_vec();
            for i in (0..sample.len()).step_by(stride) {
                for &b in replacements {
                    let original = mutated[i];
                    mutated[i] = b;
                    decode_everything(&mutated);
                    mutated[i] = original;
                }
            }
        }
    }

    #[test]
    fn lists_iterate_typed_elements() {
        struct N(u64);
        impl<'a> ListItem<'a> for N {
            fn from_json(element: RawJson<'a>) -> Result<Self, DecodeError> {
                element.as_u64().map(N).ok_or(DecodeError::NotAnObject)
            }
        }
        let raw = RawJson::parse(b"[1, 2, \"x\"]").unwrap();
        let list: List<'_, N> = List::new(raw);
        assert_eq!(list.len(), 3);
        let values: std::vec::Vec<_> = list.iter().map(|r| r.map(|n| n.0)).collect();
        assert_eq!(values, [Ok(1), Ok(2), Err(DecodeError::NotAnObject)]);
        let empty: List<'_, N> = List::new(RawJson::parse(b"{}").unwrap());
        assert!(empty.is_empty());
    }
}
