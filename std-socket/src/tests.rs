//! Tests of the whole client against a fake Janus on loopback: what is logged (and that no
//! secret is), and the error for TLS URLs in a build without the `tls` feature.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use janus_signal::json::RawJson;

use crate::{AdminClient, Error, Janus, Options};

/// Every log record of this test process, formatted.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}", record.level(), record.args());
        RECORDS.lock().unwrap_or_else(PoisonError::into_inner).push(line);
    }

    fn flush(&self) {}
}

static RECORDER: Recorder = Recorder;

/// Starts recording (once per process) and returns the records so far.
fn records() -> Vec<String> {
    if log::set_logger(&RECORDER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
    RECORDS.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// One request: the head's first line and the body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut first = String::new();
    if reader.read_line(&mut first).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((first, body))
}

/// What a tiny Janus answers to `body` (the long poll gets a keepalive).
fn answer(first_line: &str, body: &[u8]) -> String {
    if first_line.starts_with("GET ") {
        std::thread::sleep(Duration::from_millis(50));
        return r#"{"janus":"keepalive"}"#.to_owned();
    }
    let json = RawJson::parse(body).expect("JSON request");
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(|s| s.to_string()).unwrap_or_default();
    let tx = field("transaction");
    match field("janus").as_str() {
        "create" => format!(r#"{{"janus":"success","transaction":"{tx}","data":{{"id":4242}}}}"#),
        "ping" => format!(r#"{{"janus":"pong","transaction":"{tx}"}}"#),
        "list_sessions" => format!(r#"{{"janus":"success","transaction":"{tx}","sessions":[4242]}}"#),
        _ => format!(r#"{{"janus":"success","session_id":4242,"transaction":"{tx}"}}"#),
    }
}

/// A fake Janus HTTP server for `connections` connections; returns its address.
fn fake_janus(connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((stream, _)) = listener.accept() else { return };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut stream = stream;
                while let Some((first, body)) = read_request(&mut reader) {
                    let reply = answer(&first, &body);
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", reply.len());
                    if stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(reply.as_bytes())).is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

#[test]
fn requests_and_answers_are_logged_without_secrets() {
    let before = records().len();
    let address = fake_janus(3);
    let url = format!("http://{address}/janus");
    let options = Options {
        apisecret: Some("APISECRET-0xDEADBEEF".to_owned()),
        token: Some("TOKEN-0xFEEDFACE".to_owned()),
        ..Options::default()
    };
    let mut janus = Janus::connect(&url, options).expect("connect");
    janus.ping().expect("ping");
    assert_eq!(janus.create_session().expect("create").0, 4242);
    // Long polls (with the secrets in their query) go out while waiting.
    let _ = janus.next_event(Duration::from_millis(300)).expect("wait");
    janus.destroy_session().expect("destroy");
    let mut admin = AdminClient::connect(&format!("http://{address}/admin"), "ADMINSECRET-0xC0FFEE").expect("admin");
    assert_eq!(admin.list_sessions().expect("list_sessions").len(), 1);

    let logged: Vec<String> = records().split_off(before);
    let ours = |needle: &str| logged.iter().any(|line| line.contains(&url) && line.contains(needle));
    assert!(ours("INFO connected to Janus at"), "{logged:#?}");
    for kind in ["ping", "create", "destroy"] {
        assert!(ours(&format!("DEBUG {url}: → {kind} (transaction ")), "no request {kind}: {logged:#?}");
    }
    assert!(ours("TRACE") && ours("← pong"), "{logged:#?}");
    assert!(ours("← success (answers Create"), "{logged:#?}");
    assert!(logged.iter().any(|l| l.contains("→ list_sessions")), "{logged:#?}");
    for secret in ["APISECRET", "TOKEN-0x", "ADMINSECRET", "DEADBEEF", "FEEDFACE", "C0FFEE"] {
        assert!(!logged.iter().any(|line| line.contains(secret)), "{secret} logged: {logged:#?}");
    }
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls_urls_without_the_tls_feature_say_which_feature() {
    for url in ["https://127.0.0.1:8089/janus", "wss://127.0.0.1:8989"] {
        let error = Janus::connect(url, Options::default()).expect_err("no TLS in this build");
        assert!(matches!(&error, Error::TlsNotEnabled { url: u } if u == url), "{error:?}");
        assert!(error.to_string().contains("`tls` cargo feature"), "{error}");
    }
    let admin = AdminClient::connect("https://127.0.0.1:7889/admin", "secret");
    assert!(matches!(admin, Err(Error::TlsNotEnabled { .. })), "{admin:?}");
    // Checked before any server of the list is tried.
    let any = Janus::connect_any(&["http://127.0.0.1:9/janus", "wss://127.0.0.1:8989"], Options::default());
    assert!(matches!(&any, Err(Error::TlsNotEnabled { url }) if url == "wss://127.0.0.1:8989"), "{any:?}");
}

#[cfg(feature = "tls")]
#[test]
fn tls_urls_with_the_tls_feature_get_as_far_as_connecting() {
    // Nothing listens on port 9: the TLS settings were fine, the TCP connection is refused.
    let error = Janus::connect("wss://127.0.0.1:9", Options::default()).expect_err("nothing listens");
    assert!(matches!(&error, Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused), "{error:?}");
}
