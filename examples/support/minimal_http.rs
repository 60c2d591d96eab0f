//! A deliberately minimal blocking HTTP/1.1 client (one request per connection) used by the
//! `codec_echotest` example and the live codec tests until `janus-signal-socket` has the real
//! transport. It panics on I/O errors: it is demo and test code, not the project's HTTP stack.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One HTTP response: status and de-framed body.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// `host:port` and base path from an `http://host:port/path` URL.
pub(crate) fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("http:// URL");
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    (authority.to_owned(), format!("/{path}"))
}

/// Whether something accepts TCP connections at `authority`.
pub(crate) fn reachable(authority: &str) -> bool {
    authority.parse().ok().and_then(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()).is_some()
}

/// Sends one request on a fresh connection and reads one response (Content-Length or
/// chunked).
pub(crate) fn request(authority: &str, method: &str, path: &str, body: &[u8]) -> Response {
    let mut stream = TcpStream::connect(authority).expect("connect to Janus");
    stream.set_read_timeout(Some(Duration::from_secs(40))).expect("timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
    read_response(&mut stream)
}

fn read_response(stream: &mut TcpStream) -> Response {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head_len) = response.parse(&buf).expect("valid HTTP head") {
            let status = response.code.expect("status");
            let header = |name: &str| {
                response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(h.value).into_owned())
            };
            let chunked = header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
            let length = header("content-length").map(|v| v.trim().parse::<usize>().expect("length"));
            let mut rest = buf.split_off(head_len);
            let body = if chunked {
                read_chunked(stream, &mut rest)
            } else {
                let length = length.unwrap_or(0);
                while rest.len() < length {
                    let n = stream.read(&mut chunk).expect("read body");
                    assert!(n > 0, "connection closed inside the body");
                    rest.extend_from_slice(&chunk[..n]);
                }
                rest.truncate(length);
                rest
            };
            return Response { status, body };
        }
        let n = stream.read(&mut chunk).expect("read head");
        assert!(n > 0, "connection closed before a response");
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn read_chunked(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Vec<u8> {
    let mut body = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match httparse::parse_chunk_size(pending).expect("chunk size") {
            httparse::Status::Complete((used, size)) => {
                let size = usize::try_from(size).expect("size");
                // Data plus its CRLF.
                while pending.len() < used + size + 2 {
                    let n = stream.read(&mut chunk).expect("read chunk");
                    assert!(n > 0, "connection closed inside a chunk");
                    pending.extend_from_slice(&chunk[..n]);
                }
                if size == 0 {
                    return body;
                }
                body.extend_from_slice(&pending[used..used + size]);
                pending.drain(..used + size + 2);
            }
            httparse::Status::Partial => {
                let n = stream.read(&mut chunk).expect("read chunk size");
                assert!(n > 0, "connection closed before a chunk size");
                pending.extend_from_slice(&chunk[..n]);
            }
        }
    }
}
