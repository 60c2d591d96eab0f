//! Drivers: the [`Client`](crate::client::Client) run over real byte streams.
//!
//! Two drivers run a whole Janus session over Janus's HTTP transport on [`embedded_io`] byte
//! streams, with buffers the caller owns and a clock the caller provides:
//!
//! - [`HttpDriver`] uses two keep-alive connections: one for requests (POSTs), one for the
//!   session's long poll, so a request can be sent while the long poll waits. Its blocking
//!   calls are what a firmware main loop with an RTOS or a desktop thread uses;
//!   [`HttpDriver::step`] is the one non-blocking entry point ([`nb`]) for super-loops.
//! - [`HttpSingleDriver`] uses **one** keep-alive connection and one buffer, for links that
//!   carry a single byte stream (a UART bridged to TCP, a modem with one socket). Requests and
//!   the long poll take turns: a POST is sent and its response read; the long poll
//!   (`GET <base>/<session>?maxev=N`) is sent only when the caller waits for events, and
//!   never while a POST is outstanding. While it waits, nothing else can be sent (Janus
//!   answers an idle long poll after 30 s).
//!
//! Timeouts of the streams themselves belong to the platform: embedded-io has no notion of a
//! deadline, so a driver cannot tell a slow server from a dead one on its own.

mod blocking;
mod flow;
mod http;
mod link;
mod single;
mod websocket;

pub use blocking::{Command, Driver};
pub use http::{Buffers, Clock, DriverError, HttpDriver, HttpEndpoint};
pub use link::{Link, Received, Sink};
pub use single::HttpSingleDriver;
pub use websocket::{WebSocketError, WebSocketLink};
