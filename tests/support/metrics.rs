//! Measurements of the soak test that allocate nothing while it runs: a fixed-size latency
//! histogram and the process's resident set size.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

/// 10 µs buckets up to 10 ms, then 1 ms buckets up to 10 s, then one overflow bucket.
const FINE: usize = 1000;
const COARSE: usize = 9990;
const BUCKETS: usize = FINE + COARSE + 1;

/// Request latencies, in a histogram allocated once (so that recording does not grow the heap
/// that the RSS check watches).
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max: Duration,
}

impl Default for Histogram {
    fn default() -> Self {
        Self { buckets: vec![0; BUCKETS], count: 0, max: Duration::ZERO }
    }
}

impl Histogram {
    /// Records one latency.
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let index = if micros < 10_000 {
            (micros / 10) as usize
        } else {
            (FINE + (micros / 1000) as usize - 10).min(BUCKETS - 1)
        };
        self.buckets[index] += 1;
        self.count += 1;
        self.max = self.max.max(latency);
    }

    /// Adds `other`'s samples.
    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            *mine += theirs;
        }
        self.count += other.count;
        self.max = self.max.max(other.max);
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The largest sample.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The upper bound of the bucket holding quantile `q` (0..=1).
    pub fn quantile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((self.count as f64 * q).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (index, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return if index < FINE {
                    Duration::from_micros((index as u64 + 1) * 10)
                } else if index < BUCKETS - 1 {
                    Duration::from_millis((index - FINE) as u64 + 11)
                } else {
                    self.max
                };
            }
        }
        self.max
    }
}

/// `VmRSS` of this process from `/proc/self/status`, in KiB (`None` off Linux).
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_histogram() {
        let mut h = Histogram::default();
        for micros in 1..=100u64 {
            h.record(Duration::from_micros(micros * 100));
        }
        h.record(Duration::from_millis(50));
        assert_eq!(h.count(), 101);
        assert_eq!(h.quantile(0.5), Duration::from_micros(5110));
        assert_eq!(h.quantile(1.0), Duration::from_millis(51));
        assert!(rss_kib().is_some_and(|kib| kib > 0));
    }
}
