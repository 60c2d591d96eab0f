//! Borrowed views of validated JSON values.

use core::fmt;

use serde::Serialize;

use super::scan::{JsonError, JsonErrorKind, skip_string, skip_validated, skip_ws, validate_value};
use super::text::JsonStr;
use crate::error::DecodeError;

/// One complete, validated JSON value borrowed from the caller's bytes.
///
/// This is how the plugin's own data (`plugindata.data`, `jsep`, trickle candidates, Admin API
/// answers) reaches the caller: as the exact span Janus sent, to be read with the accessors
/// here, decoded into the caller's own type with [`decode`](Self::decode), or forwarded
/// verbatim (its [`Serialize`] impl writes the span unchanged through this crate's encoder).
///
/// ```
/// use janus_signal::json::RawJson;
///
/// let v = RawJson::parse(br#" {"echotest":"event","result":"ok","n":[1,2]} "#).unwrap();
/// assert_eq!(v.as_bytes(), br#"{"echotest":"event","result":"ok","n":[1,2]}"#);
/// assert!(v.get("result").and_then(|r| r.as_str()).is_some_and(|s| s == "ok"));
/// assert_eq!(v.get("n").map(|n| n.elements().count()), Some(2));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawJson<'a> {
    text: &'a str,
}

/// The type of a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `{…}`
    Object,
    /// `[…]`
    Array,
    /// `"…"`
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
}

/// A plugin-level identifier (room, feed, mountpoint): Janus plugins use integers by default
/// and strings when configured with `string_ids`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PluginId<'a> {
    /// A numeric id.
    Number(u64),
    /// A string id (`string_ids = true`).
    Text(JsonStr<'a>),
}

