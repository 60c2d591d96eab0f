//! Drivers: the [`Client`](crate::client::Client) run over real byte streams.
//!
//! [`HttpDriver`] runs a whole Janus session over Janus's HTTP transport on any pair of
//! [`embedded_io`] byte streams (one keep-alive connection for requests, one for the
//! session's long poll), with buffers the caller owns and a clock the caller provides. Its
//! blocking calls are what a firmware main loop with an RTOS or a desktop thread uses;
//! [`HttpDriver::step`] is the one non-blocking entry point ([`nb`]) for super-loops.
//!
//! Timeouts of the streams themselves belong to the platform: embedded-io has no notion of a
//! deadline, so a driver cannot tell a slow server from a dead one on its own.

mod http;

pub use http::{Buffers, Clock, DriverError, HttpDriver, HttpEndpoint};
