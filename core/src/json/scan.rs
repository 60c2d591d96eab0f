//! The validating scanner and the fast skipper used on already validated spans.

use core::fmt;

/// Deepest nesting of arrays and objects that [`RawJson::parse`](super::RawJson::parse)
/// accepts. Janus messages nest about five levels deep.
pub const MAX_DEPTH: usize = 64;

/// What was wrong with a JSON input, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// Byte offset into the input at which it was noticed.
    pub offset: usize,
}

/// The kinds of malformed JSON the scanner recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Nesting deeper than [`MAX_DEPTH`].
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

#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Index of the first non-whitespace byte at or after `pos` (or `bytes.len()`).
#[inline]
pub(crate) fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if !is_ws(b) {
            break;
        }
        pos = pos.saturating_add(1);
    }
    pos
}

/// A fixed-size stack of "am I in an object or an array" bits.
struct Nesting {
    bits: u64,
    depth: usize,
    /// Levels still allowed (MAX_DEPTH minus the levels the caller is already inside).
    limit: usize,
}

impl Nesting {
    const fn new(limit: usize) -> Self {
        Self { bits: 0, depth: 0, limit }
    }

    fn push(&mut self, is_object: bool, offset: usize) -> Result<(), JsonError> {
        if self.depth >= self.limit {
            return Err(JsonError { kind: JsonErrorKind::TooDeep, offset });
        }
        let bit = 1u64.checked_shl(u32::try_from(self.depth).unwrap_or(u32::MAX)).unwrap_or(0);
        if is_object {
            self.bits |= bit;
        } else {
            self.bits &= !bit;
        }
        self.depth = self.depth.saturating_add(1);
        Ok(())
    }

    /// Whether the innermost open container is an object (`None` at top level).
    fn top_is_object(&self) -> Option<bool> {
        let top = self.depth.checked_sub(1)?;
        let bit = 1u64.checked_shl(u32::try_from(top).ok()?)?;
        Some(self.bits & bit != 0)
    }

    fn pop(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

fn err(kind: JsonErrorKind, offset: usize) -> JsonError {
    JsonError { kind, offset }
}

pub(crate) fn unexpected(bytes: &[u8], offset: usize) -> JsonError {
    match bytes.get(offset) {
        Some(&b) => err(JsonErrorKind::UnexpectedByte(b), offset),
        None => err(JsonErrorKind::UnexpectedEnd, offset),
    }
}

fn hex_digit(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some(u16::from(b.wrapping_sub(b'0'))),
        b'a'..=b'f' => Some(u16::from(b.wrapping_sub(b'a').wrapping_add(10))),
        b'A'..=b'F' => Some(u16::from(b.wrapping_sub(b'A').wrapping_add(10))),
        _ => None,
    }
}

/// Reads the four hex digits of a `\uXXXX` escape starting at `pos`.
pub(crate) fn hex4(bytes: &[u8], pos: usize) -> Option<u16> {
    let digits = bytes.get(pos..pos.checked_add(4)?)?;
    digits.iter().try_fold(0u16, |acc, &b| Some(acc.wrapping_shl(4) | hex_digit(b)?))
}

/// Word-at-a-time scanning: whether any byte of `word` is `"`, `\` or below 0x20 (the only
/// bytes that end a run of plain string text). The classic "has zero byte" bit trick.
#[inline]
fn has_string_special(word: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let quote = zero_in(word ^ LO.wrapping_mul(u64::from(b'"')));
    let backslash = zero_in(word ^ LO.wrapping_mul(u64::from(b'\\')));
    let control = word.wrapping_sub(LO.wrapping_mul(0x20)) & !word & HI;
    quote | backslash | control != 0
}

/// Index of the first `"`, `\` or control byte at or after `pos`, or `bytes.len()`.
#[inline]
pub(crate) fn find_string_special(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    let rest = bytes.get(pos..).unwrap_or_default();
    for chunk in rest.chunks_exact(8) {
        // A chunk of eight always converts; zeros would stop the fast path safely anyway.
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
        if has_string_special(word) {
            break;
        }
        i = i.saturating_add(8);
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return i;
        }
        i = i.saturating_add(1);
    }
    bytes.len()
}

