//! Real media through Janus's Streaming plugin: the test creates an RTP mountpoint (opus +
//! VP8, ports picked by Janus and read from its `created` answer), feeds it with hand-built
//! RTP from a thread of its own (to 127.0.0.1 inside the namespace), and a str0m viewer
//! watches it: `watch` → Janus's offer → the peer's answer with `start` → trickle →
//! `webrtcup` → packets arrive; `pause` → they stop; `start` → they resume; `stop` →
//! `stopping` and a hangup. Then the same handle watches again with a new PeerConnection and
//! the mountpoint is destroyed under it (→ `stopped` and a hangup). Over WebSocket and over
//! HTTP, inside the namespace of `tests/netns/run`.

#[path = "support/media.rs"]
mod media_support;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use janus_signal::HandleId;
use janus_signal::message::Message;
use janus_signal::plugin::PluginId;
use janus_signal::plugin::streaming::{
    self, CreateRtpMountpoint, DestroyMountpoint, Event, GetInfo, Pause, RtpMedia, Start, Status, Stop, Watch,
};
use janus_signal::request::{SdpType, SessionDescription};
use janus_signal::webrtc::{Direction, MediaKind, Sdp};
use janus_signal_socket::{Janus, OwnedMessage};
use media_support::{
    EventLog, Peer, Transport, janus_description, netns, trickle_all, wait_webrtcup, without_candidates,
};

const AUDIO_PT: u8 = 111;
const VIDEO_PT: u8 = 96;
const MEDIA: [RtpMedia<'static>; 2] = [
    RtpMedia { kind: "audio", mid: "a", port: 0, pt: Some(AUDIO_PT), codec: Some("opus") },
    RtpMedia { kind: "video", mid: "v", port: 0, pt: Some(VIDEO_PT), codec: Some("vp8") },
];
/// Packets the viewer must get while media flows (≈ 1 s of audio, ≈ 0.7 s of video).
const AUDIO_WANTED: u64 = 50;
const VIDEO_WANTED: u64 = 20;
/// Packets that may still trickle in over the second of a pause (in flight when it began).
const PAUSE_SLACK: u64 = 2;

// ----- the RTP source ---------------------------------------------------------------------------

/// Opus silence (a TOC byte for a 20 ms SILK frame and a tiny payload).
const OPUS_SILENCE: [u8; 3] = [0xf8, 0xff, 0xfe];

/// One RTP packet: the 12-byte header (version 2, no padding/extension/CSRC) and `payload`.
fn rtp_packet(pt: u8, marker: bool, seq: u16, timestamp: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut packet = Vec::with_capacity(12 + payload.len());
    packet.push(0x80);
    packet.push(if marker { 0x80 } else { 0 } | (pt & 0x7f));
    packet.extend_from_slice(&seq.to_be_bytes());
    packet.extend_from_slice(&timestamp.to_be_bytes());
    packet.extend_from_slice(&ssrc.to_be_bytes());
    packet.extend_from_slice(payload);
    packet
}

/// A whole VP8 key frame in one RTP payload: the payload descriptor (X and S set, partition
/// 0, a 15-bit picture id) then the frame: tag (key frame, version 0, shown, first partition
/// of 16 bytes), start code, 16x16 pixels, filler.
fn vp8_payload(picture_id: u16) -> Vec<u8> {
    let mut payload = vec![0x90, 0x80, 0x80 | ((picture_id >> 8) & 0x7f) as u8, (picture_id & 0xff) as u8];
    let first_partition: u32 = 16;
    let tag = (first_partition << 5) | (1 << 4); // bit 0 = 0: key frame; bit 4: show_frame
    payload.extend_from_slice(&[(tag & 0xff) as u8, ((tag >> 8) & 0xff) as u8, ((tag >> 16) & 0xff) as u8]);
    payload.extend_from_slice(&[0x9d, 0x01, 0x2a, 16, 0, 16, 0]);
    payload.resize(48, 0);
    payload
}

/// What the RTP source sent.
#[derive(Debug, Clone, Copy, Default)]
struct Fed {
    audio: u64,
    video: u64,
    send_errors: u64,
}

