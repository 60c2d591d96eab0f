//! `janus-signal-socket` over TLS (cargo feature `tls`) against a Janus this file starts (and
//! stops) itself with `tests/janus/janus-server`, with its HTTPS (19089), secure WebSocket
//! (19989) and Admin HTTPS (19079) ports on, serving the self-signed certificate the script
//! makes with openssl on start (`target/janus-tls/tls/cert.pem`); its plain ports are HTTP
//! 19088, WS 19188, Admin 19078.
//!
//! - Two sessions on one `Connection` over `wss://` and over `https://`, from two threads.
//! - The whole echotest over `https://` (events on the long poll, itself over TLS) and over
//!   `wss://`, trusting the certificate through `TlsConfig::with_root_pem`, once through a
//!   caller-built `rustls::ClientConfig`; the Admin API over `https://` sees the session.
//! - A CA file (`TlsConfig::with_ca_file`) on top of each `TrustStore`, over the three TLS ports.
//! - The operating system's store, the default: in child processes of this test binary whose
//!   `SSL_CERT_FILE` / `SSL_CERT_DIR` (what rustls-platform-verifier reads through
//!   rustls-native-certs on Linux) name the instance's certificate, another one, or nothing;
//!   nothing outside the child changes.
//! - Mutual TLS: Janus's transports never ask for a client certificate (its HTTP transport
//!   gives libmicrohttpd no client CA, its WebSocket transport gives libwebsockets none), so a
//!   client certificate is shown to a TLS-terminating proxy in front of Janus's plain ports
//!   that requires one (rustls, in this file, with a CA and certificates made with openssl):
//!   the echotest through it over `wss://` and `https://`, the proxy sees the client's
//!   certificate; without one, or with one from another CA, the proxy refuses
//!   (`TlsError::ClientCertificateRejected`), over TLS 1.3 and 1.2. With a client certificate
//!   set, Janus's own TLS ports (which do not ask) still work.
//! - Without the certificate among the roots, every TLS URL is refused with
//!   `Error::Tls(TlsError::CertificateRejected { problem: UnknownIssuer, .. })`; TLS to a
//!   plain-text port is `TlsError::Handshake`; broken CA files, PEMs and client certificates
//!   are typed errors before any connection.
//!
//! The instance needs the `janus` binary: without it the tests skip, unless `JANUS_REQUIRED=1`.

#[path = "support/live.rs"]
mod live;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::janus_signal::request::{Candidates, IceCandidate, SdpType, SessionDescription};
use janus_signal_socket::rustls::pki_types::pem::PemObject as _;
use janus_signal_socket::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use janus_signal_socket::rustls::server::WebPkiClientVerifier;
use janus_signal_socket::rustls::{
    self, ClientConfig, RootCertStore, ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion,
};
use janus_signal_socket::{
    AdminClient, CertificateProblem, ClientCertificateProblem, Connection, Error, Janus, Options, TlsConfig, TlsError,
    TrustStore,
};

use live::{ECHO, InstanceConfig, OFFER, SharedInstance};

const HTTPS: &str = "https://127.0.0.1:19089/janus";
const WSS: &str = "wss://127.0.0.1:19989";
const ADMIN_HTTPS: &str = "https://127.0.0.1:19079/admin";
const ADMIN_SECRET: &str = "janusoverlord";
/// The instance's plain ports, behind the mutual-TLS proxy.
const PLAIN_HTTP: &str = "127.0.0.1:19088";
const PLAIN_WS: &str = "127.0.0.1:19188";

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

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The certificate the instance serves.
fn certificate_path() -> PathBuf {
    repo().join("target/janus-tls/tls/cert.pem")
}

/// Runs `scenario` with the instance's certificate (PEM); the instance is started if needed
/// (a live test: `#[ignore]`d, run by tests/run).
fn run(scenario: impl FnOnce(&[u8])) {
    let _janus = WITH_TLS.start();
    let path = certificate_path();
    let pem = std::fs::read(&path).unwrap_or_else(|e| panic!("the instance's certificate {}: {e}", path.display()));
    scenario(&pem);
}

fn trusting(pem: &[u8]) -> Options {
    Options { tls: TlsConfig::default().with_root_pem(pem), ..Options::default() }
}

