//! `tail`: a session's events as JSON lines.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use janus_signal_socket::janus_signal::{HandleId, SessionId};
use janus_signal_socket::{Error as ClientError, Event, Janus};
use serde_json::{Value, json};

use crate::commands::connect;
use crate::error::CliError;
use crate::output::{Output, clear_progress_line, progress_line};
use crate::{GlobalArgs, json, parse_seconds};

/// The Janus core error code of a session that does not exist.
const NO_SUCH_SESSION: u64 = 458;
/// Silence after which a terminal is told that `tail` is still waiting.
const QUIET_SPELL: Duration = Duration::from_secs(5);
/// The longest single wait, so that Ctrl-C, `--for` and progress are handled promptly.
const TICK: Duration = Duration::from_millis(500);

/// The arguments of `tail`.
#[derive(Debug, Args)]
#[command(after_help = "\
Every message Janus sends for the handles is printed as it came, on one line (JSON lines on
stdout). With --json, tail adds lines of its own, told apart by a \"tail\" member: \"started\"
(the session and the handles), \"handle_detached\", \"session_timed_out\", \"session_ended\",
\"request_failed\", and \"stopped\" (why, and how many events); without --json those go to
stderr as text (not with --quiet).

Ctrl-C, --count and --for end it cleanly: the handles it attached are detached and a session
it created is destroyed (a claimed one is left alone). If Janus ends the session, tail exits
with 1.

The client library delivers the events of handles attached on this connection only: with
--session, Janus moves the session's events here (claim), but only the handles attached with
--attach (and session-level events) are shown.

Examples:
  janus-signal tail --attach janus.plugin.echotest
  janus-signal --json tail --attach janus.plugin.videoroom --for 60
  janus-signal tail --session 123 --attach janus.plugin.echotest --count 10")]
pub(crate) struct TailArgs {
    /// Claim this existing session (take its events over) instead of creating one
    #[arg(long, value_name = "SESSION")]
    session: Option<u64>,
    /// Attach a handle to PLUGIN, whose events are then shown (may be repeated)
    #[arg(long, value_name = "PLUGIN")]
    attach: Vec<String>,
    /// Stop after N events from Janus
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Stop after SECS
    #[arg(long = "for", value_name = "SECS", value_parser = parse_seconds)]
    duration: Option<Duration>,
}

/// Why the tail stopped.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Count,
    Time,
    Interrupted,
}

impl Stop {
    /// Its name in the output.
    fn name(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Time => "time",
            Self::Interrupted => "interrupted",
        }
    }
}

/// Sets the session up, prints its events, then cleans up.
pub(crate) fn run(global: &GlobalArgs, output: &Output, args: &TailArgs) -> Result<(), CliError> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    // Without a handler (one is set already), Ctrl-C just ends the process.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed));

    let mut janus = connect(global, output)?;
    let session = match args.session {
        Some(id) => {
            let session = SessionId(id);
            janus.claim_session(session).map_err(|e| CliError::client(format!("claim session {session}"), e))?;
            session
        }
        None => janus.create_session().map_err(|e| CliError::client("create a session", e))?,
    };
    let mut tail =
        Tail { janus, output, created: args.session.is_none(), handles: Vec::new(), events: 0, progress_shown: 0 };
    let result = tail.watch(session, args, &interrupted);
    let cleanup = tail.clean_up();
    let stop = result?;
    cleanup?;
    tail.said(
        json!({ "tail": "stopped", "reason": stop.name(), "events": tail.events }),
        format!("stopped ({}) after {} event(s)", stop.name(), tail.events),
    );
    Ok(())
}

/// A running tail: its connection and what it set up.
struct Tail<'a> {
    janus: Janus,
    output: &'a Output,
    /// The session is this tail's own (destroy it at the end).
    created: bool,
    /// The handles this tail attached and that are still there.
    handles: Vec<(HandleId, String)>,
    /// Janus messages printed.
    events: u64,
    /// The seconds of silence the progress line on stderr shows (0: none shown).
    progress_shown: u64,
}

