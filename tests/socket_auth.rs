//! Credentials with `janus-signal-socket` over both transports, against extra Janus instances
//! this file starts (and stops) itself with `tests/janus/janus-server`:
//!
//! - `api_secret` (HTTP 18088, WS 18188, Admin 17088): requests without or with a wrong secret
//!   get 403; with the right one everything works, including the HTTP long poll (which carries
//!   `?apisecret=`).
//! - `token_auth` (HTTP 28088, WS 28188, Admin 27088): a token added through `AdminClient`,
//!   limited to the echotest, lets a client create and attach the echotest (and receive its
//!   events, over HTTP on the long poll with `?token=`); attaching the videoroom gives 405, no or
//!   a wrong token 403; `list_tokens` / `remove_token`, after which the token is refused.
//!
//! - the longest credentials (HTTP 26088, WS 26188, Admin 25088): a 128-byte `api_secret`
//!   (`MAX_CREDENTIAL_LEN`) made of characters a query must percent-encode, and a long token
//!   (ignored there; on the `token_auth` instance, a 128-byte token the Admin API added, with
//!   the long secret ignored): over HTTP the long poll's query carries both, a head of about
//!   700–900 bytes. `janus-signal-socket` over both transports and the core's two drivers over
//!   `TcpStream`s run a session whose events come on that long poll.
//!
//! The instances need the `janus` binary: the tests are `#[ignore]`d (live) and tests/run runs them.

#[path = "support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::client::{MAX_CREDENTIAL_LEN, SessionState};
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::{AdminClient, Options};
use serde_json::json;

use live::{ECHO, Endpoints, InstanceConfig, OFFER, SharedInstance, Transport, expect_janus_error};

const API_SECRET: &str = "janus-signal-s3cret";

static WITH_API_SECRET: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "apisecret",
    http_port: 18088,
    ws_port: 18188,
    admin_port: 17088,
    env: &[("JANUS_API_SECRET", API_SECRET)],
});

static WITH_TOKEN_AUTH: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "tokenauth",
    http_port: 28088,
    ws_port: 28188,
    admin_port: 27088,
    env: &[("JANUS_TOKEN_AUTH", "1")],
});

/// 128 bytes (`MAX_CREDENTIAL_LEN`) that a query must percent-encode, three bytes each (no
/// quote or backslash: it goes into `janus.jcfg`).
const LONG_API_SECRET: &str = "+/=:,?&#%@! S3cr+/=:,?&#%@! S3cr+/=:,?&#%@! S3cr+/=:,?&#%@! S3cr+/=:,?&#%@! S3cr+/=:,?&#%@! \
                               S3cr+/=:,?&#%@! S3cr+/=:,?&#%@! S3cr";

static WITH_LONG_API_SECRET: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "longsecret",
    http_port: 26088,
    ws_port: 26188,
    admin_port: 25088,
    // Many instances start at once in the full run: give this one time on a loaded machine.
    env: &[("JANUS_API_SECRET", LONG_API_SECRET), ("JANUS_START_TIMEOUT", "60")],
});

fn run(instance: &'static SharedInstance, transport: Transport, scenario: fn(&str, &Endpoints)) {
    let janus = instance.start();
    scenario(janus.endpoints.url(transport), &janus.endpoints);
}

fn with_secret(secret: &str) -> Options {
    Options { apisecret: Some(secret.to_owned()), ..Options::default() }
}

fn with_token(token: &str) -> Options {
    Options { token: Some(token.to_owned()), ..Options::default() }
}

// ----- api_secret -------------------------------------------------------------------------------

