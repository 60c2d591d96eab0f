//! Picks the board from the target and writes its memory map for cortex-m-rt's `link.x`:
//! `thumbv7em-none-eabihf` is QEMU's `mps2-an386` (Cortex-M4F), `thumbv7m-none-eabi` its
//! `lm3s6965evb` (Cortex-M3).

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let target = env::var("TARGET").unwrap_or_default();
    // (board cfg, memory map) as QEMU models the boards.
    let (board, memory) = match target.as_str() {
        "thumbv7em-none-eabihf" => (
            "mps2_an386",
            // SSRAM1 holds the image at 0, SSRAM2/3 is the data RAM.
            "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM : ORIGIN = 0x20000000, LENGTH = 4M\n}\n",
        ),
        "thumbv7m-none-eabi" => (
            "lm3s6965evb",
            "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n  RAM : ORIGIN = 0x20000000, LENGTH = 64K\n}\n",
        ),
        other => {
            panic!("no board for target {other:?}: build with --target thumbv7em-none-eabihf or thumbv7m-none-eabi")
        }
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("memory.x"), memory).expect("write memory.x");
    // No device interrupts are used: `board::__INTERRUPTS` is an empty table, and there are
    // no device-specific handler names to provide.
    fs::write(out.join("device.x"), "").expect("write device.x");
    println!("cargo::rustc-link-search={}", out.display());
    println!("cargo::rustc-link-arg=-Tlink.x");
    println!("cargo::rustc-check-cfg=cfg(board, values(\"mps2_an386\", \"lm3s6965evb\"))");
    println!("cargo::rustc-cfg=board=\"{board}\"");
    println!("cargo::rerun-if-changed=build.rs");
}
