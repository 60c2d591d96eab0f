//! `janus-signal-socket` over TLS (cargo feature `tls`) against a Janus this file starts (and
//! stops) itself with `tests/janus/janus-server`, with its HTTPS (19089), secure WebSocket
//! (19989) and Admin HTTPS (19079) ports on, serving the self-signed certificate the script
//! makes with openssl on start (`target/janus-tls/tls/cert.pem`); its plain ports are HTTP
//! 19088, WS 19188, Admin 19078.
//!
//! - The whole echotest over `https://` (events on the long poll, itself over TLS) and over
//!   `wss://`, trusting the certificate through `TlsConfig::with_root_pem`, and once through a
//!   caller-built `rustls::ClientConfig`; the Admin API over `https://` sees the session.
//! - Without the certificate among the roots, every TLS URL is refused with
//!   `Error::Tls(TlsError::CertificateRejected { problem: UnknownIssuer, .. })`; TLS to a
//!   plain-text port is `TlsError::Handshake`.
//!
//! The instance needs the `janus` binary: without it the tests skip, unless `JANUS_REQUIRED=1`.

#[path = "socket_support/live.rs"]
mod live;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::rustls::pki_types::CertificateDer;
use janus_signal_socket::rustls::pki_types::pem::PemObject as _;
use janus_signal_socket::rustls::{ClientConfig, RootCertStore};
use janus_signal_socket::{AdminClient, CertificateProblem, Error, Janus, Options, TlsConfig, TlsError};

use live::{ECHO, InstanceConfig, OFFER, SharedInstance};

const HTTPS: &str = "https://127.0.0.1:19089/janus";
const WSS: &str = "wss://127.0.0.1:19989";
const ADMIN_HTTPS: &str = "https://127.0.0.1:19079/admin";
const ADMIN_SECRET: &str = "janusoverlord";

static WITH_TLS: SharedInstance = SharedInstance::new(InstanceConfig {
    name: "tls",
    http_port: 19088,
    ws_port: 19188,
    admin_port: 19078,
    env: &[
        ("JANUS_HTTPS_PORT", "19089"),
        ("JANUS_WSS_PORT", "19989"),
        ("JANUS_ADMIN_HTTPS_PORT", "19079"),
        // The script makes its own certificate (none may leak in from the environment).
        ("JANUS_TLS_CERT", ""),
        ("JANUS_TLS_KEY", ""),
    ],
});

/// Runs `scenario` with the instance's certificate (PEM), or skips.
fn run(scenario: impl FnOnce(&[u8])) {
    let Some(_janus) = WITH_TLS.get() else { return };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/janus-tls/tls/cert.pem");
    let pem = std::fs::read(&path).unwrap_or_else(|e| panic!("the instance's certificate {}: {e}", path.display()));
    scenario(&pem);
}

fn trusting(pem: &[u8]) -> Options {
    Options { tls: TlsConfig::default().with_root_pem(pem), ..Options::default() }
}

/// The echotest from `info` to `destroy`, checking the Admin API (over HTTPS) sees it.
fn echotest(url: &str, options: Options, pem: &[u8]) {
    let mut janus = live::connect(url, options);
    assert_eq!(janus.server_url(), url);
    let info = janus.server_info().expect("info");
    let Message::ServerInfo(server) = info.message() else { panic!("info answered with {info}") };
    assert!(server.has_plugin("janus.plugin.echotest"), "{info}");
    janus.ping().expect("ping");

    let session = janus.create_session().expect("create");
    let handle = janus.attach("janus.plugin.echotest", Some("tls")).expect("attach");
    let tls = TlsConfig::default().with_root_pem(pem);
    let mut admin = AdminClient::connect_with_tls(ADMIN_HTTPS, ADMIN_SECRET, &tls).expect("admin over https");
    assert!(admin.list_sessions().expect("list_sessions").contains(&session), "the Admin API sees {session}");
    assert_eq!(admin.list_handles(session).expect("list_handles"), [handle]);

    live::assert_echotest_ok(&janus.message(handle, &ECHO).expect("message"), handle);
    // Over HTTPS the answer comes on the long poll, a second TLS connection.
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    live::assert_sdp_answer(&janus.message_with_jsep(handle, &ECHO, &offer).expect("offer"), handle);
    let candidate = IceCandidate::new(live::CANDIDATE, "0", 0);
    janus.trickle(handle, Candidates::One(&candidate)).expect("trickle");
    janus.trickle::<IceCandidate<'_>>(handle, Candidates::Completed).expect("trickle completed");
    janus.keepalive().expect("keepalive");

    janus.hangup(handle).expect("hangup");
    let hangup = live::collect_events(&mut janus, Duration::from_secs(5), |e| live::is_hangup_of(e, handle));
    assert!(
        hangup.last().is_some_and(|e| live::is_hangup_of(e, handle)),
        "no hangup event: {:?}",
        hangup.iter().map(live::describe).collect::<Vec<_>>()
    );
    janus.detach(handle).expect("detach");
    janus.destroy_session().expect("destroy");
    assert!(!admin.list_sessions().expect("list_sessions").contains(&session), "{session} is gone");
}

#[test]
fn echotest_over_https() {
    run(|pem| echotest(HTTPS, trusting(pem), pem));
}

