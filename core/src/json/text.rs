//! Escaped JSON text, unescaped on demand.

use core::fmt;

use super::scan::{first_flagged, hex4, word_at};
use crate::error::EncodeError;

/// A JSON string as it appears on the wire: the text between the quotes, escapes still in.
///
/// Janus writes SDP with `\r\n` escapes and may escape any character, so text fields are kept in
/// this form and unescaped only when the caller asks, into the caller's buffer
/// ([`unescape_into`](Self::unescape_into)), as characters ([`chars`](Self::chars)), or
/// written unescaped through [`Display`](fmt::Display). Forwarding it in a request
/// writes the escaped form verbatim, without unescaping and escaping again.
///
/// Values of this type only come out of validated JSON, so their escapes are well formed.
///
/// ```
/// use janus_signal::json::RawJson;
///
/// let json = RawJson::parse(br#"{"sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}"#).unwrap();
/// let sdp = json.get("sdp").and_then(|v| v.as_str()).unwrap();
/// assert_eq!(sdp.escaped(), r"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
///
/// let mut buf = [0u8; 64];
/// assert_eq!(sdp.unescape_into(&mut buf).unwrap(), "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
/// assert_eq!(sdp.unescaped_len(), 31);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonStr<'a> {
    escaped: &'a str,
}

impl<'a> JsonStr<'a> {
    /// Wraps text taken from between the quotes of a validated JSON string.
    pub(crate) const fn from_validated(escaped: &'a str) -> Self {
        Self { escaped }
    }

    /// The text exactly as it appears between the quotes, escapes included.
    #[must_use]
    pub const fn escaped(&self) -> &'a str {
        self.escaped
    }

    /// Whether the text contains any escape sequence.
    #[must_use]
    pub fn has_escapes(&self) -> bool {
        let bytes = self.escaped.as_bytes();
        // A word a step where 64-bit words are native; small targets share core's search.
        #[cfg(target_pointer_width = "64")]
        return find_backslash(bytes, 0) < bytes.len();
        #[cfg(not(target_pointer_width = "64"))]
        bytes.contains(&b'\\')
    }

    /// The text itself, borrowed, when it has no escapes (the common case for names, ids and
    /// transactions); `None` when it must be unescaped first.
    #[must_use]
    pub fn as_plain(&self) -> Option<&'a str> {
        if self.has_escapes() { None } else { Some(self.escaped) }
    }

    /// The unescaped text, character by character.
    #[must_use]
    pub fn chars(&self) -> Chars<'a> {
        Chars { rest: self.escaped }
    }

    /// Length in bytes of the unescaped UTF-8 text: the buffer size
    /// [`unescape_into`](Self::unescape_into) needs.
    #[must_use]
    pub fn unescaped_len(&self) -> usize {
        if !self.has_escapes() {
            return self.escaped.len();
        }
        self.chars().fold(0usize, |n, c| n.saturating_add(c.len_utf8()))
    }

    /// The unescaped text, copying only when there is something to unescape: the text itself
    /// when it has no escapes (like serde's `Cow::Borrowed`), else unescaped into `scratch`.
    ///
    /// ```
    /// use janus_signal::json::RawJson;
    ///
    /// let json = RawJson::parse(br#"["plain", "two\nlines"]"#).unwrap();
    /// let mut items = json.elements().filter_map(|v| v.as_str());
    /// let (plain, escaped) = (items.next().unwrap(), items.next().unwrap());
    /// let mut scratch = [0u8; 16];
    /// assert_eq!(plain.unescaped(&mut scratch).unwrap(), "plain");
    /// assert_eq!(escaped.unescaped(&mut scratch).unwrap(), "two\nlines");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`unescape_into`](Self::unescape_into), only when the text has escapes.
    pub fn unescaped<'s>(&self, scratch: &'s mut [u8]) -> Result<&'s str, EncodeError>
    where
        'a: 's,
    {
        match self.as_plain() {
            Some(plain) => Ok(plain),
            None => self.unescape_into(scratch),
        }
    }

    /// Unescapes the text into `out` and returns it as a `&str` borrowed from `out`.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] with the number of bytes needed when `out` is too short;
    /// `out` then holds garbage.
    pub fn unescape_into<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, EncodeError> {
        let mut rest = self.escaped.as_bytes();
        let mut len = 0usize;
        let mut overflow = false;
        loop {
            // Copy the run up to the next backslash in one go; `escape` starts at it.
            let (run, escape) = rest.split_at_checked(find_backslash(rest, 0)).unwrap_or((rest, &[]));
            overflow |= !put(out, &mut len, run);
            rest = match escape {
                // The end (a lone backslash cannot end a validated string).
                [] | [_] => break,
                // SDP lines end in `\r\n`: take the pair in one step.
                [_, b'r', b'\\', b'n', more @ ..] => {
                    match out.get_mut(len..).and_then(<[u8]>::first_chunk_mut::<2>) {
                        Some(pair) => *pair = *b"\r\n",
                        None => overflow = true,
                    }
                    len = len.saturating_add(2);
                    more
                }
                [_, code, more @ ..] => {
                    let simple = match code {
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        _ => None,
                    };
                    if let Some(byte) = simple {
                        match out.get_mut(len) {
                            Some(slot) => *slot = byte,
                            None => overflow = true,
                        }
                        len = len.saturating_add(1);
                        more
                    } else {
                        let after = escape.get(1..).unwrap_or_default();
                        let (c, used) = decode_unicode_escape(after);
                        let mut utf8 = [0u8; 4];
                        overflow |= !put(out, &mut len, c.encode_utf8(&mut utf8).as_bytes());
                        after.get(used.max(1)..).unwrap_or_default()
                    }
                }
            };
        }
        if overflow {
            return Err(EncodeError::BufferTooSmall { needed: len, available: out.len() });
        }
        let written = out.get(..len).unwrap_or_default();
        // Input is valid UTF-8 and escapes decode to chars, so this cannot fail.
        core::str::from_utf8(written).map_err(|_| EncodeError::BufferTooSmall { needed: len, available: out.len() })
    }

    /// Compares the unescaped text with `other` without a buffer.
    #[must_use]
    pub fn eq_str(&self, other: &str) -> bool {
        match self.as_plain() {
            Some(plain) => plain == other,
            None => self.chars().eq(other.chars()),
        }
    }
}

