use super::*;
use crate::message::Message;
use crate::request::Text;

/// Janus 1.1.2's echotest answer from the captures (tests/fixtures/captures/http/10-…), as
/// JSON text (escapes intact).
const JANUS_ANSWER_JSON: &str = r#"{"janus":"event","session_id":1,"sender":2,"plugindata":{"plugin":"janus.plugin.echotest","data":{"echotest":"event","result":"ok"}},"jsep":{"type":"answer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=ice-options:trickle\r\na=fingerprint:sha-256 93:23:33:79:35:3B:C0:A3:7A:C1:F1:EC:5A:EB:24:BF:F1:3E:F1:1A:58:28:A1:4D:8C:16:73:CB:EC:38:8A:E5\r\na=msid-semantic: WMS *\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=sendrecv\r\na=mid:0\r\na=rtcp-mux\r\na=ice-ufrag:fjQj\r\na=ice-pwd:p4Io/ZpI2FFpOg/BEzhu1J\r\na=setup:active\r\na=rtpmap:111 opus/48000/2\r\na=candidate:1 1 udp 2015363327 192.0.2.2 21630 typ host\r\na=end-of-candidates\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 127.0.0.1\r\na=recvonly\r\na=mid:1\r\na=ice-ufrag:fjQj\r\na=ice-pwd:p4Io/ZpI2FFpOg/BEzhu1J\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=candidate:1 1 udp 2015363327 192.0.2.2 21630 typ host\r\na=end-of-candidates\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n"}}"#;

fn answer<'s>(scratch: &'s mut [u8]) -> RemoteDescription<'s> {
    let Ok(Message::Event(event)) = Message::decode(JANUS_ANSWER_JSON.as_bytes()) else { panic!("decodes") };
    RemoteDescription::from_jsep(&event.jsep.unwrap(), scratch).unwrap()
}

#[test]
fn janus_answer_reads_as_a_description() {
    let mut scratch = [0u8; 2048];
    let answer = answer(&mut scratch);
    assert_eq!(answer.kind, SdpType::Answer);
    let sdp = answer.sdp;
    assert!(sdp.as_str().contains("\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"));
    let media: std::vec::Vec<_> = sdp.media().collect();
    assert_eq!(media.len(), 3);
    assert_eq!(
        media.iter().map(|m| (m.index, m.kind, m.mid(), m.direction())).collect::<std::vec::Vec<_>>(),
        [
            (0, MediaKind::Audio, Some("0"), Direction::SendRecv),
            (1, MediaKind::Video, Some("1"), Direction::RecvOnly),
            (2, MediaKind::Application, Some("2"), Direction::SendRecv),
        ]
    );
    assert!(media[2].is_rejected());
    assert_eq!(media[1].formats, "96 97");
    assert_eq!(
        media[1].codecs().map(|c| (c.payload_type, c.name, c.clock_rate)).collect::<std::vec::Vec<_>>(),
        [(96, "VP8", 90000), (97, "rtx", 90000)]
    );
    assert_eq!(media[0].codecs().next().unwrap().channels, Some(2));
    assert_eq!(sdp.bundle().collect::<std::vec::Vec<_>>(), ["0", "1"]);
    assert_eq!(sdp.ice_ufrag(), Some("fjQj"));
    assert_eq!(sdp.ice_pwd(), Some("p4Io/ZpI2FFpOg/BEzhu1J"));
    let fingerprint = sdp.fingerprint().unwrap();
    assert_eq!(fingerprint.algorithm, "sha-256");
    assert!(fingerprint.hash.starts_with("93:23:33") && fingerprint.hash.ends_with(":8A:E5"));
    assert!(sdp.has_end_of_candidates());
    let candidates: std::vec::Vec<_> = sdp.candidates().collect();
    assert_eq!(candidates.len(), 2);
    assert_eq!((candidates[1].sdp_mid, candidates[1].sdp_mline_index), (Some("1"), 1));
    let parsed = Candidate::parse(candidates[0].candidate).unwrap();
    assert_eq!(parsed.ip(), Some(IpAddrV4(192, 0, 2, 2)));
    assert_eq!((parsed.port, parsed.kind, parsed.component), (21630, CandidateKind::Host, 1));
}

#[allow(non_snake_case)]
fn IpAddrV4(a: u8, b: u8, c: u8, d: u8) -> core::net::IpAddr {
    core::net::IpAddr::V4(core::net::Ipv4Addr::new(a, b, c, d))
}

#[test]
fn scratch_too_small_names_the_size() {
    let Ok(Message::Event(event)) = Message::decode(JANUS_ANSWER_JSON.as_bytes()) else { panic!() };
    let jsep = event.jsep.unwrap();
    let mut small = [0u8; 100];
    assert_eq!(
        RemoteDescription::from_jsep(&jsep, &mut small),
        Err(DescriptionError::BufferTooSmall { needed: jsep.sdp.unescaped_len(), available: 100 })
    );
}

#[test]
fn unknown_jsep_type_is_an_error() {
    let json =
        br#"{"janus":"event","sender":2,"plugindata":{"plugin":"p","data":{}},"jsep":{"type":"pranswer","sdp":"v=0"}}"#;
    let Ok(Message::Event(event)) = Message::decode(json) else { panic!() };
    let mut scratch = [0u8; 16];
    assert_eq!(RemoteDescription::from_jsep(&event.jsep.unwrap(), &mut scratch), Err(DescriptionError::UnknownType));
}

