//! TLS for `https://` and `wss://` URLs: what to trust and which client certificate to show
//! ([`TlsConfig`]), what can go wrong ([`TlsError`]) and, with the cargo feature `tls`, the
//! rustls handshake itself.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
#[cfg(feature = "tls")]
use std::sync::Arc;

use crate::Error;

/// Which servers a TLS connection (`https://`, `wss://`) trusts, and the client certificate it
/// shows if the server asks for one (mutual TLS). Needs the cargo feature `tls` to be used;
/// without it any TLS URL fails with [`Error::TlsNotEnabled`].
///
/// By default the operating system's certificate store is trusted ([`TrustStore::Platform`],
/// through [`rustls-platform-verifier`](https://docs.rs/rustls-platform-verifier)): a Janus
/// behind a certificate from a public CA, or from a private CA that the machine trusts
/// (company CA, `update-ca-certificates`, the Windows or macOS keychain), just works. On top
/// of that store, or of Mozilla's roots compiled in ([`TrustStore::WebPki`]), or of nothing
/// ([`TrustStore::None`]), you can trust more CAs: a PEM file with
/// [`with_ca_file`](Self::with_ca_file), or PEM bytes with [`with_root_pem`](Self::with_root_pem)
/// (a private CA, or a server's own self-signed certificate):
///
/// ```no_run
/// use janus_signal_socket::{Janus, Options, TlsConfig, TrustStore};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Only the CA that signed the Janus certificate, not the system's roots.
/// let tls = TlsConfig::default().with_trust_store(TrustStore::None).with_ca_file("/etc/janus/ca.pem");
/// let mut janus = Janus::connect("wss://janus.internal:8989", Options { tls, ..Options::default() })?;
/// janus.create_session()?;
/// # Ok(())
/// # }
/// ```
///
/// For a server (or a reverse proxy in front of Janus) that requires a client certificate,
/// give the certificate chain and its key, both PEM:
///
/// ```no_run
/// use janus_signal_socket::{Janus, Options, TlsConfig};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let tls = TlsConfig::default().with_client_certificate_files("client.pem", "client-key.pem");
/// let mut janus = Janus::connect("https://janus.example:8089/janus", Options { tls, ..Options::default() })?;
/// # Ok(())
/// # }
/// ```
///
/// Janus's own HTTPS and secure WebSocket transports (1.1 to 1.3) never ask for a client
/// certificate (its HTTP transport gives libmicrohttpd no client CA, its WebSocket transport
/// gives libwebsockets none): mutual TLS with Janus means a TLS-terminating proxy in front of
/// it. A certificate that is not asked for is not sent.
///
/// Files and PEM bytes (and, on Linux and the BSDs, the system's CA bundle) are read when a
/// client is made ([`Janus::connect`](crate::Janus::connect),
/// [`AdminClient::connect_with_tls`](crate::AdminClient::connect_with_tls)), once for all its
/// connections and reconnections. Anything unusable is a
/// [`TlsError`] from there, before any connection: [`TlsError::UnreadableFile`],
/// [`TlsError::InvalidCaFile`], [`TlsError::InvalidRootPem`],
/// [`TlsError::InvalidClientCertificate`], [`TlsError::PlatformVerifier`].
///
/// For anything else (other protocol versions, ALPN, your own verifier), build a
/// `rustls::ClientConfig` and give it with `with_client_config` (cargo feature `tls`).
#[derive(Clone, Default)]
pub struct TlsConfig {
    trust_store: TrustStore,
    extra_roots_pem: Vec<Vec<u8>>,
    ca_files: Vec<PathBuf>,
    client_certificate: Option<ClientCertificate>,
    #[cfg(feature = "tls")]
    client_config: Option<Arc<rustls::ClientConfig>>,
}

