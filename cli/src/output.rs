//! Where text goes: results to stdout, errors, notes and progress to stderr.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::CliError;

/// How long a wait goes unannounced.
const PROGRESS_AFTER: Duration = Duration::from_secs(1);

/// The output settings of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    /// `--json`.
    pub(crate) json: bool,
    /// `--quiet`.
    quiet: bool,
    /// Progress lines are shown (stderr is a terminal and not `--quiet`).
    progress: bool,
}

impl Output {
    /// The settings of `--json` and `--quiet`; progress only on a terminal.
    pub(crate) fn new(json: bool, quiet: bool) -> Self {
        Self { json, quiet, progress: !quiet && std::io::stderr().is_terminal() }
    }

    /// A line of the result.
    pub(crate) fn line(&self, text: impl AsRef<str>) {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout (`| head`) is not worth a panic.
        let _ = writeln!(stdout, "{}", text.as_ref());
        let _ = stdout.flush();
    }

    /// The result as one line of JSON.
    pub(crate) fn json_line(&self, value: &Value) {
        self.line(value.to_string());
    }

    /// An informational line on stderr (not with `--quiet`).
    pub(crate) fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", text.as_ref());
        }
    }

    /// Reports a failure: readable on stderr, and as an object on stdout with `--json`.
    pub(crate) fn error(&self, error: &CliError) {
        eprintln!("janus-signal: {}", error.report());
        if self.json {
            self.json_line(&error.to_json());
        }
    }

    /// Whether progress lines are shown.
    pub(crate) fn shows_progress(&self) -> bool {
        self.progress
    }

    /// Announces "`what`… (N s)" on stderr once a wait has lasted a second, until the returned
    /// guard is dropped (only when progress is shown).
    pub(crate) fn waiting(&self, what: &str) -> Waiting {
        if !self.progress {
            return Waiting { done: Arc::new(AtomicBool::new(true)), ticker: None };
        }
        let done = Arc::new(AtomicBool::new(false));
        let what = what.to_owned();
        let flag = Arc::clone(&done);
        let ticker = std::thread::spawn(move || {
            let start = Instant::now();
            let mut shown = 0;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let elapsed = start.elapsed();
                if elapsed >= PROGRESS_AFTER && elapsed.as_secs() > shown {
                    shown = elapsed.as_secs();
                    progress_line(&format!("{what}… ({shown} s)"));
                }
            }
            if shown > 0 {
                clear_progress_line();
            }
        });
        Waiting { done, ticker: Some(ticker) }
    }
}

/// Writes `text` over the current stderr line (a terminal).
pub(crate) fn progress_line(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "\r\x1b[K{text}");
    let _ = stderr.flush();
}

/// Clears the progress line.
pub(crate) fn clear_progress_line() {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "\r\x1b[K");
    let _ = stderr.flush();
}

/// A wait being announced; dropping it ends the announcement.
#[derive(Debug)]
pub(crate) struct Waiting {
    done: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

/// Milliseconds with two decimals, for timings.
pub(crate) fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 100_000.0).round() / 100.0
}