/// Validates a string whose opening quote is at `pos`; returns the index after the closing
/// quote.
pub(crate) fn validate_string(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let mut i = pos.saturating_add(1);
    loop {
        i = find_string_special(bytes, i);
        let Some(&b) = bytes.get(i) else {
            return Err(err(JsonErrorKind::UnexpectedEnd, i));
        };
        match b {
            b'"' => return Ok(i.saturating_add(1)),
            b'\\' => i = validate_escape(bytes, i)?,
            _ => return Err(err(JsonErrorKind::ControlCharacterInString, i)),
        }
    }
}

/// Validates the escape whose backslash is at `pos`; returns the index after it.
fn validate_escape(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let next = pos.saturating_add(1);
    match bytes.get(next) {
        None => Err(err(JsonErrorKind::UnexpectedEnd, next)),
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(next.saturating_add(1)),
        Some(b'u') => {
            let digits = next.saturating_add(1);
            let unit = unicode_unit(bytes, digits)?;
            let after = digits.saturating_add(4);
            match unit {
                0xD800..=0xDBFF => {
                    // A high surrogate must be followed by an escaped low surrogate.
                    expect_byte(bytes, after, b'\\')?;
                    expect_byte(bytes, after.saturating_add(1), b'u')?;
                    let low_at = after.saturating_add(2);
                    match unicode_unit(bytes, low_at)? {
                        0xDC00..=0xDFFF => Ok(low_at.saturating_add(4)),
                        _ => Err(err(JsonErrorKind::InvalidEscape, low_at)),
                    }
                }
                0xDC00..=0xDFFF => Err(err(JsonErrorKind::InvalidEscape, pos)),
                _ => Ok(after),
            }
        }
        Some(_) => Err(err(JsonErrorKind::InvalidEscape, pos)),
    }
}

/// Input that ends where `want` was expected is truncated; another byte is an invalid escape.
fn expect_byte(bytes: &[u8], at: usize, want: u8) -> Result<(), JsonError> {
    match bytes.get(at) {
        Some(&b) if b == want => Ok(()),
        Some(_) => Err(err(JsonErrorKind::InvalidEscape, at)),
        None => Err(err(JsonErrorKind::UnexpectedEnd, at)),
    }
}

/// The four hex digits at `at`: truncated input is "need more", a non-hex digit is invalid.
fn unicode_unit(bytes: &[u8], at: usize) -> Result<u16, JsonError> {
    if let Some(unit) = hex4(bytes, at) {
        return Ok(unit);
    }
    let present = bytes.get(at..).unwrap_or_default();
    if present.len() < 4 && present.iter().all(u8::is_ascii_hexdigit) {
        Err(err(JsonErrorKind::UnexpectedEnd, bytes.len()))
    } else {
        Err(err(JsonErrorKind::InvalidEscape, at))
    }
}

fn digits_end(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i = i.saturating_add(1);
    }
    i
}

/// Validates a number starting at `pos`; returns the index after it.
fn validate_number(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let mut i = pos;
    if bytes.get(i) == Some(&b'-') {
        i = i.saturating_add(1);
    }
    match bytes.get(i) {
        Some(b'0') => i = i.saturating_add(1),
        Some(b'1'..=b'9') => i = digits_end(bytes, i),
        None => return Err(err(JsonErrorKind::UnexpectedEnd, i)),
        Some(_) => return Err(err(JsonErrorKind::InvalidNumber, i)),
    }
    if bytes.get(i) == Some(&b'.') {
        let start = i.saturating_add(1);
        i = digits_end(bytes, start);
        if i == start {
            return Err(number_error(bytes, i));
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i = i.saturating_add(1);
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i = i.saturating_add(1);
        }
        let start = i;
        i = digits_end(bytes, start);
        if i == start {
            return Err(number_error(bytes, i));
        }
    }
    Ok(i)
}

