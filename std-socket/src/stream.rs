//! The byte stream under both transports: a plain `TcpStream`, or (cargo feature `tls`)
//! rustls over it; and the [`Dialer`] that opens one to a server.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::Error;
use crate::tls::TlsConfig;
use crate::url::Endpoint;

/// A connection to Janus, encrypted or not.
pub(crate) enum Stream {
    Plain(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<crate::tls::TlsStream>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(tcp) => tcp,
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.tcp(),
        }
    }

    /// Another handle on the TCP connection (the same socket: its timeouts are shared).
    pub(crate) fn tcp_clone(&self) -> io::Result<TcpStream> {
        self.tcp().try_clone()
    }

    /// Whether reads and writes fail with `WouldBlock` instead of waiting.
    pub(crate) fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        self.tcp().set_nonblocking(nonblocking)
    }

    /// How long a read may block (then it fails with `WouldBlock`/`TimedOut`).
    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.tcp().set_read_timeout(timeout)
    }
}

/// The read timeout of a stream, set only when it must change: to wait until a deadline,
/// reads block for the largest power of two of milliseconds not beyond it, so that the
/// timeout already set serves again and again (one `setsockopt` per read would otherwise
/// double the system calls of a request). A read then never blocks past the deadline, and
/// returns early at most a logarithmic number of times.
#[derive(Debug, Default)]
pub(crate) struct ReadTimeout {
    current: Option<Duration>,
}

impl ReadTimeout {
    /// Makes the next read on `stream` block at most until `remaining` has passed.
    pub(crate) fn wait_at_most(&mut self, stream: &Stream, remaining: Duration) -> io::Result<()> {
        let millis = u64::try_from(remaining.as_millis()).unwrap_or(u64::MAX).max(1);
        let timeout = Duration::from_millis(1 << (63 - millis.leading_zeros()));
        if self.current != Some(timeout) {
            stream.set_read_timeout(Some(timeout))?;
            self.current = Some(timeout);
        }
        Ok(())
    }
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(tcp) => f.debug_tuple("Plain").field(tcp).finish(),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => f.debug_tuple("Tls").field(tls.tcp()).finish(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(tcp) => tcp.read(buf),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(tcp) => tcp.write(buf),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(tcp) => tcp.flush(),
            #[cfg(feature = "tls")]
            Self::Tls(tls) => tls.flush(),
        }
    }
}

/// Opens connections to one server: TCP, then the TLS handshake for `https`/`wss`. Built once
/// per client (the TLS configuration is parsed then), used for every connection it opens.
#[derive(Debug, Clone)]
pub(crate) struct Dialer {
    authority: String,
    timeout: Duration,
    #[cfg(feature = "tls")]
    tls: Option<std::sync::Arc<crate::tls::TlsClient>>,
}

impl Dialer {
    /// # Errors
    ///
    /// [`Error::TlsNotEnabled`] for a TLS URL without the `tls` feature; with it, what the
    /// TLS settings may give ([`crate::TlsError::InvalidRootPem`]…).
    pub(crate) fn new(endpoint: &Endpoint, tls: &TlsConfig, timeout: Duration) -> Result<Self, Error> {
        #[cfg(feature = "tls")]
        let tls = if endpoint.secure {
            Some(std::sync::Arc::new(crate::tls::TlsClient::new(tls, &endpoint.host, &endpoint.authority)?))
        } else {
            None
        };
        #[cfg(not(feature = "tls"))]
        {
            let _ = tls;
            if endpoint.secure {
                return Err(Error::TlsNotEnabled { url: endpoint.url.clone() });
            }
        }
        Ok(Self {
            authority: endpoint.authority.clone(),
            timeout,
            #[cfg(feature = "tls")]
            tls,
        })
    }

    /// `host:port`.
    pub(crate) fn authority(&self) -> &str {
        &self.authority
    }

    /// The same server with another connect (and handshake) timeout.
    pub(crate) fn with_timeout(&self, timeout: Duration) -> Self {
        Self { timeout, ..self.clone() }
    }

    /// A new connection: TCP connect and TLS handshake together within the connect timeout.
    pub(crate) fn open(&self) -> Result<Stream, Error> {
        let started = std::time::Instant::now();
        let tcp = tcp_connect(&self.authority, self.timeout)?;
        self.wrap(tcp, self.timeout.saturating_sub(started.elapsed()))
    }

    /// A connection from a TCP stream connected already (by the caller): the TLS handshake, for
    /// `https`/`wss`, within `timeout`.
    pub(crate) fn wrap(&self, tcp: TcpStream, timeout: Duration) -> Result<Stream, Error> {
        #[cfg(feature = "tls")]
        if let Some(tls) = &self.tls {
            let tls = tls.handshake(tcp, timeout)?;
            return Ok(Stream::Tls(Box::new(tls)));
        }
        let _ = timeout;
        Ok(Stream::Plain(tcp))
    }
}

fn tcp_connect(authority: &str, timeout: Duration) -> Result<TcpStream, Error> {
    let mut last = None;
    for addr in authority.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                log::trace!("TCP connection to {authority} ({addr}) open");
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.map_or(Error::Closed, Error::Io))
}
