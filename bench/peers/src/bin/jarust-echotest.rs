//! End-to-end echotest cycles with jarust 1.10, for the end-to-end comparison.
//!
//! `jarust-echotest --transport ws|http --url URL --cycles N [--warmup W]`
//! (`W` unmeasured cycles first, default 0; URLs like `ws://127.0.0.1:8188` and
//! `http://127.0.0.1:8088/janus`).
//!
//! One cycle: create a session, attach `janus.plugin.echotest`, send the message
//! `{"audio":true,"video":true}` and wait for its `ack` and then the echotest `event`, detach,
//! destroy. Over WebSocket jarust sends `detach` without waiting for a reply, so the cycle
//! waits for the handle's `detached` event instead; over HTTP `detach` waits for the reply.
//! jarust's own API is used throughout (`connect`, `create_session`, `attach`,
//! `send_waiton_ack`, the handle's event receiver, `detach`, `destroy`) on a current-thread
//! tokio runtime, as in jarust's examples.
//!
//! Over HTTP, jarust's `attach` spawns a long-poll task (`GET /janus/<session>?maxev=5`)
//! that lives as long as the jarust connection, whatever becomes of its session: one GET is
//! always outstanding, so at `destroy` one is pending, and Janus holds a long poll on a
//! destroyed session for its full 30 s before answering `[{"janus":"keepalive"}]`, which
//! jarust's types reject; the task then polls the dead session every 500 ms until the
//! connection is dropped. So every HTTP cycle leaves one connection held by Janus for 30 s:
//! runs of more than several hundred cycles stall on Janus's connection limit (measured:
//! 1,000 cycles took 23-29 s instead of about 1.5 s). By default one jarust connection serves
//! the whole run, as an application would use it; `--http-cycles-per-connection K` drops and
//! reopens it every K cycles (inside the measurement), which ends the leaked tasks on the
//! client side but not Janus's 30 s hold, and costs reqwest's client construction (loading
//! the system CA certificates: about 2 ms of CPU) every K cycles. Over WebSocket one
//! connection, opened before the measurement, serves all the cycles.
//!
//! Prints one JSON line: `{"client":"jarust","transport":"ws","cycles":N,"seconds":S,
//! "cpu_user_s":U,"cpu_sys_s":Y}`, wall-clock and process CPU time (getrusage) around the N
//! measured cycles only. Exits non-zero with a message on failure.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use jarust::core::connect;
use jarust::core::jaconfig::{JaConfig, JanusAPI};
use jarust::core::jaconnection::JaConnection;
use jarust::core::prelude::Attach;
use jarust::interface::japrotocol::{GenericEvent, JaHandleEvent, JaResponse, PluginInnerData, ResponseType};
use jarust::interface::tgenerator::RandomTransactionGenerator;
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

const TIMEOUT: Duration = Duration::from_secs(10);
/// jarust's keep-alive interval in seconds (its first keep-alive comes after one interval,
/// far beyond a cycle).
const KEEPALIVE_SECS: u32 = 30;
/// Default of `--http-cycles-per-connection`: one connection for the whole run.
const HTTP_CYCLES_PER_CONNECTION: u64 = 0;
const USAGE: &str = "usage: jarust-echotest --transport ws|http --url URL --cycles N [--warmup W] \
                     [--http-cycles-per-connection K]";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    Ws,
    Http,
}

impl Transport {
    fn name(self) -> &'static str {
        match self {
            Self::Ws => "ws",
            Self::Http => "http",
        }
    }
}

struct Args {
    transport: Transport,
    url: String,
    cycles: u64,
    warmup: u64,
    /// Cycles per jarust connection (0: all); WebSocket always uses one connection.
    per_connection: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut transport = None;
    let mut url = None;
    let mut cycles = None;
    let mut warmup = 0;
    let mut per_connection = HTTP_CYCLES_PER_CONNECTION;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--transport" => {
                transport = Some(match value()?.as_str() {
                    "ws" => Transport::Ws,
                    "http" => Transport::Http,
                    other => return Err(format!("unknown transport {other:?} (ws or http)")),
                })
            }
            "--url" => url = Some(value()?),
            "--cycles" => cycles = Some(value()?.parse().map_err(|e| format!("--cycles: {e}"))?),
            "--warmup" => warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--http-cycles-per-connection" => {
                per_connection = value()?.parse().map_err(|e| format!("--http-cycles-per-connection: {e}"))?
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Args {
        transport: transport.ok_or(USAGE)?,
        url: url.ok_or(USAGE)?,
        cycles: cycles.ok_or(USAGE)?,
        warmup,
        per_connection,
    })
}

/// jarust's configuration for `url`: over HTTP jarust joins `url` and `server_root`, so
/// `http://host:8088/janus` is split into the two; over WebSocket `server_root` only names
/// jarust's internal routes.
fn config(transport: Transport, url: &str) -> Result<(JaConfig, JanusAPI), String> {
    let (url, server_root, api) = match transport {
        Transport::Ws => (url, "janus", JanusAPI::WebSocket),
        Transport::Http => {
            let trimmed = url.trim_end_matches('/');
            let (base, root) = trimmed
                .rsplit_once('/')
                .filter(|(base, root)| base.contains("//") && !base.ends_with('/') && !root.is_empty())
                .ok_or_else(|| format!("HTTP URL without a path: {url} (expected http://host:port/janus)"))?;
            (base, root, JanusAPI::Restful)
        }
    };
    let config = JaConfig { url: url.to_owned(), apisecret: None, server_root: server_root.to_owned(), capacity: 32 };
    Ok((config, api))
}

