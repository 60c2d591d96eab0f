//! Transaction ids: a caller-seeded generator and the fixed-size id it produces.

use core::fmt;

use crate::ids::Transaction;
use crate::json::JsonStr;

/// Length of generated transaction ids (janus.js also uses 12 characters).
pub const TRANSACTION_ID_LEN: usize = 12;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The transaction of a request sent by a [`Client`](super::Client): 12 alphanumeric
/// characters, stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RequestId([u8; TRANSACTION_ID_LEN]);

impl RequestId {
    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Always ASCII from ALPHABET; the fallback is never taken.
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The id as a [`Transaction`] for encoding.
    pub(crate) fn transaction(&self) -> Transaction<'_> {
        // Twelve alphanumerics always make a valid transaction.
        Transaction::from_trusted(self.as_str())
    }

    /// Whether a received transaction is this one.
    pub(crate) fn matches(&self, received: &JsonStr<'_>) -> bool {
        received.as_plain().is_some_and(|t| t.as_bytes() == self.0)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({})", self.as_str())
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A deterministic generator of transaction ids (xorshift64*), seeded by the caller with
/// whatever randomness the platform has. The same seed gives the same ids, which keeps tests
/// reproducible; ids only need to be unique among one client's pending requests.
#[derive(Debug, Clone)]
pub struct TransactionIds {
    state: u64,
}

impl TransactionIds {
    /// A generator from `seed` (any value; zero is replaced by a fixed odd constant).
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self { state: if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed } }
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A seed for another generator (the clients of [`Sessions`](super::Sessions)).
    pub(crate) fn next_seed(&mut self) -> u64 {
        self.next_u64()
    }

    /// The next id.
    pub fn next_id(&mut self) -> RequestId {
        let mut id = [b'A'; TRANSACTION_ID_LEN];
        let mut bits = self.next_u64();
        for (i, slot) in id.iter_mut().enumerate() {
            if i == 6 {
                bits = self.next_u64();
            }
            let (rest, index) = crate::num::div_rem_small(bits, 62);
            *slot = ALPHABET.get(usize::from(index)).copied().unwrap_or(b'A');
            bits = rest;
        }
        RequestId(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_alphanumeric_and_distinct() {
        let mut a = TransactionIds::new(42);
        let mut b = TransactionIds::new(42);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..if cfg!(miri) { 500 } else { 10_000 } {
            let id = a.next_id();
            assert_eq!(id, b.next_id());
            assert_eq!(id.as_str().len(), 12);
            assert!(id.as_str().bytes().all(|c| c.is_ascii_alphanumeric()));
            assert!(seen.insert(id));
            assert_eq!(id.transaction().as_str(), id.as_str());
        }
        assert_ne!(TransactionIds::new(1).next_id(), TransactionIds::new(2).next_id());
    }
}
