//! The HTTP response reader fed arbitrary bytes in pieces of a fuzzer-chosen size.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut buf = [0u8; 8192];
    janus_signal::fuzzing::http_response(data, &mut buf);
});
