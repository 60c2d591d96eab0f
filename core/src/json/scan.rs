//! The validating scanner and the fast skipper used on already validated spans.

pub(crate) use crate::error::{JsonError, JsonErrorKind};

/// Deepest nesting of arrays and objects that [`RawJson::parse`](super::RawJson::parse)
/// accepts. Janus messages nest about five levels deep.
pub const MAX_DEPTH: usize = 64;

#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Index of the first non-whitespace byte at or after `pos` (or `bytes.len()`).
#[inline]
pub(crate) fn skip_ws(bytes: &[u8], pos: usize) -> usize {
    match bytes.get(pos) {
        Some(&b) if b <= b' ' => {
            // One space before a token: how Janus formats `"key": value`.
            let next = pos.saturating_add(1);
            if b == b' ' && bytes.get(next).is_some_and(|&c| c > b' ') {
                return next;
            }
            // A newline and up to fifteen spaces of indentation before a token (two words: how
            // Janus formats one member per line, nested up to five levels), inline where 64-bit
            // words are native.
            #[cfg(target_pointer_width = "64")]
            if b == b'\n' {
                let mut at = next;
                for _ in 0..2 {
                    let Some(word) = word_at(bytes, at) else { break };
                    // The lowest set bit of `word ^ SPACES` is in the first byte that is not a
                    // space.
                    let spaces = (word ^ SPACES).trailing_zeros().wrapping_shr(3) as usize;
                    at = at.saturating_add(spaces);
                    if spaces < 8 {
                        if bytes.get(at).is_some_and(|&c| c > b' ') {
                            return at;
                        }
                        break;
                    }
                }
            }
            skip_ws_run(bytes, pos)
        }
        _ => pos,
    }
}

/// Eight spaces, to find the end of indentation a word at a time.
const SPACES: u64 = 0x2020_2020_2020_2020;

/// [`skip_ws`] once a byte at or below the space has been seen. The indentation after a
/// newline is skipped eight bytes at a time.
fn skip_ws_run(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        if !is_ws(b) {
            break;
        }
        pos = pos.saturating_add(1);
        if b == b'\n' {
            while let Some(word) = word_at(bytes, pos) {
                // The lowest set bit of `word ^ SPACES` is in the first byte that is not a space.
                let spaces = (word ^ SPACES).trailing_zeros().wrapping_shr(3);
                pos = pos.saturating_add(spaces as usize);
                if spaces < 8 {
                    break;
                }
            }
        }
    }
    pos
}

/// The eight bytes at `pos` as a little-endian word (first byte lowest), if there are eight.
#[inline]
pub(crate) fn word_at(bytes: &[u8], pos: usize) -> Option<u64> {
    let chunk = bytes.get(pos..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*chunk))
}

/// Index, within a word read by [`word_at`], of the lowest byte flagged in `mask` (a mask with
/// only the high bit of flagged bytes set).
#[inline]
pub(crate) fn first_flagged(mask: u64) -> usize {
    mask.trailing_zeros().wrapping_shr(3) as usize
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

/// Word-at-a-time scanning: the high bit of each byte of `word` that is `"`, `\\` or below
/// 0x20 (the only bytes that end a run of plain string text). The classic "has zero byte" bit
/// trick: bytes above a flagged byte may be flagged falsely (borrows), but the lowest flagged
/// byte is always exact, which is all the callers use.
#[inline]
pub(crate) fn string_special(word: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let quote = zero_in(word ^ LO.wrapping_mul(u64::from(b'"')));
    let backslash = zero_in(word ^ LO.wrapping_mul(u64::from(b'\\')));
    let control = word.wrapping_sub(LO.wrapping_mul(0x20)) & !word & HI;
    quote | backslash | control
}

/// Where the first `"`, `\\` or control byte of sixteen bytes is: two words, one test (which
/// LLVM compiles to SSE2 on x86-64).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn first_special_of_16(pair: &[u8; 16]) -> Option<usize> {
    let (a, b) = pair.split_at(8);
    let low = string_special(u64::from_le_bytes(*a.first_chunk::<8>()?));
    let high = string_special(u64::from_le_bytes(*b.first_chunk::<8>()?));
    if low | high == 0 {
        None
    } else if low != 0 {
        Some(first_flagged(low))
    } else {
        Some(first_flagged(high).saturating_add(8))
    }
}

