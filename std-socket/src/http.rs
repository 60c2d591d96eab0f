//! Janus's HTTP transport: one keep-alive connection for requests, a second one for the
//! session's long poll, each a plain `TcpStream` or TLS over one. Framing comes from
//! `janus_signal::http`.

use std::io::{ErrorKind, Read, Write};
use std::time::Instant;

use janus_signal::http::{ResponseReader, Route, request_head_len, write_request_head};
use janus_signal::request::Auth;

use crate::Error;
use crate::stream::{Dialer, ReadTimeout, Stream};

/// The most bytes one read from the socket takes.
const READ_SIZE: usize = 8192;

/// One HTTP/1.1 connection and what has been received on it.
#[derive(Debug)]
pub(crate) struct Connection {
    stream: Stream,
    /// What has been received and not handled yet.
    buf: Vec<u8>,
    /// Where each read lands before it joins `buf`: zeroed once, when the connection opens
    /// (a fresh zeroed array for each read cost more than the rest of a request's handling).
    scratch: Box<[u8; READ_SIZE]>,
    /// The request being sent: head and body, written with one call (kept for the next one).
    out: Vec<u8>,
    timeout: ReadTimeout,
    /// How far the response arriving in `buf` has been read (a slowly trickled response is
    /// read in linear time).
    reader: ResponseReader,
    /// A response was already read on it: a failure before any byte of the next one means the
    /// server closed it while idle (Janus does after 120 s), and a retry is safe.
    reused: bool,
}

impl Connection {
    pub(crate) fn open(dialer: &Dialer) -> Result<Self, Error> {
        Ok(Self::over(dialer.open()?))
    }

    /// A connection on `stream`, open already.
    pub(crate) fn over(stream: Stream) -> Self {
        Self {
            stream,
            // Room for a few reads reserved once: answers larger than all that grow it.
            buf: Vec::with_capacity(4 * READ_SIZE),
            scratch: Box::new([0; READ_SIZE]),
            out: Vec::new(),
            timeout: ReadTimeout::default(),
            reader: ResponseReader::new(),
            reused: false,
        }
    }

    /// Writes a request: head (from core) and body.
    pub(crate) fn send(
        &mut self,
        host: &str,
        base: &str,
        route: &Route,
        auth: &Auth<'_>,
        body: &[u8],
    ) -> Result<(), Error> {
        // Sized from the request: a long poll's head carries the credentials, percent-encoded.
        self.out.clear();
        self.out.resize(request_head_len(host, base, route, auth, body.len()), 0);
        let n = write_request_head(&mut self.out, host, base, route, auth, body.len()).map_err(Error::Encode)?;
        self.out.truncate(n);
        self.out.extend_from_slice(body);
        self.stream.write_all(&self.out)?;
        self.stream.flush()?;
        Ok(())
    }

