//! Long-poll answers: one message, or an array of them with `maxev`.

use super::{Malformed, Message};
use crate::error::DecodeError;
use crate::json::RawJson;
#[cfg(target_pointer_width = "64")]
use crate::json::{JsonError, JsonErrorKind};
use crate::json::{skip_validated, skip_ws};

/// The messages of one long-poll answer, decoded one at a time without allocating.
///
/// `GET /janus/<session>` answers with one JSON object; with `?maxev=N` (N > 1) it answers
/// with an array of up to N objects, even when there is only one (or only the 30-second
/// `keepalive`). [`Batch::decode`] accepts both.
///
/// ```
/// use janus_signal::message::{Batch, Message};
///
/// let body = br#"[{"janus":"webrtcup","session_id":1,"sender":2},{"janus":"keepalive"}]"#;
/// let kinds: Vec<&str> = Batch::decode(body).unwrap().map(|m| m.unwrap().kind()).collect();
/// assert_eq!(kinds, ["webrtcup", "keepalive"]);
/// ```
#[derive(Clone)]
pub struct Batch<'a> {
    items: Items<'a>,
}

/// The same on every target (the 64-bit array reader holds its first message already).
impl core::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.items {
            Items::One(item) => f.debug_struct("Batch").field("message", item).finish(),
            Items::Many { text, .. } => f.debug_struct("Batch").field("array", text).finish(),
        }
    }
}

#[derive(Clone)]
enum Items<'a> {
    /// A single object, decoded in the same pass that validated it.
    One(Option<Item<'a>>),
    /// The elements of a validated array: its text, the first element when it was decoded
    /// while validating, and where the next element starts.
    Many {
        text: &'a str,
        #[cfg(target_pointer_width = "64")]
        first: Option<Item<'a>>,
        next: usize,
    },
}

impl<'a> Batch<'a> {
    /// Validates the whole body once; messages are read as the iterator advances (where 64-bit
    /// words are native, the first one while the body is validated).
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] when the body is not valid JSON, [`DecodeError::NotAnObject`]
    /// when it is neither an object nor an array.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let first = bytes.iter().find(|b| !crate::json::is_ws(**b));
        if first == Some(&b'{') {
            let mut fields = super::Fields::default();
            let raw = fields.parse_object(bytes)?;
            return Ok(Self { items: Items::One(Some(read(raw, &fields))) });
        }
        #[cfg(target_pointer_width = "64")]
        return Ok(Self { items: array(bytes)? });
        #[cfg(not(target_pointer_width = "64"))]
        {
            let raw = RawJson::parse(bytes)?;
            let items = match raw.kind() {
                crate::json::JsonKind::Array => Items::Many { text: raw.as_text(), next: 1 },
                _ => return Err(DecodeError::NotAnObject),
            };
            Ok(Self { items })
        }
    }
}

/// The items of a body that is not one object: where 64-bit words are native, the array is
/// validated with its first element decoded in the same pass (a long-poll answer mostly holds
/// one message); small targets validate, then decode each element (less flash).
#[cfg(target_pointer_width = "64")]
fn array(bytes: &[u8]) -> Result<Items<'_>, DecodeError> {
    let open = skip_ws(bytes, 0);
    if bytes.get(open) != Some(&b'[') {
        // Neither an object nor an array: report exactly what a full parse reports.
        RawJson::parse(bytes)?;
        return Err(DecodeError::NotAnObject);
    }
    let text = crate::json::utf8(bytes)?;
    // The array from its `[` on; positions below are relative to it.
    let work = text.get(open..).unwrap_or_default();
    let (first, end) = validate_array(work)
        .map_err(|e| DecodeError::Json(JsonError { kind: e.kind, offset: e.offset.saturating_add(open) }))?;
    let trailing = skip_ws(bytes, end.saturating_add(open));
    if trailing != bytes.len() {
        return Err(DecodeError::Json(JsonError { kind: JsonErrorKind::TrailingBytes, offset: trailing }));
    }
    let next = first.as_ref().map_or(1, |(_, end)| *end);
    Ok(Items::Many { text: work.get(..end).unwrap_or_default(), first: first.map(|(item, _)| item), next })
}

