//! Allocation-free, `no_std` core of a client for the [Janus] WebRTC server's signaling API.
//!
//! This crate turns typed Janus requests into bytes and Janus replies and events back into
//! typed values, borrowing from the caller's buffers. It never allocates, never touches a
//! socket or a clock, and never panics on input.
//!
//! # Layers
//!
//! Each layer uses only the ones above it; take as much as you need.
//!
//! - [`json`]: a validating, depth-limited JSON scanner ([`json::RawJson`]) that hands out
//!   borrowed spans, escaped text that is unescaped on demand ([`json::JsonStr`]), and a
//!   JSON writer that serialises requests and the caller's own [`serde::Serialize`] types into
//!   a `&mut [u8]`.
//! - [`request`]: one type per Janus request (`create`, `attach`, `message`, `trickle`, …, and
//!   the Admin API), each encoded into a caller buffer with
//!   [`Request::encode`](request::Request::encode). A transaction is mandatory by construction.
//! - [`message`]: [`Message::decode`](message::Message::decode) turns one JSON object from
//!   Janus into a typed [`Message`](message::Message); [`message::Batch`] iterates the arrays a
//!   long poll with `maxev` returns.
//! - [`plugin`]: typed requests and events of the echotest, videoroom, streaming and textroom
//!   plugins, read from a message's plugin data.
//! - [`webrtc`]: glue between a WebRTC stack and the signaling: an SDP reader
//!   ([`webrtc::Sdp`]), candidate lines, the stack's candidates as `trickle` requests, Janus's
//!   descriptions and `trickle` events for the stack.
//! - [`http`]: HTTP/1.1 for Janus's REST transport without I/O: routes, request heads (sized
//!   exactly with [`http::request_head_len`]), a response reader that keeps its progress
//!   across reads ([`http::ResponseReader`]) and a one-shot [`http::parse_response`]. It
//!   takes plain values (ids, credentials), not requests; the client layer adds
//!   [`Route::of`](http::Route::of), a request's route.
//! - [`client`]: the sans-IO state machine of one session ([`client::Client`]): handles,
//!   pending transactions, event-before-ack, keepalives, request timeouts, claim. It writes
//!   requests into your buffer and reads the messages you feed it.
//! - [`ws`]: WebSocket (RFC 6455) client framing without I/O: the opening handshake, masked
//!   frames (written in place), an incremental frame reader.
//! - [`driver`]: the client run over real byte streams. [`driver::Driver`] is the one loop
//!   over any [`driver::Link`]: HTTP with its long poll on [`embedded_io`] streams
//!   ([`driver::HttpLink`] with two connections, [`driver::HttpSingleLink`] with one, e.g. a
//!   UART), or a message socket ([`driver::WebSocketLink`]). The desktop crate
//!   `janus-signal-socket` implements a `Link` over `std::net` and runs the same `Driver`.
//!
//! # The poll contract
//!
//! The [`client::Client`] never blocks and never reads a clock. After any call into it, drain
//! [`poll_transmit`](client::Client::poll_transmit) (bytes it wants sent: keepalives, the long
//! poll) and [`poll_event`](client::Client::poll_event) (timeouts, sessions that ended), and
//! call [`handle_timeout`](client::Client::handle_timeout) no later than
//! [`poll_timeout`](client::Client::poll_timeout) says. Every body received goes to
//! [`handle_input`](client::Client::handle_input), which returns one
//! [`Output`](client::Output) per message (a reply to your request, an event for a handle, or
//! why it was ignored). The table in [`client`] lists every call; [`driver::Driver`] is that
//! loop, written once, with its own contract on one screen in [`driver`].

//! # Example
//!
//! ```
//! use janus_signal::message::Message;
//! use janus_signal::request::{CreateSession, Request};
//! use janus_signal::Transaction;
//!
//! let mut out = [0u8; 128];
//! let tx = Transaction::new("tx-1").unwrap();
//! let n = CreateSession::new(tx).encode(&mut out).unwrap();
//! assert_eq!(&out[..n], br#"{"janus":"create","transaction":"tx-1"}"#);
//!
//! let reply = br#"{"janus":"success","transaction":"tx-1","data":{"id":8374001098332022}}"#;
//! match Message::decode(reply).unwrap() {
//!     Message::Success(s) => assert_eq!(s.id(), Some(8374001098332022)),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```
//!
//! # Not supported
//!
//! - Nothing here owns memory: messages borrow the bytes they were decoded from.
//! - No TLS in this crate: firmware brings its own (or talks plain HTTP or WebSocket on a
//!   trusted network); `janus-signal-socket` has it for desktop programs.
//! - One [`client::Client`] tracks one session; run several for several sessions.
//! - Transaction strings are at most 64 bytes of text that needs no JSON escaping.
//! - Plugins other than the four in [`plugin`] are reached through
//!   [`request::PluginMessage`] with your own body type and [`json::RawJson`] for their data.
//! - JSON nesting deeper than [`json::MAX_DEPTH`] is rejected rather than recursed into.
//! - Numbers are kept as text until a typed accessor reads them; Janus ids are `u64`, never
//!   floating point.
//!
//! # Cargo features
//!
//! - `defmt`: [`defmt::Format`](https://docs.rs/defmt) for the errors, ids, times and the
//!   client's events and outputs that carry no borrowed JSON, for firmware that logs with
//!   defmt. Off by default; when off it adds no code and no dependency.
//!
//! MSRV: Rust 1.88 (required by `heapless` 0.9), declared; CI builds with the current stable.
//!
//! [Janus]: https://janus.conf.meetecho.com/
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): label the items that need a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// std and alloc are unreachable here anyway; these keep imports honest for readers.
#![deny(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(test)]
extern crate std;

mod auth;
mod bytes;
pub mod client;
pub mod driver;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[allow(missing_docs, clippy::panic)]
pub mod fuzzing;
pub mod http;
mod ids;
pub mod json;
pub mod message;
mod num;
pub mod plugin;
pub mod request;
pub mod time;
pub mod webrtc;
pub mod ws;

pub use error::{DecodeError, EncodeError};
pub use ids::{HandleId, InvalidTransaction, MAX_TRANSACTION_LEN, SessionId, Transaction};
pub use time::{Duration, Instant};

/// The Rust examples of the repository's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