fn api_secret(url: &str, _: &Endpoints) {
    // info and ping need no secret.
    let mut anonymous = live::connect(url, Options::default());
    let info = anonymous.server_info().expect("info without secret");
    let Message::ServerInfo(server) = info.message() else { panic!("{info}") };
    assert_eq!(server.api_secret_required(), Some(true), "{info}");
    anonymous.ping().expect("ping without secret");
    expect_janus_error(anonymous.create_session(), 403, "create without secret");
    assert_eq!(anonymous.client().session(), SessionState::Idle);

    let mut wrong = live::connect(url, with_secret("not-the-secret"));
    expect_janus_error(wrong.create_session(), 403, "create with a wrong secret");

    // The right secret: a whole echotest session, events included (over HTTP they come on the
    // long poll, which is refused without ?apisecret=).
    let mut janus = live::connect(url, with_secret(API_SECRET));
    let session = janus.create_session().expect("create with the secret");
    let handle = janus.attach("janus.plugin.echotest", Some("apisecret")).expect("attach");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(handle, &ECHO, &offer).expect("offer"), handle);
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed).expect("trickle");
    janus.keepalive().expect("keepalive");
    janus.hangup(handle).expect("hangup");
    let events = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, handle));
    assert!(
        events.last().is_some_and(|e| live::is_hangup_of(e, handle)),
        "no hangup event: {:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );

    // Each request carries the secret: the same session without it is refused.
    let bare = json!({"janus": "keepalive", "transaction": "raw-no-secret", "session_id": session.0});
    let bare = serde_json::to_vec(&bare).expect("JSON");
    expect_janus_error(janus.send_raw(None, &bare), 403, "raw keepalive without the secret");
    // ... and the wrong client can't touch it either.
    expect_janus_error(wrong.claim_session(session), 403, "claim with a wrong secret");

    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn api_secret_http() {
    run(&WITH_API_SECRET, Transport::Http, api_secret);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn api_secret_ws() {
    run(&WITH_API_SECRET, Transport::Ws, api_secret);
}

// ----- token auth -------------------------------------------------------------------------------

fn token_auth(url: &str, endpoints: &Endpoints) {
    let token = live::unique("janus-signal-token");
    let mut admin = AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin");
    admin.add_token(&token, &["janus.plugin.echotest"]).expect("add_token");
    assert!(admin.list_tokens().expect("list_tokens").contains(&token), "the new token is not listed");
    let listed = live::json(&admin.custom("list_tokens", &json!({})).expect("list_tokens"));
    let entry = listed["data"]["tokens"].as_array().and_then(|t| t.iter().find(|t| t["token"] == token.as_str()));
    let entry = entry.unwrap_or_else(|| panic!("{token} not in {listed}"));
    assert_eq!(entry["allowed_plugins"], json!(["janus.plugin.echotest"]), "{listed}");

    // No token, a wrong token: 403.
    let mut anonymous = live::connect(url, Options::default());
    let info = anonymous.server_info().expect("info without token");
    let Message::ServerInfo(server) = info.message() else { panic!("{info}") };
    assert_eq!(server.auth_token_required(), Some(true), "{info}");
    expect_janus_error(anonymous.create_session(), 403, "create without token");
    expect_janus_error(live::connect(url, with_token("no-such-token")).create_session(), 403, "wrong token");

    // The token: echotest yes (events too: over HTTP the long poll carries ?token=), videoroom
    // no (405).
    let mut janus = live::connect(url, with_token(&token));
    let session = janus.create_session().expect("create with the token");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach echotest");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(handle, &ECHO, &offer).expect("offer"), handle);
    let reason = expect_janus_error(janus.attach("janus.plugin.videoroom", None), 405, "attach videoroom");
    assert!(reason.contains("janus.plugin.videoroom"), "{reason}");
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);
    janus.hangup(handle).expect("hangup");
    let events = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, handle));
    assert!(
        events.last().is_some_and(|e| live::is_hangup_of(e, handle)),
        "no hangup event: {:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );
    let sessions = admin.list_sessions().expect("list_sessions");
    assert!(sessions.contains(&session), "{sessions:?}");
    janus.destroy_session().expect("destroy");

    // Removed, the token is refused.
    admin.remove_token(&token).expect("remove_token");
    assert!(!admin.list_tokens().expect("list_tokens").contains(&token));
    expect_janus_error(live::connect(url, with_token(&token)).create_session(), 403, "create with a removed token");
    let again = admin.remove_token(&token);
    assert!(again.is_err(), "removing a removed token: {again:?}");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn token_auth_http() {
    run(&WITH_TOKEN_AUTH, Transport::Http, token_auth);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn token_auth_ws() {
    run(&WITH_TOKEN_AUTH, Transport::Ws, token_auth);
}

// ----- the longest credentials ------------------------------------------------------------------

/// A 128-byte HMAC-style token (`expiry,realm,plugin:signature`) starting with `prefix`.
fn long_token(prefix: &str) -> String {
    let mut token = prefix.to_owned();
    while token.len() < MAX_CREDENTIAL_LEN {
        token.push_str("aB+/=:%");
    }
    token.truncate(MAX_CREDENTIAL_LEN);
    token
}

/// A session with `apisecret` and `token` in every request and, over HTTP, in the long poll's
/// query: std-socket, then (HTTP) the core's single-connection and two-connection drivers.
fn longest_credentials(url: &str, apisecret: &str, token: &str) {
    assert_eq!(apisecret.len(), MAX_CREDENTIAL_LEN);
    assert_eq!(token.len(), MAX_CREDENTIAL_LEN);
    let options =
        Options { apisecret: Some(apisecret.to_owned()), token: Some(token.to_owned()), ..Options::default() };
    let mut janus = live::connect(url, options);
    let session = janus.create_session().expect("create with the longest credentials");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach");
    // Over HTTP the echotest's answer is an event: it comes on the long poll.
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    janus.keepalive().expect("keepalive");
    assert_eq!(janus.session_id(), Some(session));
    janus.destroy_session().expect("destroy");

    if let Some(authority) = url.strip_prefix("http://").and_then(|rest| rest.split('/').next()) {
        drivers::single(authority, apisecret, token);
        drivers::two_connections(authority, apisecret, token);
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn longest_credentials_http() {
    run(&WITH_LONG_API_SECRET, Transport::Http, |url, _| longest_credentials(url, LONG_API_SECRET, &long_token("t:")));
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn longest_credentials_ws() {
    run(&WITH_LONG_API_SECRET, Transport::Ws, |url, _| longest_credentials(url, LONG_API_SECRET, &long_token("t:")));
}

/// On the `token_auth` instance the token is what counts (a 128-byte one the Admin API added);
/// the long `apisecret` rides along unchecked.
fn longest_token(url: &str, endpoints: &Endpoints) {
    let token = long_token(&live::unique("1900000000,janus,janus.plugin.echotest:"));
    let mut admin = AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin");
    admin.add_token(&token, &["janus.plugin.echotest"]).expect("add_token");
    longest_credentials(url, LONG_API_SECRET, &token);
    admin.remove_token(&token).expect("remove_token");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn longest_token_http() {
    run(&WITH_TOKEN_AUTH, Transport::Http, longest_token);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn longest_token_ws() {
    run(&WITH_TOKEN_AUTH, Transport::Ws, longest_token);
}

/// The core's drivers over `TcpStream`s.
mod drivers {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;
    use std::time::Instant as StdInstant;

    use janus_signal_socket::janus_signal::client::{Client, Config, Output};
    use janus_signal_socket::janus_signal::driver::{Buffers, Driver, HttpEndpoint, HttpLink, HttpSingleLink};
    use janus_signal_socket::janus_signal::message::Message;
    use janus_signal_socket::janus_signal::{Instant, plugin};

    use super::ECHO;

    /// A `TcpStream` as an embedded-io stream.
    pub(super) struct Tcp(TcpStream);

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

    fn connect(authority: &str) -> Tcp {
        let stream = TcpStream::connect(authority).expect("connect");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(40))).expect("timeout");
        Tcp(stream)
    }

    /// A sink for what the test does not look at.
    fn ignore(_: Output<'_>) {}

    fn assert_echotest_answer(message: &Message<'_>) {
        let event = plugin::echotest::Event::from_message(message);
        assert!(matches!(event, Some(Ok(plugin::echotest::Event::Accepted))), "{event:?} in {message:?}");
    }

    /// `Driver` over `HttpSingleLink` with the firmware's 2 KiB buffer.
    pub(super) fn single(authority: &str, apisecret: &str, token: &str) {
        let started = StdInstant::now();
        let clock = move || Instant::from_millis(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        let mut buffer = [0u8; 2048];
        let endpoint = HttpEndpoint { host: authority, base: "/janus" };
        let client: Client<1, 2, 4> = Client::new(Config::http(), 7);
        let link = HttpSingleLink::new(connect(authority), endpoint, &mut buffer);
        let mut driver = Driver::new(client, link, clock);
        driver.set_credentials(Some(apisecret), Some(token)).expect("the long poll fits in 2 KiB");
        driver.create_session(&mut ignore).expect("create");
        let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
        let mut answered = false;
        driver
            .message(handle, &ECHO, None::<&()>, &mut ignore, |m| {
                assert_echotest_answer(&m);
                answered = true;
            })
            .expect("message: its event comes on the long poll");
        assert!(answered);
        driver.destroy_session(&mut ignore).expect("destroy");
    }

    /// `Driver` over `HttpLink` (two connections) with 1 KiB for requests.
    pub(super) fn two_connections(authority: &str, apisecret: &str, token: &str) {
        let started = StdInstant::now();
        let clock = move || Instant::from_millis(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        let (mut tx, mut rx_requests, mut rx_events) = ([0u8; 1024], [0u8; 8192], [0u8; 8192]);
        let buffers = Buffers { tx: &mut tx, rx_requests: &mut rx_requests, rx_events: &mut rx_events };
        let endpoint = HttpEndpoint { host: authority, base: "/janus" };
        let client: Client = Client::new(Config::http(), 8);
        let link = HttpLink::new(connect(authority), connect(authority), endpoint, buffers);
        let mut driver = Driver::new(client, link, clock);
        driver.set_credentials(Some(apisecret), Some(token)).expect("the long poll fits in 1 KiB");
        driver.create_session(&mut ignore).expect("create");
        let handle = driver.attach("janus.plugin.echotest", &mut ignore).expect("attach");
        let mut answered = false;
        driver
            .message(handle, &ECHO, None::<&()>, &mut ignore, |m| {
                assert_echotest_answer(&m);
                answered = true;
            })
            .expect("message: its event comes on the long poll");
        assert!(answered);
        driver.destroy_session(&mut ignore).expect("destroy");
    }
}
