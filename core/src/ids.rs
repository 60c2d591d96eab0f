//! Identifiers: sessions, handles and transactions.

use core::fmt;

/// A Janus session id. Janus generates 53-bit ids; a client-chosen id in `create` may be up to
/// 2^63 − 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SessionId(pub u64);

/// A Janus handle id (the `sender` of handle events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct HandleId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for HandleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The transaction string of a request, which Janus echoes in its reply.
///
/// Every request type takes one, so a request without a transaction cannot be built.
///
/// ```
/// use janus_signal::Transaction;
///
/// assert!(Transaction::new("Xa81bq0PmR2c").is_ok());
/// assert!(Transaction::new("").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transaction<'a>(&'a str);

/// Longest transaction accepted by [`Transaction::new`]. Janus itself has no limit; this one
/// keeps correlation tables of fixed-size strings possible.
pub const MAX_TRANSACTION_LEN: usize = 64;

/// A transaction string that is empty, longer than [`MAX_TRANSACTION_LEN`] bytes, or contains
/// characters that need escaping in JSON (quotes, backslashes, control characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct InvalidTransaction;

impl fmt::Display for InvalidTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a transaction must be 1 to {MAX_TRANSACTION_LEN} bytes without quotes, backslashes or control characters"
        )
    }
}

impl core::error::Error for InvalidTransaction {}

impl<'a> Transaction<'a> {
    /// Checks and wraps a transaction string.
    ///
    /// Transactions are restricted to text that JSON carries unescaped, so that the echo in a
    /// reply can be compared byte for byte.
    ///
    /// # Errors
    ///
    /// [`InvalidTransaction`] when the string is empty, too long, or needs escaping.
    pub fn new(text: &'a str) -> Result<Self, InvalidTransaction> {
        let plain = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
        if text.is_empty() || text.len() > MAX_TRANSACTION_LEN || !plain {
            return Err(InvalidTransaction);
        }
        Ok(Self(text))
    }

    /// Wraps text known to satisfy [`Transaction::new`]'s rule (generated ids).
    pub(crate) const fn from_trusted(text: &'a str) -> Self {
        Self(text)
    }

    /// The transaction text.
    #[must_use]
    pub const fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Display for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
