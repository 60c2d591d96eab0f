//! Janus's WebSocket transport: tungstenite over a plain `TcpStream` (`ws://`) or TLS over
//! one (`wss://`), subprotocol `janus-protocol`.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use tungstenite::client::ClientRequestBuilder;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use crate::Error;
use crate::stream::{Dialer, Stream};

/// The subprotocol Janus requires for its API (the Admin API uses `janus-admin-protocol`).
pub(crate) const JANUS_PROTOCOL: &str = "janus-protocol";

/// One WebSocket to Janus.
#[derive(Debug)]
pub(crate) struct WsTransport {
    socket: WebSocket<Stream>,
    /// The socket cannot be used any more (closed, or stopped inside a message it refused):
    /// every later call says `Closed` until the caller reconnects.
    broken: bool,
}

impl WsTransport {
    /// Opens the connection (`scheme` is `ws` or `wss`, as the dialer does) and runs the
    /// WebSocket handshake within `handshake_timeout`.
    pub(crate) fn connect(
        dialer: &Dialer,
        scheme: &str,
        path: &str,
        handshake_timeout: Duration,
        read_buffer: usize,
        max_message: usize,
    ) -> Result<Self, Error> {
        let stream = dialer.open()?;
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
        Ok(Self { socket, broken: false })
    }

    pub(crate) fn send(&mut self, body: &[u8]) -> Result<(), Error> {
        if self.broken {
            return Err(Error::Closed);
        }
        let text = std::str::from_utf8(body).map_err(|_| Error::Unexpected("request is not UTF-8"))?;
        self.socket.send(Message::text(text)).map_err(|e| self.fail(e))
    }

    /// Waits until `deadline` for one message. Pings are answered by tungstenite.
    pub(crate) fn receive(&mut self, deadline: Instant) -> Result<Option<Vec<u8>>, Error> {
        if self.broken {
            return Err(Error::Closed);
        }
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            self.socket.get_mut().set_read_timeout(Some((deadline - now).max(Duration::from_millis(1))))?;
            match self.socket.read() {
                Ok(Message::Text(text)) => return Ok(Some(text.as_bytes().to_vec())),
                Ok(Message::Binary(bytes)) => return Ok(Some(bytes.to_vec())),
                Ok(Message::Close(frame)) => {
                    log::debug!("the server closed the WebSocket: {frame:?}");
                    self.broken = true;
                    return Err(Error::Closed);
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
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