/// The high bit of each byte of `word` that is a backslash (exact for the lowest, like the
/// scanner's masks).
#[inline]
fn backslashes(word: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let v = word ^ LO.wrapping_mul(u64::from(b'\\'));
    v.wrapping_sub(LO) & !v & HI
}

/// Index of the first backslash at or after `pos`, or `bytes.len()`; a word at a time.
fn find_backslash(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    while let Some(word) = word_at(bytes, i) {
        let mask = backslashes(word);
        if mask != 0 {
            return i.saturating_add(first_flagged(mask));
        }
        i = i.saturating_add(8);
    }
    // The last few bytes: the input's last word, when it starts at or after `pos` (its bytes
    // before `i` were searched, so its lowest flag is the first backslash), else one at a time.
    #[cfg(target_pointer_width = "64")]
    if i < bytes.len()
        && let Some(start) = bytes.len().checked_sub(8).filter(|&start| start >= pos)
        && let Some(last) = bytes.last_chunk::<8>()
    {
        let mask = backslashes(u64::from_le_bytes(*last));
        return if mask == 0 { bytes.len() } else { start.saturating_add(first_flagged(mask)) };
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            return i;
        }
        i = i.saturating_add(1);
    }
    bytes.len()
}

fn put(out: &mut [u8], len: &mut usize, bytes: &[u8]) -> bool {
    let end = len.saturating_add(bytes.len());
    let fits = match out.get_mut(*len..end) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    };
    *len = end;
    fits
}

impl PartialEq<str> for JsonStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for JsonStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.escaped)
    }
}

/// Writes the unescaped text.
impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(plain) = self.as_plain() {
            return f.write_str(plain);
        }
        self.chars().try_for_each(|c| fmt::Write::write_char(f, c))
    }
}

