//! Drivers: the [`Client`](crate::client::Client) run over real byte streams.
//!
//! # The poll contract
//!
//! [`Driver`] is the one loop, whatever carries the bytes. It owns a [`Machine`] (one
//! session's [`Client`](crate::client::Client), or many sessions'
//! [`Sessions`](crate::client::Sessions) on one connection), a [`Link`] and a [`Clock`]; a
//! [`Sink`] of the caller's takes what it receives.
//!
//! | the caller | the driver |
//! |---|---|
//! | [`call`](Driver::call)`(command, until, sink, on_answer)` | runs the command on the client into [`Link::tx`] (grown with [`Link::grow_tx`] if the request needs more), [`Link::send`]s it, then runs rounds until the request ends: its answer goes to `on_answer` as a success or a typed [`Refusal`](crate::client::Refusal), its timeout or abandonment is a [`CallError`] |
//! | [`poll`](Driver::poll)`(until, sink)` | one round: expires requests; sends the client's own traffic (the HTTP long poll by [`Link::start_long_poll`], keepalives by [`Link::send`]); waits in [`Link::receive`] until `until` or the client's next timer; feeds the body to the client |
//! | [`start`](Driver::start)`(command, until, sink)`, [`step`](Driver::step)`(sink)` | for loops that must not block: sends a request and returns its id (its answer comes to the sink later); one round that returns `WouldBlock` while the HTTP long poll's answer is incomplete |
//! | [`transport_lost`](Driver::transport_lost), [`replace_link`](Driver::replace_link), [`reconnect_link`](Driver::reconnect_link) | the connection broke (pending requests are abandoned, the session can be claimed); a new one |
//!
//! Every [`Output`](crate::client::Output) of a received message and every client
//! [`Event`](crate::client::Event) goes to the sink, so a caller that only polls misses
//! nothing; answers also go to their call. A link implements four calls: where requests are
//! written, how one is sent (HTTP: a POST whose response is ready at once; WebSocket: one
//! frame), how the long poll starts (HTTP only; a link with one connection reads its answer at
//! once), and how to wait for the next body. On top of `call`, the common requests are one
//! call each, with Janus's refusals as [`CallError`]s: [`create_session`](Driver::create_session),
//! [`attach`](Driver::attach), [`message`](Driver::message), [`keepalive`](Driver::keepalive),
//! [`detach`](Driver::detach), [`destroy_session`](Driver::destroy_session)… (the firmware
//! example's whole session).
//!
//! The links of this crate, each on `embedded-io` streams and the caller's buffers, without
//! allocating:
//!
//! - [`HttpLink`]: Janus's HTTP transport on two keep-alive connections, one for requests
//!   (POSTs), one for the session's long poll, so a request can be sent while the long poll
//!   waits. [`Driver::step`] is the one non-blocking entry point ([`nb`]) for super-loops.
//! - [`HttpSingleLink`]: the same on **one** connection and one buffer, for links that carry
//!   a single byte stream (a UART bridged to TCP, a modem with one socket): requests and the
//!   long poll take turns, and the long poll is sent only while the driver waits for events
//!   (the firmware example).
//! - [`WebSocketLink`]: the WebSocket transport on one stream (the desktop loop in
//!   `examples/driver_loop.rs` runs it on a `TcpStream`).
//!
//! `janus-signal-socket` implements [`Link`] over `std::net` and TLS for HTTP (with its long
//! poll) and for WebSocket (tungstenite): its `Janus` is this driver.
//!
//! Timeouts of the streams themselves belong to the platform: embedded-io has no notion of a
//! deadline, so a driver cannot tell a slow server from a dead one on its own.

mod blocking;
mod calls;
mod http;
mod link;
mod machine;
mod single;
mod websocket;

pub use blocking::{CallError, Command, Driver};
pub use http::{Buffers, Clock, HttpEndpoint, HttpLink, HttpLinkError};
pub use link::{Link, Received, Sink};
pub use machine::Machine;
pub use single::HttpSingleLink;
pub use websocket::{WebSocketError, WebSocketLink};
