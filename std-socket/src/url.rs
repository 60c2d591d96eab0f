//! The two URL shapes the clients accept.

use crate::Error;

/// Where Janus listens, from a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `ws` (true) or `http`.
    pub(crate) websocket: bool,
    /// `host:port`, for connecting and for the `Host` header.
    pub(crate) authority: String,
    /// The path: `/janus` for HTTP, usually `/` for WebSocket.
    pub(crate) path: String,
}

impl Endpoint {
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let invalid = || Error::InvalidUrl(url.to_owned());
        let (websocket, rest) = if let Some(rest) = url.strip_prefix("ws://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(invalid());
        };
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        if authority.is_empty() {
            return Err(invalid());
        }
        let default_port = if websocket { 8188 } else { 8088 };
        let authority = if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
            authority.to_owned()
        } else {
            format!("{authority}:{default_port}")
        };
        let path = if path.is_empty() && !websocket { "/janus".to_owned() } else { format!("/{path}") };
        Ok(Self { websocket, authority, path })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let e = Endpoint::parse("http://127.0.0.1:8088/janus").unwrap();
        assert_eq!((e.websocket, e.authority.as_str(), e.path.as_str()), (false, "127.0.0.1:8088", "/janus"));
        let e = Endpoint::parse("ws://localhost").unwrap();
        assert_eq!((e.websocket, e.authority.as_str(), e.path.as_str()), (true, "localhost:8188", "/"));
        assert!(Endpoint::parse("https://x").is_err());
        assert!(Endpoint::parse("ws://").is_err());
    }
}