/// Index of the first `"`, `\\` or control byte at or after `pos`, or `bytes.len()`: sixteen
/// bytes a step (two words, one test) where 64-bit words are native, then words, then bytes.
#[inline]
pub(crate) fn find_string_special(bytes: &[u8], pos: usize) -> usize {
    #[cfg(target_pointer_width = "64")]
    let mut i = {
        let rest = bytes.get(pos..).unwrap_or_default();
        let (pairs, _) = rest.as_chunks::<16>();
        let mut at = pos;
        for pair in pairs {
            if let Some(offset) = first_special_of_16(pair) {
                return at.saturating_add(offset);
            }
            at = at.saturating_add(16);
        }
        at
    };
    #[cfg(not(target_pointer_width = "64"))]
    let mut i = pos;
    while let Some(word) = word_at(bytes, i) {
        let mask = string_special(word);
        if mask != 0 {
            return i.saturating_add(first_flagged(mask));
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
#[inline]
pub(crate) fn validate_string(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    scan_string(bytes, pos).map(|(end, _)| end)
}

/// [`validate_string`], also saying whether the string has any escape.
///
/// Inlined: the common string (plain text up to its closing quote) is a few steps with the
/// constants in registers: sixteen bytes a step where 64-bit words are native (then a word
/// near the input's end), a word a step on small targets. Escapes, errors and the input's
/// last bytes go out of line: on 64-bit targets to `scan_string_rest`, which answers in
/// registers (an invalid string is scanned again, on a cold path, for its error), on small
/// targets to [`scan_string_checked`] (one copy: flash matters more there).
#[cfg_attr(target_pointer_width = "64", inline(always))]
#[cfg_attr(not(target_pointer_width = "64"), inline)]
pub(crate) fn scan_string(bytes: &[u8], pos: usize) -> Result<(usize, bool), JsonError> {
    let mut i = pos.saturating_add(1);
    // Sixteen bytes a step (two words, one test) where 64-bit words are native; a word a step
    // on small targets (flash matters more there).
    #[cfg(target_pointer_width = "64")]
    let found = loop {
        let Some(pair) = bytes.get(i..).and_then(<[u8]>::first_chunk::<16>) else {
            // Near the input's end (the last member's value): one word, then the rest.
            if let Some(word) = word_at(bytes, i) {
                let mask = string_special(word);
                if mask != 0 {
                    let at = i.saturating_add(first_flagged(mask));
                    if bytes.get(at) == Some(&b'"') {
                        return Ok((at.saturating_add(1), false));
                    }
                    break scan_string_rest(bytes, at, false);
                }
                i = i.saturating_add(8);
            }
            break scan_string_rest(bytes, i, false);
        };
        if let Some(offset) = first_special_of_16(pair) {
            let at = i.saturating_add(offset);
            if bytes.get(at) == Some(&b'"') {
                return Ok((at.saturating_add(1), false));
            }
            break scan_string_rest(bytes, at, false);
        }
        i = i.saturating_add(16);
    };
    #[cfg(not(target_pointer_width = "64"))]
    loop {
        let Some(word) = word_at(bytes, i) else {
            return scan_string_checked(bytes, i, false);
        };
        let mask = string_special(word);
        if mask != 0 {
            let at = i.saturating_add(first_flagged(mask));
            if bytes.get(at) == Some(&b'"') {
                return Ok((at.saturating_add(1), false));
            }
            return scan_string_checked(bytes, at, false);
        }
        i = i.saturating_add(8);
    }
    // The rest answers in registers; an invalid string is scanned again for its error.
    #[cfg(target_pointer_width = "64")]
    found.map_err(|()| string_error(bytes, pos))
}

/// The rest of [`scan_string`] from `pos`, inside the string; `escaped` says whether an escape
/// was seen before `pos`. `Err(())` when the string is invalid ([`scan_string_checked`] says
/// why): an answer that fits in registers.
#[cfg(target_pointer_width = "64")]
#[inline(never)]
fn scan_string_rest(bytes: &[u8], pos: usize, escaped: bool) -> Result<(usize, bool), ()> {
    string_rest(bytes, pos, escaped, |_| ())
}

/// The error of the invalid string whose opening quote is at `pos`.
#[cfg(target_pointer_width = "64")]
#[cold]
#[inline(never)]
fn string_error(bytes: &[u8], pos: usize) -> JsonError {
    match scan_string_checked(bytes, pos.saturating_add(1), false) {
        Err(e) => e,
        // Not reached: the fast scan found the string invalid.
        Ok(_) => err(JsonErrorKind::UnexpectedEnd, bytes.len()),
    }
}

/// The rest of a string scan from `pos`, inside the string, with its error (on small targets
/// the only scan: one function is less flash than a fast one and a cold one).
#[cfg_attr(target_pointer_width = "64", cold)]
#[inline(never)]
fn scan_string_checked(bytes: &[u8], pos: usize, escaped: bool) -> Result<(usize, bool), JsonError> {
    string_rest(bytes, pos, escaped, |e| e)
}

/// The loop of [`scan_string_rest`] and [`scan_string_checked`]: from `pos` inside a string to
/// the index after its closing quote and whether it had escapes; `fail` makes the error.
#[inline(always)]
fn string_rest<E>(
    bytes: &[u8],
    pos: usize,
    mut escaped: bool,
    fail: impl Fn(JsonError) -> E,
) -> Result<(usize, bool), E> {
    let mut i = pos;
    loop {
        i = find_string_special(bytes, i);
        match bytes.get(i) {
            Some(b'"') => return Ok((i.saturating_add(1), escaped)),
            Some(b'\\') => {
                escaped = true;
                // SDP lines end in `\r\n`: take the pair in one step.
                i = if bytes.get(i..).is_some_and(|r| r.starts_with(br"\r\n")) {
                    i.saturating_add(4)
                } else {
                    validate_escape(bytes, i).map_err(&fail)?
                };
            }
            Some(_) => return Err(fail(err(JsonErrorKind::ControlCharacterInString, i))),
            None => return Err(fail(err(JsonErrorKind::UnexpectedEnd, i))),
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

/// Index of the first byte at or after `i` that is not an ASCII digit (Janus ids have 16),
/// a word at a time where 64-bit words are native.
fn digits_end(bytes: &[u8], mut i: usize) -> usize {
    #[cfg(target_pointer_width = "64")]
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    #[cfg(target_pointer_width = "64")]
    while let Some(word) = word_at(bytes, i) {
        // Digits become 0..=9: nothing in the high nibble, even after adding 6. A byte that
        // overflows when 6 is added is a non-digit itself, so the lowest flag is exact.
        let t = word ^ ZEROS;
        let non_digit = (t | t.wrapping_add(0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0;
        if non_digit != 0 {
            return i.saturating_add(non_digit.trailing_zeros().wrapping_shr(3) as usize);
        }
        i = i.saturating_add(8);
    }
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i = i.saturating_add(1);
    }
    i
}

/// [`validate_number`] with plain positive integers (ids, codes, counts) inline where 64-bit
/// words are native: digits, then no fraction or exponent.
#[cfg_attr(target_pointer_width = "64", inline(always))]
#[cfg_attr(not(target_pointer_width = "64"), inline)]
fn number_end(bytes: &[u8], pos: usize) -> Result<usize, JsonError> {
    #[cfg(target_pointer_width = "64")]
    if let Some(b'1'..=b'9') = bytes.get(pos) {
        let end = digits_end(bytes, pos.saturating_add(1));
        if !matches!(bytes.get(end), Some(b'.' | b'e' | b'E')) {
            return Ok(end);
        }
    }
    validate_number(bytes, pos)
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

#[inline]
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

/// Index of a member's value, given the index after its key's closing quote: the `:` and
/// the whitespace around it skipped. Janus writes `": "` and compact JSON `":`; where 64-bit
/// words are native both are one look, any other spacing goes the general way (with the same
/// errors).
#[inline(always)]
fn after_colon(bytes: &[u8], end: usize) -> Result<usize, JsonError> {
    #[cfg(target_pointer_width = "64")]
    match bytes.get(end..).and_then(<[u8]>::first_chunk::<3>) {
        Some([b':', b' ', c]) if *c > b' ' => return Ok(end.saturating_add(2)),
        Some([b':', c, _]) if *c > b' ' => return Ok(end.saturating_add(1)),
        _ => {}
    }
    let colon = skip_ws(bytes, end);
    if bytes.get(colon) != Some(&b':') {
        return Err(unexpected(bytes, colon));
    }
    Ok(skip_ws(bytes, colon.saturating_add(1)))
}

/// Validates exactly one JSON value starting at `pos` (leading whitespace allowed). Returns
/// the index of its first byte and the index just after its last byte.
pub(crate) fn validate_value(bytes: &[u8], pos: usize) -> Result<(usize, usize), JsonError> {
    validate_nested_value(bytes, pos, 0)
}

/// [`validate_value`] for a value that is already inside `outer` levels of nesting.
///
/// One loop over the bytes with an explicit stack of "object or array" bits: no recursion.
/// Each step goes straight from one token to the next (a key to its `:` and value, a value
/// to the `,` or close after it) without a dispatch on a state in between.
pub(crate) fn validate_nested_value(bytes: &[u8], pos: usize, outer: usize) -> Result<(usize, usize), JsonError> {
    let limit = MAX_DEPTH.saturating_sub(outer);
    // Bit `d` is set when the container at depth `d` is an object. `depth` < 64 = MAX_DEPTH.
    let mut objects = 0u64;
    let mut depth = 0usize;
    let mut i = skip_ws(bytes, pos);
    let start = i;
    if i >= bytes.len() {
        // A missing top-level value is "no JSON"; a missing member value is truncation.
        let kind = if outer == 0 { JsonErrorKind::Empty } else { JsonErrorKind::UnexpectedEnd };
        return Err(err(kind, i));
    }
    // Whether an object key comes before the next value (`i` is then at the key).
    let mut key_first = false;
    // Whether the innermost open container is an object (bit `depth - 1` of `objects`).
    let mut in_object = false;
    loop {
        if key_first {
            if bytes.get(i) != Some(&b'"') {
                return Err(unexpected(bytes, i));
            }
            i = after_colon(bytes, validate_string(bytes, i)?)?;
        }
        // A value starts at `i` (whitespace skipped).
        let Some(&b) = bytes.get(i) else {
            return Err(err(JsonErrorKind::UnexpectedEnd, i));
        };
        match b {
            b'"' => i = validate_string(bytes, i)?,
            b'{' | b'[' => {
                if depth >= limit {
                    return Err(err(JsonErrorKind::TooDeep, i));
                }
                let is_object = b == b'{';
                let bit = 1u64.wrapping_shl(u32::try_from(depth).unwrap_or(0));
                objects = if is_object { objects | bit } else { objects & !bit };
                let inner = skip_ws(bytes, i.saturating_add(1));
                // `{`/`}` and `[`/`]` are two apart.
                if bytes.get(inner) == Some(&b.wrapping_add(2)) {
                    i = inner.saturating_add(1);
                } else {
                    depth = depth.saturating_add(1);
                    i = inner;
                    key_first = is_object;
                    in_object = is_object;
                    continue;
                }
            }
            b't' => i = validate_literal(bytes, i, b"true")?,
            b'f' => i = validate_literal(bytes, i, b"false")?,
            b'n' => i = validate_literal(bytes, i, b"null")?,
            b'-' | b'0'..=b'9' => i = number_end(bytes, i)?,
            _ => return Err(unexpected(bytes, i)),
        }
        // A value just ended at `i`: close containers or move to the next member/element.
        loop {
            if depth == 0 {
                return Ok((start, i));
            }
            i = skip_ws(bytes, i);
            match bytes.get(i) {
                Some(b',') => {
                    i = skip_ws(bytes, i.saturating_add(1));
                    key_first = in_object;
                    break;
                }
                Some(b'}') if in_object => {}
                Some(b']') if !in_object => {}
                None => return Err(err(JsonErrorKind::UnexpectedEnd, i)),
                Some(_) => return Err(unexpected(bytes, i)),
            }
            depth = depth.saturating_sub(1);
            // At depth 0 the value is not read: the loop returns first.
            in_object = objects.wrapping_shr(u32::try_from(depth.wrapping_sub(1)).unwrap_or(0)) & 1 != 0;
            i = i.saturating_add(1);
        }
    }
}

/// Walks the members of one object while validating it, for decoders that pick members out
/// in the same pass (and may descend into a member's object with a walker of their own).
/// Errors and their offsets are those of [`validate_nested_value`] on the same bytes.
#[derive(Debug)]
pub(crate) struct ObjectWalk<'a> {
    bytes: &'a [u8],
    /// After the `{` (before the first member) or after the last value.
    pos: usize,
    /// Levels of nesting around this object's values (the object itself included).
    outer: usize,
    first: bool,
}

/// One member found by [`ObjectWalk::next_key`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct MemberKey<'a> {
    /// The key between its quotes, escapes intact.
    pub(crate) key: &'a [u8],
    /// Whether the key has escapes (then compare it unescaped).
    pub(crate) escaped: bool,
    /// Index of the value's first byte (whitespace skipped; may be the end of the input).
    pub(crate) value: usize,
}

impl<'a> ObjectWalk<'a> {
    /// A walker over the object whose `{` is at `open`, itself inside `outer` levels. The
    /// callers nest at most three levels deep (a long-poll array, its element, a member's
    /// object), far below [`MAX_DEPTH`], so opening cannot be too deep.
    pub(crate) const fn new(bytes: &'a [u8], open: usize, outer: usize) -> Self {
        Self { bytes, pos: open.saturating_add(1), outer: outer.saturating_add(1), first: true }
    }

    /// Validates up to the next key and its `:`; `None` after the closing `}` (then
    /// [`end`](Self::end) is the index after it).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn next_key(&mut self) -> Result<Option<MemberKey<'a>>, JsonError> {
        let bytes = self.bytes;
        let mut i = skip_ws(bytes, self.pos);
        if core::mem::take(&mut self.first) {
            if bytes.get(i) == Some(&b'}') {
                self.pos = i.saturating_add(1);
                return Ok(None);
            }
        } else {
            match bytes.get(i) {
                Some(b',') => i = skip_ws(bytes, i.saturating_add(1)),
                Some(b'}') => {
                    self.pos = i.saturating_add(1);
                    return Ok(None);
                }
                None => return Err(err(JsonErrorKind::UnexpectedEnd, i)),
                Some(_) => return Err(unexpected(bytes, i)),
            }
        }
        if bytes.get(i) != Some(&b'"') {
            return Err(unexpected(bytes, i));
        }
        let (end, escaped) = scan_string(bytes, i)?;
        let value = after_colon(bytes, end)?;
        let key = bytes.get(i.saturating_add(1)..end.saturating_sub(1)).unwrap_or_default();
        self.pos = value;
        Ok(Some(MemberKey { key, escaped, value }))
    }

    /// Validates the value of the member just read; returns its end.
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn value(&mut self) -> Result<usize, JsonError> {
        // Scalars directly (what `validate_nested_value` would do for them); containers,
        // and the errors at a missing value, there.
        let (bytes, pos) = (self.bytes, self.pos);
        let end = match bytes.get(pos) {
            Some(b'"') => validate_string(bytes, pos)?,
            Some(b'-' | b'0'..=b'9') => number_end(bytes, pos)?,
            Some(b't') => validate_literal(bytes, pos, b"true")?,
            Some(b'f') => validate_literal(bytes, pos, b"false")?,
            _ => validate_nested_value(bytes, pos, self.outer)?.1,
        };
        self.pos = end;
        Ok(end)
    }

    /// A walker over the member's value, which must be an object (`{` at the value's
    /// index); finish it, then call [`nested_done`](Self::nested_done) with its end.
    pub(crate) const fn nested(&self) -> Self {
        Self::new(self.bytes, self.pos, self.outer)
    }

    /// Moves past a value that a [`nested`](Self::nested) walker validated.
    pub(crate) const fn nested_done(&mut self, inner: &Self) {
        self.pos = inner.pos;
    }

    /// The index after the closing `}`, once [`next_key`](Self::next_key) returned `None`.
    pub(crate) const fn end(&self) -> usize {
        self.pos
    }
}

/// The high bit of each byte of `word` that is a quote or a bracket (the only bytes that matter
/// when skipping over a validated container); exact for the lowest flagged byte, like
/// [`string_special`].
#[inline]
fn structural(word: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let has = |b: u8| zero_in(word ^ LO.wrapping_mul(u64::from(b)));
    // `[`/`]` and `{`/`}` differ only in bit 5 of 0x5B/0x5D and 0x7B/0x7D: fold that bit away.
    let folded = word | LO.wrapping_mul(0x20);
    let bracket =
        zero_in(folded ^ LO.wrapping_mul(u64::from(b'{'))) | zero_in(folded ^ LO.wrapping_mul(u64::from(b'}')));
    has(b'"') | bracket
}

/// Index of the next quote or bracket at or after `pos`, or `bytes.len()`.
#[inline]
fn find_structural(bytes: &[u8], pos: usize) -> usize {
    let mut i = pos;
    while let Some(word) = word_at(bytes, i) {
        let mask = structural(word);
        if mask != 0 {
            return i.saturating_add(first_flagged(mask));
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

    #[test]
    fn whitespace_runs_and_indentation() {
        for ws in ["", " ", "  ", "\n", "\n   ", "\n                    ", "\r\n\t\t", "\n \n        \n  "] {
            let text = std::format!("{ws}x");
            assert_eq!(skip_ws(text.as_bytes(), 0), ws.len(), "{ws:?}");
            assert_eq!(skip_ws(ws.as_bytes(), 0), ws.len());
        }
    }

    #[test]
    fn strings_report_escapes_and_errors() {
        assert_eq!(scan_string(br#""abc" "#, 0), Ok((5, false)));
        assert_eq!(scan_string(br#""a\r\nb\"c""#, 0), Ok((11, true)));
        let long = std::format!("\"{}\"", "x".repeat(40));
        assert_eq!(scan_string(long.as_bytes(), 0), Ok((42, false)));
        for (bad, kind) in [
            (&br#""a\r\"#[..], JsonErrorKind::UnexpectedEnd),
            (br#""a\r\n"#, JsonErrorKind::UnexpectedEnd),
            (br#""abcdefghij\r\x""#, JsonErrorKind::InvalidEscape),
            (b"\"abcdefghij\x01\"", JsonErrorKind::ControlCharacterInString),
            (b"\"abcdefghijklmnop", JsonErrorKind::UnexpectedEnd),
        ] {
            assert_eq!(scan_string(bad, 0).map_err(|e| e.kind), Err(kind), "{bad:?}");
        }
    }

    #[test]
    fn word_scan_finds_the_end_of_digits() {
        for len in 0..20 {
            for end in [b' ', b',', b'.', b'e', b'/', b':', b'\xff', b'\x39' + 7, 0] {
                let mut bytes = std::vec![b'7'; len];
                bytes.push(end);
                bytes.extend_from_slice(b"12345678");
                assert_eq!(digits_end(&bytes, 0), len, "{bytes:?}");
            }
            assert_eq!(digits_end(&std::vec![b'0'; len], 0), len);
        }
    }
}
