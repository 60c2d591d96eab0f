//! A blocking client for the Admin/Monitor API over HTTP.

use std::time::{Duration, Instant as StdInstant};

use janus_signal::client::{RequestId, RequestKind, TransactionIds, answer};
use janus_signal::http::Route;
use janus_signal::message::AdminReply;
use janus_signal::request::{AdminRequest, Request};
use janus_signal::{HandleId, SessionId, Transaction};
use serde::Serialize;

use crate::http::HttpTransport;
use crate::stream::Dialer;
use crate::url::Endpoint;
use crate::{Error, OwnedMessage, TlsConfig};

/// The Admin API at `http://host:port/admin` (or `https://`, cargo feature `tls`), with its
/// `admin_secret`.
#[derive(Debug)]
pub struct AdminClient {
    url: String,
    http: HttpTransport,
    secret: String,
    ids: TransactionIds,
    timeout: Duration,
}

impl AdminClient {
    /// Connects to the Admin API. An `https://` URL trusts the public web roots; see
    /// [`connect_with_tls`](Self::connect_with_tls) for others.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] (only `http://` and `https://` are supported),
    /// [`Error::TlsNotEnabled`], [`Error::Tls`], [`Error::Io`].
    pub fn connect(url: &str, admin_secret: &str) -> Result<Self, Error> {
        Self::connect_with_tls(url, admin_secret, &TlsConfig::default())
    }

    /// Connects to the Admin API, over `https://` trusting what `tls` says (e.g. a
    /// self-signed certificate).
    ///
    /// ```no_run
    /// use janus_signal_socket::{AdminClient, TlsConfig};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let tls = TlsConfig::default().with_root_pem(std::fs::read("janus-cert.pem")?);
    /// let mut admin = AdminClient::connect_with_tls("https://127.0.0.1:7889/admin", "janusoverlord", &tls)?;
    /// println!("{:?}", admin.list_sessions()?);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`connect`](Self::connect).
    pub fn connect_with_tls(url: &str, admin_secret: &str, tls: &TlsConfig) -> Result<Self, Error> {
        let endpoint = Endpoint::parse(url)?;
        if endpoint.websocket {
            return Err(Error::InvalidUrl(url.to_owned()));
        }
        let dialer = Dialer::new(&endpoint, tls, Duration::from_secs(5))?;
        // Without a path (or just `/`): the Admin API's default base path.
        let has_path = url.split_once("://").is_some_and(|(_, rest)| rest.trim_end_matches('/').contains('/'));
        let path = if has_path { endpoint.path } else { "/admin".to_owned() };
        let http = HttpTransport::new(dialer, path, 4 << 20)?;
        log::info!("connected to the Janus Admin API at {url}");
        let seed = u64::from(std::process::id()) ^ 0xAD_0000;
        Ok(Self {
            url: url.to_owned(),
            http,
            secret: admin_secret.to_owned(),
            ids: TransactionIds::new(seed),
            timeout: Duration::from_secs(10),
        })
    }

    fn next_id(&mut self) -> RequestId {
        self.ids.next_id()
    }

    fn call<F: ?Sized + Serialize>(&mut self, request: AdminRequest<'_, F>) -> Result<OwnedMessage, Error> {
        let request = request.with_secret(&self.secret);
        let mut out = vec![0u8; 4096];
        let n = match request.encode(&mut out) {
            Ok(n) => n,
            Err(janus_signal::EncodeError::BufferTooSmall { needed, .. }) => {
                out.resize(needed, 0);
                request.encode(&mut out).map_err(Error::Encode)?
            }
            Err(e) => return Err(Error::Encode(e)),
        };
        let route = Route::of(&request);
        // Never the body: it carries the `admin_secret`.
        log::debug!("{}: → {} (transaction {}, {n} bytes)", self.url, request.name(), request.transaction().as_str());
        let mut body = Vec::new();
        let status = self.http.request(&route, &out[..n], StdInstant::now() + self.timeout, &mut body)?;
        if status != 200 {
            return Err(Error::HttpStatus(status));
        }
        let reply = OwnedMessage::decode(body)?;
        log::trace!("{}: ← {}", self.url, reply.kind());
        answer(RequestKind::Custom, reply.message()).map_err(Error::refused)?;
        Ok(reply)
    }

