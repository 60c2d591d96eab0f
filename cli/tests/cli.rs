//! The `janus-signal` binary, run as a user would: output and exit codes, offline (usage,
//! unreachable and silent servers) and against the real Janus over WebSocket and HTTP.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use janus_signal_socket::{Janus as Client, Options};
use serde_json::Value;
use support::{Background, command, janus, output_of, run};

const ECHOTEST: &str = "janus.plugin.echotest";

// ----- without Janus ------------------------------------------------------------------------

#[test]
fn help_documents_the_commands_and_exit_codes() {
    let help = run(&["--help"]);
    help.expect_code(0);
    for text in ["info", "ping", "sessions", "handles", "echotest", "tail", "send", "--json", "--quiet", "Exit codes"] {
        assert!(help.stdout.contains(text), "--help lacks {text:?}: {}", help.stdout);
    }
    for line in [
        "0  success",
        "1  Janus answered with an error",
        "2  usage error",
        "3  connection",
        "4  timeout",
        "5  protocol",
    ] {
        assert!(help.stdout.contains(line), "--help lacks exit code line {line:?}: {}", help.stdout);
    }
    for env in ["JANUS_URL", "JANUS_ADMIN_URL", "JANUS_API_SECRET", "JANUS_TOKEN", "JANUS_ADMIN_SECRET"] {
        assert!(help.stdout.contains(env), "--help does not name {env}");
    }
    assert!(!run(&["send", "--help"]).stdout.is_empty());
}

#[test]
fn usage_errors_exit_with_2() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "Usage"),
        (&["bogus"], "unrecognized subcommand"),
        (&["info", "--no-such-flag"], "unexpected argument"),
        (&["handles"], "SESSION"),
        (&["handles", "abc"], "invalid value"),
        (&["--timeout", "0", "info"], "above 0"),
        (&["--timeout", "soon", "info"], "not a number"),
        (&["send", "{}"], "--plugin"),
        (&["send", "--plugin", ECHOTEST, "[1]"], "must be a JSON object"),
        (&["send", "--plugin", ECHOTEST, "{\"audio\": tru"], "not JSON"),
        (&["send", "--plugin", ECHOTEST, "1", "{}"], "only the JSON body"),
        (&["send", "--session", "1", "{}"], "give HANDLE and the JSON body"),
        (&["send", "--session", "1", "handle", "{}"], "must be a handle id"),
        (&["send", "--session", "1", "--plugin", ECHOTEST, "2", "{}"], "cannot be used with"),
        (&["tail", "--count", "many"], "invalid value"),
        (&["--url", "ftp://127.0.0.1", "info"], "not a Janus URL"),
    ];
    for (args, message) in cases {
        let out = run(args);
        out.expect_code(2);
        assert!(out.stderr.contains(message), "{args:?}: stderr lacks {message:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: a usage error printed to stdout: {}", out.stdout);
    }
}

#[test]
fn a_bad_json_argument_is_a_usage_error_in_json_too() {
    let out = run(&["--json", "send", "--plugin", ECHOTEST, "not json"]);
    out.expect_code(2);
    let error = &out.json()["error"];
    assert_eq!(error["exit_code"], 2);
    assert_eq!(error["kind"], "usage");
    assert!(error["message"].as_str().unwrap_or_default().contains("not JSON"), "{error}");
}

#[test]
fn nothing_listening_exits_with_3() {
    // Port 1 (tcpmux) is closed on any test machine.
    for args in [
        &["--url", "ws://127.0.0.1:1", "info"][..],
        &["--url", "http://127.0.0.1:1/janus", "ping"],
        &["--url", "ws://127.0.0.1:1", "echotest"],
        &["--url", "ws://127.0.0.1:1", "tail", "--for", "1"],
        &["--url", "http://127.0.0.1:1/janus", "send", "--plugin", ECHOTEST, "{}"],
        &["--admin-url", "http://127.0.0.1:1/admin", "sessions"],
        &["--admin-url", "http://127.0.0.1:1/admin", "ping", "--admin"],
    ] {
        let out = run(args);
        out.expect_code(3);
        assert!(out.stderr.contains("127.0.0.1:1"), "{args:?}: the error does not name the URL: {}", out.stderr);
        assert!(out.stderr.contains("hint: is Janus running there?"), "{args:?}: {}", out.stderr);
    }
    let out = run(&["--json", "--url", "ws://127.0.0.1:1", "info"]);
    out.expect_code(3);
    let error = &out.json()["error"];
    assert_eq!((error["exit_code"].as_u64(), error["kind"].as_str()), (Some(3), Some("transport")), "{error}");
}

