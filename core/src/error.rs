//! Error types of the codec.

use core::fmt;

/// Why bytes from Janus could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not one well-formed JSON value (truncated, malformed, too deep, not
    /// UTF-8…); says what and at which byte offset.
    Json(JsonError),
    /// The JSON is well formed but is not an object (or, for a long-poll batch, neither an
    /// object nor an array of objects).
    NotAnObject,
    /// A member Janus always sends for this kind of message is missing.
    MissingField {
        /// The `janus` kind of the message.
        kind: &'static str,
        /// The missing member, as a JSON path such as `error.code`.
        field: &'static str,
    },
    /// A member has the wrong JSON type or is out of range (for example a negative or
    /// fractional id, or a `transaction` that is not a string).
    InvalidField {
        /// The `janus` kind of the message (`"?"` before the kind is known).
        kind: &'static str,
        /// The offending member, as a JSON path such as `plugindata.plugin`.
        field: &'static str,
    },
    /// The caller's type did not match the value in
    /// [`RawJson::decode`](crate::json::RawJson::decode).
    Serde(serde_json_core::de::Error),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => write!(f, "malformed JSON: {e}"),
            Self::NotAnObject => f.write_str("JSON value is not an object"),
            Self::MissingField { kind, field } => write!(f, "`{kind}` message without `{field}`"),
            Self::InvalidField { kind, field } => {
                write!(f, "`{kind}` message has an invalid `{field}`")
            }
            Self::Serde(e) => write!(f, "value does not match the requested type: {e}"),
        }
    }
}

impl core::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Json(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a request (or unescaped text) could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is too small. Nothing usable was written; `needed` is the exact size
    /// that would have been enough.
    BufferTooSmall {
        /// Bytes the complete output needs.
        needed: usize,
        /// Bytes the buffer had.
        available: usize,
    },
    /// The caller's `Serialize` implementation returned an error (serde's `Error::custom`), or
    /// a value meant to be written verbatim was not text.
    Serialize,
    /// A map key of the caller's value is not a string, a number or a char (JSON keys are
    /// strings).
    KeyMustBeString,
    /// Extra top-level fields (Admin API parameters) must serialise as a struct or a map.
    FieldsNotAnObject,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed, available } => {
                write!(f, "buffer too small: {needed} bytes needed, {available} available")
            }
            Self::Serialize => f.write_str("the value's Serialize implementation failed"),
            Self::KeyMustBeString => f.write_str("map keys must serialise as strings"),
            Self::FieldsNotAnObject => f.write_str("extra fields must serialise as an object"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// What was wrong with a JSON input, and where (also at `janus_signal::json::JsonError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// Byte offset into the input at which it was noticed.
    pub offset: usize,
}

/// The kinds of malformed JSON the scanner recognises (also at
/// `janus_signal::json::JsonErrorKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The input ended inside a value (truncated input).
    UnexpectedEnd,
    /// A byte that cannot start or continue a value here.
    UnexpectedByte(u8),
    /// The input is not valid UTF-8.
    InvalidUtf8,
    /// A backslash escape that JSON does not define, or a lone UTF-16 surrogate.
    InvalidEscape,
    /// A raw control character (below U+0020) inside a string.
    ControlCharacterInString,
    /// A number that does not follow JSON's number grammar.
    InvalidNumber,
    /// Nesting deeper than [`MAX_DEPTH`](crate::json::MAX_DEPTH).
    TooDeep,
    /// Bytes other than whitespace after the value.
    TrailingBytes,
    /// There was no value at all (empty or whitespace-only input).
    Empty,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            JsonErrorKind::UnexpectedEnd => "input ends inside a value",
            JsonErrorKind::UnexpectedByte(_) => "unexpected byte",
            JsonErrorKind::InvalidUtf8 => "invalid UTF-8",
            JsonErrorKind::InvalidEscape => "invalid string escape",
            JsonErrorKind::ControlCharacterInString => "control character in string",
            JsonErrorKind::InvalidNumber => "invalid number",
            JsonErrorKind::TooDeep => "nesting too deep",
            JsonErrorKind::TrailingBytes => "trailing bytes after the value",
            JsonErrorKind::Empty => "no JSON value",
        };
        if let JsonErrorKind::UnexpectedByte(b) = self.kind {
            write!(f, "{what} 0x{b:02x} at offset {}", self.offset)
        } else {
            write!(f, "{what} at offset {}", self.offset)
        }
    }
}

impl core::error::Error for JsonError {}
