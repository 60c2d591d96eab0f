//! The Ethernet builds' network (`--features ethernet`, `mps2-an386` only): a polled driver for
//! the board's SMSC LAN9118, smoltcp's IPv4 stack on it (static address 198.51.100.2/24, ARP,
//! TCP), and one TCP connection as an `embedded-io` stream for the core's links.
//!
//! The LAN9118 is driven as QEMU 7.2 models it (hw/net/lan9118.c; on `mps2-an386` it sits at
//! `0x4020_0000`, hw/arm/mps2.c): 32-bit mode, no interrupts, no DMA. Frames go out through
//! the TX data FIFO (command words A and B, then the frame in little-endian words) and come in
//! through the RX status FIFO (one word per frame with its length) and the RX data FIFO (the
//! frame and its CRC in little-endian words).
//!
//! The `unsafe` here is the registers' volatile reads and writes, and the one hand-out of the
//! static storage for the frames, the socket and the interface (the pattern of
//! `board::take_buffer`); every block says why it is sound.
#![allow(unsafe_code)]

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m::peripheral::SYST;
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet, SocketStorage};
use smoltcp::phy::{self, Device, DeviceCapabilities, Medium};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpAddress, IpCidr, Ipv4Address};

use crate::board;

/// The LAN9118's registers (offsets from hw/net/lan9118.c).
mod regs {
    pub(super) const BASE: usize = 0x4020_0000;
    /// RX data FIFO port (reads pop a word of the current frame).
    pub(super) const RX_DATA_FIFO: usize = BASE;
    /// TX data FIFO port (command A, command B, then the frame's words).
    pub(super) const TX_DATA_FIFO: usize = BASE + 0x20;
    /// RX status FIFO port: one word per received frame, length in bits 29:16.
    pub(super) const RX_STATUS_FIFO: usize = BASE + 0x40;
    /// TX status FIFO port: one word per sent frame.
    pub(super) const TX_STATUS_FIFO: usize = BASE + 0x48;
    pub(super) const BYTE_TEST: usize = BASE + 0x64;
    pub(super) const RX_CFG: usize = BASE + 0x6C;
    pub(super) const TX_CFG: usize = BASE + 0x70;
    pub(super) const HW_CFG: usize = BASE + 0x74;
    /// Bits 23:16: RX status words waiting.
    pub(super) const RX_FIFO_INF: usize = BASE + 0x7C;
    /// Bits 23:16: TX status words waiting; bits 15:0: free TX data FIFO space.
    pub(super) const TX_FIFO_INF: usize = BASE + 0x80;
    pub(super) const PMT_CTRL: usize = BASE + 0x84;
    pub(super) const MAC_CSR_CMD: usize = BASE + 0xA4;
    pub(super) const MAC_CSR_DATA: usize = BASE + 0xA8;

    /// What BYTE_TEST always reads.
    pub(super) const BYTE_TEST_VALUE: u32 = 0x8765_4321;
    /// HW_CFG: soft reset (self-clearing).
    pub(super) const HW_CFG_SRST: u32 = 1 << 0;
    /// PMT_CTRL: the device is ready.
    pub(super) const PMT_CTRL_READY: u32 = 1 << 0;
    /// TX_CFG: transmitter on.
    pub(super) const TX_CFG_TX_ON: u32 = 1 << 1;
    /// MAC_CSR_CMD: busy (start the access), and read (not write).
    pub(super) const MAC_CSR_BUSY: u32 = 1 << 31;
    /// The MAC's own registers, reached through MAC_CSR_CMD/DATA.
    pub(super) const MAC_CR: u32 = 1;
    pub(super) const MAC_ADDRH: u32 = 2;
    pub(super) const MAC_ADDRL: u32 = 3;
    /// MAC_CR: full duplex, transmitter and receiver on (promiscuous mode, the reset value,
    /// off: only frames for our address and broadcasts come in).
    pub(super) const MAC_CR_FDPX: u32 = 1 << 20;
    pub(super) const MAC_CR_TXEN: u32 = 1 << 3;
    pub(super) const MAC_CR_RXEN: u32 = 1 << 2;
    /// TX command A: first and last segment (one buffer per frame); bits 10:0 its size.
    pub(super) const TX_CMD_A_FIRST: u32 = 1 << 13;
    pub(super) const TX_CMD_A_LAST: u32 = 1 << 12;
    /// RX status: error summary.
    pub(super) const RX_STATUS_ERROR: u32 = 1 << 15;
}

