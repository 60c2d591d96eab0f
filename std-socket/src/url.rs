//! The URL shapes the clients accept: `http://`, `https://`, `ws://` and `wss://`.

use crate::Error;

/// Where Janus listens, from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The URL as the caller wrote it (for errors, logs and [`crate::Janus::server_url`]).
    pub(crate) url: String,
    /// `ws`/`wss` (true) or `http`/`https`.
    pub(crate) websocket: bool,
    /// `https`/`wss`: TLS over the TCP connection.
    pub(crate) secure: bool,
    /// `host:port`, for connecting and for the `Host` header.
    pub(crate) authority: String,
    /// The host alone (no port, no IPv6 brackets): the TLS server name.
    pub(crate) host: String,
    /// The path: `/janus` for HTTP, usually `/` for WebSocket.
    pub(crate) path: String,
}

impl Endpoint {
    /// Reads `url` with [`http::Uri`] (RFC 3986, the parser tungstenite uses too): one of the
    /// four schemes, a host, Janus's default port for the scheme when none is given, the path
    /// (`/janus` for HTTP when empty, `/` for WebSocket).
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidUrl(url.to_owned());
        let uri: http::Uri = url.parse().map_err(|_| invalid())?;
        // Janus's defaults: HTTP 8088, HTTPS 8089, WebSocket 8188, secure WebSocket 8989.
        let (websocket, secure, default_port) = match uri.scheme_str() {
            Some("http") => (false, false, 8088),
            Some("https") => (false, true, 8089),
            Some("ws") => (true, false, 8188),
            Some("wss") => (true, true, 8989),
            _ => return Err(invalid()),
        };
        // `Uri::host` keeps an IPv6 address in its brackets: the TLS server name goes without.
        let bracketed = uri.host().filter(|h| !h.is_empty()).ok_or_else(invalid)?;
        let host = bracketed.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(bracketed);
        let authority = format!("{bracketed}:{}", uri.port_u16().unwrap_or(default_port));
        let path = match uri.path() {
            "" | "/" if !websocket => "/janus",
            "" => "/",
            path => path,
        };
        Ok(Self { url: url.to_owned(), websocket, secure, authority, host: host.to_owned(), path: path.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (bool, bool, String, String, String) {
        let e = Endpoint::parse(url).unwrap();
        assert_eq!(e.url, url);
        (e.websocket, e.secure, e.authority, e.host, e.path)
    }

    #[test]
    fn urls() {
        let s = String::from;
        assert_eq!(
            parts("http://127.0.0.1:8088/janus"),
            (false, false, s("127.0.0.1:8088"), s("127.0.0.1"), s("/janus"))
        );
        assert_eq!(parts("ws://localhost"), (true, false, s("localhost:8188"), s("localhost"), s("/")));
        assert_eq!(
            parts("https://janus.example"),
            (false, true, s("janus.example:8089"), s("janus.example"), s("/janus"))
        );
        assert_eq!(
            parts("wss://janus.example/ws"),
            (true, true, s("janus.example:8989"), s("janus.example"), s("/ws"))
        );
        assert_eq!(parts("wss://[::1]:9000"), (true, true, s("[::1]:9000"), s("::1"), s("/")));
        assert_eq!(parts("https://[::1]"), (false, true, s("[::1]:8089"), s("::1"), s("/janus")));
        for bad in ["ftp://x", "ws://", "https://", "wss://:8989", "127.0.0.1:8088", ""] {
            assert!(matches!(Endpoint::parse(bad), Err(Error::InvalidUrl(u)) if u == bad), "{bad}");
        }
    }
}
