//! `echotest`: one whole cycle against the echotest plugin, each step timed.

use std::time::Instant;

use janus_signal_socket::Janus;
use serde_json::{Value, json};

use crate::GlobalArgs;
use crate::commands::{connect, destroy_quietly};
use crate::error::CliError;
use crate::json;
use crate::output::{Output, millis};

/// The plugin.
const ECHOTEST: &str = "janus.plugin.echotest";

/// The steps done so far: printed as they complete (text), or gathered for one JSON object.
struct Steps<'a> {
    output: &'a Output,
    done: Vec<Value>,
}

impl Steps<'_> {
    /// Runs `step`, timing it, and records `name` with the detail `describe` gives its result.
    fn time<T>(
        &mut self,
        name: &str,
        step: impl FnOnce() -> Result<T, CliError>,
        describe: impl FnOnce(&T) -> String,
    ) -> Result<T, CliError> {
        let start = Instant::now();
        let result = step()?;
        let elapsed = start.elapsed();
        let detail = describe(&result);
        if !self.output.json {
            self.output.line(format!("  {name:<8} {:>9.2} ms  {detail}", millis(elapsed)).trim_end());
        }
        self.done.push(json!({ "step": name, "millis": millis(elapsed) }));
        Ok(result)
    }
}

/// Connects, then create → attach → message `{"audio":true,"video":true}` (ack, then the
/// plugin's event) → detach → destroy.
pub(crate) fn run(global: &GlobalArgs, output: &Output) -> Result<(), CliError> {
    let start = Instant::now();
    if !output.json {
        output.line(format!("echotest over {}", global.url));
    }
    let mut steps = Steps { output, done: Vec::new() };
    let mut janus = steps.time("connect", || connect(global, output), |_| String::new())?;
    let cycle = cycle(&mut janus, &mut steps, output);
    if cycle.is_err() {
        destroy_quietly(&mut janus);
    }
    let (session, handle, answer) = cycle?;
    let total = start.elapsed();
    if output.json {
        output.json_line(&json!({
            "url": global.url,
            "session_id": session,
            "handle_id": handle,
            "answer": answer,
            "steps": steps.done,
            "total_millis": millis(total),
        }));
    } else {
        output.line(format!("ok in {:.2} ms", millis(total)));
    }
    Ok(())
}

/// The steps after connecting; returns the session, the handle and the plugin's answer.
fn cycle(janus: &mut Janus, steps: &mut Steps<'_>, output: &Output) -> Result<(u64, u64, Value), CliError> {
    let session = steps.time(
        "create",
        || janus.create_session().map_err(|e| CliError::client("create a session", e)),
        |session| format!("session {session}"),
    )?;
    let handle = steps.time(
        "attach",
        || {
            janus
                .attach(ECHOTEST, Some("janus-signal-cli"))
                .map_err(|e| CliError::client(format!("attach {ECHOTEST}"), e))
        },
        |handle| format!("handle {handle} ({ECHOTEST})"),
    )?;
    let answer = steps.time(
        "message",
        || {
            let _waiting = output.waiting("waiting for the echotest's answer");
            janus
                .message(handle, &json!({ "audio": true, "video": true }))
                .map_err(|e| CliError::client("message the echotest", e))
        },
        |reply| format!("{}: {}", reply.kind(), plugin_data_text(reply.json())),
    )?;
    steps.time("detach", || janus.detach(handle).map_err(|e| CliError::client("detach", e)), |_| String::new())?;
    steps.time(
        "destroy",
        || janus.destroy_session().map_err(|e| CliError::client("destroy the session", e)),
        |()| String::new(),
    )?;
    let answer = json::value(answer.json())["plugindata"]["data"].clone();
    Ok((session.0, handle.0, answer))
}

/// `plugindata.data` of a reply, on one line.
fn plugin_data_text(reply: &str) -> String {
    json::value(reply)["plugindata"]["data"].to_string()
}
