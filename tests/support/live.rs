//! Shared plumbing of the `socket_*` live tests: where the default Janus is, extra Janus
//! instances started (and stopped) by the tests, and assertion helpers.
//!
//! Each test file includes it with `#[path = "support/live.rs"] mod live;` and uses part of it.
//!
//! Skips are skips: every test that needs a Janus is
//! `#[ignore = "live: needs a Janus (tests/run starts one)"]`, so a plain `cargo test` lists it
//! as ignored, never as passed. A live test that is run (`--ignored` or `--include-ignored`, as
//! `tests/run` does) gets its Janus from [`janus`] or [`SharedInstance::start`], which fail the
//! test when there is none: it cannot pass without having run.
#![allow(dead_code, unreachable_pub)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::message::{JsepType, Message};
use janus_signal_socket::janus_signal::plugin::PluginErrorCode;
use janus_signal_socket::janus_signal::{HandleId, SessionId};
use janus_signal_socket::{Error, Event, Janus, Options, OwnedMessage};

/// The 2951-byte offer (audio + video, one 127.0.0.1 host candidate): larger than the
/// 2800 bytes above which Janus fragments WebSocket messages.
pub const OFFER: &str = include_str!("../fixtures/sdp/offer-audio-video-loopback.sdp");

/// A loopback host candidate (nothing listens on it).
pub const CANDIDATE: &str = "candidate:1467250027 1 udp 2122260223 127.0.0.1 50001 typ host generation 0";
/// A second one.
pub const CANDIDATE_2: &str = "candidate:1467250028 1 udp 2122260222 127.0.0.1 50002 typ host generation 0";
/// A third one (TCP active).
pub const CANDIDATE_3: &str = "candidate:1467250029 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0";

/// The echotest request body.
#[derive(serde::Serialize)]
pub struct Echo {
    pub audio: bool,
    pub video: bool,
}

/// `{"audio":true,"video":true}`.
pub const ECHO: Echo = Echo { audio: true, video: true };

/// The two Janus transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    Ws,
}

/// Where one Janus listens.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `http://127.0.0.1:PORT/janus`.
    pub http: String,
    /// `ws://127.0.0.1:PORT`.
    pub ws: String,
    /// `http://127.0.0.1:PORT/admin`.
    pub admin: String,
    /// The admin secret.
    pub admin_secret: String,
}

impl Endpoints {
    /// The Janus API URL of `transport`.
    pub fn url(&self, transport: Transport) -> &str {
        match transport {
            Transport::Http => &self.http,
            Transport::Ws => &self.ws,
        }
    }

    fn on_ports(http: u16, ws: u16, admin: u16) -> Self {
        Self {
            http: format!("http://127.0.0.1:{http}/janus"),
            ws: format!("ws://127.0.0.1:{ws}"),
            admin: format!("http://127.0.0.1:{admin}/admin"),
            admin_secret: "janusoverlord".to_owned(),
        }
    }
}

fn required() -> bool {
    std::env::var("JANUS_REQUIRED").as_deref() == Ok("1")
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default()
}

/// The default Janus's endpoints, and those of them that do not answer.
fn probe_default() -> (Endpoints, Vec<String>) {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let endpoints = Endpoints {
        http: var("JANUS_HTTP_URL", "http://127.0.0.1:8088/janus"),
        ws: var("JANUS_WS_URL", "ws://127.0.0.1:8188"),
        admin: var("JANUS_ADMIN_URL", "http://127.0.0.1:7088/admin"),
        admin_secret: var("JANUS_ADMIN_SECRET", "janusoverlord"),
    };
    let down = [&endpoints.http, &endpoints.ws, &endpoints.admin]
        .into_iter()
        .filter(|url| TcpStream::connect(authority(url)).is_err())
        .cloned()
        .collect();
    (endpoints, down)
}

/// The default Janus (started by `tests/run` or `tests/janus/janus-server start`), from
/// `JANUS_HTTP_URL`, `JANUS_WS_URL`, `JANUS_ADMIN_URL`, `JANUS_ADMIN_SECRET`. Panics when it
/// does not answer: the tests that call it are `#[ignore = "live: …"]`, so they run only when
/// asked to, and then a missing Janus is a failure, never a pass.
#[track_caller]
pub fn janus() -> Endpoints {
    let (endpoints, down) = probe_default();
    assert!(
        down.is_empty(),
        "live test without a Janus: nothing answers at {down:?} (tests/run starts one; or start one with \
         tests/janus/janus-server start and export what tests/janus/janus-server env prints)"
    );
    endpoints
}

/// Whether the `janus` binary is on the `PATH`.
fn janus_installed() -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("janus").is_file()))
}

