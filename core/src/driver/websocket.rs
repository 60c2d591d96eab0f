//! A [`Link`] over one `embedded-io` byte stream speaking WebSocket: Janus's WebSocket
//! transport with the framing of [`crate::ws`], the caller's buffers and randomness.

use core::fmt;

use embedded_io::{Error as _, ErrorKind, Read, Write};

use super::link::{Link, Received};
use crate::client::{RequestKind, Transmit};
use crate::http::Route;
use crate::request::Auth;
use crate::time::Instant;
use crate::ws::{
    ClientKey, FrameError, FrameReader, HandshakeError, JANUS_PROTOCOL, MAX_HEAD_LEN, Message, Opcode, frame_in_place,
    read_upgrade_response, write_close, write_frame, write_upgrade_request,
};

/// Why a [`WebSocketLink`] failed.
#[derive(Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WebSocketError<E> {
    /// The stream failed.
    Transport(E),
    /// The stream ended, or the server closed the WebSocket (with this close code, if it gave
    /// one). Connect again.
    Closed(Option<u16>),
    /// The opening handshake failed (refused, another subprotocol, a head that does not fit…).
    Handshake(HandshakeError),
    /// The server's frames are broken, or a message does not fit the receive buffer: the
    /// connection cannot go on.
    Frame(FrameError),
    /// A long poll was asked for: the client is configured for HTTP
    /// ([`Config::websocket`](crate::client::Config::websocket) is the one for this link).
    NotHttp,
}

impl<E: fmt::Debug> fmt::Display for WebSocketError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "transport error: {e:?}"),
            Self::Closed(Some(code)) => write!(f, "WebSocket closed by the server (code {code})"),
            Self::Closed(None) => f.write_str("WebSocket closed"),
            Self::Handshake(e) => write!(f, "WebSocket handshake failed: {e}"),
            Self::Frame(e) => write!(f, "{e}"),
            Self::NotHttp => f.write_str("a long poll over WebSocket: configure the client with Config::websocket()"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for WebSocketError<E> {}

/// Janus's WebSocket transport on one `embedded-io` stream, for the
/// [`Driver`](super::Driver): each request one masked text frame, each pushed message
/// handed to the driver from the receive buffer, pings answered, the server's close
/// answered and reported. Nothing is allocated.
///
/// - `tx` holds one request: its JSON is written at `tx[MAX_HEAD_LEN..]` and framed where it
///   lies (one write per request).
/// - `rx` holds one message from the server with its frame headers (Janus's `server_info`
///   is 3–7 KB, events with SDP several KB); a larger one is
///   [`FrameError::BufferTooSmall`].
/// - `masks` gives 4 fresh random bytes for each frame (RFC 6455 asks the client to mask
///   with unpredictable keys).
///
/// `embedded-io` knows no time: [`receive`](Link::receive) blocks in one read of the stream.
/// A stream whose read gives up after a while (an error of kind
/// [`ErrorKind::TimedOut`]) lets the driver send keepalives and expire requests meanwhile; on
/// a stream that blocks until data comes, events must come at least every keepalive interval.
#[derive(Debug)]
pub struct WebSocketLink<'b, S, M> {
    stream: S,
    masks: M,
    tx: &'b mut [u8],
    rx: &'b mut [u8],
    /// Bytes received in `rx`.
    rx_len: usize,
    reader: FrameReader,
}