/// Reads a 32-bit LAN9118 register.
fn read_reg(address: usize) -> u32 {
    // SAFETY: callers pass only the register addresses of `regs`: valid, aligned MMIO of the
    // board's LAN9118 (mapped at 0x4020_0000 on mps2-an386, 0x100 bytes). A read's only side
    // effect is the device's own (popping a FIFO word), and only the one `Nic` reads them.
    unsafe { ptr::read_volatile(address as *const u32) }
}

/// Writes a 32-bit LAN9118 register.
fn write_reg(address: usize, value: u32) {
    // SAFETY: as in `read_reg`: a valid, aligned LAN9118 MMIO register, written only by the
    // one `Nic`.
    unsafe { ptr::write_volatile(address as *mut u32, value) }
}

/// Longest Ethernet frame without its CRC (no VLAN tags).
const FRAME_LEN: usize = 1514;
/// The TCP socket's receive buffer (the window it offers).
const TCP_RX_LEN: usize = 2048;
/// The TCP socket's send buffer (one request at a time).
const TCP_TX_LEN: usize = 1024;

/// The board's address: locally administered, unicast.
const MAC: [u8; 6] = [0x02, 0x00, 0x5E, 0x00, 0x00, 0x02];
/// The board's IPv4 address, 198.51.100.2/24 (TEST-NET-2: never routed).
const ADDRESS: Ipv4Address = Ipv4Address::new(198, 51, 100, 2);
const PREFIX_LEN: u8 = 24;

/// The network could not complete an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpError {
    /// No LAN9118 answers at its address (BYTE_TEST is wrong), or it never became ready.
    NoDevice,
    /// Nothing came for [`TcpStream::IDLE_LIMIT_MS`] (no answer to the connection, no data,
    /// or the data sent was never acknowledged).
    Idle,
    /// The server refused or reset the connection, or closed it while data was to be sent.
    Closed,
}

impl core::fmt::Display for TcpError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NoDevice => "no LAN9118",
            Self::Idle => "no progress on the TCP connection for 40 s",
            Self::Closed => "TCP connection closed",
        })
    }
}

impl core::error::Error for TcpError {}

impl embedded_io::Error for TcpError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            Self::NoDevice => embedded_io::ErrorKind::NotFound,
            Self::Idle => embedded_io::ErrorKind::TimedOut,
            Self::Closed => embedded_io::ErrorKind::ConnectionReset,
        }
    }
}

/// Everything the network keeps, in static RAM (`.bss`): the frame buffers, the socket's
/// buffers, smoltcp's socket slot and, once built, the interface. The driver's own state
/// ([`TcpStream`]) is a single reference to it.
struct Storage {
    frame_rx: [u8; FRAME_LEN],
    frame_tx: [u8; FRAME_LEN],
    tcp_rx: [u8; TCP_RX_LEN],
    tcp_tx: [u8; TCP_TX_LEN],
    /// smoltcp's socket slot and the interface are written when the connection is made
    /// (uninitialized until then, so that the whole storage stays in `.bss`: their empty
    /// values are not all zeros and would put 6 KiB into `.data`, and so into flash).
    sockets: MaybeUninit<[SocketStorage<'static>; 1]>,
    net: MaybeUninit<Net>,
}

/// The place of [`Storage`].
struct StorageCell(UnsafeCell<Storage>);

// SAFETY: the contents are only reached through `Nic::take`, which hands out one `&mut` for
// the whole program (guarded by `TAKEN`); the firmware has no threads or interrupt handlers.
unsafe impl Sync for StorageCell {}

static STORAGE: StorageCell = StorageCell(UnsafeCell::new(Storage {
    frame_rx: [0; FRAME_LEN],
    frame_tx: [0; FRAME_LEN],
    tcp_rx: [0; TCP_RX_LEN],
    tcp_tx: [0; TCP_TX_LEN],
    sockets: MaybeUninit::uninit(),
    net: MaybeUninit::uninit(),
}));
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The LAN9118 with its static storage, before the connection.
pub struct Nic {
    storage: &'static mut Storage,
}

impl Nic {
    /// The network (once; `None` afterwards). Starts SysTick as the UART builds do: its
    /// counter seeds smoltcp's randomness (initial sequence number, local port) and it keeps
    /// QEMU's I/O loop awake.
    pub fn take(mut syst: SYST) -> Option<Self> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        board::start_systick(&mut syst);
        // SAFETY: the swap above lets exactly one caller get here, so this is the only
        // reference to the storage for the rest of the program.
        let storage = unsafe { &mut *STORAGE.0.get() };
        Some(Self { storage })
    }

