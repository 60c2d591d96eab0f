//! A `std::net::TcpStream` as an `embedded-io` stream, for running core's drivers on a
//! desktop: reads that give up after the socket's read timeout fail with an error of kind
//! `TimedOut`, which is how core's links learn that nothing came in time.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;

/// The stream.
pub(crate) struct EmbeddedTcp(pub(crate) TcpStream);

/// A socket error, with the kind embedded-io knows it by.
#[derive(Debug)]
pub(crate) struct TcpError(pub(crate) std::io::Error);

impl std::fmt::Display for TcpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TcpError {}

impl embedded_io::Error for TcpError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self.0.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => embedded_io::ErrorKind::TimedOut,
            _ => embedded_io::ErrorKind::Other,
        }
    }
}

impl embedded_io::ErrorType for EmbeddedTcp {
    type Error = TcpError;
}

impl embedded_io::Read for EmbeddedTcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TcpError> {
        self.0.read(buf).map_err(TcpError)
    }
}

impl embedded_io::Write for EmbeddedTcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, TcpError> {
        self.0.write(buf).map_err(TcpError)
    }

    fn flush(&mut self) -> Result<(), TcpError> {
        self.0.flush().map_err(TcpError)
    }
}
