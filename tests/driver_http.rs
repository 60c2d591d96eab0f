//! The driver over the two-connection embedded-io HTTP link (`Driver` with `HttpLink`) against
//! the real Janus, over `std::net::TcpStream` adapted to embedded-io: create → attach echotest →
//! message → long-poll event → detach → destroy, both with the blocking calls and with the
//! non-blocking `step`.
//!
//! Janus comes from `JANUS_HTTP_URL` (default `http://127.0.0.1:8088/janus`). The tests are
//! `#[ignore]`d (live): `tests/run` runs them with its Janus; run without one they fail.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant as StdInstant};

use janus_signal::client::{Client, ClientError, Config, Output, RequestKind};
use janus_signal::driver::{Buffers, CallError, Driver, HttpEndpoint, HttpLink, HttpLinkError};
use janus_signal::message::{ErrorCode, JsepType, Message};
use janus_signal::request::{SdpType, SessionDescription};
use janus_signal::{HandleId, Instant};

const OFFER: &str = include_str!("fixtures/sdp/offer-audio-video-loopback.sdp");

/// A `TcpStream` as an embedded-io stream, with `ReadReady` for the non-blocking step.
struct Tcp(TcpStream);

impl embedded_io::ErrorType for Tcp {
    type Error = std::io::Error;
}

impl embedded_io::Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.0.read(buf)
    }
}

impl embedded_io::Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

impl embedded_io::ReadReady for Tcp {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        self.0.set_nonblocking(true)?;
        let mut probe = [0u8; 1];
        let ready = match self.0.peek(&mut probe) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(e),
        };
        self.0.set_nonblocking(false)?;
        ready
    }
}

/// The default Janus's HTTP `host:port`; fails the (`#[ignore]`d, live) test when it does not
/// answer.
fn janus_authority() -> String {
    let url = std::env::var("JANUS_HTTP_URL").unwrap_or_else(|_| "http://127.0.0.1:8088/janus".into());
    let authority = url.trim_start_matches("http://").split('/').next().unwrap_or_default().to_owned();
    assert!(
        TcpStream::connect(&authority).is_ok(),
        "live test without a Janus: nothing answers at {url} (tests/run starts one)"
    );
    authority
}

fn connect(authority: &str) -> Tcp {
    let stream = TcpStream::connect(authority).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(40))).expect("timeout");
    Tcp(stream)
}

#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
    video: bool,
}

