//! Allocations per message: decodes every Janus body of the capture corpus once with each
//! library (janus-signal, serde_json into borrowed typed structs, jarust 1.10's `JaResponse`)
//! under a counting global allocator, then encodes the `message` with the 3 KB offer once
//! with each. `cargo run --release --manifest-path bench/peers/Cargo.toml --bin allocs`.
//! Exits non-zero if janus-signal allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use janus_signal::message::Batch;
use janus_signal::request::{PluginMessage, Request, SdpType, SessionDescription};
use janus_signal::{HandleId, SessionId, Transaction};
use janus_signal_bench::{EchoBody, SerdeJsepOut, SerdeRequest};
use janus_signal_bench_peers::{
    HANDLE_ID, OFFER, SESSION_ID, TRANSACTION, corpus, encode_jarust, jarust_message_with_offer, read_jarust,
    read_ours, read_serde,
};

/// The system allocator, counting allocations (`alloc`, `alloc_zeroed`, `realloc`) and the
/// bytes they ask for.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size(), Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size(), Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size, Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations and bytes allocated while `f` runs.
fn count<R>(f: impl FnOnce() -> R) -> (usize, usize, R) {
    let (a, b) = (ALLOCATIONS.load(Relaxed), BYTES.load(Relaxed));
    let r = black_box(f());
    (ALLOCATIONS.load(Relaxed) - a, BYTES.load(Relaxed) - b, r)
}

fn main() -> ExitCode {
    let corpus = corpus();
    let messages: usize = corpus.iter().map(|(_, body)| Batch::decode(body).expect("valid").count()).sum();
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let mut sdp_buf = vec![0u8; 65536];

    let (ours, ours_bytes, _) =
        count(|| corpus.iter().map(|(_, body)| read_ours(black_box(body), &mut sdp_buf)).sum::<usize>());
    let (serde, serde_bytes, _) = count(|| corpus.iter().map(|(_, body)| read_serde(black_box(body))).sum::<usize>());
    let (jarust, jarust_bytes, rejected) =
        count(|| corpus.iter().filter(|(_, body)| read_jarust(black_box(body)).is_err()).count());

    println!("corpus: {} bodies, {messages} Janus messages, {bytes} bytes", corpus.len());
    println!("decode, allocations per message (bytes allocated per message), whole corpus:");
    let per = |a: usize| a as f64 / messages as f64;
    println!("  janus-signal      {:8.2} ({:8.1} B)", per(ours), per(ours_bytes));
    println!("  serde_json-typed  {:8.2} ({:8.1} B)", per(serde), per(serde_bytes));
    println!(
        "  jarust            {:8.2} ({:8.1} B)   ({rejected} bodies rejected by JaResponse)",
        per(jarust),
        per(jarust_bytes)
    );

    println!("decode, allocations per message by kind (janus-signal / serde_json-typed / jarust):");
    let mut kinds: Vec<&str> = corpus.iter().map(|(k, _)| k.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let subset: Vec<&[u8]> = corpus.iter().filter(|(k, _)| k == kind).map(|(_, b)| b.as_slice()).collect();
        let n: usize = subset.iter().map(|body| Batch::decode(body).expect("valid").count()).sum();
        let (o, _, _) = count(|| subset.iter().map(|body| read_ours(body, &mut sdp_buf)).sum::<usize>());
        let (s, _, _) = count(|| subset.iter().map(|body| read_serde(body)).sum::<usize>());
        let (j, _, rej) = count(|| subset.iter().filter(|body| read_jarust(body).is_err()).count());
        let per = |a: usize| a as f64 / n as f64;
        println!(
            "  {kind:<12} {:3} bodies {:3} messages: {:6.2} / {:6.2} / {:6.2}{}",
            subset.len(),
            n,
            per(o),
            per(s),
            per(j),
            if rej > 0 { format!("   ({rej} rejected by jarust)") } else { String::new() }
        );
    }

    // Encode: the request values are built beforehand, as in the benchmarks.
    let body = EchoBody { audio: true, video: true };
    let tx = Transaction::new(TRANSACTION).expect("valid");
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let request = PluginMessage::new(tx, SessionId(SESSION_ID), HandleId(HANDLE_ID), &body).with_jsep(&offer);
    let mut out = vec![0u8; 8192];
    let (ours_enc, _, _) = count(|| request.encode(&mut out).expect("fits"));
    let theirs = SerdeRequest {
        janus: "message",
        transaction: TRANSACTION,
        session_id: SESSION_ID,
        handle_id: HANDLE_ID,
        body: &body,
        jsep: SerdeJsepOut { kind: "offer", sdp: OFFER },
    };
    let mut vec = Vec::with_capacity(8192);
    let (serde_enc, _, _) = count(|| serde_json::to_writer(&mut vec, &theirs).expect("encodes"));
    let jarust_request = jarust_message_with_offer();
    let (jarust_enc, jarust_enc_bytes, _) = count(|| encode_jarust(&jarust_request, TRANSACTION));
    println!("encode message + 3 KB offer, allocations per request:");
    println!("  janus-signal      {ours_enc}");
    println!("  serde_json-typed  {serde_enc}   (into a reused Vec)");
    println!("  jarust            {jarust_enc}   ({jarust_enc_bytes} bytes)");

    if ours + ours_enc > 0 {
        eprintln!("janus-signal allocated");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