/// The roots a [`TlsConfig`] starts from, before its CA files and PEM roots are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TrustStore {
    /// The operating system's, with its verifier ([`rustls-platform-verifier`](https://docs.rs/rustls-platform-verifier)),
    /// the default:
    /// - Windows: the Windows certificate store and the Windows verifier (with revocation);
    /// - macOS, iOS: the keychains and Security.framework (with revocation);
    /// - Linux, the BSDs: the system CA bundle (found as OpenSSL finds it, or the
    ///   `SSL_CERT_FILE` file and `SSL_CERT_DIR` directories when set), checked by webpki;
    ///   without any certificate there, and no CA file or PEM root given, connecting fails
    ///   with [`TlsError::PlatformVerifier`];
    /// - Android: the system trust store and trust manager; `rustls-platform-verifier`
    ///   must be initialised from Java first, and it cannot add CA files or PEM roots (those
    ///   need [`TrustStore::WebPki`] or [`TrustStore::None`] there).
    #[default]
    Platform,
    /// Mozilla's root certificates compiled into the program (`webpki-roots`): the same on
    /// every machine, whatever its store, and never updated without a new build.
    WebPki,
    /// Nothing: only the CA files and PEM roots given to the [`TlsConfig`].
    None,
}

/// PEM data, or the file it is in.
#[derive(Clone)]
enum Pem {
    Bytes(Vec<u8>),
    File(PathBuf),
}

impl Pem {
    #[cfg_attr(not(feature = "tls"), allow(dead_code))] // read by the handshake only
    fn path(&self) -> Option<&Path> {
        match self {
            Self::Bytes(_) => None,
            Self::File(path) => Some(path),
        }
    }
}

impl fmt::Debug for Pem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "{} PEM bytes", bytes.len()),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A client certificate chain and its private key.
#[derive(Clone)]
struct ClientCertificate {
    chain: Pem,
    #[cfg_attr(not(feature = "tls"), allow(dead_code))] // read by the handshake only
    key: Pem,
}

impl TlsConfig {
    /// Starts from `store` instead of the operating system's store (see [`TrustStore`]).
    #[must_use]
    pub fn with_trust_store(mut self, store: TrustStore) -> Self {
        self.trust_store = store;
        self
    }

