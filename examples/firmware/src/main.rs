//! A Janus client on a microcontroller: QEMU's `mps2-an386` (Cortex-M4F) or `lm3s6965evb`
//! (Cortex-M3) runs one echotest session against a real Janus over HTTP/1.1, through UART0,
//! which QEMU bridges to TCP (`-serial tcp:127.0.0.1:8088,nodelay=on`).
//!
//! All the JSON and all the HTTP are `janus-signal`'s: the firmware only moves bytes through
//! the UART ([`board`], the one module with `unsafe`), tells the time, and runs the core's
//! one driver over its single-connection HTTP link. Each step is reported over semihosting; the program exits 0 when
//! the whole session worked and 1 (with the error printed) when any step failed.
//!
//! `--features websocket` runs the same session over Janus's WebSocket transport instead, and
//! `--features ethernet` (`mps2-an386` only) over TCP on the board's LAN9118 Ethernet
//! ([`ethernet`]: smoltcp, 198.51.100.2/24, Janus at 198.51.100.1) instead of the UART.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

mod board;
mod console;
#[cfg(feature = "ethernet")]
mod ethernet;

#[cfg(all(feature = "ethernet", not(board = "mps2_an386")))]
compile_error!("the Ethernet builds are for mps2-an386 (--target thumbv7em-none-eabihf): its LAN9118");

use core::cell::Cell;
use core::mem::size_of;

use cortex_m_rt::entry;
use cortex_m_semihosting::debug;
use janus_signal::Instant;
use janus_signal::client::{Client, Output};
use janus_signal::driver::{CallError, Driver};
use janus_signal::message::{ErrorCode, Message};

#[cfg(not(feature = "ethernet"))]
use board::Uart;
use console::Console;

/// The client's capacities: one handle, two requests in flight, four queued events.
type JanusClient = Client<1, 2, 4>;

/// The whole driver state (client, UART, clock, the link's state and buffer references) —
/// everything besides the caller's buffer.
type UartDriver = Driver<transport::Link, fn() -> Instant, Client<1, 2, 4>>;

/// What a driver call fails with.
type UartError = CallError<<transport::Link as janus_signal::driver::Link>::Error>;

/// Janus's HTTP transport over the UART (the default build): one connection, requests and the
/// long poll taking turns.
#[cfg(all(not(feature = "websocket"), not(feature = "ethernet")))]
mod transport {
    use janus_signal::client::{Config, Transport};
    use janus_signal::driver::{HttpEndpoint, HttpSingleLink};

    use crate::board::{self, Uart};

    /// The link.
    pub type Link = HttpSingleLink<'static, Uart>;

    /// One event per long poll keeps every answer a single small object.
    pub fn config() -> Config {
        Config { transport: Transport::Http { maxev: 1 }, ..Config::http() }
    }

    /// The link over `uart`, with `buffer` for every request and response.
    pub fn open(uart: Uart, buffer: &'static mut [u8; board::BUFFER_LEN]) -> Result<Link, crate::Failure> {
        Ok(HttpSingleLink::new(uart, HttpEndpoint { host: "127.0.0.1:8088", base: "/janus" }, buffer))
    }
}

/// Janus's WebSocket transport over the UART (`--features websocket`): events are pushed,
/// there is no long poll.
#[cfg(all(feature = "websocket", not(feature = "ethernet")))]
mod transport {
    use janus_signal::client::Config;
    use janus_signal::driver::WebSocketLink;
    use janus_signal::ws::ClientKey;

    use crate::board::{self, Uart};

    /// The link: frame masks from the board's generator.
    pub type Link = WebSocketLink<'static, Uart, fn() -> [u8; 4]>;

    /// WebSocket defaults: keepalives every 25 s.
    pub fn config() -> Config {
        Config::websocket()
    }

    /// The opening handshake over `uart`; the buffer holds one request (768 bytes) and one
    /// received message (the rest).
    pub fn open(uart: Uart, buffer: &'static mut [u8; board::BUFFER_LEN]) -> Result<Link, crate::Failure> {
        let (tx, rx) = buffer.split_at_mut(768);
        let key = ClientKey::new(board::random_bytes());
        let masks: fn() -> [u8; 4] = board::random_bytes;
        WebSocketLink::connect(uart, "127.0.0.1:8188", "/", &key, masks, tx, rx)
            .map_err(|e| crate::Failure::Step("connect", janus_signal::driver::CallError::Link(e)))
    }
}

