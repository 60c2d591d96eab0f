//! Credentials with `janus-signal-socket` over both transports, against extra Janus instances
//! this file starts (and stops) itself with `tests/janus/janus-server`:
//!
//! - `api_secret` (HTTP 18088, WS 18188, Admin 17088): requests without or with a wrong secret
//!   get 403; with the right one everything works, including the HTTP long poll (which carries
//!   `?apisecret=`).
//! - `token_auth` (HTTP 28088, WS 28188, Admin 27088): a token added through `AdminClient`,
//!   limited to the echotest, lets a client create and attach the echotest (and receive its
//!   events, over HTTP on the long poll with `?token=`); attaching the videoroom gives 405, no or
//!   a wrong token 403; `list_tokens` / `remove_token`, after which the token is refused.
//!
//! The instances need the `janus` binary: without it the tests skip, unless `JANUS_REQUIRED=1`.

#[path = "socket_support/live.rs"]
mod live;

use std::time::Duration;

use janus_signal_socket::janus_signal::client::SessionState;
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::{AdminClient, Options};
use serde_json::json;

use live::{ECHO, Endpoints, InstanceConfig, OFFER, SharedInstance, Transport, expect_janus_error};

const API_SECRET: &str = "janus-signal-s3cret";

static WITH_API_SECRET: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "apisecret",
    http_port: 18088,
    ws_port: 18188,
    admin_port: 17088,
    env: &[("JANUS_API_SECRET", API_SECRET)],
});

static WITH_TOKEN_AUTH: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "tokenauth",
    http_port: 28088,
    ws_port: 28188,
    admin_port: 27088,
    env: &[("JANUS_TOKEN_AUTH", "1")],
});

fn run(instance: &'static SharedInstance, transport: Transport, scenario: fn(&str, &Endpoints)) {
    let Some(janus) = instance.get() else { return };
    scenario(janus.endpoints.url(transport), &janus.endpoints);
}

fn with_secret(secret: &str) -> Options {
    Options { apisecret: Some(secret.to_owned()), ..Options::default() }
}

fn with_token(token: &str) -> Options {
    Options { token: Some(token.to_owned()), ..Options::default() }
}

// ----- api_secret -------------------------------------------------------------------------------

fn api_secret(url: &str, _: &Endpoints) {
    // info and ping need no secret.
    let mut anonymous = live::connect(url, Options::default());
    let info = anonymous.server_info().expect("info without secret");
    let Message::ServerInfo(server) = info.message() else { panic!("{info}") };
    assert_eq!(server.api_secret_required(), Some(true), "{info}");
    anonymous.ping().expect("ping without secret");
    expect_janus_error(anonymous.create_session(), 403, "create without secret");
    assert_eq!(anonymous.client().session(), SessionState::Idle);

    let mut wrong = live::connect(url, with_secret("not-the-secret"));
    expect_janus_error(wrong.create_session(), 403, "create with a wrong secret");

    // The right secret: a whole echotest session, events included (over HTTP they come on the
    // long poll, which is refused without ?apisecret=).
    let mut janus = live::connect(url, with_secret(API_SECRET));
    let session = janus.create_session().expect("create with the secret");
    let handle = janus.attach("janus.plugin.echotest", Some("apisecret")).expect("attach");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(handle, &ECHO, &offer).expect("offer"), handle);
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed).expect("trickle");
    janus.keepalive().expect("keepalive");
    janus.hangup(handle).expect("hangup");
    let events = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, handle));
    assert!(
        events.last().is_some_and(|e| live::is_hangup_of(e, handle)),
        "no hangup event: {:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );

    // Each request carries the secret: the same session without it is refused.
    let bare = json!({"janus": "keepalive", "transaction": "raw-no-secret", "session_id": session.0});
    let bare = serde_json::to_vec(&bare).expect("JSON");
    expect_janus_error(janus.send_raw(None, &bare), 403, "raw keepalive without the secret");
    // ... and the wrong client can't touch it either.
    expect_janus_error(wrong.claim_session(session), 403, "claim with a wrong secret");

    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy");
}

#[test]
fn api_secret_http() {
    run(&WITH_API_SECRET, Transport::Http, api_secret);
}

#[test]
fn api_secret_ws() {
    run(&WITH_API_SECRET, Transport::Ws, api_secret);
}

// ----- token auth -------------------------------------------------------------------------------

fn token_auth(url: &str, endpoints: &Endpoints) {
    let token = live::unique("janus-signal-token");
    let mut admin = AdminClient::connect(&endpoints.admin, &endpoints.admin_secret).expect("admin");
    admin.add_token(&token, &["janus.plugin.echotest"]).expect("add_token");
    assert!(admin.list_tokens().expect("list_tokens").contains(&token), "the new token is not listed");
    let listed = live::json(&admin.custom("list_tokens", &json!({})).expect("list_tokens"));
    let entry = listed["data"]["tokens"].as_array().and_then(|t| t.iter().find(|t| t["token"] == token.as_str()));
    let entry = entry.unwrap_or_else(|| panic!("{token} not in {listed}"));
    assert_eq!(entry["allowed_plugins"], json!(["janus.plugin.echotest"]), "{listed}");

    // No token, a wrong token: 403.
    let mut anonymous = live::connect(url, Options::default());
    let info = anonymous.server_info().expect("info without token");
    let Message::ServerInfo(server) = info.message() else { panic!("{info}") };
    assert_eq!(server.auth_token_required(), Some(true), "{info}");
    expect_janus_error(anonymous.create_session(), 403, "create without token");
    expect_janus_error(live::connect(url, with_token("no-such-token")).create_session(), 403, "wrong token");

    // The token: echotest yes (events too: over HTTP the long poll carries ?token=), videoroom
    // no (405).
    let mut janus = live::connect(url, with_token(&token));
    let session = janus.create_session().expect("create with the token");
    let handle = janus.attach("janus.plugin.echotest", None).expect("attach echotest");
    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(handle, &ECHO, &offer).expect("offer"), handle);
    let reason = expect_janus_error(janus.attach("janus.plugin.videoroom", None), 405, "attach videoroom");
    assert!(reason.contains("janus.plugin.videoroom"), "{reason}");
    assert_eq!(janus.client().handles().collect::<Vec<_>>(), [handle]);
    janus.hangup(handle).expect("hangup");
    let events = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, handle));
    assert!(
        events.last().is_some_and(|e| live::is_hangup_of(e, handle)),
        "no hangup event: {:?}",
        events.iter().map(live::describe).collect::<Vec<_>>()
    );
    let sessions = admin.list_sessions().expect("list_sessions");
    assert!(sessions.contains(&session), "{sessions:?}");
    janus.destroy_session().expect("destroy");

    // Removed, the token is refused.
    admin.remove_token(&token).expect("remove_token");
    assert!(!admin.list_tokens().expect("list_tokens").contains(&token));
    expect_janus_error(live::connect(url, with_token(&token)).create_session(), 403, "create with a removed token");
    let again = admin.remove_token(&token);
    assert!(again.is_err(), "removing a removed token: {again:?}");
}

#[test]
fn token_auth_http() {
    run(&WITH_TOKEN_AUTH, Transport::Http, token_auth);
}

#[test]
fn token_auth_ws() {
    run(&WITH_TOKEN_AUTH, Transport::Ws, token_auth);
}