    /// Reads one response, waiting until `deadline`, and puts its body in `body`: its status
    /// and whether the connection is finished after it. `Ok(None)` when the deadline passes
    /// first (what was received is kept for the next call).
    pub(crate) fn receive(
        &mut self,
        deadline: Instant,
        limit: usize,
        body: &mut Vec<u8>,
    ) -> Result<Option<(u16, bool)>, Error> {
        loop {
            if let Some(done) = self.parse(false, body)? {
                return Ok(Some(done));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            self.timeout.wait_at_most(&self.stream, deadline - now)?;
            match self.stream.read(&mut self.scratch[..]) {
                // TLS: a server that hangs up without `close_notify` is an end of stream too.
                Ok(0) => return self.eof(body),
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => return self.eof(body),
                Ok(n) => {
                    if self.buf.len() + n > limit {
                        return Err(Error::TooLarge { limit });
                    }
                    self.buf.extend_from_slice(&self.scratch[..n]);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
    }

    /// The server closed the connection: what was received must be a whole response.
    fn eof(&mut self, body: &mut Vec<u8>) -> Result<Option<(u16, bool)>, Error> {
        match self.parse(true, body) {
            Ok(Some(done)) => Ok(Some(done)),
            _ => Err(Error::Closed),
        }
    }

    /// Whether nothing of a response has arrived yet.
    pub(crate) fn nothing_received(&self) -> bool {
        self.buf.is_empty()
    }

    fn parse(&mut self, eof: bool, body: &mut Vec<u8>) -> Result<Option<(u16, bool)>, Error> {
        let Some(r) = self.reader.read(&mut self.buf, eof).map_err(Error::Http)? else {
            return Ok(None);
        };
        body.clear();
        body.extend_from_slice(r.body);
        let (status, consumed, close) = (r.status, r.consumed, r.connection_close);
        self.buf.drain(..consumed);
        self.reused = true;
        Ok(Some((status, close || eof)))
    }
}

/// The HTTP transport of one session.
#[derive(Debug)]
pub(crate) struct HttpTransport {
    dialer: Dialer,
    base: String,
    limit: usize,
    requests: Option<Connection>,
    poll: Option<Connection>,
    poll_out: bool,
}

impl HttpTransport {
    pub(crate) fn new(dialer: Dialer, base: String, limit: usize) -> Result<Self, Error> {
        let requests = Connection::open(&dialer)?;
        Ok(Self::over(requests, dialer, base, limit))
    }

    /// The transport with `requests` as its request connection (the long poll's connection,
    /// and later ones, come from `dialer`).
    pub(crate) fn over(requests: Connection, dialer: Dialer, base: String, limit: usize) -> Self {
        Self { dialer, base, limit, requests: Some(requests), poll: None, poll_out: false }
    }

    /// Long polls for many sessions to this transport's server (see [`LongPolls`]).
    pub(crate) fn long_polls(&self, answers: std::sync::mpsc::Sender<Option<PollAnswer>>) -> LongPolls {
        LongPolls::new(self.dialer.clone(), self.base.clone(), self.limit, answers)
    }

    /// Connections opened from now on use `dialer`.
    pub(crate) fn set_dialer(&mut self, dialer: Dialer) {
        self.dialer = dialer;
    }

    /// POSTs `body` to `route` and reads the response into `response`: its status. A pooled
    /// connection that the server closed while idle is reopened and the request sent again,
    /// once, when not a byte of a response had arrived (the request cannot have been handled
    /// then).
    pub(crate) fn request(
        &mut self,
        route: &Route,
        body: &[u8],
        deadline: Instant,
        response: &mut Vec<u8>,
    ) -> Result<u16, Error> {
        for attempt in 0..2 {
            let connection = match &mut self.requests {
                Some(c) => c,
                None => {
                    log::trace!("opening a request connection to {}", self.dialer.authority());
                    self.requests.insert(Connection::open(&self.dialer)?)
                }
            };
            let reused = connection.reused;
            let sent = connection.send(self.dialer.authority(), &self.base, route, &Auth::none(), body);
            let result = sent.and_then(|()| connection.receive(deadline, self.limit, response));
            match result {
                Ok(Some((status, close))) => {
                    if close {
                        self.requests = None;
                    }
                    return Ok(status);
                }
                Ok(None) => {
                    // The answer may still come: this connection cannot be reused.
                    self.requests = None;
                    return Err(Error::Timeout);
                }
                Err(e) => {
                    let retry = attempt == 0 && reused && connection.nothing_received() && is_closed(&e);
                    self.requests = None;
                    if !retry {
                        return Err(e);
                    }
                    log::debug!("{}: the idle connection was closed ({e}); sending again", self.dialer.authority());
                }
            }
        }
        Err(Error::Closed)
    }

    /// Sends the long poll for `route` with the credentials in its query.
    pub(crate) fn start_long_poll(&mut self, route: &Route, auth: &Auth<'_>) -> Result<(), Error> {
        let connection = match &mut self.poll {
            Some(c) => c,
            None => {
                log::trace!("opening a long-poll connection to {}", self.dialer.authority());
                self.poll.insert(Connection::open(&self.dialer)?)
            }
        };
        if let Err(e) = connection.send(self.dialer.authority(), &self.base, route, auth, b"") {
            self.poll = None;
            return Err(e);
        }
        self.poll_out = true;
        Ok(())
    }

    /// Waits until `deadline` for the long poll's answer, whose body goes into `body`: its
    /// status.
    pub(crate) fn receive_long_poll(&mut self, deadline: Instant, body: &mut Vec<u8>) -> Result<Option<u16>, Error> {
        let (true, Some(connection)) = (self.poll_out, &mut self.poll) else {
            // Nothing to wait for.
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            return Ok(None);
        };
        match connection.receive(deadline, self.limit, body) {
            Ok(Some((status, close))) => {
                log::trace!("long poll answered: HTTP {status}, {} bytes", body.len());
                self.poll_out = false;
                if close {
                    self.poll = None;
                }
                Ok(Some(status))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                self.poll_out = false;
                self.poll = None;
                Err(e)
            }
        }
    }
}

/// A long poll's answer from [`LongPolls`]: whose, and its status and body (status 0: no
/// answer came, the connection failed; the session's next long poll is sent anew).
#[derive(Debug)]
pub(crate) struct PollAnswer {
    pub(crate) session: janus_signal::SessionId,
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// The long polls of many sessions at once (one per session, as Janus's HTTP transport
/// wants): each session has a thread of its own that sends its long poll on its own
/// keep-alive connection, waits for the answer without holding anything, and hands it to
/// `answers`. A blocking socket API waits on one socket per thread; the threads sleep in
/// `read`.
#[derive(Debug)]
pub(crate) struct LongPolls {
    dialer: Dialer,
    base: String,
    limit: usize,
    answers: std::sync::mpsc::Sender<Option<PollAnswer>>,
    workers: std::collections::HashMap<janus_signal::SessionId, std::sync::mpsc::Sender<PollJob>>,
    /// The sockets of polls out, to be shut down when the connection closes (their threads
    /// then end at once instead of after Janus's 30 s).
    sockets: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<janus_signal::SessionId, std::net::TcpStream>>>,
}

/// One long poll to send: its route and credentials.
#[derive(Debug)]
pub(crate) struct PollJob {
    route: Route,
    apisecret: Option<String>,
    token: Option<String>,
}

/// Stack of a long-poll thread: enough for a TLS handshake (rustls) in a debug build; only
/// what is used becomes resident.
const POLL_THREAD_STACK: usize = 512 * 1024;

/// How long a worker waits after a failed long poll before saying so (and so before the
/// next one is sent): a server that is gone is not asked again in a tight loop.
const POLL_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// Longer than Janus holds a long poll (30 s): an answer that takes longer than this is lost.
const POLL_DEADLINE: std::time::Duration = std::time::Duration::from_secs(75);

impl LongPolls {
    pub(crate) fn new(
        dialer: Dialer,
        base: String,
        limit: usize,
        answers: std::sync::mpsc::Sender<Option<PollAnswer>>,
    ) -> Self {
        Self { dialer, base, limit, answers, workers: std::collections::HashMap::new(), sockets: Default::default() }
    }

    /// Sends the long poll of `route`'s session, from that session's thread.
    pub(crate) fn start(&mut self, route: &Route, auth: &Auth<'_>) -> Result<(), Error> {
        let Route::LongPoll { session, .. } = *route else {
            return Err(Error::Unexpected("not a long poll"));
        };
        let job = || PollJob {
            route: *route,
            apisecret: auth.apisecret.map(str::to_owned),
            token: auth.token.map(str::to_owned),
        };
        if let Some(worker) = self.workers.get(&session)
            && worker.send(job()).is_ok()
        {
            return Ok(());
        }
        let (jobs, inbox) = std::sync::mpsc::channel();
        let (dialer, base, limit) = (self.dialer.clone(), self.base.clone(), self.limit);
        let (answers, sockets) = (self.answers.clone(), self.sockets.clone());
        std::thread::Builder::new()
            .name(format!("janus-poll-{session}"))
            .stack_size(POLL_THREAD_STACK)
            .spawn(move || poll_worker(session, &dialer, &base, limit, &inbox, &answers, &sockets))
            .map_err(Error::Io)?;
        jobs.send(job()).map_err(|_| Error::Closed)?;
        self.workers.insert(session, jobs);
        Ok(())
    }

    /// Ends `session`'s long poll (its answer is not awaited) and thread.
    pub(crate) fn stop(&mut self, session: janus_signal::SessionId) {
        self.workers.remove(&session);
        if let Some(socket) = self.sockets.lock().ok().and_then(|mut s| s.remove(&session)) {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Ends every session's long poll and thread.
    pub(crate) fn close(&mut self) {
        self.workers.clear();
        let sockets = self.sockets.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default();
        for socket in sockets.values() {
            let _ = socket.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for LongPolls {
    fn drop(&mut self) {
        self.close();
    }
}

/// One session's long-poll thread: sends each job's long poll and hands its answer over,
/// until the jobs' sender goes (the connection closed) or the answers' receiver does.
fn poll_worker(
    session: janus_signal::SessionId,
    dialer: &Dialer,
    base: &str,
    limit: usize,
    jobs: &std::sync::mpsc::Receiver<PollJob>,
    answers: &std::sync::mpsc::Sender<Option<PollAnswer>>,
    sockets: &std::sync::Mutex<std::collections::HashMap<janus_signal::SessionId, std::net::TcpStream>>,
) {
    let mut connection: Option<Connection> = None;
    let mut body = Vec::new();
    while let Ok(job) = jobs.recv() {
        let auth = Auth { apisecret: job.apisecret.as_deref(), token: job.token.as_deref() };
        let result = (|| {
            let c = match &mut connection {
                Some(c) => c,
                None => {
                    let c = Connection::open(dialer)?;
                    // The previous connection's handle goes (and its descriptor with it).
                    if let (Ok(tcp), Ok(mut list)) = (c.stream.tcp_clone(), sockets.lock()) {
                        list.insert(session, tcp);
                    }
                    connection.insert(c)
                }
            };
            c.send(dialer.authority(), base, &job.route, &auth, b"")?;
            c.receive(Instant::now() + POLL_DEADLINE, limit, &mut body)
        })();
        let status = match result {
            Ok(Some((status, close))) => {
                if close {
                    connection = None;
                }
                status
            }
            other => {
                log::debug!("{}: session {session}'s long poll failed: {other:?}", dialer.authority());
                connection = None;
                body.clear();
                std::thread::sleep(POLL_RETRY_PAUSE);
                0
            }
        };
        let ended = matches!(status, 403 | 404);
        if answers.send(Some(PollAnswer { session, status, body: std::mem::take(&mut body) })).is_err() || ended {
            break;
        }
    }
    if let Ok(mut list) = sockets.lock() {
        list.remove(&session);
    }
}

fn is_closed(e: &Error) -> bool {
    match e {
        Error::Closed => true,
        Error::Io(io) => matches!(
            io.kind(),
            ErrorKind::BrokenPipe
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::UnexpectedEof
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead as _;
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::time::Duration;

    /// Reads one request (head + Content-Length body) from a fake server's connection.
    fn read_request(stream: &mut std::io::BufReader<TcpStream>) -> Option<String> {
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if stream.read_line(&mut line).ok()? == 0 {
                return None;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().ok()?;
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).ok()?;
        Some(head + &String::from_utf8_lossy(&body))
    }

    fn dialer(address: &str) -> Dialer {
        let endpoint = crate::url::Endpoint::parse(&format!("http://{address}/janus")).expect("URL");
        Dialer::new(&endpoint, &crate::TlsConfig::default(), Duration::from_secs(2)).expect("dialer")
    }

    const REPLY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

    /// A server that plays `script`: for each connection, the replies to its requests in
    /// order, after which it closes the connection (as Janus closes idle ones). Reports the
    /// number of each connection it has finished.
    fn server(script: Vec<Vec<&'static [u8]>>) -> (String, mpsc::Receiver<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let (done, count) = mpsc::channel();
        std::thread::spawn(move || {
            for (n, replies) in script.into_iter().enumerate() {
                let Ok((stream, _)) = listener.accept() else { return };
                let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
                let mut stream = stream;
                for reply in replies {
                    if read_request(&mut reader).is_none() {
                        break;
                    }
                    let _ = stream.write_all(reply);
                }
                drop(stream);
                let _ = done.send(n + 1);
            }
        });
        (address, count)
    }

    #[test]
    fn a_long_poll_carries_the_longest_credentials() {
        // 128 bytes each (the most a client stores), every one percent-encoded to three.
        let secret = "+/=:,?&#%@ ".repeat(12)[..128].to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let server = std::thread::spawn(move || {
            // The transport's request connection first, then the long poll's.
            let (_requests, _) = listener.accept().expect("accept");
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
            let request = read_request(&mut reader).expect("a request");
            let mut stream = stream;
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\n{\"janus\":\"keepalive\"}")
                .expect("answer");
            request
        });
        let mut http = HttpTransport::new(dialer(&address), "/janus".into(), 1 << 16).expect("connect");
        let route = Route::LongPoll { session: janus_signal::SessionId(u64::MAX), maxev: 10 };
        let auth = Auth { apisecret: Some(&secret), token: Some(&secret) };
        http.start_long_poll(&route, &auth).expect("sent");
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut body = Vec::new();
        let status = http.receive_long_poll(deadline, &mut body).expect("answered").expect("in time");
        assert_eq!((status, body.as_slice()), (200, &br#"{"janus":"keepalive"}"#[..]));
        let request = server.join().expect("server");
        let encoded = "%2B%2F%3D%3A%2C%3F%26%23%25%40%20".repeat(12);
        let encoded = &encoded[..3 * 128];
        let line = format!("GET /janus/{}?maxev=10&apisecret={encoded}&token={encoded} HTTP/1.1", u64::MAX);
        assert_eq!(request.lines().next(), Some(line.as_str()));
        assert!(request.len() > 800, "a {}-byte head", request.len());
    }

    #[test]
    fn a_pooled_connection_closed_while_idle_is_reopened_and_the_request_retried() {
        let (address, count) = server(vec![vec![REPLY], vec![REPLY]]);
        let mut http = HttpTransport::new(dialer(&address), "/janus".into(), 1 << 16).expect("connect");
        let route = Route::Janus { session: None, handle: None };
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut body = Vec::new();
        assert_eq!(http.request(&route, br#"{"janus":"ping"}"#, deadline, &mut body).expect("first"), 200);
        assert_eq!(body, b"{}");
        assert_eq!(count.recv().expect("first connection"), 1);
        // The server has closed the pooled connection; the client notices and retries once.
        std::thread::sleep(Duration::from_millis(50));
        body.clear();
        assert_eq!(http.request(&route, br#"{"janus":"ping"}"#, deadline, &mut body).expect("retried"), 200);
        assert_eq!(body, b"{}");
        assert_eq!(count.recv().expect("second connection"), 2);
    }

    #[test]
    fn a_request_that_got_part_of_an_answer_is_not_retried() {
        // One connection: a full answer, then half of one and the close. The second request may
        // have been handled, so it must fail rather than be sent again.
        let (address, count) = server(vec![vec![REPLY, &REPLY[..20]], vec![REPLY]]);
        let mut http = HttpTransport::new(dialer(&address), "/janus".into(), 1 << 16).expect("connect");
        let route = Route::Janus { session: None, handle: None };
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut body = Vec::new();
        http.request(&route, b"{}", deadline, &mut body).expect("first");
        assert!(matches!(http.request(&route, b"{}", deadline, &mut body), Err(Error::Closed)));
        assert_eq!(count.recv().expect("first connection closed"), 1);
        assert!(count.recv_timeout(Duration::from_millis(200)).is_err(), "no second connection was opened");
    }
}
