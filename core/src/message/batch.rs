//! Long-poll answers: one message, or an array of them with `maxev`.

use super::{Malformed, Message};
use crate::error::DecodeError;
use crate::json::{JsonKind, RawJson};
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
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    items: Items<'a>,
}

#[derive(Debug, Clone)]
enum Items<'a> {
    /// A single object, decoded in the same pass that validated it.
    One(Option<Item<'a>>),
    /// The elements of a validated array: its text and where the next element starts.
    Many(&'a str, usize),
}

impl<'a> Batch<'a> {
    /// Validates the whole body once; messages are read as the iterator advances.
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
        let raw = RawJson::parse(bytes)?;
        let items = match raw.kind() {
            JsonKind::Array => Items::Many(raw.as_text(), 1),
            _ => return Err(DecodeError::NotAnObject),
        };
        Ok(Self { items })
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
            Items::Many(text, pos) => {
                let (message, next) = element(text, *pos)?;
                *pos = next;
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
        // Validated input walks without error; should it not, skip the element as a whole.
        let end = fields.walk(text, start).unwrap_or_else(|_| skip_validated(bytes, start));
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