/// Fails the (live, `#[ignore]`d) test when the `janus` binary it needs to start an extra Janus
/// is missing and may not be installed: with `JANUS_REQUIRED=1`, `janus-server start` installs
/// it.
#[track_caller]
pub fn require_janus_binary() {
    assert!(
        janus_installed() || required(),
        "live test without the janus binary: install it with tests/janus/janus-server install, or set \
         JANUS_REQUIRED=1 (then tests/janus/janus-server start installs it)"
    );
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn server_script() -> PathBuf {
    repo().join("tests/janus/janus-server")
}

/// An extra Janus the tests start themselves.
#[derive(Debug)]
pub struct InstanceConfig {
    /// Work dir `<repo>/target/janus-<name>`.
    pub name: &'static str,
    pub http_port: u16,
    pub ws_port: u16,
    pub admin_port: u16,
    /// Further `janus-server` settings (`JANUS_API_SECRET`, `JANUS_SESSION_TIMEOUT`…).
    pub env: &'static [(&'static str, &'static str)],
}

/// Every setting `janus-server` reads: none may leak in from the caller's environment.
pub(crate) const SERVER_SETTINGS: &[&str] = &[
    "JANUS_WORKDIR",
    "JANUS_HTTP_PORT",
    "JANUS_WS_PORT",
    "JANUS_ADMIN_PORT",
    "JANUS_SESSION_TIMEOUT",
    "JANUS_RECLAIM_TIMEOUT",
    "JANUS_API_SECRET",
    "JANUS_TOKEN_AUTH",
    "JANUS_TOKEN_AUTH_SECRET",
    "JANUS_ADMIN_SECRET",
    "JANUS_JSON",
    "JANUS_PINGPONG",
    "JANUS_WS_PINGPONG",
    "JANUS_HTTPS_PORT",
    "JANUS_WSS_PORT",
    "JANUS_ADMIN_HTTPS_PORT",
    "JANUS_TLS_CERT",
    "JANUS_TLS_KEY",
    "JANUS_STRING_IDS",
];

impl InstanceConfig {
    fn command(&self, action: &str) -> Command {
        let mut command = Command::new(server_script());
        command.arg(action);
        for name in SERVER_SETTINGS {
            command.env_remove(name);
        }
        command
            .env("JANUS_WORKDIR", repo().join(format!("target/janus-{}", self.name)))
            .env("JANUS_HTTP_PORT", self.http_port.to_string())
            .env("JANUS_WS_PORT", self.ws_port.to_string())
            .env("JANUS_ADMIN_PORT", self.admin_port.to_string());
        command.envs(self.env.iter().copied());
        command
    }
}

/// A running extra Janus; dropping the last reference stops it (also when a test panics).
#[derive(Debug)]
pub struct Instance {
    shared: &'static SharedInstance,
    generation: u64,
    /// Its URLs.
    pub endpoints: Endpoints,
}

impl Drop for Instance {
    fn drop(&mut self) {
        // Under the lock, so that no test starts the same instance while it stops; and only if
        // no newer generation replaced it meanwhile (its start stopped this one already).
        let slot = self.shared.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.1 != self.generation {
            return;
        }
        let config = &self.shared.config;
        match config.command("stop").output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                eprintln!("janus-server stop ({}) failed: {}", config.name, String::from_utf8_lossy(&out.stderr).trim())
            }
            Err(e) => eprintln!("cannot run janus-server stop ({}): {e}", config.name),
        }
    }
}

/// One extra instance shared by the tests of a file: started by the first test that needs it,
/// stopped when the last one holding it is done.
#[derive(Debug)]
pub struct SharedInstance {
    config: InstanceConfig,
    slot: Mutex<(Weak<Instance>, u64)>,
}

impl SharedInstance {
    pub const fn new(config: InstanceConfig) -> Self {
        Self { config, slot: Mutex::new((Weak::new(), 0)) }
    }

