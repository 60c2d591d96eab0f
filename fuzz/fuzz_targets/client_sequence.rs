//! The session state machine driven by arbitrary sequences of commands, replies, raw bodies,
//! time jumps, timer firings and transport losses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_signal::fuzzing::client_sequence(data));