impl<'b, S, M> WebSocketLink<'b, S, M>
where
    S: Read + Write,
    M: FnMut() -> [u8; 4],
{
    /// Runs the opening handshake on `stream` (already connected to Janus, e.g.
    /// `127.0.0.1:8188`) for `path` (`/`), with `key` from 16 random bytes, subprotocol
    /// `janus-protocol`. The handshake's head is written in `tx` and its answer read in `rx`.
    ///
    /// # Errors
    ///
    /// [`WebSocketError::Handshake`] when Janus refuses or answers something else;
    /// [`WebSocketError::Transport`], [`WebSocketError::Closed`].
    pub fn connect(
        mut stream: S,
        host: &str,
        path: &str,
        key: &ClientKey,
        masks: M,
        tx: &'b mut [u8],
        rx: &'b mut [u8],
    ) -> Result<Self, WebSocketError<S::Error>> {
        let n = write_upgrade_request(tx, host, path, key, JANUS_PROTOCOL).map_err(WebSocketError::Handshake)?;
        write_all(&mut stream, tx.get(..n).unwrap_or_default())?;
        let mut filled = 0;
        let head = loop {
            if let Some(head) = read_upgrade_response(rx.get(..filled).unwrap_or_default(), key, JANUS_PROTOCOL)
                .map_err(WebSocketError::Handshake)?
            {
                break head;
            }
            let Some(space) = rx.get_mut(filled..).filter(|s| !s.is_empty()) else {
                return Err(WebSocketError::Handshake(HandshakeError::TooLarge));
            };
            match stream.read(space).map_err(WebSocketError::Transport)? {
                0 => return Err(WebSocketError::Closed(None)),
                n => filled = filled.saturating_add(n),
            }
        };
        // Frames that came with the head stay.
        rx.copy_within(head.min(filled)..filled, 0);
        let rx_len = filled.saturating_sub(head);
        let reader = FrameReader::new().with_max_message(rx.len());
        Ok(Self { stream, masks, tx, rx, rx_len, reader })
    }

    /// The stream, e.g. to set its timeouts.
    pub fn stream(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Closes the WebSocket (close frame 1000) and gives the stream back.
    ///
    /// # Errors
    ///
    /// [`WebSocketError::Transport`] when the close frame cannot be written.
    pub fn close(mut self) -> Result<S, WebSocketError<S::Error>> {
        self.send_control(Control::Close(1000))?;
        Ok(self.stream)
    }

    /// Sends a pong or a close.
    fn send_control(&mut self, control: Control<'_>) -> Result<(), WebSocketError<S::Error>> {
        let mut frame = [0u8; MAX_HEAD_LEN + 125];
        let mask = (self.masks)();
        let n = match control {
            Control::Pong(payload) => write_frame(&mut frame, Opcode::Pong, payload, mask),
            Control::Close(code) => write_close(&mut frame, code, "", mask),
        }
        .map_err(WebSocketError::Frame)?;
        write_all(&mut self.stream, frame.get(..n).unwrap_or_default())
    }
}

/// A control frame the client sends.
enum Control<'p> {
    Pong(&'p [u8]),
    Close(u16),
}

impl<S, M> Link for WebSocketLink<'_, S, M>
where
    S: Read + Write,
    M: FnMut() -> [u8; 4],
{
    type Error = WebSocketError<S::Error>;

    fn tx(&mut self) -> &mut [u8] {
        self.tx.get_mut(MAX_HEAD_LEN..).unwrap_or_default()
    }

    fn send(&mut self, transmit: &Transmit, _kind: RequestKind, _until: Instant) -> Result<bool, Self::Error> {
        let mask = (self.masks)();
        let frame = frame_in_place(self.tx, Opcode::Text, transmit.len, mask).map_err(WebSocketError::Frame)?;
        write_all(&mut self.stream, self.tx.get(frame).unwrap_or_default())?;
        Ok(false)
    }

    fn start_long_poll(&mut self, _route: &Route, _auth: &Auth<'_>) -> Result<bool, Self::Error> {
        Err(WebSocketError::NotHttp)
    }

    fn receive(&mut self, _until: Instant) -> Result<Option<Received<'_>>, Self::Error> {
        loop {
            let Some(frame) = self.reader.next(self.rx, &mut self.rx_len).map_err(WebSocketError::Frame)? else {
                let Some(space) = self.rx.get_mut(self.rx_len..) else {
                    return Err(WebSocketError::Frame(FrameError::BufferTooSmall {
                        needed: self.rx_len.saturating_add(1),
                        available: self.rx.len(),
                    }));
                };
                match self.stream.read(space) {
                    Ok(0) => return Err(WebSocketError::Closed(None)),
                    Ok(n) => self.rx_len = self.rx_len.saturating_add(n),
                    // The stream gave up waiting: nothing came in time.
                    Err(e) if e.kind() == ErrorKind::TimedOut => return Ok(None),
                    Err(e) => return Err(WebSocketError::Transport(e)),
                }
                continue;
            };
            match frame.opcode {
                Opcode::Text | Opcode::Binary => {
                    let body = self.rx.get(frame.start..frame.end).unwrap_or_default();
                    return Ok(Some(Received::Message(body)));
                }
                Opcode::Ping => {
                    let mut payload = [0u8; 125];
                    let ping = self.rx.get(frame.start..frame.end).unwrap_or_default();
                    let n = ping.len().min(payload.len());
                    if let (Some(to), Some(from)) = (payload.get_mut(..n), ping.get(..n)) {
                        to.copy_from_slice(from);
                    }
                    self.send_control(Control::Pong(payload.get(..n).unwrap_or_default()))?;
                }
                Opcode::Close => {
                    let code = match frame.message(self.rx) {
                        Ok(Message::Close { code, .. }) => code,
                        _ => None,
                    };
                    // Answer the close (RFC 6455 section 5.5.1), then the connection is over.
                    let _ = self.send_control(Control::Close(code.unwrap_or(1000)));
                    return Err(WebSocketError::Closed(code));
                }
                Opcode::Pong | Opcode::Continuation => {}
            }
        }
    }
}

fn write_all<S: Write>(stream: &mut S, bytes: &[u8]) -> Result<(), WebSocketError<S::Error>> {
    stream.write_all(bytes).map_err(WebSocketError::Transport)?;
    stream.flush().map_err(WebSocketError::Transport)
}
