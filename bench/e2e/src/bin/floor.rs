//! The floor: the least a client can do for an echotest cycle, by hand over `TcpStream`.
//! Requests are formatted with `format!`, replies are read by naive string search (no JSON
//! parser), HTTP is one keep-alive connection (Content-Length or chunked answers, the long
//! poll on the same connection after the ack), WebSocket is a minimal RFC 6455 client (masked
//! text frames out; text, continuation, ping and close frames in). Correct enough for Janus's
//! answers to these five requests, and nothing more.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use janus_signal_bench_e2e::{Transport, args, exit_on_error, measure};

/// Longer than Janus's 30 s long-poll keepalive: a stuck run fails instead of hanging.
const READ_TIMEOUT: Duration = Duration::from_secs(40);

fn main() {
    let args = args();
    let result = (|| -> io::Result<Result<(), String>> {
        let (authority, path) = split_url(&args.url);
        let mut link = match args.transport {
            Transport::Ws => Link::Ws(Ws::connect(authority, path)?),
            Transport::Http => Link::Http(Http::connect(authority, path)?),
        };
        let mut next_tx = 0u64;
        Ok(measure("floor", &args, || cycle(&mut link, &mut next_tx)))
    })()
    .unwrap_or_else(|e| Err(format!("connect to {}: {e}", args.url)));
    exit_on_error("floor", result);
}

/// `scheme://authority/path` → (authority, path).
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
        None => (rest, ""),
    }
}

fn cycle(link: &mut Link, next_tx: &mut u64) -> io::Result<()> {
    let mut tx = || {
        *next_tx += 1;
        *next_tx
    };
    let t = tx();
    let reply = link.call(None, format!(r#"{{"janus":"create","transaction":"f{t}"}}"#), t, "success")?;
    let session = number_after(&reply, "\"id\"").ok_or_else(|| bad("create: no data.id"))?;

    let t = tx();
    let body =
        format!(r#"{{"janus":"attach","session_id":{session},"plugin":"janus.plugin.echotest","transaction":"f{t}"}}"#);
    let reply = link.call(Some((session, None)), body, t, "success")?;
    let handle = number_after(&reply, "\"id\"").ok_or_else(|| bad("attach: no data.id"))?;

    let t = tx();
    let body = format!(
        r#"{{"janus":"message","session_id":{session},"handle_id":{handle},"body":{{"audio":true,"video":true}},"transaction":"f{t}"}}"#
    );
    link.message(session, handle, body, t)?;

    let t = tx();
    let body = format!(r#"{{"janus":"detach","session_id":{session},"handle_id":{handle},"transaction":"f{t}"}}"#);
    link.call(Some((session, Some(handle))), body, t, "success")?;

    let t = tx();
    let body = format!(r#"{{"janus":"destroy","session_id":{session},"transaction":"f{t}"}}"#);
    link.call(Some((session, None)), body, t, "success")?;
    Ok(())
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

// ----- naive JSON reading ---------------------------------------------------------------------

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What follows `key` (a quoted key, e.g. `"id"`), past the colon and any whitespace.
fn value_after<'a>(json: &'a [u8], key: &str) -> Option<&'a [u8]> {
    let at = find(json, key.as_bytes())? + key.len();
    let rest = &json[at..];
    let skip = rest.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b':'))?;
    Some(&rest[skip..])
}

fn number_after(json: &[u8], key: &str) -> Option<u64> {
    let v = value_after(json, key)?;
    let end = v.iter().position(|b| !b.is_ascii_digit()).unwrap_or(v.len());
    std::str::from_utf8(&v[..end]).ok()?.parse().ok()
}

/// The string value of `key`, without its quotes (no escapes: Janus's kinds and our
/// transactions have none).
fn string_after<'a>(json: &'a [u8], key: &str) -> Option<&'a [u8]> {
    let v = value_after(json, key)?.strip_prefix(b"\"")?;
    Some(&v[..v.iter().position(|&b| b == b'"')?])
}

/// Whether `json` carries our transaction `f<t>`.
fn has_tx(json: &[u8], t: u64) -> bool {
    string_after(json, "\"transaction\"")
        .is_some_and(|v| v.first() == Some(&b'f') && v[1..] == *t.to_string().as_bytes())
}

fn kind(json: &[u8]) -> &[u8] {
    string_after(json, "\"janus\"").unwrap_or_default()
}

fn expect_kind(json: &[u8], wanted: &str) -> io::Result<()> {
    if kind(json) == wanted.as_bytes() {
        Ok(())
    } else {
        Err(bad(&format!("wanted {wanted}, got {}", String::from_utf8_lossy(json))))
    }
}

// ----- the two transports ---------------------------------------------------------------------

enum Link {
    Ws(Ws),
    Http(Http),
}