impl Tail<'_> {
    /// Attaches the plugins, then prints events until a stop condition.
    fn watch(&mut self, session: SessionId, args: &TailArgs, interrupted: &AtomicBool) -> Result<Stop, CliError> {
        for plugin in &args.attach {
            let handle =
                self.janus.attach(plugin, None).map_err(|e| CliError::client(format!("attach {plugin}"), e))?;
            self.handles.push((handle, plugin.clone()));
        }
        let handles: Vec<Value> =
            self.handles.iter().map(|(h, plugin)| json!({ "handle_id": h.0, "plugin": plugin })).collect();
        let listed: Vec<String> = self.handles.iter().map(|(h, plugin)| format!("{h} ({plugin})")).collect();
        self.said(
            json!({ "tail": "started", "session_id": session.0, "handles": handles }),
            format!(
                "session {session}{}{}; Ctrl-C to stop",
                if self.created { "" } else { " (claimed)" },
                if listed.is_empty() { ", no handles".to_owned() } else { format!(", handles {}", listed.join(", ")) }
            ),
        );

        let start = Instant::now();
        let deadline = args.duration.map(|d| start + d);
        let mut last_event = start;
        loop {
            if interrupted.load(Ordering::Relaxed) {
                return Ok(Stop::Interrupted);
            }
            if args.count.is_some_and(|n| self.events >= n) {
                return Ok(Stop::Count);
            }
            let now = Instant::now();
            let wait = match deadline {
                Some(deadline) if now >= deadline => return Ok(Stop::Time),
                Some(deadline) => TICK.min(deadline - now),
                None => TICK,
            };
            let event = self.janus.next_event(wait).map_err(|e| CliError::client("wait for events", e))?;
            if event.is_some() {
                self.clear_progress();
            }
            match event {
                Some(Event::Handle { message, .. }) => {
                    self.output.line(json::compact(message.json()));
                    self.events += 1;
                    last_event = Instant::now();
                }
                Some(Event::HandleDetached(handle)) => {
                    self.handles.retain(|(h, _)| *h != handle);
                    self.said(
                        json!({ "tail": "handle_detached", "handle_id": handle.0 }),
                        format!("handle {handle} detached"),
                    );
                }
                Some(Event::SessionTimedOut(session)) => {
                    self.said(
                        json!({ "tail": "session_timed_out", "session_id": session.0 }),
                        format!("session {session} timed out"),
                    );
                    return Err(CliError::SessionEnded(format!("Janus timed session {session} out")));
                }
                Some(Event::SessionEnded(session, reason)) => {
                    let reason = format!("{reason:?}");
                    self.said(
                        json!({ "tail": "session_ended", "session_id": session.0, "reason": reason }),
                        format!("session {session} ended: {reason}"),
                    );
                    return Err(CliError::SessionEnded(format!("session {session} ended: {reason}")));
                }
                Some(Event::RequestFailed(kind)) => {
                    let kind = format!("{kind:?}");
                    self.said(json!({ "tail": "request_failed", "request": kind }), format!("a {kind} request failed"));
                }
                // Something Janus sent that cannot be read as its kind: say so, and go on.
                Some(Event::Malformed(malformed)) => {
                    let kind = malformed.kind().unwrap_or("message").to_owned();
                    let error = malformed.error().to_string();
                    self.said(
                        json!({
                            "tail": "malformed_event",
                            "kind": malformed.kind(),
                            "error": error,
                            "message": serde_json::from_str::<Value>(malformed.json())
                                .unwrap_or_else(|_| json!(malformed.json())),
                        }),
                        format!("ignored an unreadable {kind} ({error}): {}", json::compact(malformed.json())),
                    );
                }
                Some(_) => {}
                None => {
                    let silent = last_event.elapsed();
                    if self.output.shows_progress() && silent >= QUIET_SPELL && silent.as_secs() != self.progress_shown
                    {
                        self.progress_shown = silent.as_secs();
                        progress_line(&format!("waiting for events… ({} s)", self.progress_shown));
                    }
                }
            }
        }
    }

    /// Detaches what this tail attached and destroys the session it created.
    fn clean_up(&mut self) -> Result<(), CliError> {
        let Some(session) = self.janus.session_id() else { return Ok(()) };
        let gone = |context: String, e: ClientError| match e.janus_code() {
            Some(NO_SUCH_SESSION) => CliError::SessionEnded(format!(
                "session {session} no longer exists (another client claimed or destroyed it, or it timed out)"
            )),
            _ => CliError::client(context, e),
        };
        for (handle, _) in std::mem::take(&mut self.handles) {
            self.janus.detach(handle).map_err(|e| gone(format!("detach {handle}"), e))?;
        }
        if self.created {
            self.janus.destroy_session().map_err(|e| gone("destroy the session".to_owned(), e))?;
        }
        Ok(())
    }

    /// Clears the progress line, if one is shown.
    fn clear_progress(&mut self) {
        if self.progress_shown > 0 {
            clear_progress_line();
            self.progress_shown = 0;
        }
    }

    /// One of tail's own lines: JSON on stdout with `--json`, text on stderr otherwise.
    fn said(&mut self, line: Value, text: String) {
        self.clear_progress();
        if self.output.json {
            self.output.json_line(&line);
        } else {
            self.output.note(format!("tail: {text}"));
        }
    }
}
