//! `ping`: a round trip to the Janus API or the Admin API.

use std::time::Instant;

use serde_json::json;

use crate::GlobalArgs;
use crate::commands::{connect, connect_admin};
use crate::error::CliError;
use crate::output::{Output, millis};

/// Pings and prints the round-trip time (the connection is set up before the clock starts).
pub(crate) fn run(global: &GlobalArgs, output: &Output, admin: bool) -> Result<(), CliError> {
    let (api, url, elapsed) = if admin {
        let mut client = connect_admin(global)?;
        let start = Instant::now();
        client.ping().map_err(|e| CliError::client("admin ping", e))?;
        ("admin", &global.admin_url, start.elapsed())
    } else {
        let mut janus = connect(global, output)?;
        let start = Instant::now();
        janus.ping().map_err(|e| CliError::client("ping", e))?;
        ("janus", &global.url, start.elapsed())
    };
    if output.json {
        output.json_line(&json!({ "pong": true, "api": api, "url": url, "millis": millis(elapsed) }));
    } else {
        output.line(format!("pong from {url} in {:.2} ms", millis(elapsed)));
    }
    Ok(())
}
