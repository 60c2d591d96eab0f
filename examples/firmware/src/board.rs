//! Everything that touches the hardware: the UART as an `embedded-io` stream, the time, the
//! stack measurement and the static buffer. This is the only module with `unsafe` in the
//! project; every block says why it is sound.
//!
//! The UART registers are as QEMU 7.2 models them:
//!
//! - `mps2-an386`: UART0 is an ARM CMSDK APB UART at `0x4000_4000` (DATA `0x00`, STATE `0x04`
//!   with bit 0 TX full and bit 1 RX full, CTRL `0x08` with bit 0 TX enable and bit 1 RX enable,
//!   BAUDDIV `0x10`).
//! - `lm3s6965evb`: UART0 is an ARM PL011 at `0x4000_C000` (DR `0x00`, FR `0x18` with bit 4 RX
//!   empty and bit 5 TX full, IBRD `0x24`, FBRD `0x28`, LCRH `0x2C`, CR `0x30`).
//!
//! QEMU bridges UART0 to a TCP connection (`-serial tcp:HOST:PORT`); the host's socket buffer
//! is the FIFO, so nothing overruns while the firmware is busy.
//!
//! The Ethernet builds (`--features ethernet`) have no UART: their network is in `ethernet`.
#![allow(unsafe_code)]

use core::ptr;
#[cfg(feature = "websocket")]
use core::sync::atomic::AtomicU32;
use core::sync::atomic::{AtomicBool, Ordering};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use janus_signal::Instant;

/// The board's name, as QEMU's `-machine` knows it.
#[cfg(board = "mps2_an386")]
pub const NAME: &str = "mps2-an386 (Cortex-M4F)";
/// The board's name, as QEMU's `-machine` knows it.
#[cfg(board = "lm3s6965evb")]
pub const NAME: &str = "lm3s6965evb (Cortex-M3)";

#[cfg(all(board = "mps2_an386", not(feature = "ethernet")))]
mod regs {
    pub(super) const BASE: usize = 0x4000_4000;
    pub(super) const DATA: usize = BASE;
    pub(super) const STATE: usize = BASE + 0x04;
    pub(super) const CTRL: usize = BASE + 0x08;
    pub(super) const BAUDDIV: usize = BASE + 0x10;
    pub(super) const STATE_TX_FULL: u32 = 1 << 0;
    pub(super) const STATE_RX_FULL: u32 = 1 << 1;
    pub(super) const CTRL_TX_ENABLE: u32 = 1 << 0;
    pub(super) const CTRL_RX_ENABLE: u32 = 1 << 1;
    /// 115200 baud at the 25 MHz peripheral clock (QEMU ignores the rate but wants ≥ 16).
    pub(super) const BAUDDIV_115200: u32 = 217;
}

#[cfg(all(board = "lm3s6965evb", not(feature = "ethernet")))]
mod regs {
    pub(super) const BASE: usize = 0x4000_C000;
    pub(super) const DR: usize = BASE;
    pub(super) const FR: usize = BASE + 0x18;
    pub(super) const IBRD: usize = BASE + 0x24;
    pub(super) const FBRD: usize = BASE + 0x28;
    pub(super) const LCRH: usize = BASE + 0x2C;
    pub(super) const CR: usize = BASE + 0x30;
    pub(super) const FR_RX_EMPTY: u32 = 1 << 4;
    pub(super) const FR_TX_FULL: u32 = 1 << 5;
    /// FIFOs on, 8 data bits.
    pub(super) const LCRH_8N1_FIFO: u32 = 0x70;
    /// UART, TX and RX enabled.
    pub(super) const CR_ENABLE: u32 = 0x301;
}

/// Reads a 32-bit UART register.
#[cfg(not(feature = "ethernet"))]
fn read_reg(address: usize) -> u32 {
    // SAFETY: callers pass only the UART0 register addresses of `regs`, which are valid,
    // aligned, always-mapped MMIO registers of this board; a volatile read has no side effect
    // beyond the UART's own (popping a received byte from DATA/DR, which `Uart` owns).
    unsafe { ptr::read_volatile(address as *const u32) }
}