fn options(tls: TlsConfig) -> Options {
    Options { tls, ..Options::default() }
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

/// A session created and destroyed on `url`: the connection is trusted and works.
#[track_caller]
fn session_works(url: &str, tls: &TlsConfig) {
    let mut janus = Janus::connect(url, options(tls.clone())).unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    janus.create_session().unwrap_or_else(|e| panic!("create on {url}: {e}"));
    janus.destroy_session().unwrap_or_else(|e| panic!("destroy on {url}: {e}"));
}

/// Sessions over HTTPS and secure WebSocket, and the Admin API over HTTPS, all trusted.
#[track_caller]
fn all_ports_work(tls: &TlsConfig) {
    session_works(HTTPS, tls);
    session_works(WSS, tls);
    let mut admin = AdminClient::connect_with_tls(ADMIN_HTTPS, ADMIN_SECRET, tls).expect("admin over https");
    admin.list_sessions().expect("list_sessions over https");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn echotest_over_https() {
    run(|pem| echotest(HTTPS, trusting(pem), pem));
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn echotest_over_wss() {
    run(|pem| echotest(WSS, trusting(pem), pem));
}

/// Two sessions on one `Connection` over TLS, from two threads: the reader waits on the TCP
/// connection under the TLS and reads through it.
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn many_sessions_on_one_tls_connection() {
    run(|pem| {
        for url in [WSS, HTTPS] {
            let connection =
                Connection::connect(url, trusting(pem)).unwrap_or_else(|e| panic!("connect to {url}: {e}"));
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        let session = connection.create_session().expect("create");
                        let handle = session.attach("janus.plugin.echotest", None).expect("attach");
                        live::assert_echotest_ok(&handle.message(&ECHO).expect("message"), handle.id());
                        let offer = SessionDescription::new(SdpType::Offer, OFFER);
                        let answer = handle.message_with_jsep(&ECHO, &offer).expect("offer");
                        live::assert_sdp_answer(&answer, handle.id());
                        handle.hangup().expect("hangup");
                        let deadline = Instant::now() + Duration::from_secs(5);
                        let hangup = loop {
                            let left = deadline.saturating_duration_since(Instant::now());
                            match handle.next_event(left).expect("next_event") {
                                Some(m) if m.kind() == "hangup" => break true,
                                Some(_) => {}
                                None if left.is_zero() => break false,
                                None => {}
                            }
                        };
                        assert!(hangup, "{url}: no hangup event for {}", handle.id());
                        session.destroy().expect("destroy");
                    });
                }
            });
            connection.close();
        }
    });
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_caller_built_rustls_config_is_used_as_it_is() {
    run(|pem| {
        let mut roots = RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(pem) {
            roots.add(certificate.expect("PEM")).expect("root");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tls = TlsConfig::default().with_client_config(Arc::new(config));
        // The other settings are ignored when a whole configuration is given.
        let tls = tls
            .with_root_pem("not a PEM")
            .with_ca_file("/nonexistent/ca.pem")
            .with_client_certificate_files("/nonexistent/client.pem", "/nonexistent/client-key.pem");
        let options = options(tls);
        echotest(WSS, options.clone(), pem);
        let mut janus = live::connect(HTTPS, options);
        janus.create_session().expect("create over https");
        janus.destroy_session().expect("destroy");
    });
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_ca_file_is_trusted_on_top_of_any_store() {
    run(|_| {
        for store in [TrustStore::None, TrustStore::WebPki, TrustStore::Platform] {
            all_ports_work(&TlsConfig::default().with_trust_store(store).with_ca_file(certificate_path()));
        }
        // Among other CA files.
        let dir = TempDir::new("ca-files");
        let other = dir.file("other.pem", OTHER_CERTIFICATE.as_bytes());
        let tls = TlsConfig::default().with_trust_store(TrustStore::None).with_ca_file(&other);
        expect_unknown_issuer(Janus::connect(WSS, options(tls.clone())), "127.0.0.1:19989");
        all_ports_work(&tls.with_ca_file(certificate_path()));
    });
}

// ----- the operating system's store ----------------------------------------------------------

/// In a child process of [`the_os_store_is_trusted_by_default`]: which case it checks, and
/// the instance's certificate file.
const CHILD_CASE: &str = "JANUS_SIGNAL_TLS_CHILD_CASE";
const CHILD_CERTIFICATE: &str = "JANUS_SIGNAL_TLS_CHILD_CERTIFICATE";

/// Runs [`the_os_store_is_trusted_by_default`] for `case` in a child process of this test
/// binary with `env` (and no other `SSL_CERT_FILE` / `SSL_CERT_DIR`): the store it sees is
/// the one `env` makes, and nothing outside the child changes.
fn in_child(case: &str, env: &[(&str, &Path)]) {
    let exe = std::env::current_exe().expect("test binary");
    let mut command = Command::new(exe);
    command
        .args(["--exact", "the_os_store_is_trusted_by_default", "--include-ignored", "--nocapture"])
        .args(["--test-threads", "1"])
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env(CHILD_CASE, case)
        .env(CHILD_CERTIFICATE, certificate_path());
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().expect("run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success()
            && stdout.contains("test the_os_store_is_trusted_by_default ... ok")
            && stdout.contains("1 passed"),
        "case {case:?} in a child process ({:?}):\n{stdout}\n{stderr}",
        out.status
    );
    eprintln!("case {case:?} with {env:?}: ok");
}

/// The default trust is the operating system's store: on Linux rustls-platform-verifier
/// reads it with rustls-native-certs, which takes `SSL_CERT_FILE` / `SSL_CERT_DIR` when set.
/// Each case runs in a child process with its own store: the instance's certificate in a
/// bundle file or in a directory, another certificate only, or nothing at all.
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn the_os_store_is_trusted_by_default() {
    if let Ok(case) = std::env::var(CHILD_CASE) {
        // The child: the parent holds the instance (the child must not start it again).
        os_store_case(&case);
        return;
    }
    run(|pem| {
        let dir = TempDir::new("os-store");
        let mut bundle = OTHER_CERTIFICATE.as_bytes().to_vec();
        bundle.extend_from_slice(pem);
        let bundle = dir.file("bundle.pem", &bundle);
        let other = dir.file("other.pem", OTHER_CERTIFICATE.as_bytes());
        let store_dir = dir.0.join("certs");
        std::fs::create_dir_all(&store_dir).expect("dir");
        std::fs::write(store_dir.join("janus.pem"), pem).expect("write");
        std::fs::write(store_dir.join("other.pem"), OTHER_CERTIFICATE).expect("write");

        in_child("trusted", &[("SSL_CERT_FILE", &bundle)]);
        in_child("trusted", &[("SSL_CERT_DIR", &store_dir)]);
        in_child("untrusted", &[("SSL_CERT_FILE", &other)]);
        in_child("empty", &[("SSL_CERT_FILE", &dir.0.join("missing.pem"))]);
    });
}

/// One case of [`the_os_store_is_trusted_by_default`], in its child process.
fn os_store_case(case: &str) {
    let certificate = PathBuf::from(std::env::var_os(CHILD_CERTIFICATE).expect("the instance's certificate"));
    let default = TlsConfig::default();
    match case {
        // The store has the instance's certificate: the default trusts it, Mozilla's roots
        // and an empty store do not.
        "trusted" => {
            all_ports_work(&default);
            all_ports_work(&default.clone().with_trust_store(TrustStore::Platform));
            for store in [TrustStore::WebPki, TrustStore::None] {
                let tls = default.clone().with_trust_store(store);
                expect_unknown_issuer(Janus::connect(WSS, options(tls.clone())), "127.0.0.1:19989");
                expect_unknown_issuer(Janus::connect(HTTPS, options(tls)), "127.0.0.1:19089");
            }
        }
        // The store has another certificate only: refused, unless a CA file adds it.
        "untrusted" => {
            expect_unknown_issuer(Janus::connect(WSS, options(default.clone())), "127.0.0.1:19989");
            expect_unknown_issuer(Janus::connect(HTTPS, options(default.clone())), "127.0.0.1:19089");
            expect_unknown_issuer(AdminClient::connect(ADMIN_HTTPS, ADMIN_SECRET), "127.0.0.1:19079");
            all_ports_work(&default.with_ca_file(&certificate));
        }
        // The store is empty: the platform verifier cannot work without another root.
        "empty" => {
            for url in [WSS, HTTPS] {
                match Janus::connect(url, options(default.clone())) {
                    Err(Error::Tls(TlsError::PlatformVerifier { reason })) => assert!(!reason.is_empty()),
                    other => panic!("{url}: expected TlsError::PlatformVerifier, got {other:?}"),
                }
            }
            let message = Janus::connect(WSS, options(default.clone())).expect_err("no roots").to_string();
            assert!(message.contains("CA file"), "{message}");
            all_ports_work(&default.clone().with_ca_file(&certificate));
            // Mozilla's roots do not need the store.
            let webpki = default.with_trust_store(TrustStore::WebPki);
            expect_unknown_issuer(Janus::connect(WSS, options(webpki)), "127.0.0.1:19989");
        }
        other => panic!("unknown case {other:?}"),
    }
}

// ----- mutual TLS ----------------------------------------------------------------------------

/// A CA, a server certificate (127.0.0.1) and a client certificate from it, and a client
/// certificate from nobody (self-signed), made with openssl in a temporary directory.
struct Pki {
    dir: TempDir,
}

impl Pki {
    fn make() -> Self {
        let dir = TempDir::new("pki");
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(&dir.0).output().expect("run openssl");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        dir.file(
            "ca.cnf",
            b"[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n[dn]\nCN = janus-signal test CA\n\
              [ext]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
              subjectKeyIdentifier = hash\n",
        );
        openssl(
            &[&["req", "-x509", "-config", "ca.cnf", "-days", "2", "-keyout", "ca-key.pem", "-out", "ca.pem"], &ec[..]]
                .concat(),
        );
        for (name, usage) in [("server", "serverAuth\nsubjectAltName = IP:127.0.0.1"), ("client", "clientAuth")] {
            let ext = format!(
                "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
                 authorityKeyIdentifier = keyid\nextendedKeyUsage = {usage}\n"
            );
            dir.file(&format!("{name}.ext"), ext.as_bytes());
            let subject = format!("/CN=janus-signal test {name}");
            let (key, csr) = (format!("{name}-key.pem"), format!("{name}.csr"));
            openssl(&[&["req", "-new", "-subj", &subject, "-keyout", &key, "-out", &csr], &ec[..]].concat());
            let (ext, out) = (format!("{name}.ext"), format!("{name}.pem"));
            openssl(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-set_serial",
                "2",
                "-days",
                "2",
                "-extfile",
                &ext,
                "-out",
                &out,
            ]);
        }
        let subject = "/CN=janus-signal test stranger";
        openssl(
            &[
                &[
                    "req",
                    "-x509",
                    "-subj",
                    subject,
                    "-days",
                    "2",
                    "-keyout",
                    "stranger-key.pem",
                    "-out",
                    "stranger.pem",
                ],
                &ec[..],
            ]
            .concat(),
        );
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.0.join(name)
    }

    fn certificates(&self, name: &str) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_file_iter(self.path(name)).expect("PEM").collect::<Result<_, _>>().expect("certificates")
    }

    /// What a client of the proxy trusts: the CA only.
    fn trust(&self) -> TlsConfig {
        TlsConfig::default().with_trust_store(TrustStore::None).with_ca_file(self.path("ca.pem"))
    }
}

