//! WebSocket (RFC 6455) client framing without I/O, for the Janus WebSocket transport: the
//! opening handshake ([`ClientKey`], [`write_upgrade_request`], [`read_upgrade_response`]),
//! the client's masked frames ([`write_frame`]) and an incremental reader of the server's
//! frames ([`FrameReader`]) that assembles fragmented messages in the caller's buffer and
//! hands out control frames (ping, pong, close) as they come. Framing knows no session: what
//! the messages mean is the client's business.
//!
//! The key comes from the caller's randomness (16 bytes), and so do the masks (4 bytes a
//! frame): this module has no source of its own. SHA-1 and base64, which the handshake needs,
//! come from the `sha1` and `base64` crates.
//!
//! ```
//! use janus_signal::ws::{ClientKey, FrameReader, Message, Opcode, read_upgrade_response, write_frame,
//!     write_upgrade_request, JANUS_PROTOCOL};
//!
//! // The handshake (the key of RFC 6455 section 1.3).
//! let key = ClientKey::new(*b"the sample nonce");
//! assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
//! let mut out = [0u8; 256];
//! let n = write_upgrade_request(&mut out, "127.0.0.1:8188", "/", &key, JANUS_PROTOCOL).unwrap();
//! assert!(out[..n].starts_with(b"GET / HTTP/1.1\r\n"));
//! let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
//!     Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: janus-protocol\r\n\r\n";
//! assert_eq!(read_upgrade_response(answer, &key, JANUS_PROTOCOL), Ok(Some(answer.len())));
//!
//! // A masked text frame from the client (RFC 6455 section 5.7).
//! let n = write_frame(&mut out, Opcode::Text, b"Hello", [0x37, 0xfa, 0x21, 0x3d]).unwrap();
//! assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
//!
//! // A fragmented text message from the server, read as one.
//! let mut buf = [0u8; 64];
//! let frames = [0x01, 0x03, b'H', b'e', b'l', 0x80, 0x02, b'l', b'o'];
//! buf[..frames.len()].copy_from_slice(&frames);
//! let mut len = frames.len();
//! let mut reader = FrameReader::new();
//! assert_eq!(reader.read(&mut buf, &mut len), Ok(Some(Message::Text("Hello"))));
//! assert_eq!(reader.read(&mut buf, &mut len), Ok(None));
//! assert_eq!(len, 0);
//! ```

mod frame;
mod handshake;

pub use frame::{
    Frame, FrameError, FrameReader, MAX_HEAD_LEN, Message, Opcode, frame_in_place, frame_len, write_close, write_frame,
};
pub use handshake::{ClientKey, HandshakeError, JANUS_PROTOCOL, read_upgrade_response, write_upgrade_request};

#[cfg(test)]
mod tests;
