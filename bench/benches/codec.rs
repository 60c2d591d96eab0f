//! Decode and encode over the real capture corpus: janus-signal against serde_json into
//! equivalent borrowed typed structs. `cargo bench --manifest-path bench/Cargo.toml`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use janus_signal::request::{PluginMessage, Request, SdpType, SessionDescription};
use janus_signal::{HandleId, SessionId, Transaction};
use janus_signal_bench::{EchoBody, SerdeJsepOut, SerdeRequest, corpus, read_ours, read_serde};

const OFFER: &str = include_str!("../../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

fn decode(c: &mut Criterion) {
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let mut sdp_buf = vec![0u8; 65536];
    // Both readers must see the same information.
    for (_, body) in &corpus {
        let _ = (read_ours(body, &mut sdp_buf), read_serde(body));
    }
    let mut group = c.benchmark_group("decode/all-captures");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("janus-signal", |b| {
        b.iter(|| corpus.iter().map(|(_, body)| read_ours(black_box(body), &mut sdp_buf)).sum::<usize>())
    });
    group.bench_function("serde_json-typed", |b| {
        b.iter(|| corpus.iter().map(|(_, body)| read_serde(black_box(body))).sum::<usize>())
    });
    // Where our time goes: the validating pass alone, and serde_json's syntax check alone.
    group.bench_function("janus-signal-validate-only", |b| {
        b.iter(|| corpus.iter().filter(|(_, body)| janus_signal::json::RawJson::parse(black_box(body)).is_ok()).count())
    });
    group.bench_function("serde_json-ignored-any", |b| {
        b.iter(|| {
            corpus
                .iter()
                .filter(|(_, body)| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(body)).is_ok())
                .count()
        })
    });
    group.finish();

    for kind in ["success", "ack", "error", "event", "server_info"] {
        let subset: Vec<&Vec<u8>> = corpus.iter().filter(|(k, _)| k == kind).map(|(_, b)| b).collect();
        if subset.is_empty() {
            continue;
        }
        let bytes: usize = subset.iter().map(|b| b.len()).sum();
        let mut group = c.benchmark_group(format!("decode/{kind}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("janus-signal", |b| {
            b.iter(|| subset.iter().map(|body| read_ours(black_box(body), &mut sdp_buf)).sum::<usize>())
        });
        group.bench_function("serde_json-typed", |b| {
            b.iter(|| subset.iter().map(|body| read_serde(black_box(body))).sum::<usize>())
        });
        group.finish();
    }
}

fn encode(c: &mut Criterion) {
    let body = EchoBody { audio: true, video: true };
    let tx = Transaction::new("Xa81bq0PmR2c").expect("valid");
    let mut out = vec![0u8; 8192];
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let ours = PluginMessage::new(tx, SessionId(8_374_001_098_332_022), HandleId(1_241_231_443_534_215), &body)
        .with_jsep(&offer);
    let n = ours.encode(&mut out).expect("fits");
    let theirs = SerdeRequest {
        janus: "message",
        transaction: "Xa81bq0PmR2c",
        session_id: 8_374_001_098_332_022,
        handle_id: 1_241_231_443_534_215,
        body: &body,
        jsep: SerdeJsepOut { kind: "offer", sdp: OFFER },
    };
    assert_eq!(serde_json::to_vec(&theirs).expect("encodes"), out[..n], "same bytes");
    let mut group = c.benchmark_group("encode/message-with-offer");
    group.throughput(Throughput::Bytes(n as u64));
    group.bench_function("janus-signal", |b| b.iter(|| black_box(&ours).encode(&mut out).expect("fits")));
    let mut vec = Vec::with_capacity(8192);
    group.bench_function("serde_json", |b| {
        b.iter(|| {
            vec.clear();
            serde_json::to_writer(&mut vec, black_box(&theirs)).expect("encodes");
            vec.len()
        })
    });
    group.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