/// Iterator over the unescaped characters of a [`JsonStr`].
#[derive(Debug, Clone)]
pub struct Chars<'a> {
    rest: &'a str,
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let mut it = self.rest.chars();
        let c = it.next()?;
        if c != '\\' {
            self.rest = it.as_str();
            return Some(c);
        }
        let bytes = it.as_str().as_bytes();
        let (ch, used) = match bytes.first() {
            Some(b'"') => ('"', 1),
            Some(b'\\') => ('\\', 1),
            Some(b'/') => ('/', 1),
            Some(b'b') => ('\u{8}', 1),
            Some(b'f') => ('\u{c}', 1),
            Some(b'n') => ('\n', 1),
            Some(b'r') => ('\r', 1),
            Some(b't') => ('\t', 1),
            Some(b'u') => decode_unicode_escape(bytes),
            // Unreachable on validated text; stay total rather than panic.
            _ => (char::REPLACEMENT_CHARACTER, 0),
        };
        let rest = it.as_str();
        self.rest = rest.get(used..).unwrap_or("");
        Some(ch)
    }
}

/// Decodes `uXXXX` or a `uXXXX\uXXXX` surrogate pair at the start of `bytes`; returns the
/// character and the number of bytes used.
fn decode_unicode_escape(bytes: &[u8]) -> (char, usize) {
    let Some(unit) = hex4(bytes, 1) else {
        return (char::REPLACEMENT_CHARACTER, 1);
    };
    let pair_follows = bytes.get(5) == Some(&b'\\') && bytes.get(6) == Some(&b'u');
    if (0xD800..0xDC00).contains(&unit)
        && pair_follows
        && let Some(low @ 0xDC00..=0xDFFF) = hex4(bytes, 7)
    {
        let high = u32::from(unit).wrapping_sub(0xD800);
        let low = u32::from(low).wrapping_sub(0xDC00);
        let code = 0x10000u32.wrapping_add(high.wrapping_shl(10) | low);
        return (char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER), 11);
    }
    (char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER), 5)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_first_backslash_from_any_start() {
        // Miri interprets every byte: lengths up to 17 (two words and one byte) prove the same.
        for len in 0..if cfg!(miri) { 18 } else { 40 } {
            for at in 0..len {
                for second in [None, Some(at + 3)] {
                    let mut bytes = std::vec![b'a'; len];
                    bytes[at] = b'\\';
                    if let Some(s) = second.filter(|&s| s < len) {
                        bytes[s] = b'\\';
                    }
                    for pos in 0..=len {
                        let expect = (pos..len).find(|&i| bytes[i] == b'\\').unwrap_or(len);
                        assert_eq!(find_backslash(&bytes, pos), expect, "{len} {at} {second:?} {pos}");
                    }
                }
            }
        }
    }

    use super::*;
    use std::string::String;

    fn js(s: &str) -> JsonStr<'_> {
        JsonStr::from_validated(s)
    }

    #[test]
    fn unescapes_every_escape() {
        let s = js(r#"a\"b\\c\/d\be\ff\ng\rh\ti\u00e9\u20ac\ud83d\ude00"#);
        let expected = "a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti\u{e9}\u{20ac}\u{1f600}";
        let mut buf = [0u8; 64];
        assert_eq!(s.unescape_into(&mut buf), Ok(expected));
        assert_eq!(s.chars().collect::<String>(), expected);
        assert_eq!(s.unescaped_len(), expected.len());
        assert!(s.eq_str(expected));
        assert!(!s.eq_str("a"));
        assert_eq!(std::format!("{s}"), expected);
    }

    #[test]
    fn too_small_reports_needed_size() {
        let s = js(r"v=0\r\n");
        let mut buf = [0u8; 3];
        assert_eq!(s.unescape_into(&mut buf), Err(EncodeError::BufferTooSmall { needed: 5, available: 3 }));
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert_eq!(js("janus.plugin.echotest").as_plain(), Some("janus.plugin.echotest"));
        assert_eq!(js(r"a\nb").as_plain(), None);
    }

    #[test]
    fn unescapes_line_ends_at_every_offset() {
        for len in 0..24 {
            for at in 0..=len {
                let escaped = std::format!(r"{}\r\n{}\r", "a".repeat(at), "b".repeat(len - at));
                let want = std::format!("{}\r\n{}\r", "a".repeat(at), "b".repeat(len - at));
                let mut buf = [0u8; 64];
                assert_eq!(js(&escaped).unescape_into(&mut buf), Ok(want.as_str()));
                assert_eq!(js(&escaped).unescaped_len(), want.len());
                let mut small = [0u8; 2];
                assert_eq!(
                    js(&escaped).unescape_into(&mut small),
                    Err(EncodeError::BufferTooSmall { needed: want.len(), available: 2 })
                );
            }
        }
    }
}
