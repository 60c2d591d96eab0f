//! A real WebRTC peer for the media tests and the media example: `str0m` (sans-IO) on its own
//! thread with one UDP socket, fed by the signaling through this project's `webrtc` glue.
//!
//! The peer owns nothing of the signaling: the test moves descriptions and candidates between
//! it and Janus. It sends synthetic media (opus packets of silence, tiny VP8 key frames, each
//! one RTP packet) while sending is on, counts what comes back per media section, and keeps
//! the data-channel texts it receives.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

/// What the peer offers when it is the offerer.
#[derive(Debug, Clone, Copy)]
pub struct OfferSpec {
    /// An opus m-line (sendrecv).
    pub audio: bool,
    /// A VP8 m-line (sendrecv).
    pub video: bool,
    /// A data channel with this label.
    pub data: Option<&'static str>,
    /// Send-only instead of send-receive (a publisher).
    pub send_only: bool,
}

/// What the peer has seen so far (a snapshot).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// ICE connected and DTLS up (`Event::Connected`).
    pub connected: bool,
    /// The last ICE connection state.
    pub ice: Option<String>,
    /// Media frames (one RTP packet each) written, per kind.
    pub sent_audio: u64,
    /// Video frames written.
    pub sent_video: u64,
    /// Media frames received, per kind.
    pub received_audio: u64,
    /// Video frames received.
    pub received_video: u64,
    /// Open data channels, by label.
    pub channels: Vec<String>,
    /// Texts received on data channels, in order.
    pub texts: Vec<String>,
    /// Datagrams dropped on purpose (see [`Peer::set_send_loss`]).
    pub dropped: u64,
    /// The first error of the peer's thread, if any.
    pub error: Option<String>,
}

#[derive(Debug)]
struct Inner {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    pending: Option<SdpPendingOffer>,
    mids: HashMap<Mid, MediaKind>,
    channel: Option<ChannelId>,
    stats: Stats,
    send_audio: bool,
    send_video: bool,
    /// Drop one in `loss_every` outgoing datagrams once connected (0: none).
    loss_every: u64,
    sent_datagrams: u64,
    next_audio: Instant,
    next_video: Instant,
    audio_time: u64,
    video_time: u64,
}

/// A WebRTC peer on its own thread. Dropping it stops the thread.
#[derive(Debug)]
pub struct Peer {
    inner: Arc<Mutex<Inner>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    local_candidates: Vec<String>,
}

/// Opus silence (a TOC byte for a 20 ms SILK frame and a tiny payload).
const OPUS_FRAME: [u8; 3] = [0xf8, 0xff, 0xfe];

/// A small VP8 key frame: frame tag (key frame, version 0, show frame, first partition of 16
/// bytes), the start code, 16x16 pixels, then filler. Each is well under one packet.
fn vp8_key_frame(counter: u64) -> Vec<u8> {
    let first_partition: u32 = 16;
    let tag = (first_partition << 5) | (1 << 4); // key frame (bit 0 = 0), show_frame
    let mut frame = vec![(tag & 0xff) as u8, ((tag >> 8) & 0xff) as u8, ((tag >> 16) & 0xff) as u8];
    frame.extend_from_slice(&[0x9d, 0x01, 0x2a, 16, 0, 16, 0]);
    frame.extend_from_slice(&counter.to_be_bytes());
    frame.resize(40, 0);
    frame
}