    /// The running instance, started if needed; fails the test when the `janus` binary is
    /// missing (see [`require_janus_binary`]) or the instance does not start.
    #[track_caller]
    pub fn start(&'static self) -> Arc<Instance> {
        require_janus_binary();
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = slot.0.upgrade() {
            return running;
        }
        let config = &self.config;
        let started = Instant::now();
        let out = config.command("start").output().expect("run tests/janus/janus-server start");
        assert!(
            out.status.success(),
            "janus-server start ({}) failed:\n{}\n{}",
            config.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("started Janus {:?} in {:?} ({:?})", config.name, started.elapsed(), std::thread::current().name());
        slot.1 += 1;
        let instance = Arc::new(Instance {
            shared: self,
            generation: slot.1,
            endpoints: Endpoints::on_ports(config.http_port, config.ws_port, config.admin_port),
        });
        slot.0 = Arc::downgrade(&instance);
        instance
    }
}

// ----- clients and assertions ---------------------------------------------------------------

/// A client on `url`.
pub fn connect(url: &str, options: Options) -> Janus {
    Janus::connect(url, options).unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

/// Something unique in this test process (tokens, opaque ids).
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Asserts that `result` is `Error::Janus` with `code` and a non-empty reason; returns the
/// reason.
#[track_caller]
pub fn expect_janus_error<T: std::fmt::Debug>(result: Result<T, Error>, code: u64, what: &str) -> String {
    match result {
        Err(Error::Janus { code: got, reason }) => {
            assert_eq!(got.code(), code, "{what}: wrong Janus error code (reason {reason:?})");
            assert!(!reason.is_empty(), "{what}: Janus error {code} without a reason");
            reason
        }
        other => panic!("{what}: expected Janus error {code}, got {other:?}"),
    }
}

/// The message as a JSON value.
pub fn json(message: &OwnedMessage) -> serde_json::Value {
    serde_json::from_str(message.json()).unwrap_or_else(|e| panic!("not JSON ({e}): {message}"))
}

/// `plugindata.data` of an event or success.
pub fn plugin_data(message: &OwnedMessage) -> serde_json::Value {
    json(message)["plugindata"]["data"].clone()
}

/// `plugindata.plugin` of an event or success.
pub fn plugin_name(message: &OwnedMessage) -> String {
    json(message)["plugindata"]["plugin"].as_str().unwrap_or_default().to_owned()
}

/// Asserts that `reply` is echotest's answer to a plain request from `handle`.
#[track_caller]
pub fn assert_echotest_ok(reply: &OwnedMessage, handle: HandleId) {
    match reply.message() {
        Message::Event(e) => assert_eq!(e.sender, handle, "answer from another handle: {reply}"),
        _ => panic!("echotest answered with something else than an event: {reply}"),
    }
    assert_eq!(plugin_name(reply), "janus.plugin.echotest", "{reply}");
    assert_eq!(plugin_data(reply)["echotest"], "event", "{reply}");
    assert_eq!(plugin_data(reply)["result"], "ok", "{reply}");
}

/// Asserts that `reply` carries Janus's SDP answer and returns the SDP.
#[track_caller]
pub fn assert_sdp_answer(reply: &OwnedMessage, handle: HandleId) -> String {
    let Message::Event(event) = reply.message() else { panic!("the offer was answered without an event: {reply}") };
    assert_eq!(event.sender, handle, "{reply}");
    let jsep = event.jsep.unwrap_or_else(|| panic!("no jsep in the answer: {reply}"));
    assert_eq!(jsep.kind, JsepType::Answer, "{reply}");
    let sdp = jsep.sdp.to_string();
    assert!(sdp.starts_with("v=0\r\n"), "the answer's SDP does not start with v=0 CRLF: {sdp:?}");
    assert!(sdp.contains("\r\nm=audio ") && sdp.contains("\r\nm=video "), "{sdp}");
    assert_eq!(plugin_data(reply)["result"], "ok", "{reply}");
    sdp
}

/// Every event that comes within `window` (stops early when `done` says so). Waits the whole
/// window: `next_event` may return `None` before its timeout (see `socket_requests.rs`).
pub fn collect_events(janus: &mut Janus, window: Duration, done: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + window;
    let mut events = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|left| !left.is_zero()) {
        match janus.next_event(left) {
            Ok(Some(event)) => {
                let stop = done(&event);
                events.push(event);
                if stop {
                    break;
                }
            }
            Ok(None) => {}
            Err(e) => panic!("next_event failed after {events:?}: {e}"),
        }
    }
    events
}

/// The next event of `handle` within `window` (retrying when `next_handle_event` returns
/// `None` early).
pub fn next_handle_event_within(janus: &mut Janus, handle: HandleId, window: Duration) -> Option<OwnedMessage> {
    let deadline = Instant::now() + window;
    while let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|left| !left.is_zero()) {
        match janus.next_handle_event(handle, left) {
            Ok(Some(message)) => return Some(message),
            Ok(None) => {}
            Err(e) => panic!("next_handle_event({handle}) failed: {e}"),
        }
    }
    None
}

/// The `janus` kind of a handle event, or a description of another event.
pub fn describe(event: &Event) -> String {
    match event {
        Event::Handle { handle, message } => format!("{handle}:{}", message.kind()),
        other => format!("{other:?}"),
    }
}

/// Whether the event is a `hangup` of `handle`.
pub fn is_hangup_of(event: &Event, handle: HandleId) -> bool {
    matches!(event, Event::Handle { handle: h, message } if *h == handle && message.kind() == "hangup")
}

