//! Blocking Janus clients over plain `std::net::TcpStream`, driving the sans-IO
//! [`janus_signal`] core: hand-written HTTP/1.1 to the REST API with a long poll, or a
//! WebSocket (tungstenite, subprotocol `janus-protocol`). No async runtime, no HTTP client
//! library; all protocol logic is the core's.
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
#![forbid(unsafe_code)]

mod admin;
mod error;
mod http;
mod janus;
mod url;
mod ws;

pub use admin::AdminClient;
pub use error::Error;
pub use janus::{Event, Janus, Options, OwnedMessage};
pub use janus_signal;