impl<'a> RawJson<'a> {
    /// Validates `bytes` as exactly one JSON value (surrounding whitespace allowed) and borrows
    /// it.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] with the kind of error and its byte offset: invalid UTF-8,
    /// truncated or malformed JSON, nesting deeper than [`MAX_DEPTH`](super::MAX_DEPTH),
    /// trailing bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let text = utf8(bytes)?;
        let (start, end) = validate_value(bytes, 0).map_err(DecodeError::Json)?;
        let trailing = skip_ws(bytes, end);
        if trailing != bytes.len() {
            return Err(DecodeError::Json(JsonError { kind: JsonErrorKind::TrailingBytes, offset: trailing }));
        }
        let text =
            text.get(start..end).ok_or(DecodeError::Json(JsonError { kind: JsonErrorKind::Empty, offset: 0 }))?;
        Ok(Self { text })
    }

    /// Like [`parse`](Self::parse) for text.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &'a str) -> Result<Self, DecodeError> {
        Self::parse(text.as_bytes())
    }

    /// Wraps a sub-span of already validated JSON.
    pub(crate) const fn from_validated(text: &'a str) -> Self {
        Self { text }
    }

    /// The exact bytes of the value.
    #[must_use]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The exact text of the value.
    #[must_use]
    pub const fn as_text(&self) -> &'a str {
        self.text
    }

    /// The type of the value.
    #[must_use]
    pub fn kind(&self) -> JsonKind {
        match self.text.as_bytes().first() {
            Some(b'{') => JsonKind::Object,
            Some(b'[') => JsonKind::Array,
            Some(b'"') => JsonKind::String,
            Some(b't' | b'f') => JsonKind::Bool,
            Some(b'n') => JsonKind::Null,
            _ => JsonKind::Number,
        }
    }

    /// Whether the value is `null`.
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.kind() == JsonKind::Null
    }

    /// The value of the first member named `key`, if this is an object that has one.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<Self> {
        self.members().find_map(|(k, v)| k.eq_str(key).then_some(v))
    }

    /// The members of an object, in order (empty for anything else).
    #[must_use]
    pub fn members(&self) -> Members<'a> {
        Members { cursor: Cursor::open(self.text, b'{') }
    }

    /// The elements of an array, in order (empty for anything else).
    #[must_use]
    pub fn elements(&self) -> Elements<'a> {
        Elements { cursor: Cursor::open(self.text, b'[') }
    }

    /// The text of a string value.
    #[must_use]
    pub fn as_str(&self) -> Option<JsonStr<'a>> {
        let inner = self.text.strip_prefix('"')?.strip_suffix('"')?;
        Some(JsonStr::from_validated(inner))
    }

    /// The value as a `u64`, if it is a non-negative integer that fits (no fraction, no
    /// exponent).
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        parse_u64(self.text.as_bytes())
    }

    /// The value as an `i64`, if it is an integer that fits.
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self.text.as_bytes().split_first() {
            Some((b'-', digits)) => {
                let magnitude = parse_u64(digits)?;
                0i64.checked_sub_unsigned(magnitude)
            }
            _ => i64::try_from(self.as_u64()?).ok(),
        }
    }

    /// The value as an `f64` (any JSON number).
    #[must_use]
    pub fn as_f64(&self) -> Option<f64> {
        if self.kind() != JsonKind::Number {
            return None;
        }
        self.text.parse().ok()
    }

    /// The value as a `bool`.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self.text {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A plugin-level id: an unsigned integer or a string.
    #[must_use]
    pub fn as_plugin_id(&self) -> Option<PluginId<'a>> {
        if let Some(n) = self.as_u64() {
            return Some(PluginId::Number(n));
        }
        self.as_str().map(PluginId::Text)
    }

    /// Decodes the value into the caller's own type with `serde-json-core`, unescaping
    /// strings through `scratch` (which must be at least as long as the longest unescaped
    /// string the type reads). Use [`JsonStr`]-free types here: `&str` fields cannot hold
    /// unescaped text (use `heapless::String` or `serde_json_core::str::EscapedStr`).
    ///
    /// ```
    /// use janus_signal::json::RawJson;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Echo<'a> {
    ///     echotest: &'a str,
    ///     result: &'a str,
    /// }
    /// let v = RawJson::parse(br#"{"echotest":"event","result":"ok"}"#).unwrap();
    /// let echo: Echo<'_> = v.decode(&mut [0u8; 32]).unwrap();
    /// assert_eq!((echo.echotest, echo.result), ("event", "ok"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecodeError::Serde`] when the value does not fit the type.
    pub fn decode<T: serde::Deserialize<'a>>(&self, scratch: &mut [u8]) -> Result<T, DecodeError> {
        serde_json_core::from_slice_escaped(self.text.as_bytes(), scratch)
            .map(|(value, _)| value)
            .map_err(DecodeError::Serde)
    }
}

/// The bytes as text, or where they stop being UTF-8 (truncated or invalid).
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    core::str::from_utf8(bytes).map_err(|e| {
        let kind = if e.error_len().is_none() { JsonErrorKind::UnexpectedEnd } else { JsonErrorKind::InvalidUtf8 };
        DecodeError::Json(JsonError { kind, offset: e.valid_up_to() })
    })
}

/// Parses a JSON integer made only of ASCII digits (no sign, fraction or exponent).
pub(crate) fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || (digits.len() > 1 && digits.first() == Some(&b'0')) {
        return None;
    }
    // Up to 19 digits always fit in a u64 (10^19 - 1 < 2^64): eight at a time where 64-bit
    // words are native (Janus ids have 15 or 16 digits), without overflow checks.
    #[cfg(target_pointer_width = "64")]
    if let (9..=16, Some(head), Some(tail)) = (digits.len(), digits.first_chunk::<8>(), digits.last_chunk::<8>()) {
        // The last eight digits as one word; the first `k` (1..=8) as another, shifted up so
        // that the bytes the tail covers fall off, with `0`s in front.
        let k = digits.len().wrapping_sub(8) as u32;
        let pad = 8u32.wrapping_sub(k).wrapping_mul(8);
        let zeros = 0x3030_3030_3030_3030u64.checked_shr(k.wrapping_mul(8)).unwrap_or(0);
        let high = u64::from_le_bytes(*head).checked_shl(pad).unwrap_or(0) | zeros;
        return Some(
            eight_digits(high)?.wrapping_mul(100_000_000).wrapping_add(eight_digits(u64::from_le_bytes(*tail))?),
        );
    }
    #[cfg(target_pointer_width = "64")]
    if digits.len() <= 19 {
        let mut value = 0u64;
        let mut rest = digits;
        while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
            let word = u64::from_le_bytes(*chunk);
            value = value.wrapping_mul(100_000_000).wrapping_add(eight_digits(word)?);
            rest = tail;
        }
        for &b in rest {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value.wrapping_mul(10).wrapping_add(u64::from(b.wrapping_sub(b'0')));
        }
        return Some(value);
    }
    digits.iter().try_fold(0u64, |acc, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(b.wrapping_sub(b'0')))
    })
}