fn number_error(bytes: &[u8], at: usize) -> JsonError {
    if at >= bytes.len() { err(JsonErrorKind::UnexpectedEnd, at) } else { err(JsonErrorKind::InvalidNumber, at) }
}

fn validate_literal(bytes: &[u8], pos: usize, word: &[u8]) -> Result<usize, JsonError> {
    let end = pos.saturating_add(word.len());
    match bytes.get(pos..end) {
        Some(found) if found == word => Ok(end),
        Some(_) => Err(unexpected(bytes, pos)),
        None => {
            // Truncated literal: the prefix must still match to be "need more input".
            let have = bytes.get(pos..).unwrap_or_default();
            if word.starts_with(have) {
                Err(err(JsonErrorKind::UnexpectedEnd, bytes.len()))
            } else {
                Err(unexpected(bytes, pos))
            }
        }
    }
}

/// Validates one object key (a string) followed by `:`; returns the index of the value.
fn validate_key(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    let pos = skip_ws(bytes, pos);
    if bytes.get(pos) != Some(&b'"') {
        return Err(unexpected(bytes, pos));
    }
    let after = skip_ws(bytes, validate_string(bytes, pos)?);
    if bytes.get(after) != Some(&b':') {
        return Err(unexpected(bytes, after));
    }
    Ok(after.saturating_add(1))
}

/// Validates exactly one JSON value starting at `pos` (leading whitespace allowed). Returns
/// the index of its first byte and the index just after its last byte.
pub(crate) fn validate_value(bytes: &[u8], pos: usize) -> Result<(usize, usize), JsonError> {
    validate_nested_value(bytes, pos, 0)
}

/// [`validate_value`] for a value that is already inside `outer` levels of nesting.
pub(crate) fn validate_nested_value(bytes: &[u8], pos: usize, outer: usize) -> Result<(usize, usize), JsonError> {
    let mut nesting = Nesting::new(MAX_DEPTH.saturating_sub(outer));
    let mut i = skip_ws(bytes, pos);
    let start = i;
    if i >= bytes.len() {
        // A missing top-level value is "no JSON"; a missing member value is truncation.
        let kind = if outer == 0 { JsonErrorKind::Empty } else { JsonErrorKind::UnexpectedEnd };
        return Err(err(kind, i));
    }
    loop {
        // Here a value is expected at `i` (after whitespace).
        i = skip_ws(bytes, i);
        let mut after_value = true;
        match bytes.get(i) {
            None => return Err(err(JsonErrorKind::UnexpectedEnd, i)),
            Some(b'{') => {
                nesting.push(true, i)?;
                let inner = skip_ws(bytes, i.saturating_add(1));
                if bytes.get(inner) == Some(&b'}') {
                    nesting.pop();
                    i = inner.saturating_add(1);
                } else {
                    i = validate_key(bytes, inner)?;
                    after_value = false;
                }
            }
            Some(b'[') => {
                nesting.push(false, i)?;
                let inner = skip_ws(bytes, i.saturating_add(1));
                if bytes.get(inner) == Some(&b']') {
                    nesting.pop();
                    i = inner.saturating_add(1);
                } else {
                    i = inner;
                    after_value = false;
                }
            }
            Some(b'"') => i = validate_string(bytes, i)?,
            Some(b't') => i = validate_literal(bytes, i, b"true")?,
            Some(b'f') => i = validate_literal(bytes, i, b"false")?,
            Some(b'n') => i = validate_literal(bytes, i, b"null")?,
            Some(b'-' | b'0'..=b'9') => i = validate_number(bytes, i)?,
            Some(_) => return Err(unexpected(bytes, i)),
        }
        if !after_value {
            continue;
        }
        // A value just ended at `i`: close containers or move to the next member/element.
        loop {
            let Some(in_object) = nesting.top_is_object() else {
                return Ok((start, i));
            };
            i = skip_ws(bytes, i);
            match (in_object, bytes.get(i)) {
                (_, None) => return Err(err(JsonErrorKind::UnexpectedEnd, i)),
                (true, Some(b',')) => {
                    i = validate_key(bytes, i.saturating_add(1))?;
                    break;
                }
                (false, Some(b',')) => {
                    i = i.saturating_add(1);
                    break;
                }
                (true, Some(b'}')) | (false, Some(b']')) => {
                    nesting.pop();
                    i = i.saturating_add(1);
                }
                _ => return Err(unexpected(bytes, i)),
            }
        }
    }
}