/// User and system CPU time of this process, in seconds.
fn cpu_times() -> (f64, f64) {
    // SAFETY: `getrusage` only writes the `rusage` it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0, "getrusage");
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (secs(usage.ru_utime), secs(usage.ru_stime))
}

/// Waits for the first message on `events` that `wanted` accepts (`Ok(true)`), skipping the
/// others (`Ok(false)`).
async fn wait_for(
    events: &mut UnboundedReceiver<JaResponse>,
    what: &str,
    wanted: impl Fn(&JaResponse) -> Result<bool, String>,
) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Err(_) => return Err(format!("no {what} within {TIMEOUT:?}")),
            Ok(None) => return Err(format!("event stream closed before the {what}")),
            Ok(Some(event)) if wanted(&event)? => return Ok(()),
            Ok(Some(_)) => {}
        }
    }
}

fn echotest_event(event: &JaResponse) -> Result<bool, String> {
    let ResponseType::Event(JaHandleEvent::PluginEvent { plugin_data }) = &event.janus else { return Ok(false) };
    match &plugin_data.data {
        PluginInnerData::Error { error_code, error } => Err(format!("echotest error {error_code}: {error}")),
        PluginInnerData::Data(data) if data["echotest"] == "event" && data["result"] == "ok" => Ok(true),
        PluginInnerData::Data(data) => Err(format!("unexpected echotest event: {data}")),
    }
}

/// One echotest cycle on `connection`.
async fn cycle(connection: &mut JaConnection, transport: Transport) -> Result<(), String> {
    let session = connection.create_session(KEEPALIVE_SECS, TIMEOUT).await.map_err(|e| format!("create: {e}"))?;
    let (handle, mut events) =
        session.attach("janus.plugin.echotest".to_owned(), TIMEOUT).await.map_err(|e| format!("attach: {e}"))?;
    handle
        .send_waiton_ack(json!({"audio": true, "video": true}), TIMEOUT)
        .await
        .map_err(|e| format!("message: {e}"))?;
    wait_for(&mut events, "echotest event", echotest_event).await?;
    handle.detach().await.map_err(|e| format!("detach: {e}"))?;
    if transport == Transport::Ws {
        wait_for(&mut events, "detached event", |e| {
            Ok(matches!(e.janus, ResponseType::Event(JaHandleEvent::GenericEvent(GenericEvent::Detached))))
        })
        .await?;
    }
    session.destroy(TIMEOUT).await.map_err(|e| format!("destroy: {e}"))?;
    Ok(())
}

async fn open(config: &JaConfig, api: JanusAPI) -> Result<JaConnection, String> {
    connect(config.clone(), api, RandomTransactionGenerator).await.map_err(|e| format!("connect {}: {e}", config.url))
}

/// Runs the cycles, reopening the connection every `per_connection` cycles (0: never).
struct Runner {
    config: JaConfig,
    api: JanusAPI,
    transport: Transport,
    per_connection: u64,
    connection: Option<JaConnection>,
    used: u64,
}

impl Runner {
    async fn cycles(&mut self, count: u64) -> Result<(), String> {
        for i in 0..count {
            if self.per_connection != 0 && self.used == self.per_connection {
                // Drops the connection, which ends jarust's long-poll tasks.
                self.connection = None;
            }
            if self.connection.is_none() {
                self.connection = Some(open(&self.config, self.api).await?);
                self.used = 0;
            }
            let connection = self.connection.as_mut().expect("opened");
            self.used += 1;
            cycle(connection, self.transport).await.map_err(|e| format!("cycle {}: {e}", i + 1))?;
        }
        Ok(())
    }
}

async fn run(args: &Args) -> Result<String, String> {
    let (config, api) = config(args.transport, &args.url)?;
    let per_connection = if args.transport == Transport::Ws { 0 } else { args.per_connection };
    let mut runner = Runner { config, api, transport: args.transport, per_connection, connection: None, used: 0 };
    runner.connection = Some(open(&runner.config, api).await?);
    runner.cycles(args.warmup).await.map_err(|e| format!("warm-up {e}"))?;
    if per_connection != 0 {
        // The measured cycles open their own connections.
        runner.connection = None;
    }
    let (user, sys) = cpu_times();
    let start = Instant::now();
    runner.cycles(args.cycles).await?;
    let seconds = start.elapsed().as_secs_f64();
    let (user_after, sys_after) = cpu_times();
    Ok(format!(
        r#"{{"client":"jarust","transport":"{}","cycles":{},"seconds":{seconds:.6},"cpu_user_s":{:.6},"cpu_sys_s":{:.6}}}"#,
        args.transport.name(),
        args.cycles,
        user_after - user,
        sys_after - sys
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("jarust-echotest: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("jarust-echotest: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jarust-echotest: {e}");
            ExitCode::FAILURE
        }
    }
}
