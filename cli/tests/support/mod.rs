//! Running the `janus-signal` binary, and finding the test Janus.
//!
//! The live tests follow the workspace's convention (`tests/support/live.rs`): the
//! Janus of `tests/janus/janus-server start` at `JANUS_HTTP_URL`, `JANUS_WS_URL`,
//! `JANUS_ADMIN_URL` with `JANUS_ADMIN_SECRET` (defaults: its usual ports and secret). Every
//! test that needs it is `#[ignore = "live: …"]` (listed as ignored by a plain `cargo test`,
//! never as passed); run (`--ignored`, as `tests/run` does) without that Janus, it fails.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// Environment variables the binary reads: none may leak in from the caller.
const CLI_SETTINGS: &[&str] =
    &["JANUS_URL", "JANUS_ADMIN_URL", "JANUS_API_SECRET", "JANUS_TOKEN", "JANUS_ADMIN_SECRET"];

/// Where the test Janus listens.
#[derive(Debug, Clone)]
pub struct Janus {
    /// `http://127.0.0.1:8088/janus`.
    pub http: String,
    /// `ws://127.0.0.1:8188`.
    pub ws: String,
    /// `http://127.0.0.1:7088/admin`.
    pub admin: String,
    /// The admin secret.
    pub admin_secret: String,
}

impl Janus {
    /// Both Janus API URLs.
    pub fn urls(&self) -> [&str; 2] {
        [&self.ws, &self.http]
    }

    /// The global flags for `url` and the Admin API.
    pub fn flags<'a>(&'a self, url: &'a str) -> Vec<&'a str> {
        vec!["--url", url, "--admin-url", &self.admin, "--admin-secret", &self.admin_secret]
    }
}

fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default()
}

/// The test Janus; fails the (`#[ignore]`d, live) test when it does not answer.
#[track_caller]
pub fn janus() -> Janus {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let janus = Janus {
        http: var("JANUS_HTTP_URL", "http://127.0.0.1:8088/janus"),
        ws: var("JANUS_WS_URL", "ws://127.0.0.1:8188"),
        admin: var("JANUS_ADMIN_URL", "http://127.0.0.1:7088/admin"),
        admin_secret: var("JANUS_ADMIN_SECRET", "janusoverlord"),
    };
    let down: Vec<&String> = [&janus.http, &janus.ws, &janus.admin]
        .into_iter()
        .filter(|url| TcpStream::connect(authority(url)).is_err())
        .collect();
    assert!(
        down.is_empty(),
        "live test without a Janus: nothing answers at {down:?} (tests/run starts one; or start one with \
         tests/janus/janus-server start and export what tests/janus/janus-server env prints)"
    );
    janus
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as one JSON value.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {self:?}"))
    }

    /// Each line of stdout as JSON.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?} in {self:?}"))
            })
            .collect()
    }

    /// Asserts the exit code, showing the output otherwise.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code {} instead of {code}: {self:#?}", self.code);
        self
    }
}

/// The binary, with none of its environment variables set.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_janus-signal"));
    command.args(args).stdin(Stdio::null());
    for name in CLI_SETTINGS {
        command.env_remove(name);
    }
    command
}

/// Runs the binary to its end.
pub fn run(args: &[&str]) -> Run {
    output_of(command(args))
}

/// Runs a prepared command to its end.
pub fn output_of(mut command: Command) -> Run {
    let out = command.output().expect("run janus-signal");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A binary running in the background, its stdout read line by line.
#[derive(Debug)]
pub struct Background {
    child: Child,
    lines: Receiver<String>,
}

impl Background {
    /// Starts the binary with `args`.
    pub fn start(args: &[&str]) -> Self {
        let mut child =
            command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start janus-signal");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// The next line of stdout, as JSON, within `timeout`.
    #[track_caller]
    pub fn next_json_line(&mut self, timeout: Duration) -> serde_json::Value {
        match self.lines.recv_timeout(timeout) {
            Ok(line) => serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line:?}")),
            Err(RecvTimeoutError::Timeout) => panic!("no line within {timeout:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait();
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                panic!("stdout closed ({status:?}), stderr: {stderr}")
            }
        }
    }

    /// Waits for the exit (at most `timeout`) and returns the code.
    #[track_caller]
    pub fn exit_code(&mut self, timeout: Duration) -> i32 {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for janus-signal") {
                return status.code().unwrap_or(-1);
            }
            assert!(std::time::Instant::now() < deadline, "janus-signal still running after {timeout:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGINT (what Ctrl-C sends) to the process.
    pub fn interrupt(&self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -INT failed");
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Only the process this test started, by its id.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
