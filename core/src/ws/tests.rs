use std::vec::Vec;

use super::*;

/// RFC 6455 section 1.3: the sample nonce and its accept value.
#[test]
fn the_rfc_handshake_example() {
    let key = ClientKey::new(*b"the sample nonce");
    assert_eq!(key.as_str(), "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(&key.expected_accept(), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

#[test]
fn the_upgrade_request_is_exact_and_refuses_what_would_break_it() {
    let key = ClientKey::new([0; 16]);
    let mut out = [0u8; 512];
    let n = write_upgrade_request(&mut out, "198.51.100.1:8188", "/", &key, JANUS_PROTOCOL).unwrap();
    assert_eq!(
        core::str::from_utf8(&out[..n]).unwrap(),
        "GET / HTTP/1.1\r\nHost: 198.51.100.1:8188\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: janus-protocol\r\n\r\n"
    );
    assert_eq!(
        write_upgrade_request(&mut out[..10], "h", "/", &key, JANUS_PROTOCOL),
        Err(HandshakeError::BufferTooSmall { needed: n - 16, available: 10 })
    );
    for (host, path) in [("h\r\nX: y", "/"), ("h", "/a b"), ("h", "no-slash"), ("h", "/\n")] {
        assert_eq!(
            write_upgrade_request(&mut out, host, path, &key, JANUS_PROTOCOL),
            Err(HandshakeError::InvalidRequest)
        );
    }
}

fn answer(status: &str, headers: &[&str]) -> Vec<u8> {
    let mut text = std::format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        text.push_str(h);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

#[test]
fn the_upgrade_answer_is_checked() {
    let key = ClientKey::new(*b"the sample nonce");
    let good = ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="];
    let protocol = "Sec-WebSocket-Protocol: janus-protocol";
    let ok = answer("101 Switching Protocols", &[good[0], good[1], good[2], protocol]);
    assert_eq!(read_upgrade_response(&ok, &key, JANUS_PROTOCOL), Ok(Some(ok.len())));
    // Frames already behind the head are not part of it; a partial head needs more.
    let mut with_frame = ok.clone();
    with_frame.extend_from_slice(&[0x81, 0x00]);
    assert_eq!(read_upgrade_response(&with_frame, &key, JANUS_PROTOCOL), Ok(Some(ok.len())));
    assert_eq!(read_upgrade_response(&ok[..ok.len() - 1], &key, JANUS_PROTOCOL), Ok(None));
    // Case and token lists as HTTP allows them.
    let relaxed = answer(
        "101 Switching Protocols",
        &["upgrade: WebSocket", "connection: keep-alive, Upgrade", good[2], "sec-websocket-protocol: janus-protocol"],
    );
    assert_eq!(read_upgrade_response(&relaxed, &key, JANUS_PROTOCOL), Ok(Some(relaxed.len())));

    let cases: [(Vec<u8>, HandshakeError); 6] = [
        (answer("400 Bad Request", &[]), HandshakeError::Status(400)),
        (answer("101 Switching Protocols", &[good[1], good[2], protocol]), HandshakeError::NotUpgraded),
        (answer("101 Switching Protocols", &[good[0], good[2], protocol]), HandshakeError::NotUpgraded),
        (
            answer("101 Switching Protocols", &[good[0], good[1], "Sec-WebSocket-Accept: AAAA", protocol]),
            HandshakeError::WrongAccept,
        ),
        (answer("101 Switching Protocols", &[good[0], good[1], good[2]]), HandshakeError::WrongProtocol),
        (b"SSH-2.0-OpenSSH\r\n\r\n".to_vec(), HandshakeError::Malformed),
    ];
    for (bytes, error) in cases {
        assert_eq!(
            read_upgrade_response(&bytes, &key, JANUS_PROTOCOL),
            Err(error),
            "{}",
            std::string::String::from_utf8_lossy(&bytes)
        );
    }
}

/// RFC 6455 section 5.7: the client's masked frames.
#[test]
fn the_rfc_masked_frames() {
    let mut out = [0u8; 32];
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let n = write_frame(&mut out, Opcode::Text, b"Hello", mask).unwrap();
    assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    let n = write_frame(&mut out, Opcode::Pong, b"Hello", mask).unwrap();
    assert_eq!(&out[..n], &[0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    assert_eq!(n, frame_len(5));
    // The 16- and 64-bit lengths.
    let mut big = std::vec![0u8; 70_000];
    let n = write_frame(&mut big, Opcode::Binary, &[7; 256], [0; 4]).unwrap();
    assert_eq!((&big[..4], n), (&[0x82, 0xFE, 0x01, 0x00][..], frame_len(256)));
    let n = write_frame(&mut big, Opcode::Binary, &[7; 65_536], [0; 4]).unwrap();
    assert_eq!(&big[..10], &[0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(n, frame_len(65_536));
    assert_eq!(
        write_frame(&mut out, Opcode::Text, &[0; 40], mask),
        Err(FrameError::BufferTooSmall { needed: 46, available: 32 })
    );
    assert_eq!(write_frame(&mut big, Opcode::Ping, &[0; 126], mask), Err(FrameError::InvalidControl));
    let n = write_close(&mut out, 1000, "bye", [0; 4]).unwrap();
    assert_eq!(&out[..n], &[0x88, 0x85, 0, 0, 0, 0, 0x03, 0xE8, b'b', b'y', b'e']);
    // A long reason is cut at a character boundary to fit a control frame.
    let n = write_close(&mut big, 1000, &"é".repeat(100), [0; 4]).unwrap();
    assert_eq!(n, 2 + 4 + 2 + 122);
}

/// Everything `reader` returns for `stream`, fed `piece` bytes at a time into a buffer of
/// `capacity`, as owned values.
fn read_all(stream: &[u8], piece: usize, capacity: usize) -> Result<Vec<Owned>, FrameError> {
    let mut reader = FrameReader::new();
    let mut buf = std::vec![0u8; capacity];
    let mut len = 0;
    let mut fed = 0;
    let mut out = Vec::new();
    loop {
        match reader.read(&mut buf, &mut len)? {
            Some(message) => out.push(Owned::from(message)),
            None if fed == stream.len() => return Ok(out),
            None => {
                let n = piece.min(stream.len() - fed).min(capacity - len);
                buf[len..len + n].copy_from_slice(&stream[fed..fed + n]);
                len += n;
                fed += n;
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Owned {
    Text(std::string::String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<u16>, std::string::String),
}

impl From<Message<'_>> for Owned {
    fn from(m: Message<'_>) -> Self {
        match m {
            Message::Text(t) => Self::Text(t.into()),
            Message::Binary(b) => Self::Binary(b.to_vec()),
            Message::Ping(p) => Self::Ping(p.to_vec()),
            Message::Pong(p) => Self::Pong(p.to_vec()),
            Message::Close { code, reason } => Self::Close(code, reason.into()),
        }
    }
}

/// RFC 6455 section 5.7's unmasked frames, and a ping between two fragments, read whole and in
/// every piece size: the same messages each time.
#[test]
fn the_rfc_frames_in_any_pieces() {
    let mut stream = Vec::new();
    stream.extend_from_slice(&[0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
    stream.extend_from_slice(&[0x01, 0x03, b'H', b'e', b'l']);
    stream.extend_from_slice(&[0x89, 0x05, b'H', b'e', b'l', b'l', b'o']);
    stream.extend_from_slice(&[0x80, 0x02, b'l', b'o']);
    stream.extend_from_slice(&[0x82, 0x7E, 0x01, 0x00]);
    stream.extend_from_slice(&[9; 256]);
    stream.extend_from_slice(&[0x8A, 0x00, 0x88, 0x05, 0x03, 0xE8, b'b', b'y', b'e']);
    let expected = std::vec![
        Owned::Text("Hello".into()),
        Owned::Ping(b"Hello".to_vec()),
        Owned::Text("Hello".into()),
        Owned::Binary(std::vec![9; 256]),
        Owned::Pong(Vec::new()),
        Owned::Close(Some(1000), "bye".into()),
    ];
    for piece in [1, 2, 3, 7, 64, 1000] {
        assert_eq!(read_all(&stream, piece, 300), Ok(expected.clone()), "pieces of {piece}");
    }
    // A 64 KiB message (64-bit length).
    let mut long = std::vec![0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0];
    long.extend_from_slice(&[1; 65_536]);
    assert_eq!(read_all(&long, 4096, 70_000), Ok(std::vec![Owned::Binary(std::vec![1; 65_536])]));
}

#[test]
fn protocol_violations_are_typed_errors() {
    let cases: [(&[u8], FrameError); 10] = [
        (&[0x81, 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0], FrameError::MaskedByServer),
        (&[0xC1, 0x00], FrameError::ReservedBits),
        (&[0x83, 0x00], FrameError::UnknownOpcode(3)),
        (&[0x09, 0x00], FrameError::InvalidControl),
        (&[0x89, 0x7E, 0x00, 0x7E], FrameError::InvalidControl),
        (&[0x80, 0x01, b'x'], FrameError::UnexpectedFragment),
        (&[0x01, 0x01, b'x', 0x81, 0x01, b'y'], FrameError::UnexpectedFragment),
        (&[0x81, 0x02, 0xC3, 0x28], FrameError::InvalidUtf8),
        (&[0x88, 0x01, 0x03], FrameError::InvalidClose),
        (&[0x88, 0x03, 0x03, 0xE8, 0xFF], FrameError::InvalidUtf8),
    ];
    for (stream, error) in cases {
        assert_eq!(read_all(stream, 1, 64), Err(error), "{stream:02x?}");
    }
    // Over the reader's limit, whole or fragmented; over the buffer.
    let mut reader = FrameReader::new().with_max_message(4);
    let mut buf = [0x01, 0x03, b'a', b'b', b'c', 0x80, 0x02, b'd', b'e', 0, 0, 0];
    let mut len = 9;
    assert_eq!(reader.read(&mut buf, &mut len), Err(FrameError::TooLarge { limit: 4 }));
    assert_eq!(
        read_all(&[0x82, 0x7E, 0x01, 0x00], 4, 64),
        Err(FrameError::BufferTooSmall { needed: 260, available: 64 })
    );
    let huge = [0x82, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
    assert!(matches!(read_all(&huge, 10, 64), Err(FrameError::BufferTooSmall { .. })));
}

#[test]
fn frames_are_masked_like_the_byte_by_byte_definition_at_every_length() {
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    for len in [0usize, 1, 3, 4, 7, 8, 9, 15, 16, 17, 125, 126, 300] {
        let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
        let mut out = std::vec![0u8; frame_len(len)];
        let n = write_frame(&mut out, Opcode::Text, &payload, mask).expect("fits");
        let body = &out[n - len..n];
        // RFC 6455 section 5.3: octet i is XORed with mask octet i mod 4.
        let expected: Vec<u8> = payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
        assert_eq!(body, expected.as_slice(), "length {len}");
        let mut in_place = std::vec![0u8; MAX_HEAD_LEN + len];
        in_place[MAX_HEAD_LEN..].copy_from_slice(&payload);
        let frame = frame_in_place(&mut in_place, Opcode::Text, len, mask).expect("fits");
        assert_eq!(&in_place[frame], &out[..n], "length {len}");
    }
}