#[test]
fn a_server_that_never_answers_exits_with_4() {
    // Connections complete in the listen backlog, but nothing is ever read or written.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind a silent listener");
    let port = silent.local_addr().expect("its address").port();
    for url in [format!("http://127.0.0.1:{port}/janus"), format!("ws://127.0.0.1:{port}")] {
        let start = Instant::now();
        let out = run(&["--url", &url, "--timeout", "1", "--json", "info"]);
        out.expect_code(4);
        assert!(start.elapsed() < Duration::from_secs(8), "{url}: took {:?}", start.elapsed());
        assert_eq!(out.json()["error"]["kind"], "timeout", "{out:?}");
        assert!(out.stderr.contains("no answer in time"), "{}", out.stderr);
    }
}

#[test]
fn an_answer_that_is_not_janus_json_exits_with_5() {
    // A server that answers every HTTP request with 200 and a body that is not JSON.
    let fake = TcpListener::bind("127.0.0.1:0").expect("bind a fake server");
    let url = format!("http://127.0.0.1:{}/janus", fake.local_addr().expect("its address").port());
    std::thread::spawn(move || {
        for mut connection in fake.incoming().map_while(Result::ok) {
            let _ = connection.set_read_timeout(Some(Duration::from_secs(2)));
            let mut request = [0u8; 4096];
            let _ = connection.read(&mut request);
            let body = "this is not JSON";
            let response =
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = connection.write_all(response.as_bytes());
        }
    });
    let out = run(&["--url", &url, "--json", "info"]);
    out.expect_code(5);
    assert_eq!(out.json()["error"]["kind"], "protocol", "{out:?}");
    assert!(out.stderr.contains("undecodable"), "{}", out.stderr);
}

