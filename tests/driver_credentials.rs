//! Credentials as long as the client allows (`MAX_CREDENTIAL_LEN`, 128 bytes each) on both of
//! core's HTTP links (`Driver` over `HttpSingleLink` and over `HttpLink`): the long poll carries
//! them percent-encoded in its query (up to three bytes each), so its head is far larger than a
//! POST's. The links give it the whole buffer, and the driver checks, when the credentials are
//! set, that it fits. Against a scripted server on in-memory streams; `tests/socket_auth.rs`
//! runs the same against a real Janus.

use std::collections::VecDeque;

use janus_signal::EncodeError;
use janus_signal::client::{Client, ClientError, Config, MAX_CREDENTIAL_LEN, Output};
use janus_signal::driver::{Buffers, Driver, HttpEndpoint, HttpLink, HttpSingleLink};
use janus_signal::{Instant, SessionId};

const SESSION: u64 = 4_242_424_242_424_242;

/// 128 bytes, each of which a query must percent-encode.
fn secret() -> String {
    "+/=:, ?&#%".chars().cycle().take(MAX_CREDENTIAL_LEN).collect()
}

/// A long HMAC-style token: `expiry,janus,plugin:signature`.
fn token() -> String {
    let mut token = String::from("1900000000,janus,janus.plugin.echotest:");
    while token.len() < MAX_CREDENTIAL_LEN {
        token.push_str("aB+/=");
    }
    token.truncate(MAX_CREDENTIAL_LEN);
    token
}

fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One side of a scripted HTTP server: it reads whole requests (head and `Content-Length`
/// body) from what the driver writes and queues the answer `respond` gives.
struct Scripted {
    written: Vec<u8>,
    to_read: VecDeque<u8>,
    /// Every request's head, as written.
    heads: Vec<String>,
    respond: fn(&str, &[u8]) -> String,
}

impl Scripted {
    fn new(respond: fn(&str, &[u8]) -> String) -> Self {
        Self { written: Vec::new(), to_read: VecDeque::new(), heads: Vec::new(), respond }
    }

    fn take_requests(&mut self) {
        while let Some(end) = self.written.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(self.written[..end + 4].to_vec()).expect("ASCII head");
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .map_or(0, |n| n.trim().parse::<usize>().expect("length"));
            if self.written.len() < end + 4 + length {
                return;
            }
            let body: Vec<u8> = self.written[end + 4..end + 4 + length].to_vec();
            self.written.drain(..end + 4 + length);
            let answer = (self.respond)(&head, &body);
            let response = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{answer}", answer.len());
            self.to_read.extend(response.bytes());
            self.heads.push(head);
        }
    }
}

impl embedded_io::ErrorType for Scripted {
    type Error = std::io::Error;
}

impl embedded_io::Read for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.take_requests();
        assert!(!self.to_read.is_empty(), "the driver reads with no request outstanding");
        let n = buf.len().min(self.to_read.len());
        for (slot, byte) in buf.iter_mut().zip(self.to_read.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

impl embedded_io::ReadReady for Scripted {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        self.take_requests();
        Ok(!self.to_read.is_empty())
    }
}

impl embedded_io::Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A tiny Janus: `create` answers with `SESSION`, the long poll with a keepalive; every
/// request must carry the credentials in its body.
fn janus(head: &str, body: &[u8]) -> String {
    if head.starts_with("GET ") {
        return r#"[{"janus":"keepalive"}]"#.to_owned();
    }
    let request: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    assert_eq!(request["apisecret"], secret().as_str(), "{request}");
    assert_eq!(request["token"], token().as_str(), "{request}");
    let tx = request["transaction"].as_str().expect("transaction");
    format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":{SESSION}}}}}"#)
}

fn endpoint() -> HttpEndpoint<'static> {
    HttpEndpoint { host: "127.0.0.1:8088", base: "/janus" }
}

fn clock() -> Instant {
    Instant::ZERO
}

/// A sink for what the test does not look at.
fn ignore(_: Output<'_>) {}

/// The long poll's request line with both credentials.
fn long_poll_line(session: u64) -> String {
    format!("GET /janus/{session}?maxev=10&apisecret={}&token={} HTTP/1.1", encoded(&secret()), encoded(&token()))
}

#[test]
fn the_single_driver_long_polls_with_the_longest_credentials() {
    let mut buffer = [0u8; 2048];
    let client: Client<1, 2, 4> = Client::new(Config::http(), 1);
    let mut driver = Driver::new(client, HttpSingleLink::new(Scripted::new(janus), endpoint(), &mut buffer), clock);
    driver.set_credentials(Some(&secret()), Some(&token())).expect("credentials fit");
    assert_eq!(driver.create_session(&mut ignore).expect("create"), SessionId(SESSION));
    let mut outputs = 0;
    driver.poll(clock(), &mut |_: Output<'_>| outputs += 1).expect("the long poll");
    assert_eq!(outputs, 1, "the keepalive");
    let heads = std::mem::take(&mut driver.link_mut().stream().heads);
    let get = heads.last().expect("the long poll");
    assert_eq!(get.lines().next(), Some(long_poll_line(SESSION).as_str()));
    // More than the 256 bytes a POST's head gets, and than std-socket's former 512.
    assert!(get.len() > 700, "a {}-byte head", get.len());
}

#[test]
fn credentials_whose_long_poll_does_not_fit_are_refused_when_set() {
    let mut buffer = [0u8; 700];
    let client: Client<1, 2, 4> = Client::new(Config::http(), 1);
    let mut driver = Driver::new(client, HttpSingleLink::new(Scripted::new(janus), endpoint(), &mut buffer), clock);
    match driver.set_credentials(Some(&secret()), Some(&token())) {
        Err(ClientError::Encode(EncodeError::BufferTooSmall { needed, available: 700 })) => {
            // The longest session id is counted.
            assert_eq!(needed, long_poll_line(u64::MAX).len() + "\r\nHost: 127.0.0.1:8088\r\n\r\n".len());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(driver.client().auth().apisecret, None, "nothing was set");
    // Too long for the client at all.
    let long = "x".repeat(MAX_CREDENTIAL_LEN + 1);
    assert!(matches!(driver.set_credentials(Some(&long), None), Err(ClientError::CredentialTooLong)));
    // Short ones fit.
    driver.set_credentials(Some("s3cret"), None).expect("short credentials");
    assert_eq!(driver.client().auth().apisecret, Some("s3cret"));
}

#[test]
fn the_two_connection_driver_long_polls_with_the_longest_credentials() {
    let (mut tx, mut rx_requests, mut rx_events) = ([0u8; 1024], [0u8; 1024], [0u8; 1024]);
    let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_requests, rx_events: &mut rx_events };
    let client: Client<1, 2, 4> = Client::new(Config::http(), 1);
    let link = HttpLink::new(Scripted::new(janus), Scripted::new(janus), endpoint(), buffers);
    let mut driver = Driver::new(client, link, clock);
    driver.set_credentials(Some(&secret()), Some(&token())).expect("credentials fit");
    driver.create_session(&mut ignore).expect("create");
    driver.poll(clock(), &mut ignore).expect("the long poll");
    // And through the non-blocking step.
    let mut outputs = 0;
    nb::block!(driver.step(&mut |_: Output<'_>| outputs += 1)).expect("step");
    assert_eq!(outputs, 1);
    let (_, link, _) = driver.into_parts();
    let (_, events) = link.into_streams();
    assert_eq!(events.heads.len(), 2);
    for get in &events.heads {
        assert_eq!(get.lines().next(), Some(long_poll_line(SESSION).as_str()));
    }
}