/// Validates the array at the start of `work` (at its `[`) as [`RawJson::parse`] would, with
/// the same errors at the same offsets; its first element, when that is an object, is decoded
/// in the same pass (a long-poll answer mostly holds one message). Returns that element and the
/// index after it, and the index after the array's `]`.
#[inline(never)]
#[cfg(target_pointer_width = "64")]
fn validate_array(work: &str) -> Result<(Option<(Item<'_>, usize)>, usize), JsonError> {
    let bytes = work.as_bytes();
    let mut i = skip_ws(bytes, 1);
    if bytes.get(i) == Some(&b']') {
        return Ok((None, i.saturating_add(1)));
    }
    let mut first = None;
    let mut at_first = true;
    loop {
        if at_first && bytes.get(i) == Some(&b'{') {
            let mut fields = super::Fields::default();
            let end = fields.walk(work, i, 1)?;
            let raw = RawJson::from_validated(work.get(i..end).unwrap_or_default());
            first = Some((read(raw, &fields), end));
            i = end;
        } else {
            i = crate::json::validate_nested_value(bytes, i, 1)?.1;
        }
        at_first = false;
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            Some(b',') => i = skip_ws(bytes, i.saturating_add(1)),
            Some(b']') => return Ok((first, i.saturating_add(1))),
            None => return Err(JsonError { kind: JsonErrorKind::UnexpectedEnd, offset: i }),
            Some(&b) => return Err(JsonError { kind: JsonErrorKind::UnexpectedByte(b), offset: i }),
        }
    }
}

impl<'a> Iterator for Batch<'a> {
    /// Each element is decoded on its own: one bad element does not hide the others.
    type Item = Result<Message<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_lenient().map(|item| item.map_err(|malformed| malformed.defect.into()))
    }
}

/// One message, or what can be read of one that cannot be read as its kind.
type Item<'a> = Result<Message<'a>, Malformed<'a>>;

/// Reads an object whose members `fields` holds.
fn read<'a>(raw: RawJson<'a>, fields: &super::Fields<'a>) -> Item<'a> {
    Message::from_fields(raw, fields).map_err(|e| Malformed::lenient(raw, fields, &e))
}

impl<'a> Batch<'a> {
    /// The next message, or the [`Malformed`] view of one that cannot be read as its kind
    /// (whose [`Defect`](super::Defect) is the error [`Iterator::next`] returns for it), for
    /// [`Client::handle_malformed`](crate::client::Client::handle_malformed).
    pub fn next_lenient(&mut self) -> Option<Result<Message<'a>, Malformed<'a>>> {
        match &mut self.items {
            Items::One(one) => one.take(),
            Items::Many {
                text,
                next,
                #[cfg(target_pointer_width = "64")]
                first,
            } => {
                #[cfg(target_pointer_width = "64")]
                if let Some(item) = first.take() {
                    return Some(item);
                }
                let (message, after) = element(text, *next)?;
                *next = after;
                Some(message)
            }
        }
    }
}

/// Decodes the element of the validated array `text` at or after `pos` (past a `,`); returns
/// it and where the next one starts, or `None` at the end. An object is walked once, which
/// both reads its members and finds its end.
fn element<'a>(text: &'a str, pos: usize) -> Option<(Item<'a>, usize)> {
    let bytes = text.as_bytes();
    let mut start = skip_ws(bytes, pos);
    if bytes.get(start) == Some(&b',') {
        start = skip_ws(bytes, start.saturating_add(1));
    }
    let first = *bytes.get(start)?;
    if first == b'{' {
        let mut fields = super::Fields::default();
        // Validated input walks without error (so its depth need not be counted); should it
        // not, skip the element as a whole.
        let end = fields.walk(text, start, 0).unwrap_or_else(|_| skip_validated(bytes, start));
        let raw = RawJson::from_validated(text.get(start..end).unwrap_or_default());
        return Some((read(raw, &fields), end));
    }
    if first == b']' {
        return None;
    }
    let end = skip_validated(bytes, start);
    let raw = RawJson::from_validated(text.get(start..end).unwrap_or_default());
    (end > start).then_some((Err(Malformed::not_an_object(raw)), end))
}
