//! TLS for `https://` and `wss://` URLs: what to trust ([`TlsConfig`]), what can go wrong
//! ([`TlsError`]) and, with the cargo feature `tls`, the rustls handshake itself.

use std::fmt;
#[cfg(feature = "tls")]
use std::sync::Arc;

/// Which servers a TLS connection (`https://`, `wss://`) trusts. Needs the cargo feature
/// `tls` to be used; without it any TLS URL fails with [`Error::TlsNotEnabled`](crate::Error).
///
/// By default the Mozilla root certificates of `webpki-roots` are trusted: enough for a Janus
/// behind a certificate from a public CA. For a private CA or a self-signed server certificate,
/// add it as PEM:
///
/// ```no_run
/// use janus_signal_socket::{Janus, Options, TlsConfig};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let pem = std::fs::read("janus-cert.pem")?;
/// let options = Options { tls: TlsConfig::default().with_root_pem(pem), ..Options::default() };
/// let mut janus = Janus::connect("wss://127.0.0.1:8989", options)?;
/// janus.create_session()?;
/// # Ok(())
/// # }
/// ```
///
/// The PEM is only read when connecting: a broken one gives
/// [`TlsError::InvalidRootPem`] from [`Janus::connect`](crate::Janus::connect).
#[derive(Clone, Default)]
pub struct TlsConfig {
    extra_roots_pem: Vec<Vec<u8>>,
    without_webpki_roots: bool,
    #[cfg(feature = "tls")]
    client_config: Option<Arc<rustls::ClientConfig>>,
}

impl TlsConfig {
    /// Also trusts the certificates in `pem`: one or more `-----BEGIN CERTIFICATE-----` blocks,
    /// each a CA or a server's own self-signed certificate. Can be called several times.
    #[must_use]
    pub fn with_root_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// Trusts only the certificates given with [`with_root_pem`](Self::with_root_pem), not
    /// the built-in public roots.
    #[must_use]
    pub fn without_webpki_roots(mut self) -> Self {
        self.without_webpki_roots = true;
        self
    }

    /// Uses `config` as it is (your own roots, verifier, client certificate, protocol
    /// versions…), instead of building one from the settings above, which are then ignored.
    /// Its crypto provider must be usable in this process (ring is what this crate enables).
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use janus_signal_socket::{Options, TlsConfig};
    /// use janus_signal_socket::rustls::{ClientConfig, RootCertStore};
    ///
    /// let provider = Arc::new(janus_signal_socket::rustls::crypto::ring::default_provider());
    /// let config = ClientConfig::builder_with_provider(provider)
    ///     .with_safe_default_protocol_versions()
    ///     .expect("ring supports the default versions")
    ///     .with_root_certificates(RootCertStore::empty())
    ///     .with_no_client_auth();
    /// let options = Options { tls: TlsConfig::default().with_client_config(Arc::new(config)), ..Options::default() };
    /// ```
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn with_client_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.client_config = Some(config);
        self
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("TlsConfig");
        s.field("extra_roots_pem", &self.extra_roots_pem.len())
            .field("without_webpki_roots", &self.without_webpki_roots);
        #[cfg(feature = "tls")]
        s.field("client_config", &self.client_config.is_some());
        s.finish()
    }
}

/// Why a TLS connection could not be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM given to [`TlsConfig::with_root_pem`] is unusable.
    InvalidRootPem {
        /// Which one (0 for the first call).
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL's host cannot be a TLS server name.
    InvalidServerName {
        /// The host.
        host: String,
    },
    /// The TLS settings cannot make a client configuration.
    InvalidConfig {
        /// What rustls said.
        reason: String,
    },
    /// The server's certificate was not accepted: not signed by a trusted root (a self-signed
    /// certificate that was not added with [`TlsConfig::with_root_pem`]), expired, or for
    /// another name.
    CertificateRejected {
        /// `host:port` of the server.
        server: String,
        /// What is wrong with the certificate.
        problem: CertificateProblem,
        /// The full description.
        detail: String,
    },
    /// The handshake failed otherwise: the server refused it (an alert), no common protocol
    /// version or cipher suite, a plain-text server on that port, or it hung up.
    Handshake {
        /// `host:port` of the server.
        server: String,
        /// What went wrong.
        detail: String,
    },
}

/// What is wrong with a server certificate ([`TlsError::CertificateRejected`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// Not issued by a trusted root (e.g. self-signed and not added as a root).
    UnknownIssuer,
    /// Expired.
    Expired,
    /// Not valid yet.
    NotValidYet,
    /// Valid, but not for the host in the URL.
    NotValidForName,
    /// Revoked.
    Revoked,
    /// A signature does not verify or uses an unsupported algorithm.
    BadSignature,
    /// Not a certificate for TLS servers (extended key usage).
    InvalidPurpose,
    /// Something else (malformed, unknown critical extension…).
    Other,
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRootPem { index, reason } => write!(f, "root certificate PEM #{index} is unusable: {reason}"),
            Self::InvalidServerName { host } => write!(f, "{host:?} is not a valid TLS server name"),
            Self::InvalidConfig { reason } => write!(f, "invalid TLS configuration: {reason}"),
            Self::CertificateRejected { server, problem, detail } => {
                write!(f, "certificate of {server} rejected ({problem:?}): {detail}")
            }
            Self::Handshake { server, detail } => write!(f, "TLS handshake with {server} failed: {detail}"),
        }
    }
}

impl std::error::Error for TlsError {}

#[cfg(feature = "tls")]
pub(crate) use client::TlsClient;