impl Link {
    /// Sends a request and returns the reply with its transaction, of kind `wanted`.
    /// `route` is the (session, handle) path over HTTP.
    fn call(&mut self, route: Option<(u64, Option<u64>)>, body: String, t: u64, wanted: &str) -> io::Result<Vec<u8>> {
        let reply = match self {
            Self::Ws(ws) => {
                ws.send(body.as_bytes())?;
                loop {
                    let m = ws.receive()?;
                    if has_tx(&m, t) {
                        break m;
                    }
                }
            }
            Self::Http(http) => {
                let path = match route {
                    None => String::new(),
                    Some((s, None)) => format!("/{s}"),
                    Some((s, Some(h))) => format!("/{s}/{h}"),
                };
                http.post(&path, body.as_bytes())?
            }
        };
        expect_kind(&reply, wanted)?;
        Ok(reply)
    }

    /// The plugin message: waits for both the ack and the event with transaction `f<t>`, in
    /// whichever order they come.
    fn message(&mut self, session: u64, handle: u64, body: String, t: u64) -> io::Result<()> {
        let (mut acked, mut answered) = (false, false);
        let mut note = |m: &[u8]| -> io::Result<bool> {
            match kind(m) {
                b"ack" => acked = true,
                b"event" => answered = true,
                _ => return Err(bad(&format!("message: {}", String::from_utf8_lossy(m)))),
            }
            Ok(acked && answered)
        };
        match self {
            Self::Ws(ws) => {
                ws.send(body.as_bytes())?;
                loop {
                    let m = ws.receive()?;
                    if has_tx(&m, t) && note(&m)? {
                        return Ok(());
                    }
                }
            }
            Self::Http(http) => {
                let m = http.post(&format!("/{session}/{handle}"), body.as_bytes())?;
                if note(&m)? {
                    return Ok(());
                }
                loop {
                    let m = http.get(&format!("/{session}?maxev=1"))?;
                    if has_tx(&m, t) && note(&m)? {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Bytes received and not yet consumed.
struct Inbox {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
}

impl Inbox {
    fn new(stream: TcpStream) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        Ok(Self { stream, buf: Vec::with_capacity(16 * 1024), start: 0 })
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Reads until at least `n` bytes are available.
    fn fill(&mut self, n: usize) -> io::Result<()> {
        while self.buf.len() - self.start < n {
            if self.start > 0 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            let len = self.buf.len();
            self.buf.resize(len.max(n).max(len + 8192), 0);
            let got = self.stream.read(&mut self.buf[len..])?;
            self.buf.truncate(len + got);
            if got == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(())
    }

    /// Reads until `needle` is available and returns the position just past it.
    fn fill_until(&mut self, needle: &[u8]) -> io::Result<usize> {
        let mut have = 0usize;
        loop {
            if let Some(i) = find(&self.available()[have.saturating_sub(needle.len())..], needle) {
                return Ok(have.saturating_sub(needle.len()) + i + needle.len());
            }
            have = self.available().len();
            self.fill(have + 1)?;
        }
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let taken = &self.buf[self.start..self.start + n];
        self.start += n;
        taken
    }
}

struct Ws {
    inbox: Inbox,
    mask_seed: u32,
    frame: Vec<u8>,
}

impl Ws {
    fn connect(authority: &str, path: &str) -> io::Result<Self> {
        let mut inbox = Inbox::new(TcpStream::connect(authority)?)?;
        let path = if path.is_empty() { "/" } else { path };
        write!(
            inbox.stream,
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: janus-protocol\r\n\r\n"
        )?;
        let end = inbox.fill_until(b"\r\n\r\n")?;
        if !inbox.take(end).starts_with(b"HTTP/1.1 101") {
            return Err(bad("WebSocket handshake refused"));
        }
        Ok(Self { inbox, mask_seed: 0x9e37_79b9, frame: Vec::with_capacity(4096) })
    }

    /// One masked frame with `opcode` and FIN.
    fn send_frame(&mut self, opcode: u8, payload: &[u8]) -> io::Result<()> {
        // xorshift32: masking keys need not be strong here, only present.
        self.mask_seed ^= self.mask_seed << 13;
        self.mask_seed ^= self.mask_seed >> 17;
        self.mask_seed ^= self.mask_seed << 5;
        let mask = self.mask_seed.to_be_bytes();
        let f = &mut self.frame;
        f.clear();
        f.push(0x80 | opcode);
        match payload.len() {
            n if n < 126 => f.push(0x80 | n as u8),
            n if n <= 0xffff => {
                f.push(0x80 | 126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(0x80 | 127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(&mask);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i & 3]));
        self.inbox.stream.write_all(f)
    }

    fn send(&mut self, text: &[u8]) -> io::Result<()> {
        self.send_frame(0x1, text)
    }

    /// The next whole text (or binary) message, continuation frames joined.
    fn receive(&mut self) -> io::Result<Vec<u8>> {
        let mut message = Vec::new();
        loop {
            self.inbox.fill(2)?;
            let head = self.inbox.available();
            let (fin, opcode, masked) = (head[0] & 0x80 != 0, head[0] & 0x0f, head[1] & 0x80 != 0);
            let (len, header) = match head[1] & 0x7f {
                126 => {
                    self.inbox.fill(4)?;
                    let h = self.inbox.available();
                    (u64::from(u16::from_be_bytes([h[2], h[3]])), 4)
                }
                127 => {
                    self.inbox.fill(10)?;
                    let h = self.inbox.available();
                    (u64::from_be_bytes(h[2..10].try_into().expect("8 bytes")), 10)
                }
                n => (u64::from(n), 2),
            };
            let header = header + if masked { 4 } else { 0 };
            let len = usize::try_from(len).map_err(|_| bad("frame too large"))?;
            self.inbox.fill(header + len)?;
            let frame = self.inbox.take(header + len);
            let mut payload = frame[header..].to_vec();
            if masked {
                let mask = [frame[header - 4], frame[header - 3], frame[header - 2], frame[header - 1]];
                payload.iter_mut().enumerate().for_each(|(i, b)| *b ^= mask[i & 3]);
            }
            match opcode {
                0x0..=0x2 => {
                    message.extend_from_slice(&payload);
                    if fin {
                        return Ok(message);
                    }
                }
                0x8 => return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "WebSocket closed by Janus")),
                0x9 => self.send_frame(0xA, &payload)?,
                _ => {}
            }
        }
    }
}

struct Http {
    inbox: Inbox,
    authority: String,
    base: String,
    out: Vec<u8>,
}

impl Http {
    fn connect(authority: &str, base: &str) -> io::Result<Self> {
        let inbox = Inbox::new(TcpStream::connect(authority)?)?;
        Ok(Self { inbox, authority: authority.to_owned(), base: base.to_owned(), out: Vec::with_capacity(1024) })
    }

    fn post(&mut self, path: &str, body: &[u8]) -> io::Result<Vec<u8>> {
        self.out.clear();
        write!(
            self.out,
            "POST {}{path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.base,
            self.authority,
            body.len()
        )?;
        self.out.extend_from_slice(body);
        self.inbox.stream.write_all(&self.out)?;
        self.response()
    }

    fn get(&mut self, path: &str) -> io::Result<Vec<u8>> {
        self.out.clear();
        write!(self.out, "GET {}{path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.base, self.authority)?;
        self.inbox.stream.write_all(&self.out)?;
        self.response()
    }

    /// One response's body (status 200 only), framed by Content-Length or chunked.
    fn response(&mut self) -> io::Result<Vec<u8>> {
        let end = self.inbox.fill_until(b"\r\n\r\n")?;
        let head = self.inbox.take(end).to_ascii_lowercase();
        if !head.starts_with(b"http/1.1 200") {
            return Err(bad(&format!("HTTP: {}", String::from_utf8_lossy(&head))));
        }
        if find(&head, b"transfer-encoding: chunked").is_some() {
            let mut body = Vec::new();
            loop {
                let line = self.inbox.fill_until(b"\r\n")?;
                let size = std::str::from_utf8(&self.inbox.available()[..line - 2]).ok();
                let size = size.and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok());
                let size = size.ok_or_else(|| bad("bad chunk size"))?;
                self.inbox.take(line);
                self.inbox.fill(size + 2)?;
                body.extend_from_slice(&self.inbox.take(size + 2)[..size]);
                if size == 0 {
                    // No trailers from Janus: the last chunk's CRLF ends the message.
                    return Ok(body);
                }
            }
        }
        let len = number_after(&head, "content-length").ok_or_else(|| bad("no framing"))? as usize;
        self.inbox.fill(len)?;
        Ok(self.inbox.take(len).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_reading_of_janus_replies() {
        let indented =
            b"{\n   \"janus\": \"success\",\n   \"transaction\": \"f12\",\n   \"data\": {\n      \"id\": 4417\n   }\n}";
        assert_eq!(kind(indented), b"success");
        assert!(has_tx(indented, 12) && !has_tx(indented, 1) && !has_tx(indented, 123));
        assert_eq!(number_after(indented, "\"id\""), Some(4417));
        let compact = br#"{"janus":"ack","session_id":9,"transaction":"f3"}"#;
        assert_eq!((kind(compact), has_tx(compact, 3)), (&b"ack"[..], true));
        assert_eq!(number_after(compact, "\"id\""), None);
        assert_eq!(number_after(b"content-length: 42\r\n", "content-length"), Some(42));
        assert_eq!(split_url("http://127.0.0.1:8088/janus"), ("127.0.0.1:8088", "/janus"));
        assert_eq!(split_url("ws://127.0.0.1:8188"), ("127.0.0.1:8188", ""));
    }
}
