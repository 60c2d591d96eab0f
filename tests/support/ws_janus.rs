//! The project's Janus over WebSocket for the tests of core's framing and driver, which need
//! nothing of `std-socket`.

use std::net::TcpStream;

/// The Janus WebSocket's `host:port` (`JANUS_WS_URL`, default `ws://127.0.0.1:8188`); fails the
/// (live) test when nothing answers there.
pub(crate) fn janus_authority() -> String {
    let url = std::env::var("JANUS_WS_URL").unwrap_or_else(|_| "ws://127.0.0.1:8188".into());
    let authority = url.trim_start_matches("ws://").trim_end_matches('/').to_owned();
    assert!(
        TcpStream::connect(&authority).is_ok(),
        "live test without a Janus: nothing answers at {url} (tests/run starts one)"
    );
    authority
}