/// A sink for what the test does not look at.
fn ignore(_: Output<'_>) {}

/// No limit of the test's own: the client's request timeout ends every request.
const NO_LIMIT: Instant = Instant::from_millis(u64::MAX);

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn blocking_driver_runs_a_whole_echotest_session() {
    let authority = janus_authority();
    let (mut tx, mut rx_req, mut rx_ev) = (vec![0u8; 8192], vec![0u8; 8192], vec![0u8; 16384]);
    let start = StdInstant::now();
    let clock = move || Instant::from_millis(u64::try_from(start.elapsed().as_millis()).expect("fits"));
    let client: Client = Client::new(Config::http(), 0xC0FFEE);
    let endpoint = HttpEndpoint { host: &authority, base: "/janus" };
    let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_req, rx_events: &mut rx_ev };
    let link = HttpLink::new(connect(&authority), connect(&authority), endpoint, buffers);
    let mut driver = Driver::new(client, link, clock);

    let session = driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    assert_eq!(driver.client().handles().collect::<Vec<_>>(), [handle]);

    // A plain message: the echotest answers with an event on the long poll.
    let result = driver
        .message::<_, (), _>(handle, &Echo { audio: true, video: true }, None, &mut ignore, |reply| {
            let Message::Event(e) = reply else { return String::new() };
            let data = e.plugin_data.expect("plugindata").data;
            data.get("result").and_then(|r| r.as_str()).map(|r| r.to_string()).unwrap_or_default()
        })
        .expect("message answered");
    assert_eq!(result, "ok");

    // An offer: the answering event carries Janus's SDP.
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let answer = driver
        .message(handle, &Echo { audio: true, video: true }, Some(&offer), &mut ignore, |reply| {
            if let Message::Event(e) = reply
                && let Some(jsep) = e.jsep
            {
                assert_eq!(jsep.kind, JsepType::Answer);
                return jsep.sdp.to_string();
            }
            String::new()
        })
        .expect("offer answered");
    assert!(answer.starts_with("v=0\r\n"), "{answer}");

    driver.detach(handle, &mut ignore).expect("detach");
    assert_eq!(driver.client().handles().count(), 0);
    driver.destroy_session(&mut ignore).expect("destroy");
    assert!(driver.client().session_id().is_none());
    // The session is really gone on the server.
    assert!(matches!(driver.create_session(&mut ignore), Ok(s) if s != session));
    driver.destroy_session(&mut ignore).expect("destroy the second session");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn janus_errors_reach_the_caller_typed() {
    let authority = janus_authority();
    let (mut tx, mut rx_req, mut rx_ev) = (vec![0u8; 4096], vec![0u8; 4096], vec![0u8; 4096]);
    let start = StdInstant::now();
    let clock = move || Instant::from_millis(u64::try_from(start.elapsed().as_millis()).expect("fits"));
    let endpoint = HttpEndpoint { host: &authority, base: "/janus" };
    let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_req, rx_events: &mut rx_ev };
    let client: Client = Client::new(Config::http(), 7);
    let link = HttpLink::new(connect(&authority), connect(&authority), endpoint, buffers);
    let mut driver = Driver::new(client, link, clock);
    driver.create_session(&mut ignore).expect("create");
    assert!(matches!(
        driver.attach("janus.plugin.nope", &mut ignore),
        Err(CallError::Janus(code)) if code == ErrorCode::PluginNotFound && code.code() == 460
    ));
    // The session is still usable after the error.
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    assert!(matches!(
        driver.message::<_, (), _>(
            HandleId(handle.0 + 1),
            &Echo { audio: true, video: false },
            None,
            &mut ignore,
            |_| {}
        ),
        Err(CallError::Client(ClientError::UnknownHandle(_)))
    ));
    driver.destroy_session(&mut ignore).expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_reply_larger_than_the_buffer_is_a_typed_error() {
    let authority = janus_authority();
    // server_info is about 3 KB: 512 bytes cannot hold it.
    let (mut tx, mut rx_req, mut rx_ev) = (vec![0u8; 1024], vec![0u8; 512], vec![0u8; 512]);
    let clock = || Instant::ZERO;
    let endpoint = HttpEndpoint { host: &authority, base: "/janus" };
    let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_req, rx_events: &mut rx_ev };
    let client: Client = Client::new(Config::http(), 9);
    let link = HttpLink::new(connect(&authority), connect(&authority), endpoint, buffers);
    let mut driver = Driver::new(client, link, clock);
    let err =
        driver.call(&mut |c, now, out| c.server_info(now, out), NO_LIMIT, &mut ignore, |_| ()).expect_err("too large");
    assert!(
        matches!(err, CallError::Link(HttpLinkError::ResponseTooLarge { buffer: "rx_requests", capacity: 512 })),
        "{err:?}"
    );
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn nonblocking_step_delivers_the_event() {
    let authority = janus_authority();
    let (mut tx, mut rx_req, mut rx_ev) = (vec![0u8; 4096], vec![0u8; 4096], vec![0u8; 8192]);
    let start = StdInstant::now();
    let clock = move || Instant::from_millis(u64::try_from(start.elapsed().as_millis()).expect("fits"));
    let endpoint = HttpEndpoint { host: &authority, base: "/janus" };
    let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_req, rx_events: &mut rx_ev };
    let client: Client = Client::new(Config::http(), 11);
    let link = HttpLink::new(connect(&authority), connect(&authority), endpoint, buffers);
    let mut driver = Driver::new(client, link, clock);
    driver.create_session(&mut ignore).expect("create");
    let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
    // `Driver::start` sends without waiting: the POST's response (the ack) is handled at once,
    // the answer is left to `step`.
    let mut acked = None;
    let request = driver
        .start(
            &mut |c, now, out| c.message::<_, ()>(now, out, handle, &Echo { audio: true, video: true }, None),
            Instant::from_millis(u64::MAX),
            &mut |output: Output<'_>| {
                if let Output::Acked { request } = output {
                    acked = Some(request);
                }
            },
        )
        .expect("sent");
    assert_eq!(acked, Some(request), "the POST's response is the ack");
    let mut answered = false;
    let mut would_block = 0u32;
    let deadline = StdInstant::now() + Duration::from_secs(10);
    while !answered {
        assert!(StdInstant::now() < deadline, "no answer within 10 s");
        match driver.step(&mut |output: Output<'_>| {
            if let Output::Reply { request: r, kind: RequestKind::Message, message: Message::Event(_) } = output {
                answered = r == request;
            }
        }) {
            Ok(()) => {}
            Err(nb::Error::WouldBlock) => {
                would_block += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(nb::Error::Other(e)) => panic!("{e}"),
        }
    }
    eprintln!("answered after {would_block} WouldBlock steps");
    driver.destroy_session(&mut ignore).expect("destroy");
}
