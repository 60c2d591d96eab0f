//! The one driver (`janus_signal::driver::Driver`) over a link whose traffic the input
//! scripts: calls, idle rounds and lost transports, with answers, raw bodies, long-poll
//! statuses and link errors in any order.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_signal::fuzzing::driver(data));
