//! Prints every `janus` kind the decoder models ([`Message::KINDS`]) as a libFuzzer dictionary
//! entry. `fuzz/smoke` appends them to the keys of `fuzz/janus.dict`, so that a kind added to
//! the decoder's table reaches the fuzzers without a second list to keep in step.
//!
//! `cargo run -q -p janus-signal --example fuzz_dictionary`

use janus_signal::message::Message;

fn main() {
    for kind in Message::KINDS {
        // A JSON string as it appears on the wire, quoted for the dictionary: "\"kind\"".
        println!(r#""\"{kind}\"""#);
    }
}