/// A thread sending opus silence every 20 ms and a VP8 key frame every 33 ms to the
/// mountpoint's ports on 127.0.0.1, until stopped, for at most `MAX_FEED` or `MAX_PACKETS`.
struct RtpSource {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Fed>>,
}

const MAX_FEED: Duration = Duration::from_secs(60);
const MAX_PACKETS: u64 = 6000;

impl RtpSource {
    fn start(audio_port: u16, video_port: u16) -> Result<Self, String> {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind the RTP source: {e}"))?;
        let audio_to = SocketAddr::from((Ipv4Addr::LOCALHOST, audio_port));
        let video_to = SocketAddr::from((Ipv4Addr::LOCALHOST, video_port));
        assert!(audio_to.ip().is_loopback() && video_to.ip().is_loopback(), "RTP only goes to loopback");
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("rtp-source".into())
                .spawn(move || feed(&socket, audio_to, video_to, &stop))
                .map_err(|e| e.to_string())?
        };
        Ok(Self { stop, thread: Some(thread) })
    }

    /// Stops the thread; what it sent.
    fn stop(&mut self) -> Fed {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().map(|t| t.join().expect("the RTP source thread")).unwrap_or_default()
    }
}

impl Drop for RtpSource {
    fn drop(&mut self) {
        self.stop();
    }
}

fn feed(socket: &UdpSocket, audio_to: SocketAddr, video_to: SocketAddr, stop: &AtomicBool) -> Fed {
    const AUDIO_SSRC: u32 = 0x1a2b_3c4d;
    const VIDEO_SSRC: u32 = 0x5e6f_7081;
    let started = Instant::now();
    let mut fed = Fed::default();
    let (mut audio_seq, mut video_seq) = (1000u16, 5000u16);
    let (mut audio_ts, mut video_ts) = (48_000u32, 90_000u32);
    let (mut next_audio, mut next_video) = (started, started);
    while !stop.load(Ordering::Relaxed)
        && started.elapsed() < MAX_FEED
        && fed.audio + fed.video + fed.send_errors < MAX_PACKETS
    {
        let now = Instant::now();
        if next_audio <= now {
            let packet = rtp_packet(AUDIO_PT, fed.audio == 0, audio_seq, audio_ts, AUDIO_SSRC, &OPUS_SILENCE);
            match socket.send_to(&packet, audio_to) {
                Ok(_) => fed.audio += 1,
                Err(_) => fed.send_errors += 1,
            }
            audio_seq = audio_seq.wrapping_add(1);
            audio_ts = audio_ts.wrapping_add(960);
            next_audio += Duration::from_millis(20);
        }
        if next_video <= now {
            let packet = rtp_packet(VIDEO_PT, true, video_seq, video_ts, VIDEO_SSRC, &vp8_payload(video_seq & 0x7fff));
            match socket.send_to(&packet, video_to) {
                Ok(_) => fed.video += 1,
                Err(_) => fed.send_errors += 1,
            }
            video_seq = video_seq.wrapping_add(1);
            video_ts = video_ts.wrapping_add(2970);
            next_video += Duration::from_millis(33);
        }
        let wake = next_audio.min(next_video);
        std::thread::sleep(wake.saturating_duration_since(Instant::now()).min(Duration::from_millis(20)));
    }
    fed
}

// ----- events ---------------------------------------------------------------------------------

fn status_is(wanted: Status<'static>) -> impl Fn(&Message<'_>) -> bool {
    move |m| matches!(Event::from_message(m), Some(Ok(Event::Status { status, .. })) if status == wanted)
}

fn is_hangup(m: &Message<'_>) -> bool {
    matches!(m, Message::Hangup(_))
}

/// The streaming status of a reply, or what the reply was instead.
fn reply_status(reply: &OwnedMessage) -> Result<String, String> {
    match Event::from_message(&reply.message()) {
        Some(Ok(Event::Status { status, .. })) => Ok(status_name(status)),
        other => Err(format!("not a streaming status ({other:?}): {reply}")),
    }
}

