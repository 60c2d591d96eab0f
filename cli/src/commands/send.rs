//! `send`: one plugin message, to a new handle (`--plugin`) or to a handle of an existing
//! session (`--session`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use janus_signal_socket::janus_signal::HandleId;
use janus_signal_socket::{Janus, OwnedMessage};
use serde_json::{Map, Value, json};

use crate::commands::{connect, destroy_quietly};
use crate::error::CliError;
use crate::output::{Output, millis};
use crate::{GlobalArgs, json, parse_seconds};

/// The arguments of `send`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  janus-signal send --plugin janus.plugin.echotest '{\"audio\":true}'
  janus-signal send --plugin audiobridge '{\"request\":\"list\"}'
  janus-signal --url http://127.0.0.1:8088/janus send --session 123 456 '{\"audio\":true}'

With --plugin: a new session and handle, the plugin's answer (its synchronous success, or the
event that follows the ack), then the handle's events for --wait SECS, then detach and destroy.
With --session: Janus's immediate reply only (a synchronous success, or the ack of an
asynchronous plugin, whose event goes to the session's owner). The session is not claimed.
Prefer an http:// URL there: over WebSocket a synchronous success for a handle this connection
did not attach is not delivered by the client library (ack and error are).")]
pub(crate) struct SendArgs {
    /// Attach a new handle to PLUGIN (in a new session) and send to it. A name without a dot is
    /// short for janus.plugin.NAME (audiobridge, echotest, streaming, textroom, videoroom, …)
    #[arg(long, value_name = "PLUGIN", conflicts_with = "session", required_unless_present = "session")]
    plugin: Option<String>,
    /// Send to HANDLE of this existing session, without claiming it
    #[arg(long, value_name = "SESSION")]
    session: Option<u64>,
    /// With --plugin: print the handle's further events for SECS after the answer
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, conflicts_with = "session")]
    wait: Option<Duration>,
    /// HANDLE (with --session only), then the message body: a JSON object
    #[arg(value_name = "[HANDLE] JSON", num_args = 1..=2, required = true)]
    arguments: Vec<String>,
}

/// Sends the message and prints the answer.
pub(crate) fn run(global: &GlobalArgs, output: &Output, args: &SendArgs) -> Result<(), CliError> {
    match (&args.plugin, args.session, args.arguments.as_slice()) {
        (Some(plugin), None, [body]) => {
            to_new_handle(global, output, &package_name(plugin), &body_of(body)?, args.wait)
        }
        (Some(_), None, _) => Err(CliError::Usage("with --plugin, give only the JSON body (no HANDLE)".to_owned())),
        (None, Some(session), [handle, body]) => {
            let handle: u64 = handle
                .parse()
                .map_err(|_| CliError::Usage(format!("HANDLE must be a handle id (a number), not {handle:?}")))?;
            to_existing_handle(global, output, session, handle, &body_of(body)?)
        }
        (None, Some(_), _) => Err(CliError::Usage("with --session, give HANDLE and the JSON body".to_owned())),
        _ => Err(CliError::Usage("give --plugin PLUGIN or --session SESSION".to_owned())),
    }
}

/// The package name of a plugin: `NAME` is short for `janus.plugin.NAME`; a name with a dot is
/// taken as it is.
fn package_name(plugin: &str) -> String {
    if plugin.contains('.') { plugin.to_owned() } else { format!("janus.plugin.{plugin}") }
}

/// The JSON body argument, which must be an object.
fn body_of(text: &str) -> Result<Map<String, Value>, CliError> {
    json::parse_object(text).map_err(CliError::Usage)
}

/// `--plugin`: create, attach, message, print, `--wait` for events, detach, destroy.
fn to_new_handle(
    global: &GlobalArgs,
    output: &Output,
    plugin: &str,
    body: &Map<String, Value>,
    wait: Option<Duration>,
) -> Result<(), CliError> {
    let mut janus = connect(global, output)?;
    let result = exchange(&mut janus, output, plugin, body, wait);
    if result.is_err() {
        destroy_quietly(&mut janus);
    }
    result
}

/// The steps of `--plugin` after connecting.
fn exchange(
    janus: &mut Janus,
    output: &Output,
    plugin: &str,
    body: &Map<String, Value>,
    wait: Option<Duration>,
) -> Result<(), CliError> {
    let session = janus.create_session().map_err(|e| CliError::client("create a session", e))?;
    let handle = janus.attach(plugin, None).map_err(|e| CliError::client(format!("attach {plugin}"), e))?;
    output.note(format!("session {session}, handle {handle} ({plugin})"));
    let start = Instant::now();
    let reply = {
        let _waiting = output.waiting("waiting for the plugin's answer");
        janus.message(handle, body).map_err(|e| CliError::client(format!("message {plugin}"), e))?
    };
    print_reply(output, &reply, start.elapsed());
    if let Some(wait) = wait {
        follow(janus, output, handle, wait)?;
    }
    janus.detach(handle).map_err(|e| CliError::client("detach", e))?;
    janus.destroy_session().map_err(|e| CliError::client("destroy the session", e))?;
    Ok(())
}

