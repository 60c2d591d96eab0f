//! The opening handshake (RFC 6455 section 4): the client's `GET` with `Upgrade: websocket`,
//! and the checks of the server's `101` answer.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest as _, Sha1};

use crate::bytes::ByteWriter;
use crate::error::EncodeError;
use crate::http::contains_token;

/// The subprotocol of the Janus API (`janus-admin-protocol` is the Admin API's).
pub const JANUS_PROTOCOL: &str = "janus-protocol";

/// What the server appends to the key before hashing it (RFC 6455 section 1.3).
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Key` of one handshake: 16 random bytes of the caller, base64-encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientKey {
    encoded: [u8; 24],
}

impl ClientKey {
    /// The key made of `random` (fresh random bytes for each connection, as RFC 6455 asks).
    #[must_use]
    pub fn new(random: [u8; 16]) -> Self {
        let mut encoded = [0u8; 24];
        // 16 bytes are always 24 base64 characters.
        let _ = STANDARD.encode_slice(random, &mut encoded);
        Self { encoded }
    }

    /// The key as sent in `Sec-WebSocket-Key`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.encoded).unwrap_or_default()
    }

    /// The `Sec-WebSocket-Accept` the server must answer: base64(SHA-1(key + GUID)).
    #[must_use]
    pub fn expected_accept(&self) -> [u8; 28] {
        let mut hash = Sha1::new();
        hash.update(self.encoded);
        hash.update(ACCEPT_GUID);
        let mut accept = [0u8; 28];
        // 20 bytes of SHA-1 are always 28 base64 characters.
        let _ = STANDARD.encode_slice(hash.finalize(), &mut accept);
        accept
    }
}

/// Why a handshake failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum HandshakeError {
    /// The answer is not an HTTP/1.1 response head.
    Malformed,
    /// The server answered with another status than `101 Switching Protocols` (`426` or `400`
    /// when it did not like the request, `404` for a wrong path…).
    Status(u16),
    /// `Upgrade: websocket` or `Connection: Upgrade` is missing.
    NotUpgraded,
    /// `Sec-WebSocket-Accept` is missing or does not answer the key.
    WrongAccept,
    /// The server chose no subprotocol, or another one than asked for (Janus refuses
    /// connections without `janus-protocol`).
    WrongProtocol,
    /// The head is longer than the buffer it has to fit in.
    TooLarge,
    /// The host, path or protocol would break the request head (a CR, LF or other control
    /// character, a space in the path, or a path without its leading `/`).
    InvalidRequest,
    /// The request does not fit in the buffer.
    BufferTooSmall {
        /// Bytes the request needs.
        needed: usize,
        /// Bytes the buffer had.
        available: usize,
    },
}

impl core::fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Malformed => f.write_str("the WebSocket handshake answer is not an HTTP response"),
            Self::Status(status) => write!(f, "the server refused the WebSocket upgrade with HTTP {status}"),
            Self::NotUpgraded => f.write_str("the server did not upgrade the connection to WebSocket"),
            Self::WrongAccept => f.write_str("Sec-WebSocket-Accept does not answer the key"),
            Self::WrongProtocol => f.write_str("the server did not choose the requested subprotocol"),
            Self::TooLarge => f.write_str("the handshake answer does not fit in the buffer"),
            Self::InvalidRequest => f.write_str("host, path or protocol cannot go in a request head"),
            Self::BufferTooSmall { needed, available } => {
                write!(f, "buffer too small for the upgrade request: {needed} bytes needed, {available} available")
            }
        }
    }
}

impl core::error::Error for HandshakeError {}

/// Whether `text` can go in a request line or header value as it is.
fn head_safe(text: &str) -> bool {
    text.bytes().all(|b| b >= 0x20 && b != 0x7f)
}

/// Writes the opening request: `GET path` to `host` with the key and `protocol` (e.g.
/// [`JANUS_PROTOCOL`]).
///
/// # Errors
///
/// [`HandshakeError::BufferTooSmall`] with the size needed; [`HandshakeError::InvalidRequest`]
/// when a value would break the head.
pub fn write_upgrade_request(
    out: &mut [u8],
    host: &str,
    path: &str,
    key: &ClientKey,
    protocol: &str,
) -> Result<usize, HandshakeError> {
    if !path.starts_with('/') || ![host, path, protocol].iter().all(|t| head_safe(t)) || path.contains(' ') {
        return Err(HandshakeError::InvalidRequest);
    }
    let mut w = ByteWriter::new(out);
    for part in [
        "GET ",
        path,
        " HTTP/1.1\r\nHost: ",
        host,
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ",
        key.as_str(),
        "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ",
        protocol,
        "\r\n\r\n",
    ] {
        w.bytes(part.as_bytes());
    }
    w.finish().map_err(|e| match e {
        EncodeError::BufferTooSmall { needed, available } => HandshakeError::BufferTooSmall { needed, available },
        _ => HandshakeError::InvalidRequest,
    })
}

/// Reads the server's answer to the opening request from the start of `bytes`.
/// `Ok(None)`: the head is not complete yet (read more). `Ok(Some(n))`: the connection is
/// upgraded; the head is `n` bytes long and what follows it is already frames.
///
/// # Errors
///
/// [`HandshakeError`]: what is wrong with the answer.
pub fn read_upgrade_response(bytes: &[u8], key: &ClientKey, protocol: &str) -> Result<Option<usize>, HandshakeError> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HandshakeError::TooLarge),
        Err(_) => return Err(HandshakeError::Malformed),
    };
    match response.code {
        Some(101) => {}
        Some(status) => return Err(HandshakeError::Status(status)),
        None => return Err(HandshakeError::Malformed),
    }
    let header = |name: &str| response.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value);
    let has_token = |value: Option<&[u8]>, token: &str| value.is_some_and(|v| contains_token(v, token.as_bytes()));
    if !has_token(header("upgrade"), "websocket") || !has_token(header("connection"), "upgrade") {
        return Err(HandshakeError::NotUpgraded);
    }
    if header("sec-websocket-accept").map(<[u8]>::trim_ascii) != Some(&key.expected_accept()[..]) {
        return Err(HandshakeError::WrongAccept);
    }
    if header("sec-websocket-protocol").map(<[u8]>::trim_ascii) != Some(protocol.as_bytes()) {
        return Err(HandshakeError::WrongProtocol);
    }
    Ok(Some(head_len))
}
