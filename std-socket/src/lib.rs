//! Blocking `std::net` transports for the [`janus_signal`] core.
//!
//! **Not built yet.** This crate will hold the hand-written HTTP/1.1 long-poll client and the
//! WebSocket client (tungstenite, `janus-protocol` subprotocol) that drive the sans-IO core over
//! `std::net::TcpStream`. Until then it only re-exports the core so that the workspace layout is
//! in place.
#![forbid(unsafe_code)]

pub use janus_signal as core_codec;