fn status_name(status: Status<'_>) -> String {
    match status {
        Status::Preparing => "preparing".into(),
        Status::Starting => "starting".into(),
        Status::Started => "started".into(),
        Status::Pausing => "pausing".into(),
        Status::Stopping => "stopping".into(),
        Status::Stopped => "stopped".into(),
        Status::Switching => "switching".into(),
        Status::Updating => "updating".into(),
        Status::Other(other) => other.to_string(),
        _ => format!("{status:?}"),
    }
}

/// The logged messages, in order, as `kind` (`event:<status>` for streaming statuses,
/// `hangup:<reason>`).
fn described(log: &EventLog) -> Vec<String> {
    log.seen
        .iter()
        .map(|(kind, json)| match Message::decode(json.as_bytes()) {
            Ok(Message::Hangup(h)) => format!("hangup:{}", h.reason.map(|r| r.to_string()).unwrap_or_default()),
            Ok(message) => match Event::from_message(&message) {
                Some(Ok(Event::Status { status, .. })) => format!("{kind}:{}", status_name(status)),
                _ => kind.clone(),
            },
            Err(_) => kind.clone(),
        })
        .collect()
}

/// Asserts a viewer's events: one `webrtcup`, the plugin's `started`, then `ending` (the
/// status that preceded the hangup, if the plugin sends one) and one hangup; nothing else
/// but `media`/`slowlink` reports.
fn check_viewer_events(log: &EventLog, ending: Option<&str>) -> Result<Vec<String>, String> {
    let events = described(log);
    let mut expected: Vec<String> = vec!["webrtcup".into(), "event:started".into()];
    expected.extend(ending.map(|s| format!("event:{s}")));
    expected.push("hangup:Close PC".into());
    let mut main: Vec<String> =
        events.iter().filter(|e| !e.starts_with("media") && !e.starts_with("slowlink")).cloned().collect();
    // `webrtcup` and the plugin's `started` race (the core and the plugin send them).
    if main.len() >= 2 && main[0] == "event:started" && main[1] == "webrtcup" {
        main.swap(0, 1);
    }
    if main != expected {
        return Err(format!("viewer events {events:?}, expected {expected:?} (and media/slowlink)"));
    }
    Ok(events)
}

// ----- the walk -------------------------------------------------------------------------------

fn random_id() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    (hasher.finish() & ((1 << 53) - 1)).max(1)
}

/// The ports Janus picked, from the `stream.ports` of its `created` answer.
fn created_ports(stream: janus_signal::json::RawJson<'_>) -> Result<(u16, u16), String> {
    let ports = stream.get("ports").ok_or_else(|| format!("no ports in {}", stream.as_text()))?;
    let port_of = |kind: &str| {
        ports
            .elements()
            .find(|p| p.get("type").and_then(|t| t.as_str()).is_some_and(|t| t == kind))
            .and_then(|p| p.get("port")?.as_u64())
            .and_then(|p| u16::try_from(p).ok())
            .ok_or_else(|| format!("no {kind} port in {}", stream.as_text()))
    };
    Ok((port_of("audio")?, port_of("video")?))
}

