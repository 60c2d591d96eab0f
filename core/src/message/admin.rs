//! The Admin API's answers, typed and read lazily from the received bytes: the sessions, a
//! session's handles, the stored tokens, and what Janus knows of a handle.

use super::Message;
use crate::ids::{HandleId, SessionId};
use crate::json::{Elements, JsonStr, RawJson};

/// A `success` of the Admin API (an `error` is a [`Message::Error`] like any other).
///
/// ```
/// use janus_signal::message::{AdminReply, Message};
/// use janus_signal::SessionId;
///
/// let reply = br#"{"janus":"success","transaction":"t","sessions":[6036143552999677,341572047273531]}"#;
/// let message = Message::decode(reply).unwrap();
/// let sessions: Vec<SessionId> = AdminReply::of(&message).unwrap().sessions().unwrap().collect();
/// assert_eq!(sessions, [SessionId(6036143552999677), SessionId(341572047273531)]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminReply<'a> {
    raw: RawJson<'a>,
}

impl<'a> AdminReply<'a> {
    /// The reply, if `message` is a `success`.
    #[must_use]
    pub fn of(message: &Message<'a>) -> Option<Self> {
        match message {
            Message::Success(s) => Some(Self { raw: s.raw }),
            _ => None,
        }
    }

    /// `list_sessions`: the ids in `sessions` (elements that are not ids are skipped).
    #[must_use]
    pub fn sessions(&self) -> Option<Ids<'a, SessionId>> {
        Some(Ids { elements: self.raw.get("sessions")?.elements(), id: SessionId })
    }

    /// `list_handles`: the ids in `handles`.
    #[must_use]
    pub fn handles(&self) -> Option<Ids<'a, HandleId>> {
        Some(Ids { elements: self.raw.get("handles")?.elements(), id: HandleId })
    }

    /// `list_tokens`: the tokens in `data.tokens`.
    #[must_use]
    pub fn tokens(&self) -> Option<Tokens<'a>> {
        Some(Tokens { elements: self.raw.get("data")?.get("tokens")?.elements() })
    }

    /// `handle_info`: the `info` object.
    #[must_use]
    pub fn handle_info(&self) -> Option<HandleInfo<'a>> {
        let info = self.raw.get("info")?;
        let id = |key: &str| info.get(key).and_then(|v| v.as_u64());
        Some(HandleInfo {
            session: id("session_id").map(SessionId),
            handle: id("handle_id").map(HandleId),
            plugin: info.get("plugin").and_then(|p| p.as_str()),
            opaque_id: info.get("opaque_id").and_then(|p| p.as_str()),
            raw: info,
        })
    }

    /// The whole reply, for anything else it carries.
    #[must_use]
    pub const fn raw(&self) -> RawJson<'a> {
        self.raw
    }
}

/// Session or handle ids of an Admin reply, read as the iterator advances.
#[derive(Debug, Clone)]
pub struct Ids<'a, T> {
    elements: Elements<'a>,
    id: fn(u64) -> T,
}

impl<T> Iterator for Ids<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            let element = self.elements.next()?;
            if let Some(id) = element.as_u64() {
                return Some((self.id)(id));
            }
        }
    }
}

/// The tokens of a `list_tokens` reply.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    elements: Elements<'a>,
}

/// One stored token and the plugins it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token.
    pub token: JsonStr<'a>,
    /// `allowed_plugins`, when given: an array of plugin package names.
    pub allowed_plugins: Option<RawJson<'a>>,
}

impl<'a> Token<'a> {
    /// The plugins this token may use (none when the list is missing).
    pub fn plugins(&self) -> impl Iterator<Item = JsonStr<'a>> + 'a {
        self.allowed_plugins.into_iter().flat_map(|p| p.elements()).filter_map(|p| p.as_str())
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let element = self.elements.next()?;
            if let Some(token) = element.get("token").and_then(|t| t.as_str()) {
                return Some(Token { token, allowed_plugins: element.get("allowed_plugins") });
            }
        }
    }
}

/// What `handle_info` says of a handle: the common members, and the whole `info` object
/// (flags, ICE and DTLS state, the plugin's own data…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandleInfo<'a> {
    /// `info.session_id`.
    pub session: Option<SessionId>,
    /// `info.handle_id`.
    pub handle: Option<HandleId>,
    /// `info.plugin`, the plugin's package name.
    pub plugin: Option<JsonStr<'a>>,
    /// `info.opaque_id`.
    pub opaque_id: Option<JsonStr<'a>>,
    /// The `info` object.
    pub raw: RawJson<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(json: &str) -> AdminReply<'_> {
        let message = Message::decode(json.as_bytes()).expect("a message");
        AdminReply::of(&message).expect("a success")
    }

    #[test]
    fn lists_tokens_and_handle_info_as_janus_sends_them() {
        let handles = reply(r#"{"janus":"success","transaction":"t","session_id":1,"handles":[5,"x",6]}"#);
        assert_eq!(handles.handles().expect("handles").collect::<std::vec::Vec<_>>(), [HandleId(5), HandleId(6)]);
        assert!(handles.sessions().is_none());
        let tokens = reply(
            r#"{"janus":"success","transaction":"t","data":{"tokens":[{"token":"tok-1","allowed_plugins":["janus.plugin.echotest"]},{"nope":1},{"token":"tok-2"}]}}"#,
        );
        let tokens: std::vec::Vec<_> = tokens.tokens().expect("tokens").collect();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0].token.as_plain(), Some("tok-1"));
        assert_eq!(
            tokens[0].plugins().map(|p| p.as_plain()).collect::<std::vec::Vec<_>>(),
            [Some("janus.plugin.echotest")]
        );
        assert_eq!(tokens[1].plugins().count(), 0);
        let info = reply(
            r#"{"janus":"success","session_id":1,"transaction":"t","handle_id":2,"info":{"session_id":1,"handle_id":2,"opaque_id":"o","plugin":"janus.plugin.echotest","flags":{"ready":false}}}"#,
        );
        let info = info.handle_info().expect("info");
        assert_eq!((info.session, info.handle), (Some(SessionId(1)), Some(HandleId(2))));
        assert_eq!(info.plugin.and_then(|p| p.as_plain()), Some("janus.plugin.echotest"));
        assert_eq!(info.opaque_id.and_then(|p| p.as_plain()), Some("o"));
        assert!(info.raw.get("flags").is_some());
        let error = Message::decode(br#"{"janus":"error","transaction":"t","error":{"code":403,"reason":"no"}}"#);
        assert!(AdminReply::of(&error.expect("a message")).is_none());
    }
}