    /// `ping`.
    ///
    /// # Errors
    ///
    /// Transport errors, [`Error::Janus`].
    pub fn ping(&mut self) -> Result<(), Error> {
        let id = self.next_id();
        self.call(AdminRequest::ping(tx(&id))).map(drop)
    }

    /// `list_sessions`: the ids of all sessions.
    ///
    /// # Errors
    ///
    /// Transport errors, [`Error::Janus`] (403 with a wrong secret).
    pub fn list_sessions(&mut self) -> Result<Vec<SessionId>, Error> {
        let id = self.next_id();
        let reply = self.call(AdminRequest::list_sessions(tx(&id)))?;
        Ok(AdminReply::of(&reply.message()).and_then(|r| r.sessions()).map(Iterator::collect).unwrap_or_default())
    }

    /// `list_handles` of a session.
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions); 458 for an unknown session.
    pub fn list_handles(&mut self, session: SessionId) -> Result<Vec<HandleId>, Error> {
        let id = self.next_id();
        let reply = self.call(AdminRequest::list_handles(tx(&id), session))?;
        Ok(AdminReply::of(&reply.message()).and_then(|r| r.handles()).map(Iterator::collect).unwrap_or_default())
    }

    /// `handle_info`: everything Janus knows about a handle (its `info` object).
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions).
    pub fn handle_info(&mut self, session: SessionId, handle: HandleId) -> Result<OwnedMessage, Error> {
        let id = self.next_id();
        self.call(AdminRequest::handle_info(tx(&id), session, handle, false))
    }

    /// `add_token`, optionally limited to `plugins`.
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions).
    pub fn add_token(&mut self, token: &str, plugins: &[&str]) -> Result<(), Error> {
        let id = self.next_id();
        self.call(AdminRequest::add_token(tx(&id), token, plugins)).map(drop)
    }

    /// `remove_token`.
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions).
    pub fn remove_token(&mut self, token: &str) -> Result<(), Error> {
        let id = self.next_id();
        self.call(AdminRequest::remove_token(tx(&id), token)).map(drop)
    }

    /// `list_tokens`: the stored tokens.
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions).
    pub fn list_tokens(&mut self) -> Result<Vec<String>, Error> {
        let id = self.next_id();
        let reply = self.call(AdminRequest::list_tokens(tx(&id)))?;
        let tokens = AdminReply::of(&reply.message()).and_then(|r| r.tokens());
        Ok(tokens.map(|t| t.map(|t| t.token.to_string()).collect()).unwrap_or_default())
    }

    /// `destroy_session`: ends `session` (whatever connection carries it).
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions); 458 for an unknown session.
    pub fn destroy_session(&mut self, session: SessionId) -> Result<(), Error> {
        let id = self.next_id();
        self.call(AdminRequest::destroy_session(tx(&id), session)).map(drop)
    }

    /// `set_session_timeout` of one session: Janus ends it after `seconds` without traffic
    /// (0: never).
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions); 458 for an unknown session.
    pub fn set_session_timeout(&mut self, session: SessionId, seconds: u64) -> Result<(), Error> {
        #[derive(Serialize)]
        struct Timeout {
            timeout: u64,
        }
        let id = self.next_id();
        let fields = Timeout { timeout: seconds };
        self.call(AdminRequest::custom(tx(&id), "set_session_timeout", &fields).on_session(session)).map(drop)
    }

    /// Any other Admin request, with `fields` at the top level of the request.
    ///
    /// # Errors
    ///
    /// As [`list_sessions`](Self::list_sessions).
    pub fn custom<F: ?Sized + Serialize>(&mut self, name: &str, fields: &F) -> Result<OwnedMessage, Error> {
        let id = self.next_id();
        self.call(AdminRequest::custom(tx(&id), name, fields))
    }
}

fn tx(id: &RequestId) -> Transaction<'_> {
    // Generated ids are twelve alphanumerics: always a valid transaction.
    Transaction::new(id.as_str()).unwrap_or_else(|_| unreachable!("generated transaction ids are valid"))
}