#[cfg(feature = "tls")]
mod client {
    use std::io::ErrorKind;
    use std::net::TcpStream;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, ServerName};
    use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned};

    use super::{CertificateProblem, TlsConfig, TlsError};
    use crate::Error;
    use crate::stream::Stream;

    /// What a connection to one server needs for its handshake: the client configuration
    /// (built once, shared by every connection and reconnection) and the server's name.
    #[derive(Debug)]
    pub(crate) struct TlsClient {
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        /// `host:port`, for errors.
        server: String,
    }

    impl TlsClient {
        pub(crate) fn new(tls: &TlsConfig, host: &str, authority: &str) -> Result<Self, Error> {
            let server_name = ServerName::try_from(host.to_owned())
                .map_err(|_| Error::Tls(TlsError::InvalidServerName { host: host.to_owned() }))?;
            Ok(Self { config: client_config(tls)?, server_name, server: authority.to_owned() })
        }

        /// Runs the handshake over `tcp`, within `timeout`.
        pub(crate) fn handshake(&self, mut tcp: TcpStream, timeout: Duration) -> Result<Stream, Error> {
            let mut connection = ClientConnection::new(Arc::clone(&self.config), self.server_name.clone())
                .map_err(|e| Error::Tls(TlsError::InvalidConfig { reason: e.to_string() }))?;
            let deadline = Instant::now() + timeout;
            while connection.is_handshaking() {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::Timeout);
                }
                tcp.set_read_timeout(Some(left))?;
                match connection.complete_io(&mut tcp) {
                    Ok(_) => {}
                    Err(e)
                        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {
                    }
                    Err(e) => return Err(self.handshake_error(e)),
                }
            }
            log::debug!(
                "TLS with {}: {:?}, {:?}",
                self.server,
                connection.protocol_version(),
                connection.negotiated_cipher_suite().map(|s| s.suite())
            );
            Ok(Stream::Tls(Box::new(StreamOwned::new(connection, tcp))))
        }

        fn handshake_error(&self, e: std::io::Error) -> Error {
            let server = self.server.clone();
            let rustls_error = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
            match rustls_error {
                Some(rustls::Error::InvalidCertificate(certificate)) => Error::Tls(TlsError::CertificateRejected {
                    server,
                    problem: problem(certificate),
                    detail: certificate.to_string(),
                }),
                Some(other) => Error::Tls(TlsError::Handshake { server, detail: other.to_string() }),
                None if e.kind() == ErrorKind::UnexpectedEof => {
                    Error::Tls(TlsError::Handshake { server, detail: "the server closed the connection".to_owned() })
                }
                None => Error::Io(e),
            }
        }
    }

    #[allow(deprecated)] // matching the deprecated variants too: older verifiers still report them
    fn problem(e: &CertificateError) -> CertificateProblem {
        use CertificateError as C;
        match e {
            C::UnknownIssuer => CertificateProblem::UnknownIssuer,
            C::Expired | C::ExpiredContext { .. } => CertificateProblem::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => CertificateProblem::NotValidYet,
            C::NotValidForName | C::NotValidForNameContext { .. } => CertificateProblem::NotValidForName,
            C::Revoked => CertificateProblem::Revoked,
            C::BadSignature
            | C::UnsupportedSignatureAlgorithm
            | C::UnsupportedSignatureAlgorithmContext { .. }
            | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => CertificateProblem::BadSignature,
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => CertificateProblem::InvalidPurpose,
            _ => CertificateProblem::Other,
        }
    }

    /// The caller's configuration, or one with the ring provider, the safe default protocol
    /// versions and the roots the settings ask for.
    fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = &tls.client_config {
            return Ok(Arc::clone(config));
        }
        let mut roots = RootCertStore::empty();
        if !tls.without_webpki_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for (index, pem) in tls.extra_roots_pem.iter().enumerate() {
            let invalid = |reason: String| Error::Tls(TlsError::InvalidRootPem { index, reason });
            let mut found = 0;
            for certificate in CertificateDer::pem_slice_iter(pem) {
                let certificate = certificate.map_err(|e| invalid(e.to_string()))?;
                roots.add(certificate).map_err(|e| invalid(e.to_string()))?;
                found += 1;
            }
            if found == 0 {
                return Err(invalid("no CERTIFICATE block".to_owned()));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(TlsError::InvalidConfig { reason: e.to_string() }))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// A self-signed certificate (P-256, valid for 100 years).
        const CERTIFICATE: &str = concat!(
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
        fn root_pems() {
            let error_index = |tls: &TlsConfig| match client_config(tls) {
                Err(Error::Tls(TlsError::InvalidRootPem { index, .. })) => Some(index),
                Ok(_) => None,
                Err(other) => panic!("{other}"),
            };
            assert_eq!(error_index(&TlsConfig::default()), None);
            assert_eq!(error_index(&TlsConfig::default().with_root_pem(CERTIFICATE).without_webpki_roots()), None);
            let two = format!("{CERTIFICATE}{CERTIFICATE}");
            assert_eq!(error_index(&TlsConfig::default().with_root_pem(two)), None);
            for broken in [
                "",
                "hello",
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            ] {
                let tls = TlsConfig::default().with_root_pem(CERTIFICATE).with_root_pem(broken);
                assert_eq!(error_index(&tls), Some(1), "{broken:?}");
            }
        }

        #[test]
        fn server_names() {
            assert!(TlsClient::new(&TlsConfig::default(), "127.0.0.1", "127.0.0.1:8089").is_ok());
            assert!(TlsClient::new(&TlsConfig::default(), "::1", "[::1]:8089").is_ok());
            assert!(TlsClient::new(&TlsConfig::default(), "janus.example", "janus.example:8089").is_ok());
            assert!(matches!(
                TlsClient::new(&TlsConfig::default(), "bad name!", "bad name!:8089"),
                Err(Error::Tls(TlsError::InvalidServerName { .. }))
            ));
        }
    }
}