/// A TLS-terminating proxy on an ephemeral loopback port in front of `upstream` (a plain Janus
/// port) that requires a client certificate from the [`Pki`]'s CA, as nginx or haproxy would
/// in front of Janus. Stops (and joins every thread) on drop.
struct MtlsProxy {
    addr: SocketAddr,
    /// The first certificate of each client that passed, DER.
    presented: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Handshakes that failed.
    refused: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MtlsProxy {
    fn start(pki: &Pki, upstream: &'static str, versions: &[&'static SupportedProtocolVersion]) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut client_roots = RootCertStore::empty();
        for ca in pki.certificates("ca.pem") {
            client_roots.add(ca).expect("CA");
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(client_roots), Arc::clone(&provider))
            .build()
            .expect("client verifier");
        let key = PrivateKeyDer::from_pem_file(pki.path("server-key.pem")).expect("server key");
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(pki.certificates("server.pem"), key)
            .expect("server certificate");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let (presented, refused, stop) = Default::default();
        let thread = {
            let (presented, refused, stop): (Arc<Mutex<_>>, Arc<AtomicUsize>, Arc<AtomicBool>) =
                (Arc::clone(&presented), Arc::clone(&refused), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut connections = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((tcp, _)) => {
                            let (config, presented, refused, stop) =
                                (Arc::clone(&config), Arc::clone(&presented), Arc::clone(&refused), Arc::clone(&stop));
                            connections.push(std::thread::spawn(move || {
                                serve(tcp, config, upstream, &presented, &refused, &stop);
                            }));
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(5)),
                        Err(e) => panic!("accept: {e}"),
                    }
                }
                for connection in connections {
                    let _ = connection.join();
                }
            })
        };
        Self { addr, presented, refused, stop, thread: Some(thread) }
    }

    fn url(&self, scheme: &str) -> String {
        match scheme {
            "https" => format!("https://{}/janus", self.addr),
            _ => format!("{scheme}://{}", self.addr),
        }
    }

    fn presented(&self) -> Vec<Vec<u8>> {
        self.presented.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for MtlsProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn would_block(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// One proxied connection: the handshake (the client's certificate checked), then bytes both
/// ways until either side closes or the proxy stops.
fn serve(
    mut tcp: TcpStream,
    config: Arc<ServerConfig>,
    upstream: &str,
    presented: &Mutex<Vec<Vec<u8>>>,
    refused: &AtomicUsize,
    stop: &AtomicBool,
) {
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
    let mut connection = ServerConnection::new(config).expect("server connection");
    while connection.is_handshaking() {
        if connection.complete_io(&mut tcp).is_err() {
            // complete_io sent the alert; let the client read it before the socket closes
            // (closing with its request unread would reset the connection instead).
            refused.fetch_add(1, Ordering::Relaxed);
            let _ = connection.write_tls(&mut tcp);
            let _ = tcp.shutdown(std::net::Shutdown::Write);
            let deadline = Instant::now() + Duration::from_secs(2);
            let mut sink = [0; 4096];
            while Instant::now() < deadline && matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
            return;
        }
    }
    if let Some(certificate) = connection.peer_certificates().and_then(|chain| chain.first()) {
        presented.lock().unwrap_or_else(PoisonError::into_inner).push(certificate.to_vec());
    }
    let Ok(mut up) = TcpStream::connect(upstream) else { return };
    let poll = Some(Duration::from_millis(5));
    let (Ok(()), Ok(())) = (tcp.set_read_timeout(poll), up.set_read_timeout(poll)) else { return };
    let mut tls = StreamOwned::new(connection, tcp);
    let mut buf = vec![0; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if up.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if would_block(&e) => {}
            Err(_) => break,
        }
        match up.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if tls.write_all(&buf[..n]).and_then(|()| tls.flush()).is_err() {
                    break;
                }
            }
            Err(e) if would_block(&e) => {}
            Err(_) => break,
        }
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// Asserts that connecting to `url` and creating a session fails because the server refused
/// the client's certificate (or its absence): at the handshake (TLS 1.2), or on the first
/// request (TLS 1.3, where the server decides after the handshake).
#[track_caller]
fn expect_client_certificate_rejected(url: &str, tls: &TlsConfig, server: &str) {
    let result = Janus::connect(url, options(tls.clone())).and_then(|mut janus| janus.create_session());
    let error = result.expect_err("refused");
    eprintln!("{url}: {error:?}");
    match error.tls_error() {
        Some(TlsError::ClientCertificateRejected { server: s, alert }) => {
            assert_eq!(s, server, "{alert}");
            assert!(!alert.is_empty());
        }
        _ => panic!("{url}: expected the client certificate to be rejected, got {error:?}"),
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_client_certificate_is_shown_to_a_server_that_requires_one() {
    run(|pem| {
        let pki = Pki::make();
        let client = pki.trust().with_client_certificate_files(pki.path("client.pem"), pki.path("client-key.pem"));
        let client_der = pki.certificates("client.pem")[0].to_vec();
        let ws = MtlsProxy::start(&pki, PLAIN_WS, rustls::ALL_VERSIONS);
        let http = MtlsProxy::start(&pki, PLAIN_HTTP, rustls::ALL_VERSIONS);

        // The whole echotest through the proxies, the CA-signed server chain checked
        // against the CA file only.
        echotest(&ws.url("wss"), options(client.clone()), pem);
        echotest(&http.url("https"), options(client.clone()), pem);
        for proxy in [&ws, &http] {
            let presented = proxy.presented();
            assert!(!presented.is_empty() && presented.iter().all(|c| *c == client_der), "{}", presented.len());
            assert_eq!(proxy.refused.load(Ordering::Relaxed), 0);
        }
        // The same certificate given as PEM bytes.
        let read = |name: &str| std::fs::read(pki.path(name)).expect("read");
        let in_memory = pki.trust().with_client_certificate(read("client.pem"), read("client-key.pem"));
        session_works(&ws.url("wss"), &in_memory);
        session_works(&http.url("https"), &in_memory);

        // The proxy's certificate is from the test CA: not trusted by default.
        let server = ws.addr.to_string();
        expect_unknown_issuer(Janus::connect(&ws.url("wss"), Options::default()), &server);
    });
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn a_server_that_requires_a_client_certificate_refuses_none_or_a_stranger() {
    run(|_| {
        let pki = Pki::make();
        let stranger =
            pki.trust().with_client_certificate_files(pki.path("stranger.pem"), pki.path("stranger-key.pem"));
        for (versions, name) in
            [(&[&rustls::version::TLS13][..], "TLS 1.3"), (&[&rustls::version::TLS12][..], "TLS 1.2")]
        {
            let ws = MtlsProxy::start(&pki, PLAIN_WS, versions);
            let http = MtlsProxy::start(&pki, PLAIN_HTTP, versions);
            for (proxy, url) in [(&ws, ws.url("wss")), (&http, http.url("https"))] {
                let server = proxy.addr.to_string();
                expect_client_certificate_rejected(&url, &pki.trust(), &server);
                expect_client_certificate_rejected(&url, &stranger, &server);
                assert!(proxy.presented().is_empty(), "{name}");
                // The proxy's thread counts a refusal after the client already has the alert:
                // wait for it (bounded) rather than race it.
                let deadline = Instant::now() + Duration::from_secs(5);
                while proxy.refused.load(Ordering::Relaxed) < 2 && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
                assert!(proxy.refused.load(Ordering::Relaxed) >= 2, "{name}");
            }
            // Over TLS 1.2 the refusal ends the handshake: Error::Tls itself.
            if name == "TLS 1.2" {
                match Janus::connect(&ws.url("wss"), options(pki.trust())) {
                    Err(Error::Tls(TlsError::ClientCertificateRejected { .. })) => {}
                    other => panic!("{name}: expected Error::Tls, got {other:?}"),
                }
            }
        }
    });
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn janus_never_asks_for_the_client_certificate_and_works_with_one_set() {
    run(|pem| {
        let pki = Pki::make();
        let tls = TlsConfig::default()
            .with_root_pem(pem)
            .with_client_certificate_files(pki.path("client.pem"), pki.path("client-key.pem"));
        all_ports_work(&tls);
    });
}

#[test]
fn broken_client_certificates_and_ca_files_are_typed_errors_before_any_connection() {
    // No server needed: the files are read before connecting (port 9: discard, nobody there).
    let pki_dir = TempDir::new("broken");
    let certificate = pki_dir.file("client.pem", OTHER_CERTIFICATE.as_bytes());
    let not_a_key = pki_dir.file("not-a-key.pem", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    let missing = pki_dir.0.join("missing.pem");
    let connect = |tls: TlsConfig| {
        let janus = Janus::connect("wss://127.0.0.1:9", options(tls.clone())).map(drop);
        let admin = AdminClient::connect_with_tls("https://127.0.0.1:9/admin", ADMIN_SECRET, &tls).map(drop);
        [janus.expect_err("janus"), admin.expect_err("admin")]
    };
    for error in connect(TlsConfig::default().with_client_certificate_files(&certificate, &missing)) {
        match error {
            Error::Tls(TlsError::UnreadableFile { path, kind, .. }) => {
                assert_eq!((path, kind), (missing.clone(), ErrorKind::NotFound))
            }
            other => panic!("expected UnreadableFile, got {other:?}"),
        }
    }
    // A certificate where the key should be: no key at all.
    for error in connect(TlsConfig::default().with_client_certificate_files(&certificate, &certificate)) {
        match error {
            Error::Tls(TlsError::InvalidClientCertificate {
                path,
                problem: ClientCertificateProblem::BadKey,
                reason,
            }) => {
                assert_eq!(path.as_deref(), Some(certificate.as_path()), "{reason}");
            }
            other => panic!("expected a bad key, got {other:?}"),
        }
    }
    // A key block whose contents are no key the crypto provider can load.
    for error in connect(TlsConfig::default().with_client_certificate_files(&certificate, &not_a_key)) {
        match error {
            Error::Tls(TlsError::InvalidClientCertificate {
                path,
                problem: ClientCertificateProblem::UnsupportedKey,
                reason,
            }) => {
                assert_eq!(path.as_deref(), Some(not_a_key.as_path()), "{reason}");
            }
            other => panic!("expected an unusable key, got {other:?}"),
        }
    }
    // A key that is not the certificate's.
    let pki = Pki::make();
    let mismatched =
        TlsConfig::default().with_client_certificate_files(pki.path("client.pem"), pki.path("stranger-key.pem"));
    for error in connect(mismatched) {
        match error {
            Error::Tls(TlsError::InvalidClientCertificate {
                problem: ClientCertificateProblem::KeyMismatch,
                path,
                ..
            }) => {
                assert_eq!(path, Some(pki.path("stranger-key.pem")));
            }
            other => panic!("expected a key mismatch, got {other:?}"),
        }
    }
    for error in connect(TlsConfig::default().with_ca_file(&not_a_key)) {
        match error {
            Error::Tls(TlsError::InvalidCaFile { path, reason }) => assert_eq!(path, not_a_key, "{reason}"),
            other => panic!("expected InvalidCaFile, got {other:?}"),
        }
    }
    for error in connect(TlsConfig::default().with_ca_file(&missing)) {
        assert!(matches!(error, Error::Tls(TlsError::UnreadableFile { kind: ErrorKind::NotFound, .. })), "{error:?}");
        assert!(error.to_string().contains("missing.pem"), "{error}");
    }
}

// ----- untrusted servers and broken settings -------------------------------------------------

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
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn an_untrusted_certificate_is_rejected() {
    run(|_| {
        // The default (the operating system's store) and Mozilla's roots: a self-signed
        // certificate is in neither.
        expect_unknown_issuer(Janus::connect(HTTPS, Options::default()), "127.0.0.1:19089");
        expect_unknown_issuer(Janus::connect(WSS, Options::default()), "127.0.0.1:19989");
        expect_unknown_issuer(AdminClient::connect(ADMIN_HTTPS, ADMIN_SECRET), "127.0.0.1:19079");
        let webpki = options(TlsConfig::default().with_trust_store(TrustStore::WebPki));
        expect_unknown_issuer(Janus::connect(HTTPS, webpki.clone()), "127.0.0.1:19089");
        expect_unknown_issuer(Janus::connect(WSS, webpki), "127.0.0.1:19989");
        // Another self-signed certificate, and nothing else.
        let other = options(TlsConfig::default().with_root_pem(OTHER_CERTIFICATE).with_trust_store(TrustStore::None));
        expect_unknown_issuer(Janus::connect(HTTPS, other.clone()), "127.0.0.1:19089");
        expect_unknown_issuer(Janus::connect(WSS, other), "127.0.0.1:19989");
        // The same through the deprecated name.
        #[allow(deprecated)]
        let other = options(TlsConfig::default().with_root_pem(OTHER_CERTIFICATE).without_webpki_roots());
        expect_unknown_issuer(Janus::connect(WSS, other), "127.0.0.1:19989");
        // The error says what to do about it.
        let message = Janus::connect(WSS, Options::default()).expect_err("untrusted").to_string();
        assert!(message.contains("127.0.0.1:19989") && message.contains("UnknownIssuer"), "{message}");
    });
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
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

// ----- helpers ------------------------------------------------------------------------------

/// A fresh directory under `target/` for one test of this process, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = repo().join(format!("target/tls-test-{}-{n}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