/// Asks `info` until both media report a packet within the last 200 ms (the RTP source
/// reaches the mountpoint); checks the ports against the `created` ones.
fn wait_mountpoint_fed(janus: &mut Janus, handle: HandleId, id: u64, ports: (u16, u16)) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let reply = janus.message(handle, &GetInfo::new(id)).map_err(|e| format!("info: {e}"))?;
        let Some(Ok(Event::Info(info))) = Event::from_message(&reply.message()) else {
            return Err(format!("info answered with {reply}"));
        };
        let media: Vec<_> = info
            .media
            .ok_or_else(|| format!("no media in {reply}"))?
            .iter()
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{e}: {reply}"))?;
        let port = |kind: &str| media.iter().find(|m| m.kind.is_some_and(|k| k == kind)).and_then(|m| m.port);
        if (port("audio"), port("video")) != (Some(u64::from(ports.0)), Some(u64::from(ports.1))) {
            return Err(format!("info shows other ports than created {ports:?}: {reply}"));
        }
        let ages: Vec<Option<u64>> = media.iter().map(|m| m.age_ms).collect();
        if media.len() == 2 && ages.iter().all(|a| a.is_some_and(|a| a < 200)) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!("the mountpoint does not get the RTP source's packets (ages {ages:?}): {reply}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A request whose answer must be the streaming status `wanted`; the status is noted in
/// `replies` as `request:status`.
fn expect_status<B: serde::Serialize>(
    janus: &mut Janus,
    handle: HandleId,
    replies: &mut Vec<String>,
    name: &str,
    body: &B,
    answer: Option<&str>,
    wanted: Status<'static>,
) -> Result<OwnedMessage, String> {
    let reply = match answer {
        Some(sdp) => janus.message_with_jsep(handle, body, &SessionDescription::new(SdpType::Answer, sdp)),
        None => janus.message(handle, body),
    }
    .map_err(|e| format!("{name}: {e}"))?;
    let status = reply_status(&reply)?;
    replies.push(format!("{name}:{status}"));
    if !status_is(wanted)(&reply.message()) {
        return Err(format!("{name} answered with status {status:?}, expected {}: {reply}", status_name(wanted)));
    }
    Ok(reply)
}

/// `watch` → `preparing` with Janus's offer (opus and VP8 on the mountpoint's payload types,
/// send-only) → the peer's answer with `start` (→ `starting`) → trickle → `webrtcup` and the
/// plugin's `started`. Returns the peer and the time `watch` → `webrtcup`.
fn watch(
    janus: &mut Janus,
    log: &mut EventLog,
    replies: &mut Vec<String>,
    handle: HandleId,
    id: u64,
) -> Result<(Peer, Duration), String> {
    let ns = netns();
    let asked = Instant::now();
    let reply = expect_status(janus, handle, replies, "watch", &Watch::new(id), None, Status::Preparing)?;
    let (kind, offer) = janus_description(&reply);
    if kind != SdpType::Offer {
        return Err(format!("watch came with a {kind:?}, not an offer: {reply}"));
    }
    let sdp = Sdp::new(&offer);
    let sections: Vec<_> = sdp.media().collect();
    let codec_of = |kind: MediaKind<'_>| {
        sections
            .iter()
            .find(|m| m.kind == kind)
            .and_then(|m| Some((m.mid()?, m.direction(), m.codecs().next()?)))
            .map(|(mid, direction, codec)| (mid.to_owned(), direction, codec.payload_type, codec.name.to_lowercase()))
    };
    let sends = Direction::SendOnly;
    if sections.len() != 2
        || codec_of(MediaKind::Audio) != Some(("a".into(), sends, AUDIO_PT, "opus".into()))
        || codec_of(MediaKind::Video) != Some(("v".into(), sends, VIDEO_PT, "vp8".into()))
    {
        return Err(format!("Janus's offer is not send-only opus/{AUDIO_PT} (a) + VP8/{VIDEO_PT} (v): {offer}"));
    }

    let mut peer = Peer::new(ns.peer_ip)?;
    let answer = peer.accept_offer(&offer)?;
    let sent = without_candidates(&answer);
    expect_status(janus, handle, replies, "start", &Start::new(), Some(&sent), Status::Starting)?;
    trickle_all(janus, handle, &peer, &answer);
    wait_webrtcup(log, janus, handle, &peer)?;
    let up = asked.elapsed();
    log.seen_or_wait(janus, handle, Duration::from_secs(5), "the plugin's started", status_is(Status::Started))?;
    Ok((peer, up))
}

/// Waits until the peer got `audio` more audio and `video` more video packets than `base`;
/// returns the growth and how long it took.
fn wait_packets(peer: &Peer, base: (u64, u64), audio: u64, video: u64, what: &str) -> Result<Flow, String> {
    let started = Instant::now();
    let stats = peer
        .wait_for(Duration::from_secs(8), |s| s.received_audio >= base.0 + audio && s.received_video >= base.1 + video)
        .map_err(|s| format!("{what}: under {audio} audio / {video} video packets arrived after {base:?}: {s}"))?;
    Ok(Flow { audio: stats.received_audio - base.0, video: stats.received_video - base.1, took: started.elapsed() })
}

