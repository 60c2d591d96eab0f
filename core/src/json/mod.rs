//! JSON without an allocator: a validating scanner, borrowed views, and a writer.
//!
//! JSON is read in two steps. [`RawJson::parse`] validates the whole input once
//! (structure, string escapes, UTF-8, number syntax, nesting depth) and returns a borrowed view
//! of it. Navigation on a validated view ([`RawJson::get`], [`RawJson::members`],
//! [`RawJson::elements`]) then hands out sub-spans of the same bytes without copying. Text is
//! kept in its escaped form ([`JsonStr`]) until the caller asks for it, either unescaped into a
//! buffer or forwarded verbatim. [`Message::decode`](crate::message::Message::decode) does
//! both in one pass: it validates the message and picks out the members it reads (also those
//! of `plugindata`, `jsep`, `error` and `data`) as it goes, so that nothing is scanned twice.
//!
//! The writer side serialises requests, and any [`serde::Serialize`] value of the caller, into a
//! `&mut [u8]`. It reports the exact size a too-small buffer needed.

mod raw;
mod scan;
mod text;
mod write;

pub use raw::{Elements, JsonKind, Members, PluginId, RawJson};
pub use scan::MAX_DEPTH;
pub use text::{Chars, JsonStr};
pub use write::to_slice;
// Malformed JSON: its errors live with the crate's others, in `crate::error`.
pub use crate::error::{JsonError, JsonErrorKind};

// The crate's own JSON API: what the other modules of the crate use of this one, re-exported
// here so that they need not reach into its submodules.

/// The JSON writer the request encoder builds on: compact JSON into a caller buffer, with
/// `key`, `string`, `u64`, `value` (any `Serialize`) and `members` (an object's members
/// spliced into an open object); it reports the exact size a too-small buffer needed.
pub(crate) use write::Writer;

/// For the message decoder, which validates a message and picks out its members in one pass:
/// a walker over one object's members ([`ObjectWalk`](scan::ObjectWalk)), whitespace
/// ([`is_ws`](scan::is_ws), [`skip_ws`](scan::skip_ws)), one value validated where it stands
/// ([`validate_nested_value`](scan::validate_nested_value), for a long-poll array's elements),
/// the end of an already validated value ([`skip_validated`](scan::skip_validated)) and the
/// input as text ([`utf8`](raw::utf8)).
pub(crate) use raw::utf8;
#[cfg(target_pointer_width = "64")]
pub(crate) use scan::validate_nested_value;
pub(crate) use scan::{ObjectWalk, is_ws, skip_validated, skip_ws};