/// A scripted Janus over HTTP on 127.0.0.1 that sends unsolicited messages it cannot be read
/// as their kind (an `ice-failed` without `sender`, a `media` whose `receiving` is a string) on
/// the long poll before every event: create, attach (handle 77), message (ack, then the event
/// on the long poll), detach, destroy. The first long poll also carries a `webrtcup`.
fn malformed_events_janus() -> String {
    use std::io::{BufRead as _, BufReader};
    use std::sync::{Arc, Mutex};
    const MALFORMED: [&str; 2] = [
        r#"{"janus":"ice-failed","session_id":4242}"#,
        r#"{"janus":"media","session_id":4242,"sender":77,"type":"audio","receiving":"yes"}"#,
    ];
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a fake server");
    let url = format!("http://127.0.0.1:{}/janus", listener.local_addr().expect("its address").port());
    let queue = Arc::new(Mutex::new(vec![MALFORMED[0].to_owned(), MALFORMED[1].to_owned()]));
    queue.lock().expect("queue").push(r#"{"janus":"webrtcup","session_id":4242,"sender":77}"#.to_owned());
    std::thread::spawn(move || {
        for connection in listener.incoming().map_while(Result::ok) {
            let queue = Arc::clone(&queue);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(connection.try_clone().expect("clone"));
                let mut connection = connection;
                loop {
                    let mut first = String::new();
                    if reader.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let body = if first.starts_with("GET ") {
                        let deadline = Instant::now() + Duration::from_millis(200);
                        loop {
                            let queued: Vec<String> = std::mem::take(&mut *queue.lock().expect("queue"));
                            if !queued.is_empty() {
                                break format!("[{}]", queued.join(","));
                            }
                            if Instant::now() >= deadline {
                                break r#"[{"janus":"keepalive"}]"#.to_owned();
                            }
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    } else {
                        let request: Value = serde_json::from_slice(&body).expect("JSON request");
                        let tx = request["transaction"].clone();
                        let mut queue = queue.lock().expect("queue");
                        queue.extend(MALFORMED.iter().map(|m| (*m).to_owned()));
                        let reply = match request["janus"].as_str().unwrap_or_default() {
                            "create" => {
                                serde_json::json!({"janus": "success", "transaction": tx, "data": {"id": 4242}})
                            }
                            "attach" => serde_json::json!({"janus": "success", "session_id": 4242, "transaction": tx,
                                "data": {"id": 77}}),
                            "message" => {
                                queue.extend(MALFORMED.iter().map(|m| (*m).to_owned()));
                                queue.push(
                                    serde_json::json!({"janus": "event", "session_id": 4242, "sender": 77,
                                        "transaction": tx, "plugindata": {"plugin": ECHOTEST,
                                        "data": {"echotest": "event", "result": "ok"}}})
                                    .to_string(),
                                );
                                serde_json::json!({"janus": "ack", "session_id": 4242, "transaction": tx})
                            }
                            _ => serde_json::json!({"janus": "success", "session_id": 4242, "transaction": tx}),
                        };
                        reply.to_string()
                    };
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                    if connection
                        .write_all(head.as_bytes())
                        .and_then(|()| connection.write_all(body.as_bytes()))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[test]
fn tail_reports_malformed_events_and_goes_on() {
    let url = malformed_events_janus();
    let out = run(&["--url", &url, "--json", "tail", "--attach", ECHOTEST, "--for", "1"]);
    out.expect_code(0);
    let lines = out.json_lines();
    let malformed: Vec<&Value> = lines.iter().filter(|l| l["tail"] == "malformed_event").collect();
    assert!(malformed.len() >= 4, "{out:?}");
    let ice_failed = malformed.iter().find(|l| l["kind"] == "ice-failed").expect("ice-failed");
    assert_eq!(ice_failed["message"]["session_id"], 4242, "{ice_failed}");
    assert!(ice_failed["error"].as_str().is_some_and(|e| e.contains("sender")), "{ice_failed}");
    assert!(malformed.iter().any(|l| l["kind"] == "media"), "{out:?}");
    assert!(lines.iter().any(|l| l["janus"] == "webrtcup"), "the readable event is printed: {out:?}");
    let stopped = lines.last().expect("lines");
    assert_eq!((stopped["tail"].as_str(), stopped["reason"].as_str()), (Some("stopped"), Some("time")), "{out:?}");

    // As text: one line on stderr for each, and the session goes on.
    let out = run(&["--url", &url, "tail", "--for", "0.5"]);
    out.expect_code(0);
    assert!(out.stderr.contains("tail: ignored an unreadable"), "{}", out.stderr);
}

#[test]
fn send_gets_its_answer_through_malformed_events() {
    let url = malformed_events_janus();
    let out = run(&["--url", &url, "--json", "send", "--plugin", ECHOTEST, r#"{"audio":true}"#]);
    out.expect_code(0);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1, "{out:?}");
    assert_eq!(lines[0]["janus"], "event", "{out:?}");
    assert_eq!(lines[0]["plugindata"]["data"]["result"], "ok", "{out:?}");
}

// ----- against the real Janus ---------------------------------------------------------------

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn info_as_text_and_as_json() {
    let janus = janus();
    for url in janus.urls() {
        let text = run(&["--url", url, "info"]);
        text.expect_code(0);
        assert!(text.stdout.starts_with("Janus WebRTC Server "), "{url}: {}", text.stdout);
        assert!(text.stdout.contains(&format!(" at {url}\n")), "{url}: {}", text.stdout);
        assert!(text.stdout.contains("    janus.plugin.echotest "), "{url}: {}", text.stdout);
        assert!(text.stdout.contains("timeouts:           session "), "{url}: {}", text.stdout);

        let json = run(&["--url", url, "--json", "info"]);
        json.expect_code(0);
        assert_eq!(json.stdout.lines().count(), 1, "--json info is one line: {}", json.stdout);
        let info = json.json();
        assert_eq!(info["janus"], "server_info");
        assert!(info["version"].as_u64().is_some_and(|v| v >= 1000), "{info}");
        assert!(info["plugins"].get(ECHOTEST).is_some(), "{info}");
        assert!(json.stderr.is_empty(), "{}", json.stderr);
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn ping_the_janus_api_and_the_admin_api() {
    let janus = janus();
    for url in janus.urls() {
        let text = run(&["--url", url, "ping"]);
        text.expect_code(0);
        assert!(text.stdout.starts_with(&format!("pong from {url} in ")), "{}", text.stdout);
        let json = run(&["--url", url, "--json", "ping"]).expect_code(0).json();
        assert_eq!((json["pong"].as_bool(), json["api"].as_str()), (Some(true), Some("janus")), "{json}");
        assert!(json["millis"].as_f64().is_some_and(|ms| ms >= 0.0), "{json}");
    }
    let admin = run(&["--admin-url", &janus.admin, "--json", "ping", "--admin"]).expect_code(0).json();
    assert_eq!((admin["api"].as_str(), admin["url"].as_str()), (Some("admin"), Some(janus.admin.as_str())));
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn urls_and_secrets_from_the_environment() {
    let janus = janus();
    let mut ping = command(&["ping"]);
    ping.env("JANUS_URL", &janus.http);
    let out = output_of(ping);
    out.expect_code(0);
    assert!(out.stdout.starts_with(&format!("pong from {}", janus.http)), "{}", out.stdout);

    let mut sessions = command(&["--json", "sessions"]);
    sessions.env("JANUS_ADMIN_URL", &janus.admin).env("JANUS_ADMIN_SECRET", &janus.admin_secret);
    assert!(output_of(sessions).expect_code(0).json()["sessions"].is_array());

    // A flag wins over the environment.
    let mut wrong = command(&["--admin-url", &janus.admin, "--admin-secret", "not-the-secret", "sessions"]);
    wrong.env("JANUS_ADMIN_SECRET", &janus.admin_secret);
    output_of(wrong).expect_code(1);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn echotest_cycle_with_timings() {
    let janus = janus();
    for url in janus.urls() {
        let text = run(&["--url", url, "echotest"]);
        text.expect_code(0);
        let lines: Vec<&str> = text.stdout.lines().collect();
        assert_eq!(lines.first().copied(), Some(format!("echotest over {url}").as_str()), "{}", text.stdout);
        for (line, step) in lines[1..].iter().zip(["connect", "create", "attach", "message", "detach", "destroy"]) {
            assert!(line.trim_start().starts_with(step) && line.contains(" ms"), "{url}: {line:?} is not step {step}");
        }
        assert!(lines[2].contains("session "), "{}", lines[2]);
        assert!(lines[3].contains(&format!("({ECHOTEST})")), "{}", lines[3]);
        assert!(lines[4].contains(r#"event: {"echotest":"event","result":"ok"}"#), "{}", lines[4]);
        assert!(lines.last().is_some_and(|l| l.starts_with("ok in ")), "{}", text.stdout);

        let json = run(&["--url", url, "--json", "echotest"]).expect_code(0).json();
        assert_eq!(json["answer"]["result"], "ok", "{json}");
        assert!(json["session_id"].as_u64().is_some() && json["handle_id"].as_u64().is_some(), "{json}");
        let steps: Vec<&str> =
            json["steps"].as_array().into_iter().flatten().filter_map(|s| s["step"].as_str()).collect();
        assert_eq!(steps, ["connect", "create", "attach", "message", "detach", "destroy"]);
        assert!(json["total_millis"].as_f64().is_some(), "{json}");
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn send_to_a_new_handle() {
    let janus = janus();
    for url in janus.urls() {
        // Asynchronous plugin: the event that follows the ack.
        let out = run(&["--url", url, "--json", "send", "--plugin", ECHOTEST, r#"{"audio":true,"video":false}"#]);
        out.expect_code(0);
        let lines = out.json_lines();
        assert_eq!(lines.len(), 1, "{out:?}");
        assert_eq!(lines[0]["janus"], "event");
        assert_eq!(lines[0]["plugindata"]["data"]["result"], "ok", "{}", lines[0]);
        assert!(out.stderr.contains(&format!("({ECHOTEST})")), "the handle is announced on stderr: {}", out.stderr);

        // Synchronous plugin request: the success, as text.
        let out =
            run(&["--url", url, "send", "--plugin", "janus.plugin.videoroom", r#"{"request":"exists","room":987654}"#]);
        out.expect_code(0);
        assert!(out.stdout.starts_with("success from janus.plugin.videoroom in "), "{}", out.stdout);
        assert!(out.stdout.contains(r#""exists": false"#), "{}", out.stdout);

        // --quiet: nothing on stderr; --wait: the answer, then the window passes.
        let start = Instant::now();
        let out = run(&["--url", url, "--quiet", "send", "--plugin", ECHOTEST, "--wait", "1", r#"{"audio":true}"#]);
        out.expect_code(0);
        assert!(out.stderr.is_empty(), "--quiet wrote to stderr: {}", out.stderr);
        assert!(start.elapsed() >= Duration::from_secs(1), "--wait 1 returned after {:?}", start.elapsed());
    }
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn janus_errors_exit_with_1() {
    let janus = janus();
    // A session and a handle of this test, so that "no such handle" can be asked for.
    let mut client = Client::connect(&janus.http, Options::default()).expect("connect");
    let session = client.create_session().expect("create").0.to_string();
    let handle = client.attach(ECHOTEST, None).expect("attach").0.to_string();
    let missing_session = "1";
    let missing_handle = "2";

    for url in janus.urls() {
        let flags = janus.flags(url);
        let cases: Vec<(Vec<&str>, u64)> = vec![
            (vec!["handles", missing_session], 458),
            (vec!["send", "--session", missing_session, &handle, "{}"], 458),
            (vec!["send", "--session", &session, missing_handle, "{}"], 459),
            (vec!["send", "--plugin", "janus.plugin.nonexistent", "{}"], 460),
            (vec!["send", "--plugin", "janus.plugin.videoroom", r#"{"request":"bogus"}"#], 423),
        ];
        for (args, code) in cases {
            let text = run(&[flags.as_slice(), &args].concat());
            text.expect_code(1);
            assert!(text.stderr.contains(&format!("error {code}: ")), "{args:?}: {}", text.stderr);
            let json = run(&[flags.as_slice(), &["--json"], &args].concat());
            json.expect_code(1);
            let error = &json.json()["error"];
            assert_eq!(error["code"].as_u64(), Some(code), "{args:?}: {error}");
            assert_eq!(error["exit_code"], 1, "{error}");
            assert!(error["reason"].as_str().is_some_and(|r| !r.is_empty()), "{error}");
        }
    }

    let wrong = run(&["--admin-url", &janus.admin, "--admin-secret", "wrong", "--json", "sessions"]);
    wrong.expect_code(1);
    assert_eq!(wrong.json()["error"]["code"], 403);
    assert!(wrong.stderr.contains("--admin-secret"), "no hint about the admin secret: {}", wrong.stderr);
    let missing = run(&["--admin-url", &janus.admin, "handles", &session]);
    missing.expect_code(1);
    assert!(missing.stderr.contains("error 403"), "{}", missing.stderr);

    // The same handle is fine when it exists: over HTTP, the echotest's ack.
    let out = run(&["--url", &janus.http, "--json", "send", "--session", &session, &handle, r#"{"audio":true}"#]);
    out.expect_code(0);
    assert_eq!(out.json_lines()[0]["janus"], "ack", "{out:?}");
    client.destroy_session().expect("destroy");
}

/// `tail` over `tail_url` watches an echotest handle; `sessions` and `handles` see them; `send
/// --session` over `send_url` messages the handle; the event shows up in the tail, which stops
/// after `--count 1` and cleans up.
fn tail_sees_what_send_causes(tail_url: &str, send_url: &str) {
    let janus = janus();
    let flags = janus.flags(tail_url);
    let mut tail =
        Background::start(&[flags.as_slice(), &["--json", "tail", "--attach", ECHOTEST, "--count", "1"]].concat());
    let started = tail.next_json_line(Duration::from_secs(10));
    assert_eq!(started["tail"], "started", "{started}");
    let session_id = started["session_id"].as_u64().expect("session_id");
    let handle_id = started["handles"][0]["handle_id"].as_u64().expect("handle_id");
    let (session, handle) = (session_id.to_string(), handle_id.to_string());
    assert_eq!(started["handles"][0]["plugin"], ECHOTEST, "{started}");

    let sessions = run(&[flags.as_slice(), &["--json", "sessions"]].concat()).expect_code(0).json();
    assert!(
        sessions["sessions"].as_array().into_iter().flatten().any(|s| s.as_u64() == Some(session_id)),
        "{session} not in {sessions}"
    );
    let text = run(&[flags.as_slice(), &["sessions"]].concat());
    assert!(text.expect_code(0).stdout.lines().any(|l| l.trim() == session), "{}", text.stdout);
    let handles = run(&[flags.as_slice(), &["--json", "handles", &session]].concat()).expect_code(0).json();
    assert_eq!(handles["session_id"].as_u64(), Some(session_id));
    assert_eq!(handles["handles"][0]["handle_id"].as_u64(), Some(handle_id), "{handles}");
    assert_eq!(handles["handles"][0]["plugin"], ECHOTEST, "{handles}");
    let text = run(&[flags.as_slice(), &["handles", &session]].concat());
    assert!(text.expect_code(0).stdout.contains(&format!("  {handle}  {ECHOTEST}")), "{}", text.stdout);

    let sent = run(&["--url", send_url, "--json", "send", "--session", &session, &handle, r#"{"audio":true}"#]);
    sent.expect_code(0);
    let reply = &sent.json_lines()[0];
    assert_eq!(reply["janus"], "ack", "{reply}");

    let event = tail.next_json_line(Duration::from_secs(10));
    assert_eq!(event["janus"], "event", "{event}");
    assert_eq!(event["sender"].as_u64(), Some(handle_id), "{event}");
    assert_eq!(event["transaction"], reply["transaction"], "the event answers the send: {event}");
    assert_eq!(event["plugindata"]["data"]["result"], "ok", "{event}");
    let stopped = tail.next_json_line(Duration::from_secs(10));
    assert_eq!((stopped["tail"].as_str(), stopped["reason"].as_str()), (Some("stopped"), Some("count")), "{stopped}");
    assert_eq!(tail.exit_code(Duration::from_secs(10)), 0);

    // The tail destroyed its session.
    run(&[flags.as_slice(), &["handles", &session]].concat()).expect_code(1);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn tail_over_websocket_sees_a_send_over_http() {
    let janus = janus();
    tail_sees_what_send_causes(&janus.ws, &janus.http);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn tail_over_http_sees_a_send_over_http() {
    let janus = janus();
    tail_sees_what_send_causes(&janus.http, &janus.http);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn tail_claims_a_session_and_leaves_it_alone() {
    let janus = janus();
    // The session of another client (this test), over HTTP, so that it outlives the tail's
    // connection.
    let mut owner = Client::connect(&janus.http, Options::default()).expect("connect");
    let session = owner.create_session().expect("create").0.to_string();
    let flags = janus.flags(&janus.http);
    let mut tail = Background::start(
        &[flags.as_slice(), &["--json", "tail", "--session", &session, "--attach", ECHOTEST, "--count", "1"]].concat(),
    );
    let started = tail.next_json_line(Duration::from_secs(10));
    assert_eq!(started["session_id"].to_string(), session, "{started}");
    let handle = started["handles"][0]["handle_id"].as_u64().expect("handle_id").to_string();
    run(&["--url", &janus.http, "send", "--session", &session, &handle, r#"{"audio":true}"#]).expect_code(0);
    let event = tail.next_json_line(Duration::from_secs(10));
    assert_eq!((event["janus"].as_str(), event["sender"].to_string()), (Some("event"), handle.clone()), "{event}");
    assert_eq!(tail.next_json_line(Duration::from_secs(10))["reason"], "count");
    assert_eq!(tail.exit_code(Duration::from_secs(10)), 0);
    // The session is still there, without the handle the tail attached.
    let handles = run(&[flags.as_slice(), &["--json", "handles", &session]].concat()).expect_code(0).json();
    assert_eq!(handles["handles"].as_array().map(Vec::len), Some(0), "{handles}");
    // The owner's client saw its session taken over and cannot destroy it as its own; Janus
    // still knows it: end it through the same route as any other client.
    drop(owner);
    let mut cleaner = Client::connect(&janus.http, Options::default()).expect("connect");
    cleaner.claim_session(janus_signal_socket::janus_signal::SessionId(session.parse().expect("id"))).expect("claim");
    cleaner.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn send_to_an_existing_handle_of_a_synchronous_plugin() {
    let janus = janus();
    let mut owner = Client::connect(&janus.http, Options::default()).expect("connect");
    let session = owner.create_session().expect("create").0.to_string();
    let handle = owner.attach("janus.plugin.videoroom", None).expect("attach").0.to_string();
    let exists = r#"{"request":"exists","room":987654}"#;

    // Over HTTP the POST's response is the plugin's synchronous answer.
    let out = run(&["--url", &janus.http, "--json", "send", "--session", &session, &handle, exists]);
    out.expect_code(0);
    let reply = &out.json_lines()[0];
    assert_eq!(reply["janus"], "success", "{reply}");
    assert_eq!(reply["plugindata"]["data"]["exists"], false, "{reply}");

    // Over WebSocket too: the reply names a handle this connection did not attach, and the
    // client library keeps it for `send_raw` because it carries a transaction.
    let out = run(&["--url", &janus.ws, "--timeout", "5", "--json", "send", "--session", &session, &handle, exists]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json_lines()[0]["janus"], "success", "{out:?}");
    assert_eq!(out.json_lines()[0]["plugindata"]["data"]["exists"], false, "{out:?}");
    owner.destroy_session().expect("destroy");
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn tail_for_a_while() {
    let janus = janus();
    for url in janus.urls() {
        let start = Instant::now();
        let out = run(&["--url", url, "tail", "--for", "1.5"]);
        out.expect_code(0);
        assert!(start.elapsed() >= Duration::from_millis(1500), "{url}: stopped after {:?}", start.elapsed());
        assert!(out.stdout.is_empty(), "no events, no stdout: {}", out.stdout);
        assert!(out.stderr.contains("tail: session "), "{}", out.stderr);
        assert!(out.stderr.contains("stopped (time) after 0 event(s)"), "{}", out.stderr);

        let quiet = run(&["--url", url, "--quiet", "tail", "--for", "0.5"]);
        quiet.expect_code(0);
        assert!(quiet.stderr.is_empty() && quiet.stdout.is_empty(), "{quiet:?}");
    }
}

#[cfg(unix)]
#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn tail_ends_cleanly_on_ctrl_c() {
    let janus = janus();
    let flags = janus.flags(&janus.http);
    let mut tail = Background::start(&[flags.as_slice(), &["--json", "tail", "--attach", ECHOTEST]].concat());
    let started = tail.next_json_line(Duration::from_secs(10));
    let session = started["session_id"].as_u64().expect("session_id").to_string();
    tail.interrupt();
    let stopped = tail.next_json_line(Duration::from_secs(10));
    assert_eq!(stopped["reason"], "interrupted", "{stopped}");
    assert_eq!(tail.exit_code(Duration::from_secs(10)), 0);
    // Destroyed at once, not left to time out (over HTTP nothing else would end it).
    run(&[flags.as_slice(), &["handles", &session]].concat()).expect_code(1);
}

#[test]
#[ignore = "live: needs a Janus (tests/run starts one)"]
fn json_errors_are_objects_on_stdout_and_text_on_stderr() {
    let janus = janus();
    let out = run(&["--admin-url", &janus.admin, "--admin-secret", &janus.admin_secret, "--json", "handles", "1"]);
    out.expect_code(1);
    let error = out.json();
    assert_eq!(error["error"]["kind"], "janus");
    assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("No such session")), "{error}");
    assert!(out.stderr.starts_with("janus-signal: admin list_handles 1: Janus error 458: "), "{}", out.stderr);
    assert!(error.get("error").and_then(Value::as_object).is_some());
}