/// Lets in-flight packets land, then asserts the counts stay (nearly) flat for `quiet`;
/// returns the growth over `quiet`.
fn assert_quiet(peer: &Peer, quiet: Duration, what: &str) -> Result<(u64, u64), String> {
    std::thread::sleep(Duration::from_millis(200));
    let before = received(peer);
    std::thread::sleep(quiet);
    let after = received(peer);
    let grew = (after.0 - before.0, after.1 - before.1);
    if grew.0 > PAUSE_SLACK || grew.1 > PAUSE_SLACK {
        return Err(format!("{what}: packets still arrive over {quiet:?}: +{} audio, +{} video", grew.0, grew.1));
    }
    Ok(grew)
}

fn received(peer: &Peer) -> (u64, u64) {
    let stats = peer.stats();
    (stats.received_audio, stats.received_video)
}

/// Packets a viewer got, and in how long.
#[derive(Debug, Default, Clone, Copy)]
struct Flow {
    audio: u64,
    video: u64,
    took: Duration,
}

#[derive(Debug, Default)]
struct Report {
    ports: (u16, u16),
    webrtcup: Duration,
    first_media: Duration,
    flowing: Flow,
    paused_grew: (u64, u64),
    resumed: Flow,
    after_stop_grew: (u64, u64),
    second_webrtcup: Duration,
    second_viewer: Flow,
    after_destroy_grew: (u64, u64),
    fed: Fed,
    /// `request:status` of each streaming request's answer, in order.
    replies: Vec<String>,
    /// The first viewer's events (`stop` ends it).
    viewer_events: Vec<String>,
    /// The second viewer's events (the mountpoint's destruction ends it).
    second_viewer_events: Vec<String>,
}

fn streaming_walk(transport: Transport) -> Result<Report, String> {
    let ns = netns();
    let mut janus = ns.session(transport);
    let session = janus.session_id().expect("session");
    let handle = janus.attach(streaming::PLUGIN, None).map_err(|e| format!("attach: {e}"))?;
    let id = random_id();
    let result = walk_mountpoint(&mut janus, handle, id);
    if result.is_err() {
        // Nothing is left behind on Janus when the walk fails.
        let _ = janus.message(handle, &DestroyMountpoint::new(id));
        let _ = janus.destroy_session();
        return result;
    }
    janus.detach(handle).map_err(|e| format!("detach: {e}"))?;
    janus.destroy_session().map_err(|e| format!("destroy: {e}"))?;
    ns.assert_session_gone(session);
    result
}

