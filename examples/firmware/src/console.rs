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
        if let Some(mut stdout) = self.stdout {
            // Nothing useful can be done when the host refuses output.
            let _ = stdout.write_all(text.as_bytes());
        }
        self
    }

    /// Writes a number in decimal.
    pub fn number(self, mut number: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (number % 10) as u8;
            number /= 10;
            if number == 0 {
                break;
            }
        }
        let text = core::str::from_utf8(&digits[start..]).unwrap_or("?");
        self.text(text)
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
