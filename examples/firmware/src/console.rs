//! Progress lines over semihosting, written without `core::fmt` (which would cost about 4 KB
//! of flash): text and decimal numbers only.

use cortex_m_semihosting::hio::{self, HostStream};

/// The host's stdout (QEMU's), opened once; a copy writes to the same stream.
#[derive(Clone, Copy)]
pub struct Console {
    stdout: Option<HostStream>,
}

impl Console {
    /// Opens the host's stdout; lines are dropped if the host has none.
    pub fn open() -> Self {
        Self { stdout: hio::hstdout().ok() }
    }

    /// Writes text.
    pub fn text(self, text: &str) -> Self {
        self.bytes(text.as_bytes())
    }

    /// Writes bytes (ASCII).
    fn bytes(self, bytes: &[u8]) -> Self {
        if let Some(mut stdout) = self.stdout {
            // Nothing useful can be done when the host refuses output.
            let _ = stdout.write_all(bytes);
        }
        self
    }

    /// Writes a number in decimal (without `u64` division, which would pull in about 1 KB of
    /// software division routines, and without panicking index operations).
    pub fn number(self, number: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        let mut rest = number;
        for slot in digits.iter_mut().rev() {
            let (quotient, digit) = div10(rest);
            *slot = b'0' + digit;
            start -= 1;
            rest = quotient;
            if rest == 0 {
                break;
            }
        }
        self.bytes(digits.get(start..).unwrap_or_default())
    }

    /// Ends the line.
    pub fn end(self) {
        self.text("\n");
    }

    /// A whole line: `[<ms> ms] <what> <number>`.
    pub fn report(self, now_ms: u64, what: &str, number: u64) {
        self.text("[").number(now_ms).text(" ms] ").text(what).text(" ").number(number).end();
    }
}

/// `(n / 10, n % 10)` with 32-bit divisions only (16 bits at a time).
fn div10(n: u64) -> (u64, u8) {
    let mut quotient = 0u64;
    let mut rem = 0u32;
    for shift in [48, 32, 16, 0] {
        let cur = (rem << 16) | ((n >> shift) & 0xFFFF) as u32;
        quotient = (quotient << 16) | u64::from(cur / 10);
        rem = cur % 10;
    }
    (quotient, rem as u8)
}
