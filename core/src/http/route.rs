//! Where requests go, and the request head.

use crate::auth::Auth;
use crate::bytes::ByteWriter;
use crate::error::EncodeError;
use crate::ids::{HandleId, SessionId};

/// The HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Method {
    /// `GET` (long polls).
    Get,
    /// `POST` (requests).
    Post,
}

/// Where a request goes over HTTP. Over WebSocket every request goes down the socket and the
/// ids travel in the body, so routes only matter to the HTTP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Route {
    /// `POST <base>[/<session>[/<handle>]]` on the Janus API.
    Janus {
        /// The session of the request, if any.
        session: Option<SessionId>,
        /// The handle of the request, if any (needs a session).
        handle: Option<HandleId>,
    },
    /// `POST <admin base>[/<session>[/<handle>]]` on the Admin API.
    Admin {
        /// The session of the request, if any.
        session: Option<SessionId>,
        /// The handle of the request, if any (needs a session).
        handle: Option<HandleId>,
    },
    /// `GET <base>/<session>?maxev=N`: the session's long poll.
    LongPoll {
        /// The session whose events to fetch.
        session: SessionId,
        /// How many events one answer may carry (1 gives a single object, more an array).
        maxev: u8,
    },
}

// `Route::of` (the route of a request) is with the client, which knows both requests and
// routes: the framing here takes plain values only.
impl Route {
    /// `GET` for long polls, `POST` otherwise.
    #[must_use]
    pub const fn method(&self) -> Method {
        match self {
            Self::LongPoll { .. } => Method::Get,
            Self::Janus { .. } | Self::Admin { .. } => Method::Post,
        }
    }
}

/// Writes the path (and query) of `route` under `base` (e.g. `/janus` or `/admin`: the caller
/// picks the base that matches the route's API). Credentials go in the query of long polls
/// only; requests carry them in their body.
///
/// # Errors
///
/// [`EncodeError::BufferTooSmall`] with the exact size needed.
pub fn write_path(out: &mut [u8], base: &str, route: &Route, auth: &Auth<'_>) -> Result<usize, EncodeError> {
    let mut w = ByteWriter::new(out);
    path(&mut w, base, route, auth);
    w.finish()
}

fn path(w: &mut ByteWriter<'_>, base: &str, route: &Route, auth: &Auth<'_>) {
    w.bytes(base.trim_end_matches('/').as_bytes());
    let (session, handle) = match *route {
        Route::Janus { session, handle } | Route::Admin { session, handle } => (session, handle),
        Route::LongPoll { session, .. } => (Some(session), None),
    };
    if let Some(session) = session {
        w.byte(b'/');
        w.u64(session.0);
        if let Some(handle) = handle {
            w.byte(b'/');
            w.u64(handle.0);
        }
    }
    if let Route::LongPoll { maxev, .. } = *route {
        w.bytes(b"?maxev=");
        w.u64(u64::from(maxev.max(1)));
        for (key, value) in [("apisecret", auth.apisecret), ("token", auth.token)] {
            if let Some(value) = value {
                w.byte(b'&');
                w.bytes(key.as_bytes());
                w.byte(b'=');
                percent_encode(w, value);
            }
        }
    }
}

/// Query values are percent-encoded except for RFC 3986's unreserved characters: HMAC
/// tokens carry `+`, `/`, `=`, `,` and `:`, and a raw `+` would reach Janus as a space.
fn percent_encode(w: &mut ByteWriter<'_>, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            w.byte(b);
        } else {
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
            w.bytes(&[b'%', hi, lo]);
        }
    }
}

/// Writes an HTTP/1.1 request head for `route`: request line, `Host`, and for `POST`s
/// `Content-Type: application/json` and `Content-Length: body_len`. The body follows it on the
/// wire. The connection is kept alive (HTTP/1.1's default).
///
/// # Errors
///
/// [`EncodeError::BufferTooSmall`] with the exact size needed.
pub fn write_request_head(
    out: &mut [u8],
    host: &str,
    base: &str,
    route: &Route,
    auth: &Auth<'_>,
    body_len: usize,
) -> Result<usize, EncodeError> {
    let mut w = ByteWriter::new(out);
    head(&mut w, host, base, route, auth, body_len);
    w.finish()
}

/// The exact length of the head [`write_request_head`] writes with the same arguments, to
/// size a buffer by: a long poll's head carries the credentials, percent-encoded (up to three
/// bytes for each of theirs), in its query.
#[must_use]
pub fn request_head_len(host: &str, base: &str, route: &Route, auth: &Auth<'_>, body_len: usize) -> usize {
    let mut w = ByteWriter::new(&mut []);
    head(&mut w, host, base, route, auth, body_len);
    w.len()
}

