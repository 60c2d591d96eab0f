//! What every end-to-end client shares: the command line
//! (`--transport ws|http --url URL --cycles N [--warmup W]`), the clock and CPU time around the
//! measured cycles, and the one JSON line of the result.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The system allocator, counting allocations (and reallocations) so that the result line can
/// say how many a cycle makes.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is only a
// relaxed atomic increment.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap allocations (and reallocations) made by this process so far.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// The Janus transport a client talks over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `ws://host:port`, subprotocol `janus-protocol`.
    Ws,
    /// `http://host:port/janus`, events by long poll.
    Http,
}

impl Transport {
    /// The name on the command line and in the result line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ws => "ws",
            Self::Http => "http",
        }
    }
}

/// The command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// `--transport`.
    pub transport: Transport,
    /// `--url`.
    pub url: String,
    /// `--cycles`: measured cycles.
    pub cycles: u64,
    /// `--warmup`: cycles run before the measurement starts (default 0).
    pub warmup: u64,
}

const USAGE: &str = "usage: CLIENT --transport ws|http --url URL --cycles N [--warmup W]";

/// Parses the command line, or exits with the usage.
pub fn args() -> Args {
    match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            std::process::exit(2);
        }
    }
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut transport, mut url, mut cycles, mut warmup) = (None, None, None, 0);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|_| format!("{flag}: not a number: {value}"));
        match flag.as_str() {
            "--transport" => {
                transport = Some(match value.as_str() {
                    "ws" => Transport::Ws,
                    "http" => Transport::Http,
                    _ => return Err(format!("unknown transport {value}")),
                })
            }
            "--url" => url = Some(value),
            "--cycles" => cycles = Some(number()?),
            "--warmup" => warmup = number()?,
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    let transport = transport.ok_or("--transport is required")?;
    let url = url.ok_or("--url is required")?;
    let scheme_ok = match transport {
        Transport::Ws => url.starts_with("ws://"),
        Transport::Http => url.starts_with("http://"),
    };
    if !scheme_ok {
        return Err(format!("--url {url} does not match --transport {}", transport.name()));
    }
    Ok(Args { transport, url, cycles: cycles.ok_or("--cycles is required")?, warmup })
}

/// User and system CPU time of this process so far, in seconds (`getrusage(RUSAGE_SELF)`).
pub fn cpu_seconds() -> (f64, f64) {
    // SAFETY: `rusage` is plain old data, so all-zero is a valid value, and getrusage only
    // writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to an rusage owned by this frame.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

/// Runs `args.warmup` cycles, then measures `args.cycles` of them (wall clock and CPU time)
/// and prints the result line. The first failing cycle ends the run with its error.
pub fn measure<E: Display>(client: &str, args: &Args, mut cycle: impl FnMut() -> Result<(), E>) -> Result<(), String> {
    for i in 0..args.warmup {
        cycle().map_err(|e| format!("warm-up cycle {i}: {e}"))?;
    }
    let (user0, sys0) = cpu_seconds();
    let allocations0 = allocations();
    let start = Instant::now();
    for i in 0..args.cycles {
        cycle().map_err(|e| format!("cycle {i}: {e}"))?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_seconds();
    let allocations = allocations() - allocations0;
    println!(
        r#"{{"client":"{client}","transport":"{}","cycles":{},"seconds":{seconds:.6},"cpu_user_s":{:.6},"cpu_sys_s":{:.6},"allocations":{allocations}}}"#,
        args.transport.name(),
        args.cycles,
        user1 - user0,
        sys1 - sys0
    );
    Ok(())
}

/// `main` of a client: runs it and exits non-zero with the error on stderr.
pub fn exit_on_error(client: &str, result: Result<(), String>) {
    if let Err(e) = result {
        eprintln!("{client}: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Args, String> {
        parse(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn command_lines() {
        let a = parse_str("--transport http --url http://127.0.0.1:8088/janus --cycles 5 --warmup 2").unwrap();
        assert_eq!((a.transport, a.cycles, a.warmup), (Transport::Http, 5, 2));
        let a = parse_str("--cycles 1 --url ws://h:1 --transport ws").unwrap();
        assert_eq!((a.transport, a.url.as_str(), a.warmup), (Transport::Ws, "ws://h:1", 0));
        assert!(parse_str("--transport ws --url http://h/janus --cycles 1").is_err());
        assert!(parse_str("--transport tcp --url ws://h --cycles 1").is_err());
        assert!(parse_str("--transport ws --url ws://h").is_err());
        assert!(parse_str("--transport ws --url ws://h --cycles x").is_err());
        assert!(parse_str("--transport ws --url ws://h --cycles").is_err());
    }

    #[test]
    fn cpu_time_moves_forward() {
        let (u0, s0) = cpu_seconds();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        let (u1, s1) = cpu_seconds();
        assert!(u1 + s1 > u0 + s0, "{x}");
    }
}