/// Janus's HTTP transport over TCP on the Ethernet (`--features ethernet`): the same link
/// as over the UART, on a TCP connection to 198.51.100.1:8088.
#[cfg(all(not(feature = "websocket"), feature = "ethernet"))]
mod transport {
    use janus_signal::client::{Config, Transport};
    use janus_signal::driver::{HttpEndpoint, HttpSingleLink};

    use crate::board;
    use crate::ethernet::{Nic, TcpStream};

    /// The link.
    pub type Link = HttpSingleLink<'static, TcpStream>;

    /// One event per long poll keeps every answer a single small object.
    pub fn config() -> Config {
        Config { transport: Transport::Http { maxev: 1 }, ..Config::http() }
    }

    /// Connects to Janus's HTTP port, then the link over that connection, with `buffer` for
    /// every request and response.
    pub fn open(nic: Nic, buffer: &'static mut [u8; board::BUFFER_LEN]) -> Result<Link, crate::Failure> {
        let stream = crate::connect(nic, 8088)?;
        Ok(HttpSingleLink::new(stream, HttpEndpoint { host: "198.51.100.1:8088", base: "/janus" }, buffer))
    }
}

/// Janus's WebSocket transport over TCP on the Ethernet (`--features ethernet,websocket`):
/// the same link as over the UART, on a TCP connection to 198.51.100.1:8188.
#[cfg(all(feature = "websocket", feature = "ethernet"))]
mod transport {
    use janus_signal::client::Config;
    use janus_signal::driver::WebSocketLink;
    use janus_signal::ws::ClientKey;

    use crate::board;
    use crate::ethernet::{Nic, TcpStream};

    /// The link: frame masks from the board's generator.
    pub type Link = WebSocketLink<'static, TcpStream, fn() -> [u8; 4]>;

    /// WebSocket defaults: keepalives every 25 s.
    pub fn config() -> Config {
        Config::websocket()
    }

    /// Connects to Janus's WebSocket port, then the opening handshake; the buffer holds one
    /// request (768 bytes) and one received message (the rest).
    pub fn open(nic: Nic, buffer: &'static mut [u8; board::BUFFER_LEN]) -> Result<Link, crate::Failure> {
        let stream = crate::connect(nic, 8188)?;
        let (tx, rx) = buffer.split_at_mut(768);
        let key = ClientKey::new(board::random_bytes());
        let masks: fn() -> [u8; 4] = board::random_bytes;
        WebSocketLink::connect(stream, "198.51.100.1:8188", "/", &key, masks, tx, rx)
            .map_err(|e| crate::Failure::Step("connect", janus_signal::driver::CallError::Link(e)))
    }
}

/// The TCP connection to Janus at 198.51.100.1:`port` (the Ethernet builds), reported with
/// the time it took (the LAN9118's start, ARP and the TCP handshake).
#[cfg(feature = "ethernet")]
fn connect(nic: ethernet::Nic, port: u16) -> Result<ethernet::TcpStream, Failure> {
    let started = board::now().total_millis();
    let stream = nic
        .connect(smoltcp::wire::Ipv4Address::new(198, 51, 100, 1), port)
        .map_err(|e| Failure::Step("connect", CallError::Link(transport_error(e))))?;
    let now = board::now().total_millis();
    Console::open().report(now, "connect: TCP to 198.51.100.1 established (ms)", now.saturating_sub(started));
    Ok(stream)
}

/// A TCP error as the link's error.
#[cfg(all(feature = "ethernet", not(feature = "websocket")))]
fn transport_error(error: ethernet::TcpError) -> janus_signal::driver::HttpLinkError<ethernet::TcpError> {
    janus_signal::driver::HttpLinkError::Transport(error)
}

/// A TCP error as the link's error.
#[cfg(all(feature = "ethernet", feature = "websocket"))]
fn transport_error(error: ethernet::TcpError) -> janus_signal::driver::WebSocketError<ethernet::TcpError> {
    janus_signal::driver::WebSocketError::Transport(error)
}

