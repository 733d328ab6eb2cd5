//! mprs: memory-safe Rust implementations of MicroPython subsystems.
//!
//! Layers (see `../shared/DESIGN.md`):
//! - core modules (`stream`, and one module per subsystem): the logic, over small traits,
//!   with no raw pointers and no heap;
//! - `abi`: `#[repr(C)]` mirrors of MicroPython's types and constants, and every port
//!   service we import;
//! - `ffi`: the `extern "C"` exports, the only place with `unsafe`.
//!
//! The C glue in `c-glue/` turns these exports into MicroPython's own API.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

// The header (include/mprs.h) is made of `abi` and `ffi`, and of the core types an export
// takes (dupterm's `Deactivation`, pin's `LatchPin`, the stream machines); cbindgen skips the
// other core modules.
pub mod abi;
mod bytes;
pub mod dupterm;
/// cbindgen:ignore
pub mod errno;
pub mod ffi;
/// cbindgen:ignore
pub mod lwip;
pub mod pin;
/// cbindgen:ignore
pub mod socket;
pub mod stream;
/// cbindgen:ignore
pub mod webrepl;
/// cbindgen:ignore
pub mod websocket;

/// Without std the port decides what a Rust panic means. The handler never formats its
/// message, so no `core::fmt` machinery is linked into the firmware.
#[cfg(not(any(test, feature = "std")))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    ffi::port_panic()
}