impl Peer {
    /// A peer with one host candidate on `ip` (an ephemeral UDP port).
    pub fn new(ip: IpAddr) -> Result<Self, String> {
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).map_err(|e| format!("bind {ip}: {e}"))?;
        let local = socket.local_addr().map_err(|e| e.to_string())?;
        let now = Instant::now();
        let mut rtc = Rtc::builder().clear_codecs().enable_opus(true, false).enable_vp8(true).build(now);
        let candidate = Candidate::host(local, "udp").map_err(|e| format!("host candidate: {e}"))?;
        let line = rtc
            .add_local_candidate(candidate)
            .map(Candidate::to_sdp_string)
            .ok_or("str0m refused the host candidate")?;
        let inner = Inner {
            rtc,
            socket: socket.try_clone().map_err(|e| e.to_string())?,
            local,
            pending: None,
            mids: HashMap::new(),
            channel: None,
            stats: Stats::default(),
            send_audio: false,
            send_video: false,
            loss_every: 0,
            sent_datagrams: 0,
            next_audio: now,
            next_video: now,
            audio_time: 0,
            video_time: 0,
        };
        let inner = Arc::new(Mutex::new(inner));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (inner, stop) = (Arc::clone(&inner), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("webrtc-peer".into())
                .spawn(move || run(&inner, &socket, &stop))
                .map_err(|e| e.to_string())?
        };
        let peer = Self { inner, stop, thread: Some(thread), local_candidates: vec![line] };
        peer.lock().drain();
        Ok(peer)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The peer's UDP address.
    pub fn local_addr(&self) -> SocketAddr {
        self.lock().local
    }

    /// The peer's candidates (`candidate:…`), as it would trickle them.
    pub fn local_candidates(&self) -> &[String] {
        &self.local_candidates
    }

    /// Creates an offer; apply Janus's answer with [`accept_answer`](Self::accept_answer).
    pub fn create_offer(&mut self, spec: OfferSpec) -> Result<String, String> {
        let mut inner = self.lock();
        let mut change = inner.rtc.sdp_api();
        let dir = if spec.send_only { Direction::SendOnly } else { Direction::SendRecv };
        let mut mids = Vec::new();
        if spec.audio {
            mids.push((change.add_media(MediaKind::Audio, dir, None, None, None), MediaKind::Audio));
        }
        if spec.video {
            mids.push((change.add_media(MediaKind::Video, dir, None, None, None), MediaKind::Video));
        }
        if let Some(label) = spec.data {
            change.add_channel(label.to_string());
        }
        let (offer, pending) = change.apply().ok_or("nothing to offer")?;
        inner.mids.extend(mids);
        inner.pending = Some(pending);
        inner.drain();
        Ok(offer.to_sdp_string())
    }

    /// A new offer that restarts ICE (same media), keeping the host candidate.
    pub fn create_ice_restart_offer(&mut self) -> Result<String, String> {
        let mut inner = self.lock();
        let mut change = inner.rtc.sdp_api();
        change.ice_restart(true);
        let (offer, pending) = change.apply().ok_or("the ICE restart made no offer")?;
        inner.pending = Some(pending);
        inner.drain();
        Ok(offer.to_sdp_string())
    }

