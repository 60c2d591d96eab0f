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
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidUrl(url.to_owned());
        let schemes =
            [("ws://", true, false), ("wss://", true, true), ("http://", false, false), ("https://", false, true)];
        let Some((websocket, secure, rest)) = schemes
            .iter()
            .find_map(|&(scheme, websocket, secure)| url.strip_prefix(scheme).map(|rest| (websocket, secure, rest)))
        else {
            return Err(invalid());
        };
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        if authority.is_empty() {
            return Err(invalid());
        }
        // Janus's defaults: HTTP 8088, HTTPS 8089, WebSocket 8188, secure WebSocket 8989.
        let default_port = match (websocket, secure) {
            (false, false) => 8088,
            (false, true) => 8089,
            (true, false) => 8188,
            (true, true) => 8989,
        };
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(host, port)| port.parse::<u16>().is_ok() && (!host.starts_with('[') || host.ends_with(']')));
        let authority = if has_port { authority.to_owned() } else { format!("{authority}:{default_port}") };
        let host = authority.rsplit_once(':').map_or(authority.as_str(), |(host, _)| host);
        let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host).to_owned();
        if host.is_empty() {
            return Err(invalid());
        }
        let path = if path.is_empty() && !websocket { "/janus".to_owned() } else { format!("/{path}") };
        Ok(Self { url: url.to_owned(), websocket, secure, authority, host, path })
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