    /// Resets and starts the LAN9118, brings up the interface and opens a TCP connection to
    /// `server:port`, waiting until it is established.
    pub fn connect(self, server: Ipv4Address, port: u16) -> Result<TcpStream, TcpError> {
        let Storage { frame_rx, frame_tx, tcp_rx, tcp_tx, sockets, net } = self.storage;
        let mut device = Lan9118::start(frame_rx, frame_tx)?;
        let seed = u64::from(SYST::get_current()) << 32 | u64::from(SYST::get_current().rotate_left(13));
        let mut config = Config::new(HardwareAddress::Ethernet(EthernetAddress(MAC)));
        config.random_seed = seed;
        let mut iface = Interface::new(config, &mut device, timestamp());
        iface.update_ip_addrs(|addrs| {
            // One address in a list of two: the push cannot fail.
            let _ = addrs.push(IpCidr::new(IpAddress::Ipv4(ADDRESS), PREFIX_LEN));
        });
        let mut socket =
            tcp::Socket::new(tcp::SocketBuffer::new(&mut tcp_rx[..]), tcp::SocketBuffer::new(&mut tcp_tx[..]));
        // Whole messages are written at once: no Nagle, and acknowledge at once.
        socket.set_nagle_enabled(false);
        socket.set_ack_delay(None);
        let local_port = 49_152 + (seed as u16 & 0x3FFF);
        socket.connect(iface.context(), (IpAddress::Ipv4(server), port), local_port).map_err(|_| TcpError::Closed)?;
        let mut set = SocketSet::new(&mut sockets.write([SocketStorage::EMPTY])[..]);
        let handle = set.add(socket);
        let net = net.write(Net { device, iface, sockets: set, handle });
        let mut stream = TcpStream { net };
        stream.wait(|socket| match socket.state() {
            tcp::State::Established => Some(Ok(())),
            tcp::State::SynSent | tcp::State::SynReceived => None,
            _ => Some(Err(TcpError::Closed)),
        })?;
        Ok(stream)
    }
}

/// smoltcp's time: the semihosting clock.
fn timestamp() -> Instant {
    Instant::from_millis(board::now().total_millis() as i64)
}

/// The LAN9118 as smoltcp's device, with one frame buffer each way.
struct Lan9118 {
    rx: &'static mut [u8; FRAME_LEN],
    tx: &'static mut [u8; FRAME_LEN],
}

/// Bounded wait for a register condition (QEMU completes resets and MAC accesses at once; a
/// real chip takes microseconds).
fn wait_for(condition: impl Fn() -> bool) -> Result<(), TcpError> {
    for _ in 0..100_000 {
        if condition() {
            return Ok(());
        }
    }
    Err(TcpError::NoDevice)
}

