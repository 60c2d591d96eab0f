//! Where a request goes over HTTP: the one place that knows both requests and the HTTP
//! framing's [`Route`], which itself takes plain values only.

use crate::http::Route;
use crate::request::{Api, Request};

impl Route {
    /// The route of an encoded request, from its API and ids.
    #[must_use]
    pub fn of<R: Request + ?Sized>(request: &R) -> Self {
        let (session, handle) = (request.session_id(), request.handle_id());
        match request.api() {
            Api::Janus => Self::Janus { session, handle },
            Api::Admin => Self::Admin { session, handle },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::http::Route;
    use crate::json::RawJson;
    use crate::request::{AdminRequest, AttachPlugin, CreateSession, PluginMessage};
    use crate::{HandleId, SessionId, Transaction};

    #[test]
    fn routes_follow_the_ids() {
        let tx = Transaction::new("t").unwrap();
        assert_eq!(Route::of(&CreateSession::new(tx)), Route::Janus { session: None, handle: None });
        assert_eq!(
            Route::of(&AttachPlugin::new(tx, SessionId(5), "p")),
            Route::Janus { session: Some(SessionId(5)), handle: None }
        );
        let body = RawJson::parse(b"{}").unwrap();
        let message = PluginMessage::new(tx, SessionId(5), HandleId(6), &body);
        assert_eq!(Route::of(&message), Route::Janus { session: Some(SessionId(5)), handle: Some(HandleId(6)) });
        assert_eq!(Route::of(&AdminRequest::list_sessions(tx)), Route::Admin { session: None, handle: None });
    }
}