/// Writes a 32-bit UART register.
#[cfg(not(feature = "ethernet"))]
fn write_reg(address: usize, value: u32) {
    // SAFETY: as in `read_reg`: a valid, aligned UART0 MMIO register, and only the `Uart`
    // (of which there is one) writes to them.
    unsafe { ptr::write_volatile(address as *mut u32, value) }
}

/// The UART could not complete a read.
#[cfg(not(feature = "ethernet"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UartError {
    /// No byte arrived for [`Uart::IDLE_LIMIT_MS`]: the server is gone (the link itself cannot
    /// tell; QEMU simply stops delivering bytes).
    Idle,
}

#[cfg(not(feature = "ethernet"))]
impl core::fmt::Display for UartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("no byte from the UART for 40 s")
    }
}

#[cfg(not(feature = "ethernet"))]
impl core::error::Error for UartError {}

#[cfg(not(feature = "ethernet"))]
impl embedded_io::Error for UartError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::TimedOut
    }
}

/// UART0, polled, as an `embedded-io` byte stream.
#[cfg(not(feature = "ethernet"))]
#[derive(Debug)]
pub struct Uart {
    _owned: (),
}

#[cfg(not(feature = "ethernet"))]
static UART_TAKEN: AtomicBool = AtomicBool::new(false);

#[cfg(not(feature = "ethernet"))]
impl Uart {
    /// Longest wait for the next byte (see [`IDLE_LIMIT_MS`]).
    pub const IDLE_LIMIT_MS: u64 = IDLE_LIMIT_MS;

    /// Sets up UART0 (once; `None` afterwards) and starts SysTick, which also keeps QEMU's
    /// I/O loop awake on the mps2 (without it the first reply stalls for about a second).
    pub fn take(mut syst: SYST) -> Option<Self> {
        if UART_TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        #[cfg(board = "mps2_an386")]
        {
            write_reg(regs::CTRL, 0);
            write_reg(regs::BAUDDIV, regs::BAUDDIV_115200);
            write_reg(regs::CTRL, regs::CTRL_TX_ENABLE | regs::CTRL_RX_ENABLE);
        }
        #[cfg(board = "lm3s6965evb")]
        {
            write_reg(regs::CR, 0);
            write_reg(regs::IBRD, 6);
            write_reg(regs::FBRD, 50);
            write_reg(regs::LCRH, regs::LCRH_8N1_FIFO);
            write_reg(regs::CR, regs::CR_ENABLE);
        }
        start_systick(&mut syst);
        Some(Self { _owned: () })
    }

    fn rx_ready() -> bool {
        #[cfg(board = "mps2_an386")]
        return read_reg(regs::STATE) & regs::STATE_RX_FULL != 0;
        #[cfg(board = "lm3s6965evb")]
        return read_reg(regs::FR) & regs::FR_RX_EMPTY == 0;
    }

    fn tx_full() -> bool {
        #[cfg(board = "mps2_an386")]
        return read_reg(regs::STATE) & regs::STATE_TX_FULL != 0;
        #[cfg(board = "lm3s6965evb")]
        return read_reg(regs::FR) & regs::FR_TX_FULL != 0;
    }

    fn read_byte() -> u8 {
        #[cfg(board = "mps2_an386")]
        let word = read_reg(regs::DATA);
        #[cfg(board = "lm3s6965evb")]
        let word = read_reg(regs::DR);
        (word & 0xFF) as u8
    }

    fn write_byte(byte: u8) {
        #[cfg(board = "mps2_an386")]
        write_reg(regs::DATA, u32::from(byte));
        #[cfg(board = "lm3s6965evb")]
        write_reg(regs::DR, u32::from(byte));
    }
}

#[cfg(not(feature = "ethernet"))]
impl embedded_io::ErrorType for Uart {
    type Error = UartError;
}