    /// Applies the answer to the pending offer.
    pub fn accept_answer(&mut self, sdp: &str) -> Result<(), String> {
        let mut inner = self.lock();
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| format!("Janus's answer does not parse: {e}"))?;
        let pending = inner.pending.take().ok_or("no offer is pending")?;
        inner.rtc.sdp_api().accept_answer(pending, answer).map_err(|e| format!("answer rejected: {e}"))?;
        inner.drain();
        Ok(())
    }

    /// Answers an offer of Janus's.
    pub fn accept_offer(&mut self, sdp: &str) -> Result<String, String> {
        let mut inner = self.lock();
        let offer = SdpOffer::from_sdp_string(sdp).map_err(|e| format!("Janus's offer does not parse: {e}"))?;
        let answer = inner.rtc.sdp_api().accept_offer(offer).map_err(|e| format!("offer rejected: {e}"))?;
        inner.drain();
        Ok(answer.to_sdp_string())
    }

    /// Adds a candidate of Janus's (from a `trickle` event or its SDP).
    pub fn add_remote_candidate(&mut self, line: &str) -> Result<(), String> {
        let candidate = Candidate::from_sdp_string(line).map_err(|e| format!("remote candidate {line:?}: {e}"))?;
        let mut inner = self.lock();
        inner.rtc.add_remote_candidate(candidate);
        inner.drain();
        Ok(())
    }

    /// Starts or stops sending synthetic audio (every 20 ms) and video (every 33 ms).
    pub fn set_sending(&self, audio: bool, video: bool) {
        let mut inner = self.lock();
        let now = Instant::now();
        if audio && !inner.send_audio {
            inner.next_audio = now;
        }
        if video && !inner.send_video {
            inner.next_video = now;
        }
        inner.send_audio = audio;
        inner.send_video = video;
    }

    /// Drops one in `every` outgoing datagrams from now on (0: none), to make Janus see loss.
    pub fn set_send_loss(&self, every: u64) {
        self.lock().loss_every = every;
    }

    /// Opens a data channel labelled `label` on a PeerConnection that already has an
    /// application section (e.g. from Janus's offer): no renegotiation. Its `ChannelOpen`
    /// shows in [`Stats::channels`].
    pub fn open_channel(&mut self, label: &str) -> Result<(), String> {
        let mut inner = self.lock();
        let mut change = inner.rtc.sdp_api();
        change.add_channel(label.to_string());
        if change.apply().is_some() {
            return Err("opening the channel needs a renegotiation (no application section yet)".into());
        }
        inner.drain();
        Ok(())
    }

    /// Sends a text on the first open data channel.
    pub fn send_text(&mut self, text: &str) -> Result<(), String> {
        let mut inner = self.lock();
        let id = inner.channel.ok_or("no data channel is open")?;
        let mut channel = inner.rtc.channel(id).ok_or("the data channel is gone")?;
        channel.write(false, text.as_bytes()).map_err(|e| format!("data channel write: {e}"))?;
        inner.drain();
        Ok(())
    }

    /// A snapshot of what the peer has seen.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// Waits up to `timeout` until `done` holds for the stats; returns that snapshot, or the
    /// last one (as text) when time ran out or the peer failed.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&Stats) -> bool) -> Result<Stats, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let stats = self.stats();
            if done(&stats) {
                return Ok(stats);
            }
            if stats.error.is_some() || Instant::now() >= deadline {
                return Err(format!("{stats:?}"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Closes the PeerConnection (no more packets) and stops the thread.
    pub fn close(&mut self) {
        self.lock().rtc.disconnect();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.close();
    }
}

impl Inner {
    /// Drains str0m's outputs until it asks for the next timeout, which it returns.
    fn drain(&mut self) -> Instant {
        loop {
            let output = match self.rtc.poll_output() {
                Ok(output) => output,
                Err(e) => {
                    self.fail(format!("str0m: {e}"));
                    return Instant::now() + Duration::from_millis(50);
                }
            };
            match output {
                Output::Timeout(at) => return at,
                Output::Transmit(t) => {
                    self.sent_datagrams += 1;
                    if self.stats.connected
                        && self.loss_every > 0
                        && self.sent_datagrams.is_multiple_of(self.loss_every)
                    {
                        self.stats.dropped += 1;
                        continue;
                    }
                    if let Err(e) = self.socket.send_to(&t.contents, t.destination) {
                        self.fail(format!("send to {}: {e}", t.destination));
                    }
                }
                Output::Event(event) => self.event(event),
            }
        }
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Connected => self.stats.connected = true,
            Event::IceConnectionStateChange(state) => {
                self.stats.ice = Some(format!("{state:?}"));
                if state == IceConnectionState::Disconnected {
                    self.stats.connected = false;
                }
            }
            Event::MediaAdded(added) => {
                self.mids.insert(added.mid, added.kind);
            }
            Event::MediaData(data) => match self.mids.get(&data.mid) {
                Some(MediaKind::Audio) => self.stats.received_audio += 1,
                Some(MediaKind::Video) => self.stats.received_video += 1,
                None => {}
            },
            Event::ChannelOpen(id, label) => {
                self.channel.get_or_insert(id);
                self.stats.channels.push(label);
            }
            Event::ChannelData(data) => self.stats.texts.push(String::from_utf8_lossy(&data.data).into_owned()),
            _ => {}
        }
    }

    fn fail(&mut self, error: String) {
        self.stats.error.get_or_insert(error);
    }

    /// Writes the media frames that are due; returns when the next one is.
    fn send_media(&mut self, now: Instant) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        if !self.stats.connected {
            return None;
        }
        let mids: Vec<(Mid, MediaKind)> = self.mids.iter().map(|(m, k)| (*m, *k)).collect();
        for (mid, kind) in mids {
            let (on, due, period) = match kind {
                MediaKind::Audio => (self.send_audio, self.next_audio, Duration::from_millis(20)),
                MediaKind::Video => (self.send_video, self.next_video, Duration::from_millis(33)),
            };
            if !on {
                continue;
            }
            if due <= now {
                self.write_frame(mid, kind, now);
                match kind {
                    MediaKind::Audio => self.next_audio = due + period,
                    MediaKind::Video => self.next_video = due + period,
                }
            }
            let due = if kind == MediaKind::Audio { self.next_audio } else { self.next_video };
            next = Some(next.map_or(due, |n| n.min(due)));
        }
        next
    }

    fn write_frame(&mut self, mid: Mid, kind: MediaKind, now: Instant) {
        let Some(writer) = self.rtc.writer(mid) else { return };
        let Some(pt) = writer.payload_params().find(|p| p.spec().codec.kind() == kind).map(|p| p.pt()) else {
            return;
        };
        let result = match kind {
            MediaKind::Audio => {
                self.audio_time += 960;
                writer.write(pt, now, MediaTime::new(self.audio_time, Frequency::FORTY_EIGHT_KHZ), OPUS_FRAME.to_vec())
            }
            MediaKind::Video => {
                self.video_time += 3000;
                let frame = vp8_key_frame(self.video_time);
                writer.write(pt, now, MediaTime::new(self.video_time, Frequency::NINETY_KHZ), frame)
            }
        };
        match result {
            Ok(()) => match kind {
                MediaKind::Audio => self.stats.sent_audio += 1,
                MediaKind::Video => self.stats.sent_video += 1,
            },
            Err(e) => self.fail(format!("write {kind:?}: {e}")),
        }
        self.drain();
    }
}

