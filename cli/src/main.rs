//! `janus-signal`: a command line client for the [Janus WebRTC server](https://janus.conf.meetecho.com/),
//! built on the blocking [`janus_signal_socket`] client (HTTP long poll or WebSocket, chosen by the
//! URL scheme) and its Admin API client.
//!
//! ```text
//! janus-signal info                                  # server_info: version, plugins, transports
//! janus-signal ping [--admin]                        # Janus API (or Admin API) round trip
//! janus-signal sessions                              # Admin: every session
//! janus-signal handles SESSION                       # Admin: a session's handles and their plugins
//! janus-signal echotest                              # create, attach, message, detach, destroy, timed
//! janus-signal tail --attach janus.plugin.echotest   # events as JSON lines until Ctrl-C
//! janus-signal send --plugin janus.plugin.echotest '{"audio":true}'
//! janus-signal send --session SESSION HANDLE '{"audio":true}'
//! ```
//!
//! # Where and who
//!
//! | flag | environment | default |
//! |---|---|---|
//! | `--url` | `JANUS_URL` | `ws://127.0.0.1:8188` (`http://host:port/janus` for the REST transport) |
//! | `--admin-url` | `JANUS_ADMIN_URL` | `http://127.0.0.1:7088/admin` |
//! | `--apisecret` | `JANUS_API_SECRET` | none |
//! | `--token` | `JANUS_TOKEN` | none |
//! | `--admin-secret` | `JANUS_ADMIN_SECRET` | none |
//! | `--timeout SECS` | | 15: how long a Janus API request may wait for its answer (also the connect timeout); the Admin API client has its own 10 s |
//!
//! # Output
//!
//! Human-readable text on stdout by default; `--json` prints JSON for scripts instead: one
//! object per command (`info`, `ping`, `sessions`, `handles`, `echotest`), or one Janus message
//! per line (`send`, `tail`; Janus's indented JSON is compacted, its key order kept). `tail`
//! always prints events as JSON lines; `--json` adds lines of its own, told apart by a `"tail"`
//! member (the session and handles it watches, why it stopped), that otherwise go to stderr
//! as text.
//!
//! Errors go to stderr as one readable line, what was being done and what went wrong
//! (`janus-signal: admin list_handles 1: Janus error 458: No such session 1`), followed by a
//! `hint:` line when a setting is the likely cause (a secret, the URL, the timeout). With
//! `--json`, stdout also gets an error object: `{"error": {"exit_code": 1, "kind": "janus",
//! "code": 458, "reason": "No such session 1", "message": "...", "hint": "..."}}` (`kind` is
//! one of `janus`, `plugin`, `session_ended`, `usage`, `transport`, `timeout`, `protocol`).
//!
//! Progress on long waits (`connecting to …`, `waiting for the plugin's answer… (3 s)`,
//! `waiting for events… (10 s)`) goes to stderr, only when stderr is a terminal, and never
//! with `--quiet`, which also drops the informational lines on stderr (the session and handle
//! that `send --plugin` and `tail` use).
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | Janus answered with an error (core or plugin: code and reason are printed), or ended the session |
//! | 2 | usage error: unknown command or flag, bad URL, argument that is not a JSON object |
//! | 3 | connection or transport failure: nothing listens, connection refused or closed, HTTP or WebSocket error |
//! | 4 | timeout: no answer within `--timeout` |
//! | 5 | protocol error: an answer that is not Janus JSON, or not the kind expected |
//!
//! # Sending to an existing handle
//!
//! `send --plugin PLUGIN JSON` creates a session, attaches a handle to `PLUGIN`, sends the
//! message and prints the plugin's answer (its synchronous `success`, or the `event` that
//! follows the `ack`), then any further event of the handle for `--wait SECS`, then detaches
//! and destroys. `send --session SESSION HANDLE JSON` sends the message to a handle that lives
//! in another client's session, without taking the session over (no `claim`: that would move
//! the session's events away from its owner), and prints Janus's immediate reply: the plugin's
//! synchronous `success`, or the `ack` of an asynchronous plugin, whose `event` goes to the
//! session's owner (for instance a `tail` that attached the handle).
//!
//! `tail --session SESSION` claims the session: Janus sends its events to this connection from
//! then on (over WebSocket, the previous owner's connection loses it). Only handles attached by
//! `tail --attach` are shown, for the same reason; the claimed session is not destroyed at the
//! end (but over WebSocket, Janus destroys it when the connection closes unless its
//! `reclaim_session_timeout` is above 0).
#![forbid(unsafe_code)]

