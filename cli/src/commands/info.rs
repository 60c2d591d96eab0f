//! `info`: the server's description.

use serde_json::Value;

use crate::GlobalArgs;
use crate::commands::connect;
use crate::error::CliError;
use crate::json;
use crate::output::Output;

/// Prints `server_info`: the whole message with `--json`, a summary otherwise.
pub(crate) fn run(global: &GlobalArgs, output: &Output) -> Result<(), CliError> {
    let mut janus = connect(global, output)?;
    let info = janus.server_info().map_err(|e| CliError::client("info", e))?;
    if output.json {
        output.line(json::compact(info.json()));
        return Ok(());
    }
    let info = json::value(info.json());
    for line in summary(&global.url, &info) {
        output.line(line);
    }
    Ok(())
}

/// The human-readable lines of a `server_info`.
fn summary(url: &str, info: &Value) -> Vec<String> {
    let text = |key: &str| info.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
    let yes_no = |key: &str| match info.get(key).and_then(Value::as_bool) {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    };
    let seconds =
        |key: &str| info.get(key).and_then(Value::as_u64).map_or_else(|| "?".to_owned(), |s| format!("{s} s"));
    let mut lines = vec![
        format!("{} {} at {url}", text("name"), text("version_string")),
        format!("  server name:        {}", text("server-name")),
        format!("  accepting sessions: {}", yes_no("accepting-new-sessions")),
        format!(
            "  timeouts:           session {}, reclaim {}, candidates {}",
            seconds("session-timeout"),
            seconds("reclaim-session-timeout"),
            seconds("candidates-timeout")
        ),
        format!("  api_secret:         {}, token auth: {}", yes_no("api_secret"), yes_no("auth_token")),
    ];
    for (key, title) in [("transports", "transports"), ("plugins", "plugins"), ("events", "event handlers")] {
        let Some(Value::Object(modules)) = info.get(key) else { continue };
        lines.push(format!("  {title}:{}", if modules.is_empty() { " none" } else { "" }));
        for (name, module) in modules {
            let version = module.get("version_string").and_then(Value::as_str).unwrap_or("?");
            let description = module.get("description").and_then(Value::as_str).unwrap_or_default();
            lines.push(format!("    {name} {version}  {description}"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summary_of_a_partial_info() {
        let info = json!({
            "janus": "server_info", "name": "Janus WebRTC Server", "version_string": "1.1.2",
            "session-timeout": 60, "api_secret": false,
            "plugins": {"janus.plugin.echotest": {"version_string": "0.0.8", "description": "echo"}},
            "transports": {}
        });
        let lines = summary("ws://x", &info);
        assert_eq!(lines[0], "Janus WebRTC Server 1.1.2 at ws://x");
        assert!(lines.iter().any(|l| l.contains("session 60 s, reclaim ?")));
        assert!(lines.iter().any(|l| l == "  transports: none"));
        assert!(lines.iter().any(|l| l == "    janus.plugin.echotest 0.0.8  echo"));
    }
}
