//! A cursor that writes bytes into the caller's buffer, shared by every encoder of the crate
//! (the JSON writer, the request encoder, the HTTP request head). It knows nothing of what the
//! bytes mean.
//!
//! It never panics and never fails half-way: past the end of the buffer it keeps counting
//! instead of writing, so that [`ByteWriter::finish`] reports the exact size a too-small
//! buffer needed.

use core::fmt;

use crate::error::EncodeError;

/// Appends to a byte buffer; past the end it keeps counting instead of writing, so that the
/// caller learns the exact size needed.
#[derive(Debug)]
pub(crate) struct ByteWriter<'b> {
    buf: &'b mut [u8],
    /// Bytes written so far, or that would have been: may exceed `buf.len()`.
    len: usize,
}

impl<'b> ByteWriter<'b> {
    /// A writer at the start of `buf`.
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Appends `bytes`.
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    /// Appends one byte.
    pub(crate) fn byte(&mut self, b: u8) {
        self.bytes(&[b]);
    }

    /// Bytes written so far (or that would have been).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Finishes: the number of bytes written, or [`EncodeError::BufferTooSmall`] with how many
    /// would have been needed.
    pub(crate) fn finish(self) -> Result<usize, EncodeError> {
        if self.len > self.buf.len() {
            Err(EncodeError::BufferTooSmall { needed: self.len, available: self.buf.len() })
        } else {
            Ok(self.len)
        }
    }

    /// Appends `n` in decimal ASCII digits.
    pub(crate) fn u64(&mut self, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at = at.saturating_sub(1);
            // Without `u64` division, which small targets do in software.
            let (rest, digit) = crate::num::div_rem_small(n, 10);
            if let Some(d) = digits.get_mut(at) {
                // `digit` is below 10, so the cast cannot truncate.
                *d = b'0'.wrapping_add(digit as u8);
            }
            n = rest;
            if n == 0 || at == 0 {
                break;
            }
        }
        self.bytes(digits.get(at..).unwrap_or_default());
    }

    /// Appends `n` in decimal ASCII digits, after a `-` if it is negative.
    pub(crate) fn i64(&mut self, n: i64) {
        if n < 0 {
            self.byte(b'-');
        }
        self.u64(n.unsigned_abs());
    }

    /// The whole buffer and the count of bytes written, for encoders that store several
    /// bytes at once ahead of the count: they may write anywhere in the buffer at or after
    /// the count (what lies there is not yet output), must skip stores that do not fit (see
    /// [`put`]), and must add to the count every byte they output, stored or not.
    pub(crate) fn parts_mut(&mut self) -> (&mut [u8], &mut usize) {
        (self.buf, &mut self.len)
    }
}

impl fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

/// Copies `bytes` to `buf` at `at` if they fit (a writer past its buffer only counts).
#[inline]
pub(crate) fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = buf.get_mut(at..at.saturating_add(bytes.len())) {
        dst.copy_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use core::fmt::Write as _;

    use super::*;

    fn written(f: impl FnOnce(&mut ByteWriter<'_>)) -> std::vec::Vec<u8> {
        let mut buf = [0u8; 64];
        let mut w = ByteWriter::new(&mut buf);
        f(&mut w);
        let n = w.finish().unwrap();
        buf[..n].to_vec()
    }

    #[test]
    fn writes_bytes_and_decimal_numbers() {
        assert_eq!(written(|w| w.u64(0)), b"0");
        assert_eq!(written(|w| w.u64(u64::MAX)), b"18446744073709551615");
        assert_eq!(written(|w| w.i64(i64::MIN)), b"-9223372036854775808");
        assert_eq!(written(|w| w.i64(-7)), b"-7");
        let text = written(|w| {
            w.bytes(b"GET /");
            w.byte(b'x');
            let _ = write!(w, "?{}", 12);
        });
        assert_eq!(text, b"GET /x?12");
    }

    #[test]
    fn counts_past_the_end_and_writes_nothing_there() {
        let mut buf = [0xAAu8; 8];
        let mut w = ByteWriter::new(&mut buf[..4]);
        w.bytes(b"abc");
        w.bytes(b"def");
        w.u64(12345);
        assert_eq!(w.len(), 11);
        assert_eq!(w.finish(), Err(EncodeError::BufferTooSmall { needed: 11, available: 4 }));
        assert_eq!(&buf[..4], b"abc\xAA");
        assert!(buf[4..].iter().all(|&b| b == 0xAA));
        assert_eq!(ByteWriter::new(&mut []).finish(), Ok(0));
    }
}
