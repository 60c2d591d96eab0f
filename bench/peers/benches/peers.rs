//! Decode and encode over the real capture corpus, in one run: janus-signal, serde_json into
//! equivalent borrowed typed structs, and jarust 1.10's own protocol types (`JaResponse` on
//! the receive path, its `message` + `jsep` envelope on the send path).
//! `cargo bench --manifest-path bench/peers/Cargo.toml --bench peers`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use janus_signal::request::{PluginMessage, Request, SdpType, SessionDescription};
use janus_signal::{HandleId, SessionId, Transaction};
use janus_signal_bench::{EchoBody, SerdeJsepOut, SerdeRequest};
use janus_signal_bench_peers::{
    HANDLE_ID, OFFER, SESSION_ID, TRANSACTION, corpus, encode_jarust, jarust_message_with_offer, read_jarust,
    read_ours, read_serde,
};
use serde_json::Value;

/// Benchmarks the three decoders over `bodies` in the group `name`.
fn decode_group(c: &mut Criterion, name: &str, bodies: &[&[u8]], sdp_buf: &mut [u8]) {
    let bytes: usize = bodies.iter().map(|b| b.len()).sum();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("janus-signal", |b| {
        b.iter(|| bodies.iter().map(|body| read_ours(black_box(body), sdp_buf)).sum::<usize>())
    });
    group.bench_function("serde_json-typed", |b| {
        b.iter(|| bodies.iter().map(|body| read_serde(black_box(body))).sum::<usize>())
    });
    group.bench_function("jarust", |b| {
        b.iter(|| bodies.iter().map(|body| read_jarust(black_box(body)).unwrap_or(0)).sum::<usize>())
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let corpus = corpus();
    let mut sdp_buf = vec![0u8; 65536];
    let all: Vec<&[u8]> = corpus.iter().map(|(_, b)| b.as_slice()).collect();
    let rejected: Vec<&str> =
        corpus.iter().filter(|(_, body)| read_jarust(body).is_err()).map(|(k, _)| k.as_str()).collect();
    eprintln!(
        "corpus: {} bodies, {} bytes; jarust's JaResponse rejects {} of them (kinds: {:?}); \
         decode/jarust-accepted is the corpus without those",
        all.len(),
        all.iter().map(|b| b.len()).sum::<usize>(),
        rejected.len(),
        rejected
    );
    decode_group(c, "decode/all-captures", &all, &mut sdp_buf);
    let accepted: Vec<&[u8]> =
        corpus.iter().filter(|(_, body)| read_jarust(body).is_ok()).map(|(_, b)| b.as_slice()).collect();
    decode_group(c, "decode/jarust-accepted", &accepted, &mut sdp_buf);
    for kind in ["success", "ack", "error", "event", "server_info"] {
        let subset: Vec<&[u8]> = corpus.iter().filter(|(k, _)| k == kind).map(|(_, b)| b.as_slice()).collect();
        if !subset.is_empty() {
            decode_group(c, &format!("decode/{kind}"), &subset, &mut sdp_buf);
        }
    }
}

fn encode(c: &mut Criterion) {
    let body = EchoBody { audio: true, video: true };
    let tx = Transaction::new(TRANSACTION).expect("valid");
    let mut out = vec![0u8; 8192];
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let ours = PluginMessage::new(tx, SessionId(SESSION_ID), HandleId(HANDLE_ID), &body).with_jsep(&offer);
    let n = ours.encode(&mut out).expect("fits");
    let theirs = SerdeRequest {
        janus: "message",
        transaction: TRANSACTION,
        session_id: SESSION_ID,
        handle_id: HANDLE_ID,
        body: &body,
        jsep: SerdeJsepOut { kind: "offer", sdp: OFFER },
    };
    assert_eq!(serde_json::to_vec(&theirs).expect("encodes"), out[..n], "same bytes");
    let jarust = jarust_message_with_offer();
    let jarust_out = encode_jarust(&jarust, TRANSACTION);
    // jarust's `Value` sorts the keys: the same JSON, not the same bytes.
    assert_eq!(
        serde_json::from_str::<Value>(&jarust_out).expect("json"),
        serde_json::from_slice::<Value>(&out[..n]).expect("json"),
        "same request"
    );

    let mut group = c.benchmark_group("encode/message-with-offer");
    group.throughput(Throughput::Bytes(n as u64));
    group.bench_function("janus-signal", |b| b.iter(|| black_box(&ours).encode(&mut out).expect("fits")));
    let mut vec = Vec::with_capacity(8192);
    group.bench_function("serde_json-typed", |b| {
        b.iter(|| {
            vec.clear();
            serde_json::to_writer(&mut vec, black_box(&theirs)).expect("encodes");
            vec.len()
        })
    });
    group.bench_function("jarust", |b| b.iter(|| encode_jarust(black_box(&jarust), black_box(TRANSACTION))));
    group.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
