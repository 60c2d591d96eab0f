//! Allocation-free, `no_std` core of a client for the [Janus] WebRTC server's signaling API.
//!
//! This crate turns typed Janus requests into bytes and Janus replies and events back into
//! typed values, borrowing from the caller's buffers. It never allocates, never touches a
//! socket or a clock, and never panics on input.
//!
//! # Layers
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
//!
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
//! # Non-features
//!
//! - Nothing here owns memory: messages borrow the bytes they were decoded from.
//! - JSON nesting deeper than [`json::MAX_DEPTH`] is rejected rather than recursed into.
//! - Numbers are kept as text until a typed accessor reads them; Janus ids are `u64`, never
//!   floating point.
//!
//! MSRV: Rust 1.88 (required by `heapless` 0.9).
//!
//! [Janus]: https://janus.conf.meetecho.com/
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
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
pub mod plugin;
pub mod request;
pub mod time;

pub use error::{DecodeError, EncodeError};
pub use ids::{HandleId, InvalidTransaction, MAX_TRANSACTION_LEN, SessionId, Transaction};
pub use time::{Duration, Instant};

/// The Rust examples of the repository's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
