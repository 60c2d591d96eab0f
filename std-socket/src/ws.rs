//! Janus's WebSocket transport: tungstenite over a plain `TcpStream` (`ws://`) or TLS over
//! one (`wss://`), subprotocol `janus-protocol`. tungstenite runs the handshake, reads the
//! server's frames and answers its pings and close. The client's requests are framed by
//! core's [`frame_in_place`] where the client wrote them and written with one call:
//! tungstenite's `send` takes an owned message, one allocation and one copy per request.

use std::io::{ErrorKind, Write as _};
use std::time::{Duration, Instant};

use tungstenite::client::ClientRequestBuilder;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use janus_signal::ws::{Opcode, frame_in_place};

use crate::Error;
use crate::stream::{Dialer, ReadTimeout, Stream};

/// The subprotocol Janus requires for its API (the Admin API uses `janus-admin-protocol`).
pub(crate) const JANUS_PROTOCOL: &str = "janus-protocol";

/// One WebSocket to Janus.
#[derive(Debug)]
pub(crate) struct WsTransport {
    socket: WebSocket<Stream>,
    /// The socket cannot be used any more (closed, or stopped inside a message it refused):
    /// every later call says `Closed` until the caller reconnects.
    broken: bool,
    timeout: ReadTimeout,
    /// State of the generator of frame masks (xorshift64*, seeded per connection).
    masks: u64,
    /// The last message received, as tungstenite handed it over (not copied).
    last: tungstenite::Bytes,
}

impl WsTransport {
    /// Runs the WebSocket handshake (`scheme` is `ws` or `wss`, as the dialer does) on `stream`,
    /// a connection to the dialer's server, within `handshake_timeout`.
    pub(crate) fn over(
        stream: Stream,
        dialer: &Dialer,
        scheme: &str,
        path: &str,
        handshake_timeout: Duration,
        read_buffer: usize,
        max_message: usize,
    ) -> Result<Self, Error> {
        stream.set_read_timeout(Some(handshake_timeout))?;
        let url = format!("{scheme}://{}{path}", dialer.authority());
        let uri = url.parse().map_err(|_| Error::InvalidUrl(url.clone()))?;
        let request = ClientRequestBuilder::new(uri).with_sub_protocol(JANUS_PROTOCOL);
        let config = WebSocketConfig::default()
            .read_buffer_size(read_buffer)
            .max_message_size(Some(max_message))
            .max_frame_size(Some(max_message));
        let (socket, _) =
            tungstenite::client::client_with_config(request, stream, Some(config)).map_err(|e| match e {
                tungstenite::HandshakeError::Failure(e) => Error::from(e),
                tungstenite::HandshakeError::Interrupted(_) => Error::Timeout,
            })?;
        log::trace!("WebSocket to {url} open (subprotocol {JANUS_PROTOCOL})");
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let masks = (nanos as u64 ^ u64::from(std::process::id()).rotate_left(29)) | 1;
        Ok(Self { socket, broken: false, timeout: ReadTimeout::default(), masks, last: tungstenite::Bytes::new() })
    }

    /// Sends the `len` bytes of text at `buf[MAX_HEAD_LEN..]` as one text message, framed where
    /// they lie.
    pub(crate) fn send_in_place(&mut self, buf: &mut [u8], len: usize) -> Result<(), Error> {
        if self.broken {
            return Err(Error::Closed);
        }
        let mut x = self.masks;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.masks = x;
        let mask = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32;
        let frame = frame_in_place(buf, Opcode::Text, len, mask.to_le_bytes())
            .map_err(|_| Error::Unexpected("request larger than its buffer"))?;
        // Whatever tungstenite still has to write (a pong) goes first, whole.
        self.socket.flush().map_err(|e| self.fail(e))?;
        let stream = self.socket.get_mut();
        let written = stream.write_all(&buf[frame]).and_then(|()| stream.flush());
        written.map_err(|e| {
            self.broken = true;
            Error::Io(e)
        })
    }

    /// Sends `body` as one text message (through tungstenite).
    pub(crate) fn send(&mut self, body: &[u8]) -> Result<(), Error> {
        if self.broken {
            return Err(Error::Closed);
        }
        let text = std::str::from_utf8(body).map_err(|_| Error::Unexpected("request is not UTF-8"))?;
        self.socket.send(Message::text(text)).map_err(|e| self.fail(e))
    }

    /// Waits until `deadline` for one message, and returns it (`None` when none came). Pings
    /// are answered by tungstenite.
    pub(crate) fn receive(&mut self, deadline: Instant) -> Result<Option<&[u8]>, Error> {
        if self.broken {
            return Err(Error::Closed);
        }
        // Let go of the last message first: while it is held, tungstenite's read buffer is
        // shared and cannot take its room back, and would allocate anew.
        self.last = tungstenite::Bytes::new();
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            self.timeout.wait_at_most(self.socket.get_ref(), deadline - now)?;
            let bytes = match self.socket.read() {
                Ok(Message::Text(text)) => tungstenite::Bytes::from(text),
                Ok(Message::Binary(bytes)) => bytes,
                Ok(Message::Close(frame)) => {
                    log::debug!("the server closed the WebSocket: {frame:?}");
                    self.broken = true;
                    return Err(Error::Closed);
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    continue;
                }
                Err(e) => return Err(self.fail(e)),
            };
            self.last = bytes;
            return Ok(Some(&self.last));
        }
    }

    /// One message if one can be had without waiting: buffered already, or complete in what
    /// the socket has now (the shared connection's reader, which has been told by
    /// [`crate::connection`]'s wait that bytes came). `None` when a read would block.
    pub(crate) fn receive_ready(&mut self) -> Result<Option<&[u8]>, Error> {
        if self.broken {
            return Err(Error::Closed);
        }
        self.last = tungstenite::Bytes::new();
        // A read that would block returns at once. (Not a tiny timeout: the kernel rounds it
        // up to a clock tick, 4 ms, spent on each round's last read.)
        self.socket.get_ref().set_nonblocking(true)?;
        let read = loop {
            match self.socket.read() {
                Ok(Message::Text(text)) => break Ok(Some(tungstenite::Bytes::from(text))),
                Ok(Message::Binary(bytes)) => break Ok(Some(bytes)),
                Ok(Message::Close(frame)) => {
                    log::debug!("the server closed the WebSocket: {frame:?}");
                    self.broken = true;
                    break Err(Error::Closed);
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break Ok(None);
                }
                Err(e) => break Err(self.fail(e)),
            }
        };
        self.socket.get_ref().set_nonblocking(false)?;
        match read? {
            Some(bytes) => {
                self.last = bytes;
                Ok(Some(&self.last))
            }
            None => Ok(None),
        }
    }

    /// The TCP connection under the WebSocket, for a reader that waits for bytes without
    /// holding the WebSocket (see [`crate::connection`]).
    pub(crate) fn tcp_clone(&self) -> std::io::Result<std::net::TcpStream> {
        self.socket.get_ref().tcp_clone()
    }

    /// Any other error leaves the socket unusable (tungstenite stops inside a refused message
    /// or a broken frame): report it once, then `Closed`.
    fn fail(&mut self, e: tungstenite::Error) -> Error {
        self.broken = true;
        match e {
            tungstenite::Error::Capacity(_) => {
                Error::TooLarge { limit: self.socket.get_config().max_message_size.unwrap_or(0) }
            }
            other => other.into(),
        }
    }

    pub(crate) fn close(&mut self) {
        let _ = self.socket.close(None);
        let _ = self.socket.flush();
    }
}