fn walk_mountpoint(janus: &mut Janus, handle: HandleId, id: u64) -> Result<Report, String> {
    let mut report = Report::default();
    let replies = &mut report.replies;

    // The mountpoint: Janus picks the ports (port 0) and says which in `created`.
    let create = CreateRtpMountpoint::new(&MEDIA).with_id(id).with_name("janus-signal media walk");
    let reply = janus.message(handle, &create).map_err(|e| format!("create: {e}"))?;
    let Some(Ok(Event::Created { id: created, stream, .. })) = Event::from_message(&reply.message()) else {
        return Err(format!("create answered with {reply}"));
    };
    if created != PluginId::Number(id) {
        return Err(format!("created mountpoint {created:?}, asked for {id}: {reply}"));
    }
    replies.push("create:created".into());
    report.ports = created_ports(stream)?;
    let mut source = RtpSource::start(report.ports.0, report.ports.1)?;
    wait_mountpoint_fed(janus, handle, id, report.ports)?;

    // A viewer: media flows.
    let mut log = EventLog::default();
    let (mut peer, webrtcup) = watch(janus, &mut log, replies, handle, id)?;
    report.webrtcup = webrtcup;
    let up_at = Instant::now();
    peer.wait_for(Duration::from_secs(5), |s| s.received_audio > 0 && s.received_video > 0)
        .map_err(|s| format!("no media after webrtcup: {s}"))?;
    report.first_media = up_at.elapsed();
    report.flowing = wait_packets(&peer, (0, 0), AUDIO_WANTED, VIDEO_WANTED, "flowing")?;

    // pause: nothing arrives any more.
    expect_status(janus, handle, replies, "pause", &Pause::new(), None, Status::Pausing)?;
    report.paused_grew = assert_quiet(&peer, Duration::from_secs(1), "paused")?;

    // start again (no jsep): Janus 1.1.2 answers `started`, not `starting`, as the viewer's
    // PeerConnection is up; the packets come back.
    expect_status(janus, handle, replies, "start", &Start::new(), None, Status::Started)?;
    report.resumed = wait_packets(&peer, received(&peer), AUDIO_WANTED, VIDEO_WANTED, "resumed")?;

    // stop: `stopping`, then Janus closes the PeerConnection (`hangup`) and media ends.
    expect_status(janus, handle, replies, "stop", &Stop::new(), None, Status::Stopping)?;
    log.seen_or_wait(janus, handle, Duration::from_secs(5), "hangup after stop", is_hangup)?;
    report.after_stop_grew = assert_quiet(&peer, Duration::from_millis(500), "after stop")?;
    // Anything late is logged too: Janus 1.1.2 sends `stopped` only when the mountpoint goes
    // away, not after the viewer's `stop`.
    let _ = log.wait(janus, handle, Duration::from_millis(300), "nothing more", |_| false);
    report.viewer_events = check_viewer_events(&log, None)?;
    peer.close();

    // The same handle watches again (a new PeerConnection), then the mountpoint is destroyed
    // under the viewer: the plugin says `stopped` and Janus closes the PeerConnection.
    let mut log = EventLog::default();
    let (mut peer, webrtcup) = watch(janus, &mut log, replies, handle, id)?;
    report.second_webrtcup = webrtcup;
    report.second_viewer = wait_packets(&peer, (0, 0), AUDIO_WANTED / 2, VIDEO_WANTED / 2, "second viewer")?;
    let reply = janus.message(handle, &DestroyMountpoint::new(id)).map_err(|e| format!("destroy: {e}"))?;
    if Event::from_message(&reply.message()) != Some(Ok(Event::Destroyed { id: PluginId::Number(id) })) {
        return Err(format!("destroy answered with {reply}"));
    }
    replies.push("destroy:destroyed".into());
    let stopped = status_is(Status::Stopped);
    log.seen_or_wait(janus, handle, Duration::from_secs(5), "stopped after destroy", stopped)?;
    log.seen_or_wait(janus, handle, Duration::from_secs(5), "hangup after destroy", is_hangup)?;
    report.after_destroy_grew = assert_quiet(&peer, Duration::from_millis(500), "after destroy")?;
    let _ = log.wait(janus, handle, Duration::from_millis(300), "nothing more", |_| false);
    report.second_viewer_events = check_viewer_events(&log, Some("stopped"))?;
    report.fed = source.stop();
    peer.close();
    if report.fed.send_errors > 0 {
        return Err(format!("the RTP source could not send {} packets", report.fed.send_errors));
    }
    Ok(report)
}

fn walk(transport: Transport) {
    let started = Instant::now();
    let r = streaming_walk(transport).unwrap_or_else(|e| panic!("streaming walk over {transport:?}: {e}"));
    let ms = |d: Duration| d.as_millis();
    eprintln!(
        "streaming over {transport:?} (ports {:?}): watch -> webrtcup {} ms, first packet +{} ms; \
         flowing +{}/+{} in {} ms; paused +{:?} over 1 s; resumed +{}/+{} in {} ms; after stop +{:?}; \
         second viewer webrtcup {} ms, +{}/+{} in {} ms, after destroy +{:?}; fed {} audio / {} video; \
         replies {:?}; viewer events {:?} then {:?}; walk {} ms",
        r.ports,
        ms(r.webrtcup),
        ms(r.first_media),
        r.flowing.audio,
        r.flowing.video,
        ms(r.flowing.took),
        r.paused_grew,
        r.resumed.audio,
        r.resumed.video,
        ms(r.resumed.took),
        r.after_stop_grew,
        ms(r.second_webrtcup),
        r.second_viewer.audio,
        r.second_viewer.video,
        ms(r.second_viewer.took),
        r.after_destroy_grew,
        r.fed.audio,
        r.fed.video,
        r.replies,
        r.viewer_events,
        r.second_viewer_events,
        ms(started.elapsed())
    );
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn streaming_real_media_ws() {
    walk(Transport::Ws);
}

#[test]
#[ignore = "media: run through tests/netns/run (tests/run does)"]
fn streaming_real_media_http() {
    walk(Transport::Http);
}
