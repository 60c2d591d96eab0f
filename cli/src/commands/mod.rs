//! One module per command, and the connections they share.

pub(crate) mod admin;
pub(crate) mod echotest;
pub(crate) mod info;
pub(crate) mod ping;
pub(crate) mod send;
pub(crate) mod tail;

use janus_signal_socket::{AdminClient, Janus, Options};

use crate::GlobalArgs;
use crate::error::CliError;
use crate::output::Output;

/// Connects to the Janus API at `--url` with the credentials and timeout of the flags.
pub(crate) fn connect(global: &GlobalArgs, output: &Output) -> Result<Janus, CliError> {
    let options = Options {
        apisecret: global.apisecret.clone(),
        token: global.token.clone(),
        request_timeout: global.timeout,
        connect_timeout: global.timeout,
        ..Options::default()
    };
    let _waiting = output.waiting(&format!("connecting to {}", global.url));
    Janus::connect(&global.url, options).map_err(|e| CliError::client(format!("connect to {}", global.url), e))
}

/// Connects to the Admin API at `--admin-url` with `--admin-secret` (none: Janus answers 403).
pub(crate) fn connect_admin(global: &GlobalArgs) -> Result<AdminClient, CliError> {
    let secret = global.admin_secret.as_deref().unwrap_or_default();
    AdminClient::connect(&global.admin_url, secret)
        .map_err(|e| CliError::client(format!("admin: connect to {}", global.admin_url), e))
}

/// Ends what a command set up, best effort, after it failed: the error that made it fail is
/// the one worth reporting.
pub(crate) fn destroy_quietly(janus: &mut Janus) {
    if janus.session_id().is_some() {
        let _ = janus.destroy_session();
    }
}
