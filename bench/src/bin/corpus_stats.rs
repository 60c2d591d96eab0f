//! Byte classes of the capture corpus (what the decoder spends its time on):
//! `cargo run --release --bin corpus_stats`.
use janus_signal_bench::corpus;
fn main() {
    let c = corpus();
    let (mut total, mut ws, mut instr, mut esc, mut strings, mut tokens, mut nums) = (0, 0, 0, 0, 0, 0, 0);
    let mut ws_runs = 0;
    for (_, b) in &c {
        total += b.len();
        let mut i = 0;
        let mut prev_ws = false;
        while i < b.len() {
            let x = b[i];
            if x == b'"' {
                strings += 1;
                i += 1;
                while b[i] != b'"' {
                    if b[i] == b'\\' {
                        esc += 1;
                        i += 2;
                        instr += 2;
                    } else {
                        i += 1;
                        instr += 1;
                    }
                }
                i += 1;
                prev_ws = false;
                continue;
            }
            if matches!(x, b' ' | b'\n' | b'\t' | b'\r') {
                ws += 1;
                if !prev_ws {
                    ws_runs += 1;
                }
                prev_ws = true;
            } else {
                prev_ws = false;
                if x.is_ascii_digit() {
                    nums += 1
                } else {
                    tokens += 1;
                }
            }
            i += 1;
        }
    }
    let arr: Vec<_> = c.iter().filter(|(_, b)| b.iter().find(|x| !x.is_ascii_whitespace()) == Some(&b'[')).collect();
    println!("array bodies {} bytes {}", arr.len(), arr.iter().map(|(_, b)| b.len()).sum::<usize>());
    let mut kinds = std::collections::BTreeMap::new();
    for (k, b) in &c {
        let e = kinds.entry(k.clone()).or_insert((0, 0));
        e.0 += 1;
        e.1 += b.len();
    }
    println!("{kinds:?}");
    // What the decoder's one-pass walk sees: top-level members and those of the inner
    // objects it reads, and the bytes of their values.
    let (mut top, mut inner, mut top_bytes, mut inner_bytes) = (0, 0, 0, 0);
    for (_, b) in &c {
        let Ok(raw) = janus_signal::json::RawJson::parse(b) else { continue };
        let objects: Vec<_> =
            if raw.kind() == janus_signal::json::JsonKind::Array { raw.elements().collect() } else { vec![raw] };
        for o in objects {
            for (k, v) in o.members() {
                top += 1;
                top_bytes += v.as_bytes().len();
                if ["plugindata", "jsep", "error", "data"].contains(&k.escaped()) {
                    for (_, w) in v.members() {
                        inner += 1;
                        inner_bytes += w.as_bytes().len();
                    }
                }
            }
        }
    }
    println!("walk: top members {top} ({top_bytes} value bytes), inner members {inner} ({inner_bytes} value bytes)");
    println!(
        "bodies {} total {total} ws {ws} ws_runs {ws_runs} string_bytes {instr} strings {strings} escapes {esc} num_bytes {nums} other {tokens}",
        c.len()
    );
}
