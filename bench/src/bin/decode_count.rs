//! A small, repeatable workload for instruction counting (`valgrind --tool=callgrind` or
//! `perf stat -e instructions`): the same reads as `benches/codec.rs`, run N times.
//!
//! `decode_count MODE [N] [KIND]` with MODE one of `ours`, `serde`, `validate`, `ignored`,
//! `encode-ours`, `encode-serde`, `none` (setup only, to subtract); KIND filters the corpus by
//! `janus` kind (`success`, `ack`, `error`, `event`, `server_info`). `file=PATH` decodes one
//! message from a file instead.

use std::hint::black_box;

use janus_signal::request::{PluginMessage, Request, SdpType, SessionDescription};
use janus_signal::{HandleId, SessionId, Transaction};
use janus_signal_bench::{EchoBody, SerdeJsepOut, SerdeRequest, corpus, read_ours, read_serde};

const OFFER: &str = include_str!("../../../tests/fixtures/sdp/offer-audio-video-loopback.sdp");

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("ours", String::as_str);
    let rounds: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100);
    let kind = args.get(3);
    if let Some(path) = mode.strip_prefix("file=") {
        // One message from a file, decoded `rounds` times (for per-token instruction counts).
        let body = std::fs::read(path).expect("readable");
        let mut n = 0;
        for _ in 0..rounds {
            n += janus_signal::message::Message::decode(black_box(&body)).map_or(0, |m| m.kind().len());
        }
        println!("{n}");
        return;
    }
    let corpus: Vec<Vec<u8>> =
        corpus().into_iter().filter(|(k, _)| kind.is_none_or(|want| want == k)).map(|(_, b)| b).collect();
    let mut sdp_buf = vec![0u8; 65536];
    let body = EchoBody { audio: true, video: true };
    let tx = Transaction::new("Xa81bq0PmR2c").expect("valid");
    let offer = SessionDescription::new(SdpType::Offer, OFFER);
    let ours = PluginMessage::new(tx, SessionId(8_374_001_098_332_022), HandleId(1_241_231_443_534_215), &body)
        .with_jsep(&offer);
    let theirs = SerdeRequest {
        janus: "message",
        transaction: "Xa81bq0PmR2c",
        session_id: 8_374_001_098_332_022,
        handle_id: 1_241_231_443_534_215,
        body: &body,
        jsep: SerdeJsepOut { kind: "offer", sdp: OFFER },
    };
    let mut out = vec![0u8; 8192];
    let mut vec = Vec::with_capacity(8192);
    if mode == "time" {
        // Wall clock on a loaded machine: interleave the two and keep the fastest of many short
        // batches of `rounds` rounds each.
        let (mut best_ours, mut best_serde) = (f64::MAX, f64::MAX);
        let (mut best_enc_ours, mut best_enc_serde) = (f64::MAX, f64::MAX);
        for _ in 0..200 {
            let t = std::time::Instant::now();
            for _ in 0..rounds {
                black_box(corpus.iter().map(|b| read_ours(black_box(b), &mut sdp_buf)).sum::<usize>());
            }
            best_ours = best_ours.min(t.elapsed().as_secs_f64() / rounds as f64);
            let t = std::time::Instant::now();
            for _ in 0..rounds {
                black_box(corpus.iter().map(|b| read_serde(black_box(b))).sum::<usize>());
            }
            best_serde = best_serde.min(t.elapsed().as_secs_f64() / rounds as f64);
            let t = std::time::Instant::now();
            for _ in 0..rounds * 20 {
                black_box(black_box(&ours).encode(&mut out).expect("fits"));
            }
            best_enc_ours = best_enc_ours.min(t.elapsed().as_secs_f64() / (rounds * 20) as f64);
            let t = std::time::Instant::now();
            for _ in 0..rounds * 20 {
                vec.clear();
                serde_json::to_writer(&mut vec, black_box(&theirs)).expect("encodes");
                black_box(vec.len());
            }
            best_enc_serde = best_enc_serde.min(t.elapsed().as_secs_f64() / (rounds * 20) as f64);
        }
        println!(
            "decode {} bodies: ours {:.2} us, serde_json {:.2} us, {:.2}x; encode: ours {:.3} us, serde_json {:.3} us, {:.2}x",
            corpus.len(),
            best_ours * 1e6,
            best_serde * 1e6,
            best_serde / best_ours,
            best_enc_ours * 1e6,
            best_enc_serde * 1e6,
            best_enc_serde / best_enc_ours
        );
        return;
    }
    let mut total = 0usize;
    for _ in 0..rounds {
        total += match mode {
            "ours" => corpus.iter().map(|b| read_ours(black_box(b), &mut sdp_buf)).sum::<usize>(),
            "serde" => corpus.iter().map(|b| read_serde(black_box(b))).sum::<usize>(),
            "validate" => corpus.iter().filter(|b| janus_signal::json::RawJson::parse(black_box(b)).is_ok()).count(),
            "ignored" => {
                corpus.iter().filter(|b| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(b)).is_ok()).count()
            }
            "encode-ours" => black_box(&ours).encode(&mut out).expect("fits"),
            "encode-serde" => {
                vec.clear();
                serde_json::to_writer(&mut vec, black_box(&theirs)).expect("encodes");
                vec.len()
            }
            _ => 0,
        };
    }
    println!("{mode} x{rounds} over {} bodies: {total}", corpus.len());
}