/// Whether any byte of `word` is a quote or a bracket: the only bytes that matter when
/// skipping over a validated container.
#[inline]
fn has_structural(word: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let has = |b: u8| zero_in(word ^ LO.wrapping_mul(u64::from(b)));
    // `[`/`]` and `{`/`}` differ only in bit 5 of 0x5B/0x5D and 0x7B/0x7D: fold that bit away.
    let folded = word | LO.wrapping_mul(0x20);
    let bracket =
        zero_in(folded ^ LO.wrapping_mul(u64::from(b'{'))) | zero_in(folded ^ LO.wrapping_mul(u64::from(b'}')));
    has(b'"') | bracket != 0
}

/// Index of the next quote or bracket at or after `pos`, or `bytes.len()`.
#[inline]
fn find_structural(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    let rest = bytes.get(pos..).unwrap_or_default();
    for chunk in rest.chunks_exact(8) {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([b'"'; 8]));
        if has_structural(word) {
            break;
        }
        i = i.saturating_add(8);
    }
    while let Some(&b) = bytes.get(i) {
        if matches!(b, b'"' | b'{' | b'}' | b'[' | b']') {
            return i;
        }
        i = i.saturating_add(1);
    }
    bytes.len()
}

/// Skips one value of an already validated span starting exactly at `pos`; returns the index
/// after it. On bytes that were not validated it still terminates and never panics, but the
/// result is meaningless.
pub(crate) fn skip_validated(bytes: &[u8], pos: usize) -> usize {
    match bytes.get(pos) {
        Some(b'"') => skip_string(bytes, pos),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                i = find_structural(bytes, i);
                match bytes.get(i) {
                    None => return bytes.len(),
                    Some(b'"') => {
                        i = skip_string(bytes, i);
                        continue;
                    }
                    Some(b'{' | b'[') => depth = depth.saturating_add(1),
                    Some(_) => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i.saturating_add(1);
                        }
                    }
                }
                i = i.saturating_add(1);
            }
        }
        Some(_) => {
            // Scalars (numbers, true, false, null) end at a delimiter.
            let mut i = pos;
            while let Some(&b) = bytes.get(i) {
                if is_ws(b) || matches!(b, b',' | b'}' | b']' | b':') {
                    break;
                }
                i = i.saturating_add(1);
            }
            i
        }
        None => pos,
    }
}

