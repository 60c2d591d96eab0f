//! HTTP/1.1 for Janus's REST transport, still without I/O: where each request goes, the
//! request head, and an incremental response reader over the caller's buffer.
//!
//! Janus's HTTP transport puts the ids in the path (`POST /janus`, `/janus/<session>`,
//! `/janus/<session>/<handle>`) and delivers events to a long poll
//! (`GET /janus/<session>?maxev=N`, credentials in the query). Its responses are framed with
//! `Transfer-Encoding: chunked` (upper-case hex sizes) or `Content-Length`, on the same
//! keep-alive connection, and statuses other than 200 come with empty bodies.
//!
//! ```
//! use janus_signal::http::{parse_response, write_request_head, Method, Route};
//! use janus_signal::request::Auth;
//! use janus_signal::SessionId;
//!
//! let mut head = [0u8; 256];
//! let route = Route::LongPoll { session: SessionId(42), maxev: 5 };
//! let n = write_request_head(&mut head, "127.0.0.1:8088", "/janus", &route, &Auth::none(), 0).unwrap();
//! assert_eq!(&head[..n], b"GET /janus/42?maxev=5 HTTP/1.1\r\nHost: 127.0.0.1:8088\r\n\r\n");
//!
//! let mut received = *b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n1\r\n]\r\n0\r\n\r\n";
//! let response = parse_response(&mut received, false).unwrap().unwrap();
//! assert_eq!((response.status, response.body), (200, &b"[1,2]"[..]));
//! ```

mod response;
mod route;

pub(crate) use response::contains_token;
pub use response::{HttpError, Response, ResponseReader, parse_response};
pub use route::{Method, Route, request_head_len, write_path, write_request_head};
