//! The plugin helpers never touch the heap: typed requests are written into stack buffers and
//! plugin events are decoded (every list walked, text unescaped into stack buffers) with a
//! counting global allocator watching the measuring thread. Each section must count zero
//! allocations; a sanity check shows the counter sees a `Vec`.

// A `GlobalAlloc` is unsafe by definition; this test-only allocator forwards every call to
// `System` unchanged and only counts. The library crates keep `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

#[path = "support/captures.rs"]
mod captures;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use janus_signal::json::{RawJson, to_slice};
use janus_signal::message::{Batch, Message};
use janus_signal::plugin::{PluginId, audiobridge, plugin_data, streaming, textroom, videoroom};

/// `System`, counting the allocations of threads that set `COUNTING`.
struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only `const`-initialised thread-locals.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocations made by this thread while `section` runs.
fn allocations_in(section: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    section();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

const JOINED: &[u8] = br#"{
   "janus": "event",
   "session_id": 1,
   "transaction": "t5",
   "sender": 2,
   "plugindata": {
      "plugin": "janus.plugin.videoroom",
      "data": {
         "videoroom": "joined",
         "room": "room \"x\"",
         "description": "a \"quoted\" room \u00e9\n",
         "id": 3890846691895874,
         "private_id": 1388408675,
         "publishers": [
            {"id": 5709189263890250, "display": "Dummy \"publisher\"", "dummy": true,
             "streams": [{"type": "audio", "mindex": 0, "mid": "0", "codec": "opus"},
                         {"type": "video", "mindex": 1, "mid": "1", "codec": "vp8"}]}
         ]
      }
   }
}"#;

#[test]
fn the_counter_sees_allocations() {
    assert!(allocations_in(|| drop(black_box(vec![1u8; 16]))) >= 1);
}

#[test]
fn decoding_plugin_events_allocates_nothing() {
    let mut text = [0u8; 64];
    let allocations = allocations_in(|| {
        let message = Message::decode(JOINED).expect("message");
        let data = plugin_data(&message).expect("plugin data").data;
        let Ok(videoroom::Event::Joined(joined)) = videoroom::Event::decode(data) else { panic!() };
        let Some(description) = joined.description else { panic!() };
        black_box(description.unescape_into(&mut text).expect("unescape"));
        let PluginId::Text(room) = joined.room else { panic!() };
        black_box(room.chars().count());
        let mut streams = 0;
        for publisher in &joined.publishers {
            let publisher = publisher.expect("publisher");
            black_box(publisher.display.map(|d| d.chars().count()));
            for stream in publisher.streams.iter().flatten() {
                streams += usize::from(stream.expect("stream").mid.is_some());
            }
        }
        assert_eq!(streams, 2);

        let data =
            RawJson::parse(br#"{"videoroom":"event","error_code":426,"error":"No such room (1)"}"#).expect("json");
        assert!(matches!(videoroom::Event::decode(data), Err(janus_signal::plugin::EventError::Plugin(_))));

        let data =
            RawJson::parse(br#"{"streaming":"list","list":[{"id":1,"media":[{"mid":"a","pt":111}]}]}"#).expect("json");
        let Ok(streaming::Event::Mountpoints(list)) = streaming::Event::decode(data) else { panic!() };
        for mountpoint in &list {
            black_box(mountpoint.expect("mountpoint").media.map(|m| m.len()));
        }

        let data = RawJson::parse(
            br#"{"audiobridge":"joined","room":5,"id":9,"participants":[{"id":8,"display":"B \"b\"","setup":true,"muted":false}]}"#,
        )
        .expect("json");
        let Ok(audiobridge::Event::Joined { participants, .. }) = audiobridge::Event::decode(data) else { panic!() };
        for participant in &participants {
            let display = participant.expect("participant").display.expect("display");
            black_box(display.unescape_into(&mut text).expect("unescape"));
        }

        let chat = br#"{"textroom":"message","room":5,"from":"bob","date":"d","text":"hi \"you\"\n","whisper":true}"#;
        let Ok(textroom::DataMessage::Message(chat)) = textroom::DataMessage::decode(chat) else { panic!() };
        black_box(chat.text.unescape_into(&mut text).expect("unescape"));
    });
    assert_eq!(allocations, 0);
}

/// Every registered plugin's event decoder (`plugin::debug_event` reaches them all, so a
/// plugin added to `plugins!` is covered here without a new line) on every message of the
/// real captures and of the plugin recordings, formatted into a sink that keeps nothing.
#[test]
fn every_registered_plugin_decodes_the_captures_without_allocating() {
    struct Discard(usize);
    impl std::fmt::Write for Discard {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut bodies: Vec<Vec<u8>> = captures::all_janus_bodies().into_iter().map(|(_, body)| body).collect();
    assert!(bodies.len() > 100, "the captures are there");
    // And the plugin messages recorded from the real Janus (`tests/fixtures/plugins/NAME/`).
    let recorded = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins");
    let mut plugins = 0;
    for dir in std::fs::read_dir(&recorded).expect("recorded plugin messages") {
        plugins += 1;
        for file in std::fs::read_dir(dir.expect("entry").path()).expect("a plugin's recordings") {
            bodies.push(std::fs::read(file.expect("entry").path()).expect("a recording"));
        }
    }
    assert!(plugins >= 6, "{plugins} plugins with recordings");
    let mut out = Discard(0);
    let mut with_plugin_data = 0;
    let allocations = allocations_in(|| {
        for body in &bodies {
            for message in Batch::decode(body).expect("a real capture decodes").flatten() {
                with_plugin_data += usize::from(plugin_data(&message).is_some());
                janus_signal::plugin::debug_event(&message, &mut out).expect("the sink never fails");
            }
        }
    });
    assert_eq!(allocations, 0);
    assert!(with_plugin_data > 10, "{with_plugin_data} messages with plugin data");
    assert!(out.0 > 0);
}

#[test]
fn encoding_plugin_requests_allocates_nothing() {
    let mut out = [0u8; 512];
    let allocations = allocations_in(|| {
        let dummy = [videoroom::DummyStream { kind: "audio", codec: Some("opus") }];
        let create =
            videoroom::CreateRoom::new().with_room("lobby \"1\"").with_description("d\n").with_dummy_publisher(&dummy);
        black_box(to_slice(&create, &mut out).expect("create"));
        let streams = [videoroom::SubscribeStream::feed(5).with_mid("0")];
        black_box(to_slice(&videoroom::JoinAsSubscriber::new(1, &streams), &mut out).expect("subscribe"));
        let media = [streaming::RtpMedia { kind: "audio", mid: "a", port: 0, pt: Some(111), codec: Some("opus") }];
        black_box(to_slice(&streaming::CreateRtpMountpoint::new(&media).with_id(7), &mut out).expect("mountpoint"));
        black_box(textroom::SendMessage::new("t", 5, "hi \"all\"").to("bob").encode(&mut out).expect("message"));
        black_box(
            to_slice(&audiobridge::Join::new("r \"1\"").with_display("A\n").with_muted(true), &mut out).expect("join"),
        );
        let mut small = [0u8; 8];
        assert!(textroom::Join::new("t", 5, "alice").encode(&mut small).is_err());
    });
    assert_eq!(allocations, 0);
}