/// The RAM budget for the client's state, besides the caller's buffer.
const CLIENT_STATE_BUDGET: usize = 1024;
const _: () = assert!(size_of::<UartDriver>() <= CLIENT_STATE_BUDGET, "client state over its RAM budget");

/// The echotest's request body: echo audio and video.
#[derive(serde::Serialize)]
struct Echo {
    audio: bool,
    video: bool,
}

/// Why the session failed.
enum Failure {
    /// A driver call failed at this step.
    Step(&'static str, UartError),
    /// A step's answer was wrong.
    Unexpected(&'static str),
}

#[entry]
fn main() -> ! {
    let console = Console::open();
    console.text("janus-signal firmware on ").text(board::NAME).end();
    let outcome = run(console);
    console.text("stack high-water: ").number(board::stack_high_water() as u64).text(" bytes").end();
    match outcome {
        Ok(()) => {
            console.text("result: PASS").end();
            debug::exit(debug::EXIT_SUCCESS);
        }
        Err(Failure::Step(step, error)) => {
            let (what, number) = describe(&error);
            console.text("result: FAIL at ").text(step).text(": ").text(what).text(" ").number(number).end();
            debug::exit(debug::EXIT_FAILURE);
        }
        Err(Failure::Unexpected(what)) => {
            console.text("result: FAIL: ").text(what).end();
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    loop {
        cortex_m::asm::wfi();
    }
}

/// A driver error in words, with the number it carries (0 when none). The firmware spells
/// the variants out itself instead of using the error's `Display`, whose texts for every
/// nested HTTP, JSON and encoding error (with `core::fmt`) would cost several KB of flash.
fn describe(error: &UartError) -> (&'static str, u64) {
    #[cfg(not(feature = "websocket"))]
    use janus_signal::driver::HttpLinkError as LinkError;
    #[cfg(feature = "websocket")]
    use janus_signal::driver::WebSocketError as LinkError;
    match *error {
        #[cfg(not(feature = "ethernet"))]
        CallError::Link(LinkError::Transport(board::UartError::Idle)) => {
            ("the UART stayed silent for (ms)", Uart::IDLE_LIMIT_MS)
        }
        #[cfg(feature = "ethernet")]
        CallError::Link(LinkError::Transport(ethernet::TcpError::Idle)) => {
            ("no progress on the TCP connection for (ms)", ethernet::TcpStream::IDLE_LIMIT_MS)
        }
        #[cfg(feature = "ethernet")]
        CallError::Link(LinkError::Transport(ethernet::TcpError::Closed)) => ("TCP connection refused or closed", 0),
        #[cfg(feature = "ethernet")]
        CallError::Link(LinkError::Transport(ethernet::TcpError::NoDevice)) => ("no LAN9118 at 0x4020_0000", 0),
        #[cfg(not(feature = "websocket"))]
        CallError::Link(LinkError::Closed) => ("connection closed", 0),
        #[cfg(not(feature = "websocket"))]
        CallError::Link(LinkError::Http(_)) => ("malformed HTTP from the server", 0),
        #[cfg(not(feature = "websocket"))]
        CallError::Link(LinkError::ResponseTooLarge { capacity, .. }) => {
            ("response larger than the buffer (bytes)", capacity as u64)
        }
        #[cfg(not(feature = "websocket"))]
        CallError::Link(LinkError::Status(status)) => ("HTTP status", u64::from(status)),
        #[cfg(feature = "websocket")]
        CallError::Link(LinkError::Closed(_)) => ("WebSocket closed", 0),
        #[cfg(feature = "websocket")]
        CallError::Link(LinkError::Handshake(_)) => ("WebSocket handshake refused", 0),
        #[cfg(feature = "websocket")]
        CallError::Link(LinkError::Frame(_)) => ("malformed WebSocket frame", 0),
        CallError::Unreadable(_) => ("undecodable Janus reply", 0),
        CallError::Client(_) => ("the client refused the command", 0),
        CallError::Janus(code) => ("Janus error", code.code()),
        CallError::UnexpectedReply => ("unexpected reply", 0),
        CallError::TimedOut | CallError::Abandoned(_) => ("no reply in time", 0),
        _ => ("driver error", 0),
    }
}

fn run(console: Console) -> Result<(), Failure> {
    let report = |what: &str, number: u64| console.report(board::now().total_millis(), what, number);
    let peripherals = cortex_m::Peripherals::take().ok_or(Failure::Unexpected("peripherals taken"))?;
    #[cfg(not(feature = "ethernet"))]
    let port = Uart::take(peripherals.SYST).ok_or(Failure::Unexpected("UART taken"))?;
    #[cfg(feature = "ethernet")]
    let port = ethernet::Nic::take(peripherals.SYST).ok_or(Failure::Unexpected("Ethernet taken"))?;
    let buffer = board::take_buffer().ok_or(Failure::Unexpected("buffer taken"))?;

    let client =
        JanusClient::new(transport::config(), u64::from(cortex_m::peripheral::SYST::get_current()) ^ 0x9E37_79B9);
    let link = transport::open(port, buffer)?;
    let clock: fn() -> Instant = board::now;
    let mut driver: UartDriver = Driver::new(client, link, clock);
    console
        .text("client state: ")
        .number(size_of::<UartDriver>() as u64)
        .text(" bytes (Client<1, 2, 4> with the driver; budget ");
    console
        .number(CLIENT_STATE_BUDGET as u64)
        .text("), buffer: ")
        .number(board::BUFFER_LEN as u64)
        .text(" bytes")
        .end();

    // What arrives besides the answers: the `message`'s ack is the one the session expects.
    let acks = Cell::new(0u32);
    let sink = &mut |output: Output<'_>| {
        if let Output::Acked { .. } = output {
            acks.set(acks.get().saturating_add(1));
        }
    };
    let session = driver.create_session(sink).map_err(|e| Failure::Step("create", e))?;
    report("create: session", session.0);

    let handle = driver.attach("janus.plugin.echotest", sink).map_err(|e| Failure::Step("attach", e))?;
    report("attach: echotest handle", handle.0);

    let result_ok = driver
        .message::<_, (), _>(handle, &Echo { audio: true, video: true }, None, sink, |reply| {
            let Message::Event(event) = reply else { return false };
            let result = event.plugin_data.and_then(|p| p.data.get("result")).and_then(|r| r.as_str());
            let ok = result.is_some_and(|r| r == "ok");
            report(
                if ok {
                    "message: echotest event, result ok, handle"
                } else {
                    "message: echotest event, result NOT ok, handle"
                },
                handle.0,
            );
            ok
        })
        .map_err(|e| Failure::Step("message", e))?;
    if !result_ok {
        return Err(Failure::Unexpected("the echotest event did not say result ok"));
    }

    driver.keepalive(sink).map_err(|e| Failure::Step("keepalive", e))?;
    report("keepalive: ack, session", session.0);

    // Over WebSocket the plugin's event may come before the message's ack, which then
    // arrives during the next call.
    if acks.get() != 1 {
        return Err(Failure::Unexpected("the message was not acknowledged"));
    }
    report("message: ack, handle", handle.0);

    driver.detach(handle, sink).map_err(|e| Failure::Step("detach", e))?;
    report("detach: success, handle", handle.0);

    driver.destroy_session(sink).map_err(|e| Failure::Step("destroy", e))?;
    report("destroy: success, session", session.0);

    // A request for the destroyed session: Janus must answer with its typed error, not hang.
    match driver.claim_session(session, sink) {
        Err(CallError::Janus(code @ ErrorCode::SessionNotFound)) => {
            report(
                "claim of the destroyed session: typed Janus error SessionNotFound (as expected), code",
                code.code(),
            );
        }
        Err(e) => return Err(Failure::Step("claim of the destroyed session", e)),
        Ok(()) => return Err(Failure::Unexpected("Janus let us claim a destroyed session")),
    }
    Ok(())
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let console = Console::open().text("result: FAIL: panic");
    if let Some(location) = info.location() {
        console.text(" at ").text(location.file()).text(":").number(u64::from(location.line()));
    }
    console.end();
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