impl Lan9118 {
    /// Checks that the chip is there, resets it, sets the MAC address and turns the
    /// transmitter and receiver on.
    fn start(rx: &'static mut [u8; FRAME_LEN], tx: &'static mut [u8; FRAME_LEN]) -> Result<Self, TcpError> {
        if read_reg(regs::BYTE_TEST) != regs::BYTE_TEST_VALUE {
            return Err(TcpError::NoDevice);
        }
        write_reg(regs::HW_CFG, regs::HW_CFG_SRST);
        wait_for(|| read_reg(regs::HW_CFG) & regs::HW_CFG_SRST == 0)?;
        wait_for(|| read_reg(regs::PMT_CTRL) & regs::PMT_CTRL_READY != 0)?;
        let [a, b, c, d, e, f] = MAC;
        mac_write(regs::MAC_ADDRL, u32::from_le_bytes([a, b, c, d]))?;
        mac_write(regs::MAC_ADDRH, u32::from_le_bytes([e, f, 0, 0]))?;
        mac_write(regs::MAC_CR, regs::MAC_CR_FDPX | regs::MAC_CR_TXEN | regs::MAC_CR_RXEN)?;
        // No offset or padding around received frames; transmitter on.
        write_reg(regs::RX_CFG, 0);
        write_reg(regs::TX_CFG, regs::TX_CFG_TX_ON);
        Ok(Self { rx, tx })
    }

    /// Takes the next good frame out of the RX FIFOs into `rx`: its length, or `None` when
    /// none is waiting (a bad or oversized frame is read and dropped).
    fn receive_frame(&mut self) -> Option<usize> {
        if (read_reg(regs::RX_FIFO_INF) >> 16) & 0xFF == 0 {
            return None;
        }
        let status = read_reg(regs::RX_STATUS_FIFO);
        // The length counts the 4-byte CRC, which follows the frame in the FIFO.
        let len = ((status >> 16) & 0x3FFF) as usize;
        let mut good = status & regs::RX_STATUS_ERROR == 0 && len >= 14 + 4 && len - 4 <= FRAME_LEN;
        for word_index in 0..len.div_ceil(4) {
            let word = read_reg(regs::RX_DATA_FIFO).to_le_bytes();
            let start = word_index * 4;
            for (i, byte) in word.into_iter().enumerate() {
                if let Some(slot) = self.rx.get_mut(start + i) {
                    *slot = byte;
                } else if start + i < len.saturating_sub(4) {
                    good = false;
                }
            }
        }
        good.then(|| len - 4)
    }
}

/// Writes a MAC register through MAC_CSR_CMD/DATA.
fn mac_write(register: u32, value: u32) -> Result<(), TcpError> {
    wait_for(|| read_reg(regs::MAC_CSR_CMD) & regs::MAC_CSR_BUSY == 0)?;
    write_reg(regs::MAC_CSR_DATA, value);
    write_reg(regs::MAC_CSR_CMD, regs::MAC_CSR_BUSY | register);
    wait_for(|| read_reg(regs::MAC_CSR_CMD) & regs::MAC_CSR_BUSY == 0)
}

/// Sends `frame` as one TX buffer, then drops the TX status words (nobody reads them).
fn transmit_frame(frame: &[u8]) {
    let len = frame.len() as u32;
    // Command words and the frame's words must fit (free space in bytes on a real chip,
    // in words in QEMU's model: waiting for the byte count covers both).
    let _ = wait_for(|| read_reg(regs::TX_FIFO_INF) & 0xFFFF >= len + 8);
    write_reg(regs::TX_DATA_FIFO, regs::TX_CMD_A_FIRST | regs::TX_CMD_A_LAST | len);
    // Command B: the frame's length, and the same as its tag.
    write_reg(regs::TX_DATA_FIFO, len << 16 | len);
    for chunk in frame.chunks(4) {
        let mut word = [0u8; 4];
        for (slot, &byte) in word.iter_mut().zip(chunk) {
            *slot = byte;
        }
        write_reg(regs::TX_DATA_FIFO, u32::from_le_bytes(word));
    }
    while (read_reg(regs::TX_FIFO_INF) >> 16) & 0xFF != 0 {
        read_reg(regs::TX_STATUS_FIFO);
    }
}

/// A received frame, for smoltcp.
struct RxToken<'a>(&'a [u8]);

/// Room for a frame to send, for smoltcp.
struct TxToken<'a>(&'a mut [u8; FRAME_LEN]);

