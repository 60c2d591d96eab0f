//! Long-poll answers: one message, or an array of them with `maxev`.

use super::Message;
use crate::error::DecodeError;
use crate::json::{Elements, JsonKind, RawJson};

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
    One(Option<Result<Message<'a>, DecodeError>>),
    Many(Elements<'a>),
}

impl<'a> Batch<'a> {
    /// Validates the whole body once; messages are read as the iterator advances.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] when the body is not valid JSON, [`DecodeError::NotAnObject`]
    /// when it is neither an object nor an array.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let first = bytes.iter().find(|b| !crate::json::scan::is_ws(**b));
        if first == Some(&b'{') {
            let (raw, fields) = super::Fields::parse_object(bytes)?;
            return Ok(Self { items: Items::One(Some(Message::from_fields(raw, fields))) });
        }
        let raw = RawJson::parse(bytes)?;
        let items = match raw.kind() {
            JsonKind::Array => Items::Many(raw.elements()),
            _ => return Err(DecodeError::NotAnObject),
        };
        Ok(Self { items })
    }
}

impl<'a> Iterator for Batch<'a> {
    /// Each element is decoded on its own: one bad element does not hide the others.
    type Item = Result<Message<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.items {
            Items::One(one) => one.take(),
            Items::Many(elements) => elements.next().map(Message::from_json),
        }
    }
}