#[cfg(not(feature = "ethernet"))]
impl embedded_io::Read for Uart {
    /// Blocks until at least one byte came (or [`Uart::IDLE_LIMIT_MS`] passed), then takes
    /// whatever else is already there.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let started = now();
        let mut spins = 0u32;
        while !Self::rx_ready() {
            spins = spins.wrapping_add(1);
            // The clock is a semihosting call: ask it only now and then.
            if spins.is_multiple_of(4096)
                && now().total_millis().saturating_sub(started.total_millis()) > Self::IDLE_LIMIT_MS
            {
                return Err(UartError::Idle);
            }
        }
        let mut n = 0;
        for slot in buf.iter_mut() {
            if !Self::rx_ready() {
                break;
            }
            *slot = Self::read_byte();
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(not(feature = "ethernet"))]
impl embedded_io::ReadReady for Uart {
    fn read_ready(&mut self) -> Result<bool, UartError> {
        Ok(Self::rx_ready())
    }
}

#[cfg(not(feature = "ethernet"))]
impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        for &byte in buf {
            while Self::tx_full() {}
            Self::write_byte(byte);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), UartError> {
        Ok(())
    }
}

/// Longest wait for the next byte from Janus, on the UART or a TCP connection: Janus answers
/// an idle long poll after 30 s.
pub const IDLE_LIMIT_MS: u64 = 40_000;

/// Starts SysTick free-running from the core clock: its counter seeds the randomness, and
/// it keeps QEMU's I/O loop awake on the mps2 (without it the first reply stalls for about
/// a second).
pub fn start_systick(syst: &mut SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00FF_FFFF);
    syst.clear_current();
    syst.enable_counter();
}

/// Time since QEMU started the program, from the semihosting clock (centiseconds).
pub fn now() -> Instant {
    // SAFETY: SYS_CLOCK (0x10) takes no argument block (0 is what the spec asks for) and
    // only returns a number; QEMU runs with `-semihosting-config enable=on`, so the
    // breakpoint instruction is handled by the host rather than faulting.
    let centis = unsafe { cortex_m_semihosting::syscall1(cortex_m_semihosting::nr::CLOCK, 0) };
    // A negative (-1) answer means "no clock": time then stands still at zero.
    let centis = i32::try_from(centis).ok().and_then(|c| u64::try_from(c).ok()).unwrap_or(0);
    Instant::from_millis(centis.saturating_mul(10))
}

/// Size of the one buffer the driver writes requests into and reads responses into.
pub const BUFFER_LEN: usize = 2048;

/// The storage behind [`take_buffer`], placed in `.bss`.
struct BufferCell(core::cell::UnsafeCell<[u8; BUFFER_LEN]>);

// SAFETY: the cell's contents are only reached through `take_buffer`, which hands out a
// single `&mut` for the whole program (guarded by `BUFFER_TAKEN`).
unsafe impl Sync for BufferCell {}

static BUFFER: BufferCell = BufferCell(core::cell::UnsafeCell::new([0; BUFFER_LEN]));
static BUFFER_TAKEN: AtomicBool = AtomicBool::new(false);

/// The driver's buffer, in static RAM (so the stack measurement below is the driver's own
/// use). `Some` once, `None` afterwards.
pub fn take_buffer() -> Option<&'static mut [u8; BUFFER_LEN]> {
    if BUFFER_TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: the swap above lets exactly one caller get here, so this is the only reference
    // to the buffer for the rest of the program.
    Some(unsafe { &mut *BUFFER.0.get() })
}

unsafe extern "C" {
    /// cortex-m-rt's handler for unexpected exceptions and interrupts.
    fn DefaultHandler();
}

/// The device-specific part of the vector table: a single entry (cortex-m-rt's linker script
/// wants at least one), since the firmware enables no interrupt (it polls the UART). Without
/// it cortex-m-rt would put 240 default entries (960 bytes) into flash.
// SAFETY: `no_mangle` and `link_section` are what cortex-m-rt's `device` feature asks for: the
// one `__INTERRUPTS` symbol, in `.vector_table.interrupts`; nothing else has that name, and
// the entry is a real handler.
#[unsafe(no_mangle)]
#[unsafe(link_section = ".vector_table.interrupts")]
static __INTERRUPTS: [unsafe extern "C" fn(); 1] = [DefaultHandler];

/// The value cortex-m-rt's `paint-stack` writes over the whole stack before `main`.
const STACK_PAINT: u32 = 0xCCCC_CCCC;