#[test]
fn echotest_over_wss() {
    run(|pem| echotest(WSS, trusting(pem), pem));
}

#[test]
fn a_caller_built_rustls_config_is_used_as_it_is() {
    run(|pem| {
        let mut roots = RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(pem) {
            roots.add(certificate.expect("PEM")).expect("root");
        }
        let provider = Arc::new(janus_signal_socket::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tls = TlsConfig::default().with_client_config(Arc::new(config));
        // The PEM roots are ignored when a whole configuration is given.
        let tls = tls.with_root_pem("not a PEM");
        let options = Options { tls, ..Options::default() };
        echotest(WSS, options.clone(), pem);
        let mut janus = live::connect(HTTPS, options);
        janus.create_session().expect("create over https");
        janus.destroy_session().expect("destroy");
    });
}

/// Asserts that `result` is a certificate refused as coming from an unknown issuer.
#[track_caller]
fn expect_unknown_issuer<T: std::fmt::Debug>(result: Result<T, Error>, server: &str) {
    match result {
        Err(Error::Tls(TlsError::CertificateRejected { server: s, problem, detail })) => {
            assert_eq!(s, server);
            assert_eq!(problem, CertificateProblem::UnknownIssuer, "{detail}");
            assert!(!detail.is_empty());
        }
        other => panic!("expected the certificate of {server} to be rejected, got {other:?}"),
    }
}

/// A self-signed certificate that is not the server's.
const OTHER_CERTIFICATE: &str = concat!(
    "-----BEGIN CERTIFICATE-----\n",
    "MIIBmDCCAT+gAwIBAgIUdfDy95SFFMFkfukkdRWplBKRfhMwCgYIKoZIzj0EAwIw\n",
    "ITEfMB0GA1UEAwwWamFudXMtc2lnbmFsIHVuaXQgdGVzdDAgFw0yNjExMzAyMDEx\n",
    "MThaGA8yMTI2MTEwNjIwMTExOFowITEfMB0GA1UEAwwWamFudXMtc2lnbmFsIHVu\n",
    "aXQgdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJA5hmKNSzVtxoZ4jME0\n",
    "Mit4G+rKD+Jxdin2qf9F8GaRrPJ+PC/S9RAlyTtH880FT4T8c8IzbM24Wc/92jqp\n",
    "YSqjUzBRMB0GA1UdDgQWBBTLpYjBxQ2Oln9o1X4m0sYX/KFjYTAfBgNVHSMEGDAW\n",
    "gBTLpYjBxQ2Oln9o1X4m0sYX/KFjYTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49\n",
    "BAMCA0cAMEQCIHwJzrSWT5YKOXndBPp7dmAigheXdiXIM29qnrDuxcPrAiBZuIDv\n",
    "xgbtxCI+FGpX1MJ8MXPQLMc5kTvVLFr7UuFqCg==\n",
    "-----END CERTIFICATE-----\n",
);

#[test]
fn an_untrusted_certificate_is_rejected() {
    run(|_| {
        // The public web roots only (the default).
        expect_unknown_issuer(Janus::connect(HTTPS, Options::default()), "127.0.0.1:19089");
        expect_unknown_issuer(Janus::connect(WSS, Options::default()), "127.0.0.1:19989");
        expect_unknown_issuer(AdminClient::connect(ADMIN_HTTPS, ADMIN_SECRET), "127.0.0.1:19079");
        // Another self-signed certificate, and nothing else.
        let other = Options {
            tls: TlsConfig::default().with_root_pem(OTHER_CERTIFICATE).without_webpki_roots(),
            ..Options::default()
        };
        expect_unknown_issuer(Janus::connect(HTTPS, other.clone()), "127.0.0.1:19089");
        expect_unknown_issuer(Janus::connect(WSS, other), "127.0.0.1:19989");
        // The error says what to do about it.
        let message = Janus::connect(WSS, Options::default()).expect_err("untrusted").to_string();
        assert!(message.contains("127.0.0.1:19989") && message.contains("UnknownIssuer"), "{message}");
    });
}

#[test]
fn tls_to_a_plain_port_is_a_handshake_error() {
    run(|pem| {
        for (url, server) in
            [("https://127.0.0.1:19088/janus", "127.0.0.1:19088"), ("wss://127.0.0.1:19188", "127.0.0.1:19188")]
        {
            let options = Options { connect_timeout: Duration::from_secs(3), ..trusting(pem) };
            match Janus::connect(url, options) {
                Err(Error::Tls(TlsError::Handshake { server: s, detail })) => {
                    assert_eq!(s, server, "{detail}");
                }
                other => panic!("{url}: expected a TLS handshake error, got {other:?}"),
            }
        }
    });
}

#[test]
fn a_broken_root_pem_is_a_typed_error_before_any_connection() {
    // No server needed: the PEM is read before connecting.
    let options = Options { tls: TlsConfig::default().with_root_pem("no certificate here"), ..Options::default() };
    match Janus::connect("wss://127.0.0.1:9", options) {
        Err(Error::Tls(TlsError::InvalidRootPem { index: 0, reason })) => assert!(!reason.is_empty()),
        other => panic!("expected InvalidRootPem, got {other:?}"),
    }
}
