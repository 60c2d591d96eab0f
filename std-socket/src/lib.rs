//! Blocking Janus clients over `std::net::TcpStream`, driving the sans-IO [`janus_signal`]
//! core: hand-written HTTP/1.1 to the REST API with a long poll, or a WebSocket (tungstenite,
//! subprotocol `janus-protocol`). No async runtime, no HTTP client library; all protocol logic
//! is the core's.
//!
//! ```no_run
//! use janus_signal_socket::{Janus, Options};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), janus_signal_socket::Error> {
//! let mut janus = Janus::connect("ws://127.0.0.1:8188", Options::default())?;
//! janus.create_session()?;
//! let handle = janus.attach("janus.plugin.echotest", None)?;
//! #[derive(serde::Serialize)]
//! struct Echo { audio: bool }
//! let answer = janus.message(handle, &Echo { audio: true })?;
//! println!("{answer}");
//! while let Some(event) = janus.next_event(Duration::from_secs(1))? {
//!     println!("{event:?}");
//! }
//! janus.destroy_session()?;
//! # Ok(())
//! # }
//! ```
//!
//! Choose `ws://` when you can: events are pushed and one socket carries everything. Over
//! `http://` the client keeps one request connection and one long-poll connection per
//! session. Either way the session stays alive only while you call into the client (any call
//! waits, sends keepalives and polls): call [`Janus::next_event`] in a loop.
//!
//! - **TLS** (cargo feature `tls`): `https://` and `wss://` with rustls (ring provider),
//!   trusting the operating system's certificate store by default (`rustls-platform-verifier`:
//!   the Windows and Apple verifiers, the system CA bundle on Linux). Through [`TlsConfig`] in
//!   [`Options::tls`]: Mozilla's roots compiled in instead ([`TrustStore::WebPki`]), a CA file
//!   or PEM roots for a private CA or a self-signed certificate, a client certificate for
//!   mutual TLS, or your own `rustls::ClientConfig`. What goes wrong is a [`TlsError`]
//!   ([`Error::tls_error`]). Without the feature such URLs fail with [`Error::TlsNotEnabled`].
//! - **Several servers**: [`Janus::connect_any`] tries a list in order, in bounded rounds
//!   with a doubling back-off ([`Failover`]); [`Janus::server_url`] says which one answered.
//! - **Reconnecting with failover**: after the connection broke, [`Janus::reconnect_any`]
//!   goes through the same servers within the same bounds ([`Options::failover`]: rounds,
//!   back-off, total time): the server it was on first, then the others in the order given.
//!   A session lives on one Janus only. The first server that accepts a connection is asked to
//!   `claim` the session: the same server still knows it within its
//!   `reclaim_session_timeout` (0 by default: over WebSocket the session dies with its
//!   socket; over HTTP it is not bound to a connection and can be claimed until it times
//!   out), and then the session and every handle are kept ([`Reconnected::Claimed`]). Another
//!   server (or the same one after the reclaim timeout, or after a restart) answers 458: the
//!   session is given up, a new one is created there, and the result says so with the handles
//!   lost ([`Reconnected::NewSession`], [`LostSession`]): attach them again. A server of the
//!   other transport (WebSocket ↔ HTTP) cannot take over the client's session state, so the
//!   session is given up there too ([`LossReason::OtherTransport`]). A session is never
//!   replaced silently: when no server answers the result is [`Error::NoServerReachable`] and
//!   the session is still to be claimed, with its handles, by a later call; or
//!   [`Error::SessionLost`] (with the lost handles) when a server had already said the session
//!   is gone. [`Janus::reconnect`] is the single attempt on the same server, without the claim.
//! - **Logging** through the [`log`](https://docs.rs/log) facade (install any logger to see
//!   it): connects, reconnects and failover at `info`/`warn`, each request's kind at `debug`,
//!   each received message's kind at `trace`. Request bodies are never logged, so neither are
//!   `apisecret`, `token` nor `admin_secret`.
#![forbid(unsafe_code)]
// docs.rs (`--cfg docsrs`, nightly): label the items that need a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod admin;
pub mod connection;
mod error;
mod failover;
#[cfg(test)]
mod fake;
mod http;
mod janus;
mod link;
mod queue;
mod stream;
mod tls;
mod url;
mod ws;

pub use admin::AdminClient;
pub use connection::{Connection, Handle, Session, SessionEvent};
pub use error::Error;
pub use failover::{Failover, LossReason, LostSession, Reconnected, ServerFailure};
pub use janus::{DroppedCounts, Event, Janus, MalformedMessage, Options, OwnedMessage};
pub use janus_signal;
/// The rustls this crate uses (feature `tls`), for [`TlsConfig::with_client_config`].
#[cfg(feature = "tls")]
pub use rustls;
pub use tls::{CertificateProblem, ClientCertificateProblem, TlsConfig, TlsError, TrustStore};

#[cfg(test)]
mod tests;
