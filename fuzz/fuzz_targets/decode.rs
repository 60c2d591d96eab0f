//! Every decode entry point (one message, long-poll batches, the JSON scanner, the plugin helpers) on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| janus_signal::fuzzing::decode(data));