/// The session this client has, which must be active.
#[track_caller]
pub fn session_of(janus: &Janus) -> SessionId {
    janus.session_id().expect("an active session")
}

impl Instance {
    /// Kills this Janus with SIGKILL (no clean shutdown: its sessions die with it), by the pid
    /// `janus-server status` prints, and waits (≤ 5 s) until its Janus API port refuses
    /// connections. Dropping the instance afterwards cleans up; a later
    /// [`SharedInstance::start`] (after every reference is dropped) starts it again on the
    /// same ports.
    #[track_caller]
    pub fn kill(&self) {
        let pid = self.signal("-KILL");
        let until = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(authority(&self.endpoints.http)).is_ok() {
            let name = self.shared.config.name;
            assert!(Instant::now() < until, "Janus {name} (pid {pid}) still answers 5 s after SIGKILL");
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("killed Janus {:?} (pid {pid})", self.shared.config.name);
    }

    /// Sends `signal` (`kill`'s syntax: `-STOP`, `-CONT`, `-KILL`) to this Janus, by the pid
    /// `janus-server status` prints; returns the pid.
    #[track_caller]
    pub fn signal(&self, signal: &str) -> String {
        let config = &self.shared.config;
        let out = config.command("status").output().expect("run tests/janus/janus-server status");
        let pid = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(out.status.success() && pid.parse::<u32>().is_ok(), "no pid from janus-server status: {pid:?}");
        let sent = Command::new("kill").args([signal, &pid]).status().expect("kill");
        assert!(sent.success(), "kill {signal} {pid}");
        pid
    }
}

/// The folder of the messages recorded from the real Janus for `plugin` (its short name).
pub fn fixtures_of(plugin: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins").join(plugin)
}

/// Keeps `message` as a fixture of `plugin`, named by its order and `name`, when the run was
/// asked to record (`JANUS_RECORD_FIXTURES=1`). Only messages of a session are kept.
pub fn record_fixture(plugin: &str, message: &OwnedMessage, name: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    if std::env::var_os("JANUS_RECORD_FIXTURES").is_none_or(|v| v != "1") || message.message().session_id().is_none() {
        return;
    }
    let dir = fixtures_of(plugin);
    std::fs::create_dir_all(&dir).expect("fixture folder");
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::fs::write(dir.join(format!("{n:02}-{name}.json")), message.json()).expect("fixture");
}

/// The recorded messages of `plugin`, in order (path, bytes).
pub fn recorded_fixtures(plugin: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> =
        std::fs::read_dir(fixtures_of(plugin)).expect("recorded fixtures").map(|e| e.expect("entry").path()).collect();
    files.sort();
    files.into_iter().map(|path| (path.clone(), std::fs::read(&path).expect("fixture"))).collect()
}

/// `sdp` without its candidate lines: with no remote candidate Janus's ICE agent never starts
/// its checks, so nothing is sent (and no ICE failure ends a call under a test).
pub fn without_candidates(sdp: &str) -> String {
    sdp.split_inclusive("\r\n").filter(|line| !line.starts_with("a=candidate:")).collect()
}

/// Asserts that `result` failed with the plugin error `code` (typed with the plugin's code
/// enum `C`).
#[track_caller]
pub fn expect_plugin_error<T: std::fmt::Debug, C>(result: Result<T, Error>, code: C, what: &str)
where
    C: PluginErrorCode + PartialEq,
{
    let error = result.expect_err(what);
    assert_eq!(error.janus_code().map(C::from_code), Some(code), "{what}: {error:?}");
}

/// Asserts that every message recorded for `plugin` (at least `min`) reads, with `read`, as
/// a known event of the plugin: `read` gives `None` (not the plugin's data), `Some(Err)` (does
/// not decode) or `Some(Ok(is_other))`.
#[track_caller]
pub fn assert_recordings_decode(plugin: &str, min: usize, read: impl Fn(&Message<'_>) -> Option<Result<bool, String>>) {
    let files = recorded_fixtures(plugin);
    assert!(files.len() >= min, "{} recordings of {plugin}", files.len());
    for (path, bytes) in files {
        let message = Message::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match read(&message) {
            Some(Ok(false)) => {}
            Some(Ok(true)) => panic!("{}: not a known event", path.display()),
            Some(Err(e)) => panic!("{}: {e}", path.display()),
            None => panic!("{}: no {plugin} data", path.display()),
        }
    }
}

/// A random room or mountpoint id below 2^53 (what Janus's own ids stay under), never 0.
pub fn random_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    (hasher.finish() & ((1 << 53) - 1)).max(1)
}