unsafe extern "C" {
    /// Lowest address of the stack region (the end of `.bss`/`.uninit`), from `link.x`.
    static _stack_end: u32;
    /// The initial stack pointer (top of RAM), from `link.x`.
    static _stack_start: u32;
}

/// Bytes of stack touched since boot: the distance from the top of the stack to the lowest
/// word that no longer holds the paint.
pub fn stack_high_water() -> usize {
    let bottom = ptr::addr_of!(_stack_end) as usize;
    let top = ptr::addr_of!(_stack_start) as usize;
    let mut address = bottom;
    while address < top {
        // SAFETY: `address` is word-aligned (link.x aligns `_stack_end` to 4) and lies in
        // `[_stack_end, _stack_start)`, RAM that belongs to the stack; reading a word there
        // cannot fault, and a volatile read keeps the compiler from assuming its value.
        let word = unsafe { ptr::read_volatile(address as *const u32) };
        if word != STACK_PAINT {
            break;
        }
        address += 4;
    }
    top - address
}

// ----- memory routines -----------------------------------------------------------------------
//
// compiler-builtins' `memcpy` for Cortex-M copies a word at a time with fix-ups for every
// alignment, and its `__aeabi_` entry points add their own word loops: 1,358 bytes of flash in
// all (with `memcmp`). The firmware copies a few hundred bytes at a time (messages, the 2 KiB
// buffer at most) to a UART that moves about 10 bytes per millisecond, so plain byte loops do,
// in about a tenth of the space. The linker takes these over compiler-builtins' definitions,
// which are weak. The loops live in functions of other names, with volatile accesses: LLVM
// reads a call to anything named `memcpy` (or a loop that copies) as its copy intrinsic, which
// it lowers to a call to `__aeabi_memcpy`, and so to itself.

/// Copies `n` bytes from `src` to `dest`, front to back.
///
/// # Safety
///
/// `src` is readable and `dest` writable for `n` bytes.
unsafe fn copy_bytes(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n`, so both addresses lie in the ranges the caller vouches for.
        unsafe { ptr::write_volatile(dest.add(i), ptr::read_volatile(src.add(i))) };
        i += 1;
    }
}

/// Writes `n` bytes of `value` at `dest`.
///
/// # Safety
///
/// `dest` is writable for `n` bytes.
unsafe fn fill_bytes(dest: *mut u8, value: u8, n: usize) {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n`, in the range the caller vouches for.
        unsafe { ptr::write_volatile(dest.add(i), value) };
        i += 1;
    }
}

/// C's `memcpy`.
///
/// # Safety
///
/// The C contract, which the compiler's own calls keep: `src` is readable and `dest` writable
/// for `n` bytes (a caller that copies between overlapping ranges calls `memmove`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the same contract.
    unsafe { copy_bytes(dest, src, n) };
    dest
}

/// C's `memset`: `n` bytes of `value`'s low byte.
///
/// # Safety
///
/// The C contract: `dest` is writable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dest: *mut u8, value: i32, n: usize) -> *mut u8 {
    // SAFETY: the same contract.
    unsafe { fill_bytes(dest, value as u8, n) };
    dest
}

/// C's `memcmp`: the difference of the first pair of bytes that differs, or 0.
///
/// # Safety
///
/// The C contract: `a` and `b` are readable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n`, in the ranges the caller vouches for.
        let (x, y) = unsafe { (ptr::read_volatile(a.add(i)), ptr::read_volatile(b.add(i))) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// The ARM EABI's copy (`__aeabi_memcpy4` and `__aeabi_memcpy8` promise aligned pointers,
/// which a byte loop does not need).
///
/// # Safety
///
/// As [`memcpy`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memcpy(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { copy_bytes(dest, src, n) };
}

/// See [`__aeabi_memcpy`].
///
/// # Safety
///
/// As [`memcpy`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memcpy4(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { copy_bytes(dest, src, n) };
}

/// See [`__aeabi_memcpy`].
///
/// # Safety
///
/// As [`memcpy`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memcpy8(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { copy_bytes(dest, src, n) };
}