/// Prints the handle's events until `wait` has passed.
fn follow(janus: &mut Janus, output: &Output, handle: HandleId, wait: Duration) -> Result<(), CliError> {
    let deadline = Instant::now() + wait;
    let _waiting = output.waiting("waiting for more events");
    while let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|left| !left.is_zero()) {
        // `next_handle_event` may return early without an event: loop until the deadline.
        if let Some(event) =
            janus.next_handle_event(handle, left).map_err(|e| CliError::client("wait for events", e))?
        {
            if output.json {
                output.line(json::compact(event.json()));
            } else {
                output.line(format!("{}: {}", event.kind(), json::compact(event.json())));
            }
        }
    }
    Ok(())
}

/// `--session`: the message as raw JSON to `/janus` (the session and handle in the body), so
/// that the session stays with its owner; prints the immediate reply.
fn to_existing_handle(
    global: &GlobalArgs,
    output: &Output,
    session: u64,
    handle: u64,
    body: &Map<String, Value>,
) -> Result<(), CliError> {
    let mut janus = connect(global, output)?;
    let mut request = json!({
        "janus": "message",
        "transaction": transaction(),
        "session_id": session,
        "handle_id": handle,
        "body": body,
    });
    if let Some(apisecret) = &global.apisecret {
        request["apisecret"] = json!(apisecret);
    }
    if let Some(token) = &global.token {
        request["token"] = json!(token);
    }
    let start = Instant::now();
    let reply = {
        let _waiting = output.waiting("waiting for Janus's reply");
        janus
            .send_raw(None, request.to_string().as_bytes())
            .map_err(|e| CliError::client(format!("message handle {handle} of session {session}"), e))?
    };
    print_reply(output, &reply, start.elapsed());
    let value = json::value(reply.json());
    // A synchronous plugin error comes in a `success`: report it as one.
    if let Some(data) = value.pointer("/plugindata/data")
        && (data.get("error").is_some() || data.get("error_code").is_some())
    {
        let code = data.get("error_code").and_then(Value::as_u64);
        let reason = data.get("error").and_then(Value::as_str).unwrap_or_default().to_owned();
        return Err(CliError::client(
            format!("message handle {handle} of session {session}"),
            janus_signal_socket::Error::Plugin { code, reason },
        ));
    }
    Ok(())
}

/// A transaction id of this process: short, ASCII, unlikely to repeat.
fn transaction() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("cli-{}-{nanos:x}", std::process::id())
}

/// The reply: one JSON line with `--json`; its kind, sender and plugin data otherwise.
fn print_reply(output: &Output, reply: &OwnedMessage, elapsed: Duration) {
    if output.json {
        output.line(json::compact(reply.json()));
        return;
    }
    let value = json::value(reply.json());
    let plugin = value.pointer("/plugindata/plugin").and_then(Value::as_str);
    let from = plugin.map_or_else(String::new, |p| format!(" from {p}"));
    output.line(format!("{}{from} in {:.2} ms", reply.kind(), millis(elapsed)));
    if let Some(data) = value.pointer("/plugindata/data") {
        output.line(serde_json::to_string_pretty(data).unwrap_or_default());
    }
    if let Some(jsep) = value.get("jsep") {
        let kind = jsep.get("type").and_then(Value::as_str).unwrap_or("?");
        let sdp = jsep.get("sdp").and_then(Value::as_str).unwrap_or_default();
        output.line(format!("jsep: {kind}, {} bytes of SDP", sdp.len()));
    }
    if let Some(hint) = value.get("hint").and_then(Value::as_str) {
        output.line(format!("hint: {hint}"));
    }
}

#[cfg(test)]
mod tests {
    use super::package_name;
    use janus_signal_socket::janus_signal::plugin::PLUGINS;

    /// Every plugin core has helpers for can be named by its short name.
    #[test]
    fn short_plugin_names_name_the_packages() {
        for package in PLUGINS {
            let short = package.strip_prefix("janus.plugin.").expect("a janus.plugin. name");
            assert_eq!(package_name(short), *package);
            assert_eq!(package_name(package), *package);
        }
        assert_eq!(package_name("janus.plugin.sip"), "janus.plugin.sip");
    }
}
