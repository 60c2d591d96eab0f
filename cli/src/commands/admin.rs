//! `sessions` and `handles`: the Admin API's view of the server.

use janus_signal_socket::AdminClient;
use janus_signal_socket::janus_signal::{HandleId, SessionId};
use serde_json::{Value, json};

use crate::GlobalArgs;
use crate::commands::connect_admin;
use crate::error::CliError;
use crate::json;
use crate::output::Output;

/// Core error codes of a session or handle that is gone.
const NO_SUCH_SESSION: u64 = 458;
const NO_SUCH_HANDLE: u64 = 459;

/// `list_sessions`.
pub(crate) fn sessions(global: &GlobalArgs, output: &Output) -> Result<(), CliError> {
    let mut admin = connect_admin(global)?;
    let sessions = admin.list_sessions().map_err(|e| CliError::client("admin list_sessions", e))?;
    if output.json {
        output.json_line(&json!({ "sessions": sessions.iter().map(|s| s.0).collect::<Vec<_>>() }));
        return Ok(());
    }
    match sessions.len() {
        0 => output.line("no sessions"),
        1 => output.line("1 session"),
        n => output.line(format!("{n} sessions")),
    }
    for session in sessions {
        output.line(format!("  {session}"));
    }
    Ok(())
}

/// `list_handles` of `session`, and the plugin and `opaque_id` of each handle (`handle_info`).
pub(crate) fn handles(global: &GlobalArgs, output: &Output, session: u64) -> Result<(), CliError> {
    let session = SessionId(session);
    let mut admin = connect_admin(global)?;
    let handles =
        admin.list_handles(session).map_err(|e| CliError::client(format!("admin list_handles {session}"), e))?;
    let mut described = Vec::with_capacity(handles.len());
    for handle in handles {
        described.push(describe(&mut admin, session, handle)?);
    }
    if output.json {
        output.json_line(&json!({ "session_id": session.0, "handles": described }));
        return Ok(());
    }
    let count = if described.len() == 1 { "1 handle".to_owned() } else { format!("{} handles", described.len()) };
    output.line(format!("session {session}: {count}"));
    for handle in &described {
        let text = |key: &str| handle.get(key).and_then(Value::as_str);
        let mut line = format!("  {}  {}", handle["handle_id"], text("plugin").unwrap_or("(gone)"));
        if let Some(opaque_id) = text("opaque_id") {
            line.push_str(&format!("  opaque_id {opaque_id:?}"));
        }
        output.line(line);
    }
    Ok(())
}

/// `{"handle_id", "plugin", ["opaque_id"]}` of one handle; `plugin` is null when the handle
/// (or its session) went away since it was listed.
fn describe(admin: &mut AdminClient, session: SessionId, handle: HandleId) -> Result<Value, CliError> {
    let info = match admin.handle_info(session, handle) {
        Ok(reply) => json::value(reply.json()).get("info").cloned().unwrap_or(Value::Null),
        Err(e) if matches!(e.janus_code(), Some(NO_SUCH_SESSION | NO_SUCH_HANDLE)) => Value::Null,
        Err(e) => return Err(CliError::client(format!("admin handle_info {session} {handle}"), e)),
    };
    let mut described = json!({ "handle_id": handle.0, "plugin": info.get("plugin") });
    if let Some(opaque_id) = info.get("opaque_id") {
        described["opaque_id"] = opaque_id.clone();
    }
    Ok(described)
}
