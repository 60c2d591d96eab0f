//! A scripted WebSocket "Janus" on loopback, for the unit tests.

use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;

use janus_signal::json::RawJson;
use tungstenite::handshake::server::{Request, Response};
use tungstenite::{Message as Frame, WebSocket};

/// Serves one WebSocket connection (subprotocol `janus-protocol`): for each request it
/// receives, `answer` gets the request's `janus` and `transaction` (empty when missing) and
/// gives the frames to send back, or `None` to hang up. Returns the URL and the server's
/// thread, which says how many requests it got.
#[allow(clippy::result_large_err)] // tungstenite's handshake callback returns its response
pub(crate) fn fake_janus(
    answer: impl Fn(&str, Option<&str>) -> Option<Vec<Frame>> + Send + 'static,
) -> (String, JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}", listener.local_addr().expect("address"));
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut socket: WebSocket<TcpStream> =
            tungstenite::accept_hdr(stream, |_: &Request, mut response: Response| {
                let protocol = crate::ws::JANUS_PROTOCOL.parse().expect("header value");
                response.headers_mut().insert("Sec-WebSocket-Protocol", protocol);
                Ok(response)
            })
            .expect("handshake");
        let mut received = 0;
        while let Ok(frame) = socket.read() {
            let Frame::Text(text) = frame else { continue };
            received += 1;
            let request = RawJson::parse(text.as_bytes()).expect("JSON request");
            let field = |name| request.get(name).and_then(|t| t.as_str()).map(|t| t.to_string());
            let Some(replies) = answer(&field("janus").unwrap_or_default(), field("transaction").as_deref()) else {
                break;
            };
            for reply in replies {
                socket.send(reply).expect("send");
            }
        }
        received
    });
    (url, server)
}