fn head(w: &mut ByteWriter<'_>, host: &str, base: &str, route: &Route, auth: &Auth<'_>, body_len: usize) {
    let method = route.method();
    w.bytes(match method {
        Method::Get => b"GET ",
        Method::Post => b"POST ",
    });
    path(w, base, route, auth);
    w.bytes(b" HTTP/1.1\r\nHost: ");
    w.bytes(host.as_bytes());
    w.bytes(b"\r\n");
    if method == Method::Post {
        w.bytes(b"Content-Type: application/json\r\nContent-Length: ");
        w.u64(u64::try_from(body_len).unwrap_or(u64::MAX));
        w.bytes(b"\r\n");
    }
    w.bytes(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(route: &Route, auth: &Auth<'_>) -> std::string::String {
        let mut out = [0u8; 128];
        let n = write_path(&mut out, "/janus", route, auth).unwrap();
        std::string::String::from_utf8(out[..n].to_vec()).unwrap()
    }

    #[test]
    fn paths_follow_the_ids() {
        let none = Auth::none();
        assert_eq!(path_of(&Route::Janus { session: None, handle: None }, &none), "/janus");
        assert_eq!(path_of(&Route::Janus { session: Some(SessionId(5)), handle: None }, &none), "/janus/5");
        let on_handle = Route::Janus { session: Some(SessionId(5)), handle: Some(HandleId(6)) };
        assert_eq!(path_of(&on_handle, &none), "/janus/5/6");
        let admin = Route::Admin { session: Some(SessionId(5)), handle: Some(HandleId(6)) };
        assert_eq!(path_of(&admin, &none), "/janus/5/6");
        // A handle without a session has no path of its own.
        assert_eq!(path_of(&Route::Janus { session: None, handle: Some(HandleId(6)) }, &none), "/janus");
        assert_eq!(path_of(&Route::LongPoll { session: SessionId(5), maxev: 0 }, &none), "/janus/5?maxev=1");
    }

    #[test]
    fn long_poll_credentials_are_percent_encoded() {
        let auth = Auth { apisecret: Some("s3 cr+t"), token: Some("1700000000,janus,janus.plugin.echotest:aB+/=") };
        assert_eq!(
            path_of(&Route::LongPoll { session: SessionId(7), maxev: 10 }, &auth),
            "/janus/7?maxev=10&apisecret=s3%20cr%2Bt&token=1700000000%2Cjanus%2Cjanus.plugin.echotest%3AaB%2B%2F%3D"
        );
    }

    #[test]
    fn head_len_is_exact_even_for_the_longest_credentials() {
        let secret: std::string::String = "+/=:, ".chars().cycle().take(128).collect();
        let auth = Auth { apisecret: Some(&secret), token: Some(&secret) };
        let route = Route::LongPoll { session: SessionId(u64::MAX), maxev: u8::MAX };
        let needed = request_head_len("127.0.0.1:8088", "/janus", &route, &auth, 0);
        // Every credential byte takes three in the query: far beyond a fixed 256 or 512.
        assert!(needed > 2 * 3 * 128, "{needed}");
        let mut out = std::vec![0u8; needed];
        assert_eq!(write_request_head(&mut out, "127.0.0.1:8088", "/janus", &route, &auth, 0), Ok(needed));
        assert_eq!(
            write_request_head(&mut out[..needed - 1], "127.0.0.1:8088", "/janus", &route, &auth, 0),
            Err(EncodeError::BufferTooSmall { needed, available: needed - 1 })
        );
        let post = Route::Janus { session: Some(SessionId(1)), handle: None };
        let written = write_request_head(&mut out, "h", "/janus", &post, &auth, 10).unwrap();
        assert_eq!(request_head_len("h", "/janus", &post, &auth, 10), written);
    }

    #[test]
    fn post_head() {
        let mut out = [0u8; 256];
        let route = Route::Janus { session: Some(SessionId(1)), handle: Some(HandleId(2)) };
        let n = write_request_head(&mut out, "127.0.0.1:8088", "/janus/", &route, &Auth::none(), 86).unwrap();
        assert_eq!(
            &out[..n],
            b"POST /janus/1/2 HTTP/1.1\r\nHost: 127.0.0.1:8088\r\nContent-Type: application/json\r\nContent-Length: 86\r\n\r\n"
        );
        let mut small = [0u8; 10];
        assert_eq!(
            write_request_head(&mut small, "127.0.0.1:8088", "/janus", &route, &Auth::none(), 86),
            Err(EncodeError::BufferTooSmall { needed: n, available: 10 })
        );
    }
}