#[test]
fn local_candidates_go_to_the_first_bundled_section() {
    let offer = Sdp::new("v=0\r\na=group:BUNDLE v a\r\nm=audio 9 X 0\r\na=mid:a\r\nm=video 9 X 96\r\na=mid:v\r\n");
    let local = LocalCandidates::for_description(&offer).unwrap();
    assert_eq!(local.target(), TrickleTarget { sdp_mid: Some("v"), sdp_mline_index: 1 });
    let c = local.candidate("a=candidate:1 1 UDP 2130706431 198.51.100.2 5000 typ host\r\n").unwrap();
    assert_eq!(c.candidate, Text::Plain("candidate:1 1 UDP 2130706431 198.51.100.2 5000 typ host"));
    assert_eq!(c.sdp_mid, Some(Text::Plain("v")));
    assert_eq!(c.sdp_mline_index, Some(1));

    // Without a bundle group: the first section; without mids: none.
    let plain = Sdp::new("v=0\nm=audio 9 X 0\nm=video 9 X 96\n");
    assert_eq!(plain.trickle_target(), Some(TrickleTarget { sdp_mid: None, sdp_mline_index: 0 }));
    assert_eq!(Sdp::new("v=0\r\n").trickle_target(), None);
}

#[test]
fn bad_candidates_are_named() {
    let local = LocalCandidates::new(TrickleTarget { sdp_mid: Some("0"), sdp_mline_index: 0 });
    assert_eq!(local.candidate("a=ice-ufrag:x"), Err(CandidateError::NotACandidate));
    assert_eq!(local.candidate("candidate:1 1 udp"), Err(CandidateError::Missing(CandidateField::Priority)));
    assert_eq!(
        local.candidate("candidate:1 1 udp 99999999999 198.51.100.2 5000 typ host"),
        Err(CandidateError::Malformed(CandidateField::Priority))
    );
    assert_eq!(
        local.candidate("candidate:1 1 udp 1 198.51.100.2 70000 typ host"),
        Err(CandidateError::Malformed(CandidateField::Port))
    );
    assert_eq!(
        local.candidate("candidate:1 1 udp 1 198.51.100.2 7 type host"),
        Err(CandidateError::Malformed(CandidateField::Kind))
    );
    assert_eq!(
        local.candidate("candidate:1 1 udp 1 198.51.100.2 7 typ"),
        Err(CandidateError::Missing(CandidateField::Kind))
    );
    let mdns = Candidate::parse("candidate:1 1 tcp 1 abc.local 9 typ host tcptype active").unwrap();
    assert_eq!((mdns.ip(), mdns.transport, mdns.related), (None, Transport::Tcp, None));
}

#[test]
fn trickle_events_become_remote_candidates() {
    let mut scratch = [0u8; 128];
    let json = br#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"sdpMid":"a\u0030","sdpMLineIndex":1,"candidate":"candidate:1 1 udp 5 198.51.100.1 4000 typ host"}}"#;
    let Ok(Message::Trickle(t)) = Message::decode(json) else { panic!() };
    let RemoteCandidate::Candidate(line) = RemoteCandidate::from_trickle(&t.candidate, &mut scratch).unwrap() else {
        panic!()
    };
    assert_eq!(line.sdp_mid, Some("a0"));
    assert_eq!(line.sdp_mline_index, Some(1));
    assert_eq!(line.parse().unwrap().address, "198.51.100.1");

    let done = br#"{"janus":"trickle","session_id":1,"sender":2,"candidate":{"completed":true}}"#;
    let Ok(Message::Trickle(t)) = Message::decode(done) else { panic!() };
    assert_eq!(RemoteCandidate::from_trickle(&t.candidate, &mut scratch), Ok(RemoteCandidate::EndOfCandidates));

    let escaped = br#"{"janus":"trickle","sender":2,"candidate":{"candidate":"candidate:1 1 udp 5 198.51.100.1 4000 typ host\u0020"}}"#;
    let Ok(Message::Trickle(t)) = Message::decode(escaped) else { panic!() };
    let mut tiny = [0u8; 4];
    assert!(matches!(
        RemoteCandidate::from_trickle(&t.candidate, &mut tiny),
        Err(CandidateError::BufferTooSmall { available: 4, .. })
    ));

    let junk = br#"{"janus":"trickle","sender":2,"candidate":{"candidate":"hello"}}"#;
    let Ok(Message::Trickle(t)) = Message::decode(junk) else { panic!() };
    assert_eq!(RemoteCandidate::from_trickle(&t.candidate, &mut scratch), Err(CandidateError::NotACandidate));
}

#[test]
fn ice_restart_is_a_credential_change() {
    let first = Sdp::new("v=0\r\nm=audio 9 X 0\r\na=ice-ufrag:aaaa\r\na=ice-pwd:p1\r\n");
    let same = Sdp::new("v=0\r\nm=audio 9 X 0\r\na=ice-ufrag:aaaa\r\na=ice-pwd:p1\r\n");
    let restarted = Sdp::new("v=0\r\na=ice-ufrag:bbbb\r\na=ice-pwd:p2\r\nm=audio 9 X 0\r\n");
    assert!(!same.restarts_ice_of(&first));
    assert!(restarted.restarts_ice_of(&first));
    assert!(!Sdp::new("v=0").restarts_ice_of(&first));
}

#[test]
fn odd_sdp_never_panics() {
    for text in ["", "m=", "m=audio", "m=audio x", "\n\n\nm=\r\r\n", "a=group:BUNDLE", "m=audio 1/2 P f\na=mid:\n"] {
        let sdp = Sdp::new(text);
        let _ = (sdp.media().count(), sdp.candidates().count(), sdp.trickle_target(), sdp.fingerprint());
    }
    let counted = Sdp::new("m=audio bad X 0\r\nm=video 9 X 96\r\n").media().next().unwrap();
    assert_eq!(counted.index, 1, "a malformed m= line still counts for the indexes after it");
}