fn run(inner: &Mutex<Inner>, socket: &UdpSocket, stop: &AtomicBool) {
    let mut buf = vec![0u8; 2000];
    let lock = || inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    while !stop.load(Ordering::Relaxed) {
        let wake = {
            let mut inner = lock();
            let now = Instant::now();
            let mut wake = inner.drain();
            if let Some(media) = inner.send_media(now) {
                wake = wake.min(media);
                wake = wake.min(inner.drain());
            }
            wake
        };
        // Short waits keep commands from the test thread (which drain themselves) and the
        // stop flag responsive.
        let wait =
            wake.saturating_duration_since(Instant::now()).clamp(Duration::from_millis(1), Duration::from_millis(10));
        let _ = socket.set_read_timeout(Some(wait));
        match socket.recv_from(&mut buf) {
            Ok((n, source)) => {
                let mut inner = lock();
                let destination = inner.local;
                let Ok(contents) = buf[..n].try_into() else { continue };
                let input =
                    Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination, contents });
                if inner.rtc.accepts(&input)
                    && let Err(e) = inner.rtc.handle_input(input)
                {
                    inner.fail(format!("str0m input: {e}"));
                }
                inner.drain();
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                let mut inner = lock();
                if let Err(e) = inner.rtc.handle_input(Input::Timeout(Instant::now())) {
                    inner.fail(format!("str0m timeout: {e}"));
                }
                inner.drain();
            }
            Err(e) => {
                lock().fail(format!("recv: {e}"));
                return;
            }
        }
    }
}