mod commands;
mod error;
mod json;
mod output;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::CliError;
use crate::output::Output;

/// The `--help` text on exit codes (kept in step with the crate docs).
const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  Janus answered with an error (core or plugin; code and reason are printed) or ended the session
  2  usage error (unknown command or flag, bad URL, an argument that is not a JSON object)
  3  connection or transport failure (nothing listens, connection refused or closed, HTTP/WebSocket error)
  4  timeout (no answer within --timeout)
  5  protocol error (an answer that is not Janus JSON, or not of the expected kind)

Progress on long waits goes to stderr, only when stderr is a terminal and --quiet is not given.";

/// A command line client for the Janus WebRTC server's signaling and Admin APIs.
#[derive(Debug, Parser)]
#[command(name = "janus-signal", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Janus API URL: ws://host:port (WebSocket) or http://host:port/janus (REST with long poll)
    #[arg(long, global = true, env = "JANUS_URL", default_value = "ws://127.0.0.1:8188")]
    pub(crate) url: String,
    /// Admin API URL (HTTP only)
    #[arg(long, global = true, env = "JANUS_ADMIN_URL", default_value = "http://127.0.0.1:7088/admin")]
    pub(crate) admin_url: String,
    /// `apisecret` sent with every Janus API request (the server's api_secret)
    #[arg(long, global = true, env = "JANUS_API_SECRET", hide_env_values = true)]
    pub(crate) apisecret: Option<String>,
    /// `token` sent with every Janus API request (token_auth)
    #[arg(long, global = true, env = "JANUS_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// Admin API secret (the server's admin_secret)
    #[arg(long, global = true, env = "JANUS_ADMIN_SECRET", hide_env_values = true)]
    pub(crate) admin_secret: Option<String>,
    /// Seconds a Janus API request may wait for its answer; also the connect timeout
    #[arg(long, global = true, value_name = "SECS", default_value = "15", value_parser = parse_seconds)]
    pub(crate) timeout: Duration,
    /// Print JSON for scripts instead of text
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// No progress and no informational lines on stderr (errors are still printed)
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Server info: version, name, timeouts, transports and plugins (Janus API `info`)
    Info,
    /// Round trip of a `ping` (Janus API) or of an Admin `ping` (--admin)
    Ping {
        /// Ping the Admin API at --admin-url instead
        #[arg(long)]
        admin: bool,
    },
    /// Every session on the server (Admin API `list_sessions`)
    Sessions,
    /// A session's handles with their plugins (Admin API `list_handles`, `handle_info`)
    Handles {
        /// The session id
        session: u64,
    },
    /// A whole echotest cycle, each step timed: create, attach, message {audio, video} (ack and
    /// event), detach, destroy
    Echotest,
    /// Print a session's events as JSON lines until Ctrl-C, --count or --for
    Tail(commands::tail::TailArgs),
    /// Send a plugin message and print the answer: to a new handle of --plugin, or to HANDLE of
    /// an existing --session
    Send(commands::send::SendArgs),
}

/// Parses `--timeout`-like values: positive, finite seconds (fractions allowed).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("not a number of seconds: {text:?}"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 * 365.0 {
        return Err(format!("seconds must be above 0 and at most a year, not {text}"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Parses the command line (usage errors exit with 2 there), runs the command, and maps its
/// failure to an exit code.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = Output::new(cli.global.json, cli.global.quiet);
    match run(&cli, &output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output.error(&error);
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs the command.
fn run(cli: &Cli, output: &Output) -> Result<(), CliError> {
    let global = &cli.global;
    match &cli.command {
        Command::Info => commands::info::run(global, output),
        Command::Ping { admin } => commands::ping::run(global, output, *admin),
        Command::Sessions => commands::admin::sessions(global, output),
        Command::Handles { session } => commands::admin::handles(global, output, *session),
        Command::Echotest => commands::echotest::run(global, output),
        Command::Tail(args) => commands::tail::run(global, output, args),
        Command::Send(args) => commands::send::run(global, output, args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert!(parse_seconds("inf").is_err());
        assert!(parse_seconds("soon").is_err());
    }
}
