//! The WebSocket frame reader fed arbitrary bytes in pieces of a fuzzer-chosen size and whole.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut buf = [0u8; 8192];
    janus_signal::fuzzing::ws_frames(data, &mut buf);
});