/// The value of eight ASCII digits read as a little-endian word (first digit in the lowest
/// byte), or `None` if any byte is not a digit: pairs, then quads, then the eight combined
/// with multiplications on the whole word.
#[cfg(target_pointer_width = "64")]
fn eight_digits(word: u64) -> Option<u64> {
    let t = word ^ 0x3030_3030_3030_3030;
    // Digits become 0..=9: nothing in the high nibble, even after adding 6 (see `digits_end`).
    if (t | t.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0 != 0 {
        return None;
    }
    // Each byte pair (d0, d1) becomes 10 * d0 + d1 in the low byte of the pair.
    let pairs = t.wrapping_mul(10).wrapping_add(t >> 8);
    const LOW: u64 = 0x0000_00FF_0000_00FF;
    // Two pairs into a quad and the two quads into the result, in the high half.
    let high = (pairs & LOW).wrapping_mul(100 + (1_000_000 << 32));
    let low = ((pairs >> 16) & LOW).wrapping_mul(1 + (10_000 << 32));
    Some(high.wrapping_add(low) >> 32)
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

/// Written verbatim by this crate's encoder (pre-encoded JSON spliced into a request). Other
/// serializers receive the JSON text as a string.
impl Serialize for RawJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(super::write::RAW_JSON_TOKEN, self.text)
    }
}

/// Written verbatim, escapes intact, by this crate's encoder. Other serializers receive the
/// escaped text as a string.
impl Serialize for JsonStr<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(super::write::ESCAPED_STR_TOKEN, self.escaped())
    }
}

/// Walks the members or elements of one validated container.
#[derive(Debug, Clone)]
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> Cursor<'a> {
    fn open(text: &'a str, open: u8) -> Self {
        let is_container = text.as_bytes().first() == Some(&open);
        Self { text, pos: 1, done: !is_container }
    }

    /// Positions on the next item; returns its start or `None` at the end.
    fn next_start(&mut self) -> Option<usize> {
        if self.done {
            return None;
        }
        let bytes = self.text.as_bytes();
        let mut i = skip_ws(bytes, self.pos);
        if bytes.get(i) == Some(&b',') {
            i = skip_ws(bytes, i.saturating_add(1));
        }
        match bytes.get(i) {
            None | Some(b'}' | b']') => {
                self.done = true;
                None
            }
            Some(_) => Some(i),
        }
    }

    fn value_at(&mut self, start: usize) -> Option<RawJson<'a>> {
        let end = skip_validated(self.text.as_bytes(), start);
        self.pos = end;
        if end <= start {
            self.done = true;
            return None;
        }
        self.text.get(start..end).map(RawJson::from_validated)
    }

    fn next_member(&mut self) -> Option<(JsonStr<'a>, RawJson<'a>)> {
        let start = self.next_start()?;
        let bytes = self.text.as_bytes();
        let key_end = skip_string(bytes, start);
        let key = self.text.get(start.saturating_add(1)..key_end.saturating_sub(1));
        let colon = skip_ws(bytes, key_end);
        let value_start = skip_ws(bytes, colon.saturating_add(1));
        match (key, bytes.get(colon)) {
            (Some(key), Some(b':')) => {
                let value = self.value_at(value_start)?;
                Some((JsonStr::from_validated(key), value))
            }
            _ => {
                self.done = true;
                None
            }
        }
    }
}

/// Iterator over an object's `(key, value)` pairs; see [`RawJson::members`].
#[derive(Debug, Clone)]
pub struct Members<'a> {
    cursor: Cursor<'a>,
}