/// Skips a validated string whose opening quote is at `pos`.
pub(crate) fn skip_string(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos.saturating_add(1);
    loop {
        i = find_string_special(bytes, i);
        match bytes.get(i) {
            Some(b'"') => return i.saturating_add(1),
            Some(b'\\') => i = i.saturating_add(2),
            // Control bytes cannot be in a validated string; step over one if they are.
            Some(_) => i = i.saturating_add(1),
            None => return bytes.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str) -> Result<(usize, usize), JsonErrorKind> {
        validate_value(input.as_bytes(), 0).map_err(|e| e.kind)
    }

    #[test]
    fn accepts_the_grammar() {
        for ok in [
            "0",
            "-0",
            "1.5",
            "-1.5e10",
            "1E+2",
            "true",
            "false",
            "null",
            r#""a\"b""#,
            r#""\ud83d\ude00""#,
            "[]",
            "{}",
            r#"{"a":[1,{"b":null}],"c":"d"}"#,
            " [ 1 , 2 ] ",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_with_the_right_kind() {
        use JsonErrorKind::*;
        assert_eq!(check(""), Err(Empty));
        assert_eq!(check("{"), Err(UnexpectedEnd));
        assert_eq!(check(r#"{"a":"#), Err(UnexpectedEnd));
        assert_eq!(check(r#"{"a":tr"#), Err(UnexpectedEnd));
        assert_eq!(check("01"), Ok((0, 1)));
        assert_eq!(check("1."), Err(UnexpectedEnd));
        assert_eq!(check("1.x"), Err(InvalidNumber));
        assert_eq!(check("-x"), Err(InvalidNumber));
        assert_eq!(check(r#""\x""#), Err(InvalidEscape));
        assert_eq!(check(r#""\ud83d""#), Err(InvalidEscape));
        assert_eq!(check(r#""\ude00""#), Err(InvalidEscape));
        assert_eq!(check(r#""\u12"#), Err(UnexpectedEnd));
        assert_eq!(check("\"a\nb\""), Err(ControlCharacterInString));
        assert_eq!(check("[1,]"), Err(UnexpectedByte(b']')));
        assert_eq!(check(r#"{"a" 1}"#), Err(UnexpectedByte(b'1')));
        assert_eq!(check("[1 2]"), Err(UnexpectedByte(b'2')));
        assert_eq!(check("{1:2}"), Err(UnexpectedByte(b'1')));
        assert_eq!(check("[}"), Err(UnexpectedByte(b'}')));
        assert_eq!(check("tru"), Err(UnexpectedEnd));
        assert_eq!(check("trux"), Err(UnexpectedByte(b't')));
    }

    #[test]
    fn limits_depth_without_recursion() {
        let deep_ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(check(&deep_ok).is_ok());
        let too_deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(check(&too_deep), Err(JsonErrorKind::TooDeep));
        // Miri interprets every byte: a smaller input proves the same there.
        let huge = "[".repeat(if cfg!(miri) { 10_000 } else { 1_000_000 });
        assert_eq!(check(&huge), Err(JsonErrorKind::TooDeep));
    }

    #[test]
    fn word_scan_finds_the_first_special_byte_anywhere() {
        for special in [b'"', b'\\', 0u8, 0x1f] {
            for at in 0..40 {
                let mut bytes = std::vec![b'a'; 40];
                bytes[at] = special;
                assert_eq!(find_string_special(&bytes, 0), at);
                assert_eq!(find_string_special(&bytes, at + 1), 40);
            }
        }
        // Bytes just above the range, and UTF-8 continuation bytes, are plain text.
        let plain = "a !#[]~\u{7f}é€😀";
        assert_eq!(find_string_special(plain.as_bytes(), 0), plain.len());
    }

    #[test]
    fn word_scan_finds_quotes_and_brackets_only() {
        for special in [b'"', b'{', b'}', b'[', b']'] {
            for at in 0..40 {
                let mut bytes = std::vec![b' '; 40];
                bytes[at] = special;
                assert_eq!(find_structural(&bytes, 0), at);
            }
        }
        // Neighbours of the folded brackets are not brackets.
        let plain = b"ZzYy\\\\|;:,0123456789 \n\t\rtruefalsenull-+.eE";
        assert_eq!(find_structural(plain, 0), plain.len());
    }

    #[test]
    fn skip_matches_validation() {
        let input = br#"{"a":"x\"}","b":[1,[2]],"c":-1.5e3} tail"#;
        let (_, end) = validate_value(&input[..], 0).unwrap_or((0, 0));
        assert_eq!(skip_validated(input, 0), end);
    }
}