impl phy::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl phy::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        // smoltcp never asks for more than the MTU (a whole frame).
        let frame = &mut self.0[..len.min(FRAME_LEN)];
        let result = f(frame);
        transmit_frame(frame);
        result
    }
}

impl Device for Lan9118 {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, _timestamp: Instant) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let len = self.receive_frame()?;
        let frame = self.rx.get(..len)?;
        Some((RxToken(frame), TxToken(self.tx)))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<TxToken<'_>> {
        Some(TxToken(self.tx))
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = FRAME_LEN;
        caps.max_burst_size = Some(1);
        caps
    }
}

/// The interface with its one socket.
struct Net {
    device: Lan9118,
    iface: Interface,
    sockets: SocketSet<'static>,
    handle: SocketHandle,
}

/// The TCP connection to the server as an `embedded-io` stream.
pub struct TcpStream {
    net: &'static mut Net,
}

impl core::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("TcpStream")
    }
}

impl TcpStream {
    /// Longest wait without progress (the UART's too: [`board::IDLE_LIMIT_MS`]).
    pub const IDLE_LIMIT_MS: u64 = board::IDLE_LIMIT_MS;

    /// Polls the interface until `done` says something about the socket, or
    /// [`Self::IDLE_LIMIT_MS`] passed.
    fn wait<T>(
        &mut self,
        mut done: impl FnMut(&mut tcp::Socket<'static>) -> Option<Result<T, TcpError>>,
    ) -> Result<T, TcpError> {
        let started = board::now().total_millis();
        loop {
            let now = timestamp();
            let Net { device, iface, sockets, handle } = &mut *self.net;
            iface.poll(now, device, sockets);
            if let Some(outcome) = done(sockets.get_mut::<tcp::Socket<'static>>(*handle)) {
                // Send what the step queued (an acknowledgement, a window update, data).
                iface.poll(timestamp(), device, sockets);
                return outcome;
            }
            if board::now().total_millis().saturating_sub(started) > Self::IDLE_LIMIT_MS {
                return Err(TcpError::Idle);
            }
        }
    }
}

impl embedded_io::ErrorType for TcpStream {
    type Error = TcpError;
}

impl embedded_io::Read for TcpStream {
    /// Blocks until data came (or [`TcpStream::IDLE_LIMIT_MS`] passed); `Ok(0)` once the
    /// server closed the connection.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, TcpError> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.wait(|socket| {
            if socket.can_recv() {
                Some(socket.recv_slice(buf).map_err(|_| TcpError::Closed))
            } else if !socket.may_recv() {
                Some(Ok(0))
            } else {
                None
            }
        })
    }
}

impl embedded_io::Write for TcpStream {
    /// Copies what fits into the socket's send buffer (waiting for room) and sends it.
    fn write(&mut self, buf: &[u8]) -> Result<usize, TcpError> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.wait(|socket| {
            if !socket.may_send() {
                Some(Err(TcpError::Closed))
            } else if socket.can_send() {
                Some(socket.send_slice(buf).map_err(|_| TcpError::Closed))
            } else {
                None
            }
        })
    }

    /// Polls until everything written was sent: acknowledged, or out on the wire with nothing
    /// more the socket could send now (waiting for the acknowledgement would add the peer's
    /// delayed ACK, 40 ms on Linux, to every request head written before its body).
    fn flush(&mut self) -> Result<(), TcpError> {
        let started = board::now().total_millis();
        loop {
            let now = timestamp();
            let Net { device, iface, sockets, handle } = &mut *self.net;
            iface.poll(now, device, sockets);
            let socket = sockets.get_mut::<tcp::Socket<'static>>(*handle);
            if socket.send_queue() == 0 {
                return Ok(());
            }
            if !socket.may_send() {
                return Err(TcpError::Closed);
            }
            if iface.poll_delay(now, sockets) != Some(smoltcp::time::Duration::ZERO) {
                return Ok(());
            }
            if board::now().total_millis().saturating_sub(started) > Self::IDLE_LIMIT_MS {
                return Err(TcpError::Idle);
            }
        }
    }
}