impl<'a> Iterator for Members<'a> {
    type Item = (JsonStr<'a>, RawJson<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.cursor.next_member()
    }
}

/// Iterator over an array's elements; see [`RawJson::elements`].
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    cursor: Cursor<'a>,
}

impl<'a> Iterator for Elements<'a> {
    type Item = RawJson<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.cursor.next_start()?;
        self.cursor.value_at(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn navigates_nested_values() {
        let v = RawJson::parse(
            br#"{ "a" : 1 , "b":{"c":[true,null,"x\"]"]}, "d":-5, "e":"\u0041", "big":18446744073709551615}"#,
        )
        .unwrap();
        assert_eq!(v.kind(), JsonKind::Object);
        assert_eq!(v.get("a").and_then(|a| a.as_u64()), Some(1));
        assert_eq!(v.get("d").and_then(|d| d.as_i64()), Some(-5));
        assert_eq!(v.get("d").and_then(|d| d.as_u64()), None);
        assert_eq!(v.get("big").and_then(|d| d.as_u64()), Some(u64::MAX));
        let c: Vec<_> = v.get("b").and_then(|b| b.get("c")).unwrap().elements().collect();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].as_bool(), Some(true));
        assert!(c[1].is_null());
        assert_eq!(c[2].as_str().unwrap().escaped(), r#"x\"]"#);
        assert!(v.get("e").unwrap().as_str().unwrap().eq_str("A"));
        assert_eq!(v.members().count(), 5);
        assert!(v.get("zzz").is_none());
    }

    #[test]
    fn rejects_trailing_bytes_and_bad_utf8() {
        assert!(matches!(
            RawJson::parse(b"{} x"),
            Err(DecodeError::Json(JsonError { kind: JsonErrorKind::TrailingBytes, offset: 3 }))
        ));
        assert!(matches!(
            RawJson::parse(b"\"\xff\""),
            Err(DecodeError::Json(JsonError { kind: JsonErrorKind::InvalidUtf8, offset: 1 }))
        ));
    }

    #[test]
    fn integers() {
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"01"), None);
        assert_eq!(parse_u64(b"18446744073709551616"), None);
        // Every length, eight-at-a-time chunks and their tails, against the standard parser.
        let mut n = 1u64;
        for len in 1..=20 {
            for seed in [0u64, 1, 7, 0x9E37_79B9_7F4A_7C15] {
                let text = std::format!("{}", n.wrapping_add(seed.wrapping_mul(31)) % 10u64.saturating_pow(len));
                assert_eq!(parse_u64(text.as_bytes()), text.parse().ok(), "{text}");
                for bad in [b'/', b':', b'.', b'e', b' ', 0x80] {
                    for at in 0..text.len() {
                        let mut broken = text.clone().into_bytes();
                        broken[at] = bad;
                        assert_eq!(parse_u64(&broken), None, "{broken:?}");
                    }
                }
            }
            n = n.wrapping_mul(10).wrapping_add(len.into());
        }
        assert_eq!(parse_u64(b"9999999999999999999"), Some(9_999_999_999_999_999_999));
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"12345678"), Some(12_345_678));
        assert_eq!(parse_u64(b"6036143552999677"), Some(6_036_143_552_999_677));
        let v = RawJson::parse(b"-9223372036854775808").unwrap();
        assert_eq!(v.as_i64(), Some(i64::MIN));
        assert_eq!(RawJson::parse(b"1.0").unwrap().as_u64(), None);
        assert_eq!(RawJson::parse(b"1.5").unwrap().as_f64(), Some(1.5));
    }

    #[test]
    fn plugin_ids() {
        assert_eq!(RawJson::parse(b"1234").unwrap().as_plugin_id(), Some(PluginId::Number(1234)));
        let text = RawJson::parse(br#""room-1""#).unwrap().as_plugin_id();
        assert!(matches!(text, Some(PluginId::Text(t)) if t == "room-1"));
        assert_eq!(RawJson::parse(b"true").unwrap().as_plugin_id(), None);
    }
}