    /// Also trusts the certificates in `pem`: one or more `-----BEGIN CERTIFICATE-----` blocks,
    /// each a CA or a server's own self-signed certificate. Can be called several times.
    #[must_use]
    pub fn with_root_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_roots_pem.push(pem.into());
        self
    }

    /// Also trusts the certificates in the PEM file at `path` (a CA bundle: one or more
    /// `-----BEGIN CERTIFICATE-----` blocks, each a CA or a server's own self-signed
    /// certificate), read when a client is made. Can be called several times.
    #[must_use]
    pub fn with_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_files.push(path.into());
        self
    }

    /// Trusts only the certificates given with [`with_root_pem`](Self::with_root_pem) and
    /// [`with_ca_file`](Self::with_ca_file): neither Mozilla's roots nor the operating
    /// system's store.
    #[deprecated(
        since = "0.1.0",
        note = "the default roots are now the operating system's: use `with_trust_store(TrustStore::None)`"
    )]
    #[must_use]
    pub fn without_webpki_roots(self) -> Self {
        self.with_trust_store(TrustStore::None)
    }

    /// Shows this client certificate when a server asks for one (mutual TLS): `chain_pem`
    /// holds the certificate then any intermediates (`-----BEGIN CERTIFICATE-----` blocks),
    /// `key_pem` its unencrypted private key (`PRIVATE KEY`, `RSA PRIVATE KEY` or
    /// `EC PRIVATE KEY`; RSA, ECDSA P-256/P-384 or Ed25519).
    #[must_use]
    pub fn with_client_certificate(mut self, chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> Self {
        let (chain, key) = (Pem::Bytes(chain_pem.into()), Pem::Bytes(key_pem.into()));
        self.client_certificate = Some(ClientCertificate { chain, key });
        self
    }

    /// [`with_client_certificate`](Self::with_client_certificate) from two PEM files, read
    /// when a client is made (both may be the same file).
    #[must_use]
    pub fn with_client_certificate_files(mut self, chain: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        let (chain, key) = (Pem::File(chain.into()), Pem::File(key.into()));
        self.client_certificate = Some(ClientCertificate { chain, key });
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
        s.field("trust_store", &self.trust_store)
            .field("extra_roots_pem", &self.extra_roots_pem.len())
            .field("ca_files", &self.ca_files)
            // The chain's source only: never the key's bytes.
            .field("client_certificate", &self.client_certificate.as_ref().map(|c| &c.chain));
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
    /// A file named in the [`TlsConfig`] (CA file, client certificate or key) cannot be read.
    UnreadableFile {
        /// The file.
        path: PathBuf,
        /// Why: `NotFound`, `PermissionDenied`…
        kind: io::ErrorKind,
        /// The full description.
        reason: String,
    },
    /// A file given to [`TlsConfig::with_ca_file`] holds no usable certificate.
    InvalidCaFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The client certificate ([`TlsConfig::with_client_certificate`],
    /// [`TlsConfig::with_client_certificate_files`]) is unusable.
    InvalidClientCertificate {
        /// The file the problem is in (the key's for a key that does not match), `None` when
        /// given as PEM bytes.
        path: Option<PathBuf>,
        /// What is wrong.
        problem: ClientCertificateProblem,
        /// The full description.
        reason: String,
    },
    /// The operating system's certificate verifier ([`TrustStore::Platform`]) cannot be set
    /// up. On Linux and the BSDs: no certificate could be loaded from the system's store (no
    /// CA bundle installed, or `SSL_CERT_FILE` / `SSL_CERT_DIR` naming nothing usable) and no
    /// CA file or PEM root was given: install the CA certificates, give a CA file, or use
    /// [`TrustStore::WebPki`].
    PlatformVerifier {
        /// What the verifier said.
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
    /// certificate that was not added with [`TlsConfig::with_root_pem`] or
    /// [`TlsConfig::with_ca_file`]), expired, or for another name.
    CertificateRejected {
        /// `host:port` of the server.
        server: String,
        /// What is wrong with the certificate.
        problem: CertificateProblem,
        /// The full description.
        detail: String,
    },
    /// The server refused this client's certificate, or asked for one and this client had
    /// none (mutual TLS): its alert. Over TLS 1.3 the server says so only after the handshake,
    /// so this comes from the first request on the connection, as the inner error of an
    /// [`Error::Io`] (see [`Error::tls_error`]); over TLS 1.2 from connecting.
    ClientCertificateRejected {
        /// `host:port` of the server.
        server: String,
        /// The server's alert (`CertificateRequired`, `BadCertificate`, `UnknownCA`…).
        alert: String,
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

/// What is wrong with a client certificate ([`TlsError::InvalidClientCertificate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientCertificateProblem {
    /// The chain has no `CERTIFICATE` block, or one that is not a certificate.
    BadChain,
    /// No private key block (an encrypted key is not one), or broken PEM.
    BadKey,
    /// A private key block the crypto provider cannot load: an algorithm or curve it cannot
    /// sign with (ring: RSA, ECDSA P-256 and P-384, Ed25519), or malformed key data.
    UnsupportedKey,
    /// The key is not the one of the chain's first certificate.
    KeyMismatch,
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRootPem { index, reason } => write!(f, "root certificate PEM #{index} is unusable: {reason}"),
            Self::UnreadableFile { path, reason, .. } => write!(f, "cannot read {}: {reason}", path.display()),
            Self::InvalidCaFile { path, reason } => write!(f, "CA file {} is unusable: {reason}", path.display()),
            Self::InvalidClientCertificate { path, problem, reason } => {
                f.write_str("client certificate unusable")?;
                if let Some(path) = path {
                    write!(f, " ({})", path.display())?;
                }
                write!(f, ": {problem:?}: {reason}")
            }
            Self::PlatformVerifier { reason } => write!(
                f,
                "the operating system's certificate verifier cannot be used: {reason} (install the CA \
                 certificates, give a CA file, or trust webpki-roots)"
            ),
            Self::InvalidServerName { host } => write!(f, "{host:?} is not a valid TLS server name"),
            Self::InvalidConfig { reason } => write!(f, "invalid TLS configuration: {reason}"),
            Self::CertificateRejected { server, problem, detail } => {
                write!(f, "certificate of {server} rejected ({problem:?}): {detail}")
            }
            Self::ClientCertificateRejected { server, alert } => {
                write!(f, "{server} refused the client certificate (or wanted one): alert {alert}")
            }
            Self::Handshake { server, detail } => write!(f, "TLS handshake with {server} failed: {detail}"),
        }
    }
}

impl std::error::Error for TlsError {}

impl Error {
    /// The TLS error behind this one: [`Error::Tls`], or an [`Error::Io`] from a TLS
    /// connection that failed after its handshake (e.g. a server that refuses the client
    /// certificate over TLS 1.3: [`TlsError::ClientCertificateRejected`]).
    #[must_use]
    pub fn tls_error(&self) -> Option<&TlsError> {
        match self {
            Self::Tls(e) => Some(e),
            Self::Io(e) => e.get_ref().and_then(|inner| inner.downcast_ref::<TlsError>()),
            _ => None,
        }
    }
}

#[cfg(feature = "tls")]
pub(crate) use client::{TlsClient, TlsStream};

#[cfg(feature = "tls")]
mod client {
    use std::io::{self, ErrorKind, Read, Write};
    use std::net::TcpStream;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    use rustls::{AlertDescription, CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned};

    use super::{CertificateProblem, ClientCertificateProblem, Pem, TlsConfig, TlsError, TrustStore};
    use crate::Error;

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
        pub(crate) fn handshake(&self, mut tcp: TcpStream, timeout: Duration) -> Result<TlsStream, Error> {
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
            let stream = StreamOwned::new(connection, tcp);
            Ok(TlsStream { stream, server: self.server.clone() })
        }

        fn handshake_error(&self, e: io::Error) -> Error {
            let server = self.server.clone();
            let rustls_error = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
            match rustls_error {
                Some(rustls::Error::InvalidCertificate(certificate)) => Error::Tls(TlsError::CertificateRejected {
                    server,
                    problem: problem(certificate),
                    detail: certificate.to_string(),
                }),
                Some(other) => Error::Tls(
                    client_certificate_rejected(other, &server)
                        .unwrap_or_else(|| TlsError::Handshake { server, detail: other.to_string() }),
                ),
                None if e.kind() == ErrorKind::UnexpectedEof => {
                    Error::Tls(TlsError::Handshake { server, detail: "the server closed the connection".to_owned() })
                }
                None => Error::Io(e),
            }
        }
    }

    /// The alerts a server sends about the client's certificate: it has no other to complain
    /// about.
    fn client_certificate_rejected(e: &rustls::Error, server: &str) -> Option<TlsError> {
        use AlertDescription as A;
        match e {
            rustls::Error::AlertReceived(
                alert @ (A::CertificateRequired
                | A::BadCertificate
                | A::UnsupportedCertificate
                | A::CertificateRevoked
                | A::CertificateExpired
                | A::CertificateUnknown
                | A::UnknownCA
                | A::AccessDenied),
            ) => Some(TlsError::ClientCertificateRejected { server: server.to_owned(), alert: format!("{alert:?}") }),
            _ => None,
        }
    }

    /// rustls over a TCP connection, once the handshake is done. An error rustls reports
    /// later about the client certificate (TLS 1.3: the server's verdict comes after the
    /// handshake) becomes an I/O error of the same kind carrying a [`TlsError`].
    pub(crate) struct TlsStream {
        stream: StreamOwned<ClientConnection, TcpStream>,
        server: String,
    }

    impl TlsStream {
        pub(crate) fn tcp(&self) -> &TcpStream {
            &self.stream.sock
        }

        fn error(&self, e: io::Error) -> io::Error {
            let rejected = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .and_then(|rustls_error| client_certificate_rejected(rustls_error, &self.server));
            match rejected {
                Some(tls_error) => io::Error::new(e.kind(), tls_error),
                None => e,
            }
        }
    }

    impl Read for TlsStream {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.stream.read(buf).map_err(|e| self.error(e))
        }
    }

    impl Write for TlsStream {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.stream.write(buf).map_err(|e| self.error(e))
        }

        fn flush(&mut self) -> io::Result<()> {
            self.stream.flush().map_err(|e| self.error(e))
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
    /// versions, the trust the settings ask for and their client certificate.
    fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = &tls.client_config {
            return Ok(Arc::clone(config));
        }
        let invalid_config = |e: rustls::Error| Error::Tls(TlsError::InvalidConfig { reason: e.to_string() });
        let extra_roots = extra_roots(tls)?;
        let client_certificate = tls.client_certificate.as_ref().map(|c| load_client_certificate(&c.chain, &c.key));
        let client_certificate = client_certificate.transpose()?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(invalid_config)?;
        let builder = match tls.trust_store {
            TrustStore::Platform => {
                let verifier = platform_verifier(extra_roots, provider)?;
                builder.dangerous().with_custom_certificate_verifier(verifier)
            }
            TrustStore::WebPki | TrustStore::None => {
                let mut roots = RootCertStore::empty();
                if tls.trust_store == TrustStore::WebPki {
                    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                }
                // Each one was added to a store once already: they parse.
                roots.add_parsable_certificates(extra_roots);
                builder.with_root_certificates(roots)
            }
        };
        let config = match client_certificate {
            None => builder.with_no_client_auth(),
            Some(ClientCertificate { chain, key, chain_path, key_path }) => {
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    let (path, problem) = match e {
                        rustls::Error::InvalidCertificate(_) => (chain_path, ClientCertificateProblem::BadChain),
                        rustls::Error::InconsistentKeys(_) => (key_path, ClientCertificateProblem::KeyMismatch),
                        _ => (key_path, ClientCertificateProblem::UnsupportedKey),
                    };
                    Error::Tls(TlsError::InvalidClientCertificate { path, problem, reason: e.to_string() })
                })?
            }
        };
        Ok(Arc::new(config))
    }

    /// The operating system's verifier, with the extra roots on top.
    fn platform_verifier(
        extra_roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Arc<rustls_platform_verifier::Verifier>, Error> {
        let unusable = |e: rustls::Error| Error::Tls(TlsError::PlatformVerifier { reason: e.to_string() });
        #[cfg(not(target_os = "android"))]
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider);
        #[cfg(target_os = "android")]
        let verifier = if extra_roots.is_empty() {
            rustls_platform_verifier::Verifier::new(provider)
        } else {
            return Err(Error::Tls(TlsError::InvalidConfig {
                reason: "the Android platform verifier cannot add CA files or PEM roots: \
                         use TrustStore::WebPki or TrustStore::None with them"
                    .to_owned(),
            }));
        };
        verifier.map(Arc::new).map_err(unusable)
    }

    /// The certificates of every CA file and PEM root, each checked to be usable as a root.
    fn extra_roots(tls: &TlsConfig) -> Result<Vec<CertificateDer<'static>>, Error> {
        let mut all = Vec::new();
        for path in &tls.ca_files {
            let pem = read(path)?;
            let invalid = |reason: String| Error::Tls(TlsError::InvalidCaFile { path: path.clone(), reason });
            all.extend(roots_in(&pem).map_err(invalid)?);
        }
        for (index, pem) in tls.extra_roots_pem.iter().enumerate() {
            let invalid = |reason: String| Error::Tls(TlsError::InvalidRootPem { index, reason });
            all.extend(roots_in(pem).map_err(invalid)?);
        }
        Ok(all)
    }

    /// The certificates in `pem`, each usable as a trust anchor; at least one.
    fn roots_in(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
        let mut found = Vec::new();
        for certificate in CertificateDer::pem_slice_iter(pem) {
            let certificate = certificate.map_err(|e| e.to_string())?;
            RootCertStore::empty().add(certificate.clone()).map_err(|e| e.to_string())?;
            found.push(certificate);
        }
        if found.is_empty() {
            return Err("no CERTIFICATE block".to_owned());
        }
        Ok(found)
    }

    fn read(path: &Path) -> Result<Vec<u8>, Error> {
        std::fs::read(path).map_err(|e| {
            Error::Tls(TlsError::UnreadableFile { path: path.to_owned(), kind: e.kind(), reason: e.to_string() })
        })
    }

    fn pem_bytes(pem: &Pem) -> Result<std::borrow::Cow<'_, [u8]>, Error> {
        Ok(match pem {
            Pem::Bytes(bytes) => bytes.into(),
            Pem::File(path) => read(path)?.into(),
        })
    }

    struct ClientCertificate {
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        chain_path: Option<PathBuf>,
        key_path: Option<PathBuf>,
    }

    /// The chain and the key, parsed (their match is checked by rustls).
    fn load_client_certificate(chain: &Pem, key: &Pem) -> Result<ClientCertificate, Error> {
        let invalid = |pem: &Pem, problem, reason: String| {
            Error::Tls(TlsError::InvalidClientCertificate { path: pem.path().map(Path::to_owned), problem, reason })
        };
        let chain_pem = pem_bytes(chain)?;
        let certificates = CertificateDer::pem_slice_iter(&chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(chain, ClientCertificateProblem::BadChain, e.to_string()))?;
        if certificates.is_empty() {
            return Err(invalid(chain, ClientCertificateProblem::BadChain, "no CERTIFICATE block".to_owned()));
        }
        let key_pem = pem_bytes(key)?;
        let private_key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            let reason = match e {
                rustls::pki_types::pem::Error::NoItemsFound => {
                    "no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block (encrypted keys are not supported)"
                        .to_owned()
                }
                other => other.to_string(),
            };
            invalid(key, ClientCertificateProblem::BadKey, reason)
        })?;
        Ok(ClientCertificate {
            chain: certificates,
            key: private_key,
            chain_path: chain.path().map(Path::to_owned),
            key_path: key.path().map(Path::to_owned),
        })
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

        /// A client certificate (self-signed, P-256, valid for 100 years) and its key.
        const CLIENT_CERTIFICATE: &str = concat!(
            "-----BEGIN CERTIFICATE-----\n",
            "MIIBpjCCAU2gAwIBAgIULzSrUKKUPymT+nc1ww2G+cq4GtIwCgYIKoZIzj0EAwIw\n",
            "KDEmMCQGA1UEAwwdamFudXMtc2lnbmFsIHVuaXQgdGVzdCBjbGllbnQwIBcNMjYx\n",
            "MjA0MTczMTQ4WhgPMjEyNjExMTAxNzMxNDhaMCgxJjAkBgNVBAMMHWphbnVzLXNp\n",
            "Z25hbCB1bml0IHRlc3QgY2xpZW50MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n",
            "BUOsGf8tirCJ3Utne3iRilLLhfISOl4IjQwgDpvFzgWLSXGLbuWfcPLGFHD/xlC6\n",
            "WPkIM1e+q0uAsnKsH0a7yaNTMFEwHQYDVR0OBBYEFDuv0djgoXd6+5HWqAvXNoJ9\n",
            "3oY6MB8GA1UdIwQYMBaAFDuv0djgoXd6+5HWqAvXNoJ93oY6MA8GA1UdEwEB/wQF\n",
            "MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgBvj9+vyWrww6h4hl2RooxyFudZdH4J/E\n",
            "mtGR2T1LPR8CIBIOfjk/YYFYJ/Euiy8gbyBnELRG3w4txgVUdc/w+ywz\n",
            "-----END CERTIFICATE-----\n",
        );
        const CLIENT_KEY: &str = concat!(
            "-----BEGIN PRIVATE KEY-----\n",
            "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgIA5Nd1ig6wgNAqq+\n",
            "jkGmGnqIeRs/rPeYvZDPUt7KQX+hRANCAAQFQ6wZ/y2KsIndS2d7eJGKUsuF8hI6\n",
            "XgiNDCAOm8XOBYtJcYtu5Z9w8sYUcP/GULpY+QgzV76rS4CycqwfRrvJ\n",
            "-----END PRIVATE KEY-----\n",
        );
        /// Another P-256 key (not the certificate's).
        const OTHER_KEY: &str = concat!(
            "-----BEGIN PRIVATE KEY-----\n",
            "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjxHCNfRlCyZ+03Zn\n",
            "c0VR7MYQHMh8XrRT11TwKqVv492hRANCAARLMLnDCENcCOyQporqb4f0u4EdxI10\n",
            "lheQGCEt0JdjTIIeCXxxiVIRm+yYhhm+dDQaQz0Mj5Rd+meqjJkYGnYE\n",
            "-----END PRIVATE KEY-----\n",
        );
        /// An Ed448 key: ring cannot sign with it.
        const ED448_KEY: &str = concat!(
            "-----BEGIN PRIVATE KEY-----\n",
            "MEcCAQAwBQYDK2VxBDsEOUNn2dVQQ0DPxf+efdIFIrgh8I4LIyjOlwpMJIYbRzm0\n",
            "aHI7SWGKA5b1gnSclc2w1OaN14f0giAXpA==\n",
            "-----END PRIVATE KEY-----\n",
        );

        fn tls_error(tls: &TlsConfig) -> Option<TlsError> {
            match client_config(tls) {
                Ok(_) => None,
                Err(Error::Tls(e)) => Some(e),
                Err(other) => panic!("{other}"),
            }
        }

        /// A file in a fresh directory of this test process, removed on drop.
        struct TempDir(PathBuf);

        impl TempDir {
            fn new(name: &str) -> Self {
                let dir = std::env::temp_dir().join(format!("janus-signal-tls-{name}-{}", std::process::id()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                Self(dir)
            }

            fn file(&self, name: &str, contents: &str) -> PathBuf {
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

        const BROKEN_PEMS: [&str; 5] = [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ];

        #[test]
        fn root_pems() {
            let error_index = |tls: &TlsConfig| match tls_error(tls) {
                Some(TlsError::InvalidRootPem { index, .. }) => Some(index),
                None => None,
                Some(other) => panic!("{other}"),
            };
            assert_eq!(error_index(&TlsConfig::default()), None);
            for store in [TrustStore::Platform, TrustStore::WebPki, TrustStore::None] {
                let tls = TlsConfig::default().with_root_pem(CERTIFICATE).with_trust_store(store);
                assert_eq!(error_index(&tls), None, "{store:?}");
            }
            #[allow(deprecated)]
            let only_pem = TlsConfig::default().with_root_pem(CERTIFICATE).without_webpki_roots();
            assert_eq!(only_pem.trust_store, TrustStore::None);
            assert_eq!(error_index(&only_pem), None);
            let two = format!("{CERTIFICATE}{CERTIFICATE}");
            assert_eq!(error_index(&TlsConfig::default().with_root_pem(two)), None);
            for broken in BROKEN_PEMS {
                let tls = TlsConfig::default().with_root_pem(CERTIFICATE).with_root_pem(broken);
                assert_eq!(error_index(&tls), Some(1), "{broken:?}");
            }
        }

        #[test]
        fn ca_files() {
            let dir = TempDir::new("ca-files");
            let good = dir.file("ca.pem", CERTIFICATE);
            for store in [TrustStore::Platform, TrustStore::WebPki, TrustStore::None] {
                assert_eq!(tls_error(&TlsConfig::default().with_trust_store(store).with_ca_file(&good)), None);
            }
            let missing = dir.0.join("missing.pem");
            match tls_error(&TlsConfig::default().with_ca_file(&good).with_ca_file(&missing)) {
                Some(TlsError::UnreadableFile { path, kind, reason }) => {
                    assert_eq!((path, kind), (missing, ErrorKind::NotFound), "{reason}");
                }
                other => panic!("{other:?}"),
            }
            for (i, broken) in BROKEN_PEMS.into_iter().enumerate() {
                let path = dir.file(&format!("broken-{i}.pem"), broken);
                match tls_error(&TlsConfig::default().with_ca_file(&path)) {
                    Some(TlsError::InvalidCaFile { path: p, reason }) => assert!(p == path && !reason.is_empty()),
                    other => panic!("{broken:?}: {other:?}"),
                }
            }
        }

        #[test]
        fn client_certificates() {
            let problem = |tls: TlsConfig| match tls_error(&tls) {
                Some(TlsError::InvalidClientCertificate { path, problem, reason }) => {
                    assert!(!reason.is_empty());
                    Some((problem, path))
                }
                None => None,
                Some(other) => panic!("{other}"),
            };
            let with = |chain: &str, key: &str| TlsConfig::default().with_client_certificate(chain, key);
            assert_eq!(problem(with(CLIENT_CERTIFICATE, CLIENT_KEY)), None);
            // The chain and the key in one file, as some tools write them.
            assert_eq!(problem(with(&format!("{CLIENT_KEY}{CLIENT_CERTIFICATE}"), CLIENT_KEY)), None);
            use ClientCertificateProblem as P;
            assert_eq!(problem(with(CLIENT_CERTIFICATE, OTHER_KEY)), Some((P::KeyMismatch, None)));
            assert_eq!(problem(with(CLIENT_CERTIFICATE, ED448_KEY)), Some((P::UnsupportedKey, None)));
            assert_eq!(problem(with(CLIENT_CERTIFICATE, BROKEN_PEMS[4])), Some((P::UnsupportedKey, None)));
            assert_eq!(problem(with(CLIENT_KEY, CLIENT_KEY)), Some((P::BadChain, None)));
            assert_eq!(problem(with(BROKEN_PEMS[2], CLIENT_KEY)), Some((P::BadChain, None)));
            assert_eq!(problem(with(BROKEN_PEMS[3], CLIENT_KEY)), Some((P::BadChain, None)));
            assert_eq!(problem(with(CLIENT_CERTIFICATE, CLIENT_CERTIFICATE)), Some((P::BadKey, None)));
            assert_eq!(problem(with(CLIENT_CERTIFICATE, "")), Some((P::BadKey, None)));
            let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
            assert_eq!(problem(with(CLIENT_CERTIFICATE, encrypted)), Some((P::BadKey, None)));

            // From files: the error names the file at fault.
            let dir = TempDir::new("client-certificates");
            let chain = dir.file("client.pem", CLIENT_CERTIFICATE);
            let key = dir.file("client-key.pem", CLIENT_KEY);
            let other_key = dir.file("other-key.pem", OTHER_KEY);
            let files = |chain: &PathBuf, key: &PathBuf| TlsConfig::default().with_client_certificate_files(chain, key);
            assert_eq!(problem(files(&chain, &key)), None);
            assert_eq!(problem(files(&chain, &other_key)), Some((P::KeyMismatch, Some(other_key.clone()))));
            assert_eq!(problem(files(&key, &key)), Some((P::BadChain, Some(key.clone()))));
            assert_eq!(problem(files(&chain, &chain)), Some((P::BadKey, Some(chain.clone()))));
            let missing = dir.0.join("missing.pem");
            for tls in [files(&missing, &key), files(&chain, &missing)] {
                match tls_error(&tls) {
                    Some(TlsError::UnreadableFile { path, kind, .. }) => {
                        assert_eq!((path, kind), (missing.clone(), ErrorKind::NotFound));
                    }
                    other => panic!("{other:?}"),
                }
            }
            // The key never shows in the configuration's Debug.
            let debug = format!("{:?}", with(CLIENT_CERTIFICATE, CLIENT_KEY));
            assert!(!debug.contains("MIGHAgEA"), "{debug}");
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

        #[test]
        fn client_certificate_alerts() {
            let rejected = |alert| client_certificate_rejected(&rustls::Error::AlertReceived(alert), "h:1");
            assert_eq!(
                rejected(AlertDescription::CertificateRequired),
                Some(TlsError::ClientCertificateRejected {
                    server: "h:1".to_owned(),
                    alert: "CertificateRequired".to_owned()
                })
            );
            assert!(rejected(AlertDescription::UnknownCA).is_some());
            assert_eq!(rejected(AlertDescription::HandshakeFailure), None);
            assert_eq!(rejected(AlertDescription::ProtocolVersion), None);
            // An I/O error carrying one is seen through `Error::tls_error`.
            let tls = rejected(AlertDescription::BadCertificate).expect("rejected");
            let error = Error::Io(io::Error::new(ErrorKind::InvalidData, tls.clone()));
            assert_eq!(error.tls_error(), Some(&tls));
            assert_eq!(Error::Tls(tls.clone()).tls_error(), Some(&tls));
            assert_eq!(Error::Io(ErrorKind::InvalidData.into()).tls_error(), None);
        }
    }
}