/// The ARM EABI's zeroing (`__aeabi_memclr4` promises an aligned pointer).
///
/// # Safety
///
/// As [`memset`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memclr(dest: *mut u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { fill_bytes(dest, 0, n) };
}

/// See [`__aeabi_memclr`].
///
/// # Safety
///
/// As [`memset`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memclr4(dest: *mut u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { fill_bytes(dest, 0, n) };
}

// The Ethernet builds also move bytes within one buffer (smoltcp's ring and assembler
// buffers): compiler-builtins' `memmove` takes 1,574 bytes, a byte loop each way about 60.

/// Copies `n` bytes from `src` to `dest`, back to front (for a `dest` above an overlapping
/// `src`).
///
/// # Safety
///
/// `src` is readable and `dest` writable for `n` bytes.
#[cfg(feature = "ethernet")]
unsafe fn copy_bytes_backward(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = n;
    while i > 0 {
        i -= 1;
        // SAFETY: `i < n`, so both addresses lie in the ranges the caller vouches for.
        unsafe { ptr::write_volatile(dest.add(i), ptr::read_volatile(src.add(i))) };
    }
}

/// Copies `n` bytes from `src` to `dest`, which may overlap (not named `memmove`: see above).
///
/// # Safety
///
/// `src` is readable and `dest` writable for `n` bytes.
#[cfg(feature = "ethernet")]
unsafe fn move_bytes(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's contract; copying front to back is right unless `dest` is above
    // `src` (then each byte is read before it is overwritten only back to front).
    unsafe {
        if (dest as usize) <= (src as usize) {
            copy_bytes(dest, src, n);
        } else {
            copy_bytes_backward(dest, src, n);
        }
    }
}

/// C's `memmove`: the ranges may overlap.
///
/// # Safety
///
/// The C contract: `src` is readable and `dest` writable for `n` bytes.
#[cfg(feature = "ethernet")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the same contract.
    unsafe { move_bytes(dest, src, n) };
    dest
}

/// The ARM EABI's `memmove` (`__aeabi_memmove4` and `__aeabi_memmove8` promise aligned
/// pointers, which a byte loop does not need).
///
/// # Safety
///
/// As [`memmove`].
#[cfg(feature = "ethernet")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memmove(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { move_bytes(dest, src, n) };
}

/// See [`__aeabi_memmove`].
///
/// # Safety
///
/// As [`memmove`].
#[cfg(feature = "ethernet")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memmove4(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { move_bytes(dest, src, n) };
}

/// See [`__aeabi_memmove`].
///
/// # Safety
///
/// As [`memmove`].
#[cfg(feature = "ethernet")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memmove8(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { move_bytes(dest, src, n) };
}

/// See [`__aeabi_memclr`] (the Ethernet builds zero 8-aligned blocks too).
///
/// # Safety
///
/// As [`memset`].
#[cfg(feature = "ethernet")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __aeabi_memclr8(dest: *mut u8, n: usize) {
    // SAFETY: the same contract.
    unsafe { fill_bytes(dest, 0, n) };
}

// ----- randomness --------------------------------------------------------------------------

/// State of [`random_u32`]'s generator (xorshift32); 0 until the first call seeds it.
#[cfg(feature = "websocket")]
static RANDOM: AtomicU32 = AtomicU32::new(0);

/// Pseudo-random numbers for the WebSocket handshake's key and the frames' masks (the
/// `websocket` build), seeded from
/// the SysTick counter at the first call. QEMU's boards have no hardware generator; a real
/// device takes these from its TRNG (RFC 6455 asks for unpredictable masks).
#[cfg(feature = "websocket")]
pub fn random_u32() -> u32 {
    let mut x = RANDOM.load(Ordering::Relaxed);
    if x == 0 {
        x = SYST::get_current() ^ 0x9E37_79B9;
    }
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    RANDOM.store(x, Ordering::Relaxed);
    x
}

/// `N` pseudo-random bytes (see [`random_u32`]).
#[cfg(feature = "websocket")]
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    for chunk in bytes.chunks_mut(4) {
        let word = random_u32().to_le_bytes();
        for (byte, random) in chunk.iter_mut().zip(word) {
            *byte = random;
        }
    }
    bytes
}
