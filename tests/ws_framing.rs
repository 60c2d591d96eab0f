//! Core's WebSocket framing (`janus_signal::ws`) against the real Janus over a plain
//! `TcpStream`: the opening handshake with `janus-protocol` (and its refusal without it), a
//! masked request and Janus's answer read frame by frame, a ping answered by a pong, a
//! message split into fragments, and the closing handshake.
//!
//! Janus comes from `JANUS_WS_URL` (default `ws://127.0.0.1:8188`). The tests are `#[ignore]`d
//! (live): `tests/run` runs them with its Janus; run without one they fail.

#[path = "support/ws_janus.rs"]
mod ws_janus;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use janus_signal::message::Message;
use janus_signal::ws::{
    ClientKey, FrameReader, HandshakeError, JANUS_PROTOCOL, Message as Ws, Opcode, read_upgrade_response, write_close,
    write_frame, write_upgrade_request,
};
use ws_janus::janus_authority;

/// Fresh randomness for keys and masks (tests need no cryptographic quality).
fn random<const N: usize>(seed: &mut u64) -> [u8; N] {
    std::array::from_fn(|_| {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed as u8
    })
}

/// A WebSocket connection driven by core's framing: the stream and the reader's buffer.
struct Connection {
    stream: TcpStream,
    reader: FrameReader,
    buf: Vec<u8>,
    len: usize,
    seed: u64,
}

impl Connection {
    /// Opens a connection asking for `protocol`; returns the handshake's outcome.
    fn open(authority: &str, protocol: &str) -> Result<Self, Refused> {
        let mut stream = TcpStream::connect(authority).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let key = ClientKey::new(random(&mut seed));
        let mut out = [0u8; 512];
        let n = write_upgrade_request(&mut out, authority, "/", &key, protocol).expect("fits");
        stream.write_all(&out[..n]).expect("send the upgrade");
        let mut buf = vec![0u8; 64 * 1024];
        let mut len = 0;
        let head = loop {
            if let Some(head) = read_upgrade_response(&buf[..len], &key, protocol).map_err(Refused::Answer)? {
                break head;
            }
            let n = stream.read(&mut buf[len..]).expect("read the answer");
            if n == 0 {
                return Err(Refused::Closed { answered: len });
            }
            len += n;
        };
        // Frames already behind the head stay for the reader.
        buf.copy_within(head..len, 0);
        len -= head;
        Ok(Self { stream, reader: FrameReader::new().with_max_message(60 * 1024), buf, len, seed })
    }

    fn send(&mut self, opcode: Opcode, payload: &[u8]) {
        let mut out = vec![0u8; janus_signal::ws::frame_len(payload.len())];
        let n = write_frame(&mut out, opcode, payload, random(&mut self.seed)).expect("fits");
        self.stream.write_all(&out[..n]).expect("send");
    }

    /// Sends `payload` as a text message in fragments of `piece` bytes.
    fn send_fragmented(&mut self, payload: &[u8], piece: usize) {
        let chunks: Vec<&[u8]> = payload.chunks(piece).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let opcode = if i == 0 { 0x1 } else { 0x0 };
            let fin = if i + 1 == chunks.len() { 0x80 } else { 0 };
            // write_frame writes final frames only: build the header by hand, then mask.
            let mask: [u8; 4] = random(&mut self.seed);
            let mut frame = vec![fin | opcode, 0x80 | chunk.len() as u8];
            frame.extend_from_slice(&mask);
            frame.extend(chunk.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
            self.stream.write_all(&frame).expect("send a fragment");
        }
    }

    /// The next message or control frame, as an owned copy.
    fn next(&mut self) -> Owned {
        loop {
            match self.reader.read(&mut self.buf, &mut self.len).expect("well-formed frames") {
                Some(Ws::Text(text)) => return Owned::Text(text.to_owned()),
                Some(Ws::Binary(bytes)) => return Owned::Binary(bytes.to_vec()),
                Some(Ws::Ping(payload)) => return Owned::Ping(payload.to_vec()),
                Some(Ws::Pong(payload)) => return Owned::Pong(payload.to_vec()),
                Some(Ws::Close { code, reason }) => return Owned::Close(code, reason.to_owned()),
                None => {
                    let n = self.stream.read(&mut self.buf[self.len..]).expect("read");
                    if n == 0 {
                        return Owned::Eof;
                    }
                    self.len += n;
                }
            }
        }
    }
}

/// How a handshake failed.
#[derive(Debug)]
enum Refused {
    /// The answer was read and refused by core's checks.
    Answer(HandshakeError),
    /// The server closed the connection after `answered` bytes of an incomplete answer.
    Closed { answered: usize },
}

#[derive(Debug, PartialEq)]
enum Owned {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, String),
    Eof,
}

/// The whole life of a connection: handshake, a request and its answer, ping/pong, a
/// fragmented request, the closing handshake.
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_whole_connection_with_core_framing() {
    let mut ws = Connection::open(&janus_authority(), JANUS_PROTOCOL).expect("Janus accepts janus-protocol");

    ws.send(Opcode::Text, br#"{"janus":"info","transaction":"ws-framing-1"}"#);
    let Owned::Text(answer) = ws.next() else { panic!("a text message") };
    let Ok(Message::ServerInfo(info)) = Message::decode(answer.as_bytes()) else { panic!("{answer}") };
    assert!(info.transaction.is_some_and(|t| t == "ws-framing-1"), "{answer}");

    ws.send(Opcode::Ping, b"are you there");
    assert_eq!(ws.next(), Owned::Pong(b"are you there".to_vec()));

    // Janus (libwebsockets) joins fragments into one message.
    ws.send_fragmented(br#"{"janus":"ping","transaction":"ws-framing-2"}"#, 7);
    let Owned::Text(pong) = ws.next() else { panic!("a text message") };
    let Ok(Message::Pong(pong)) = Message::decode(pong.as_bytes()) else { panic!("a pong") };
    assert!(pong.transaction.is_some_and(|t| t == "ws-framing-2"));

    let mut out = [0u8; 64];
    let n = write_close(&mut out, 1000, "done", random(&mut ws.seed)).expect("fits");
    ws.stream.write_all(&out[..n]).expect("send close");
    match ws.next() {
        Owned::Close(code, _) => assert_eq!(code, Some(1000)),
        Owned::Eof => {} // Some servers close the TCP connection right after their close frame.
        other => panic!("expected the closing handshake, got {other:?}"),
    }
}

/// Janus 1.1.2 refuses a connection that asks for another subprotocol by closing it without
/// an answer (as in `shared/janus/captures/ws/04-handshake-wrong-subprotocol.txt`); an answer
/// that did come would fail core's checks.
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_wrong_subprotocol_is_refused() {
    let refused = Connection::open(&janus_authority(), "not-janus").err().expect("refused");
    assert!(
        matches!(refused, Refused::Closed { answered: 0 } | Refused::Answer(HandshakeError::WrongProtocol)),
        "{refused:?}"
    );
}
