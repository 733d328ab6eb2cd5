//! Virtual pins (extmod/virtpin.c): the one-method pin protocol, `mp_pin_p_t`, whose
//! `ioctl` takes `MP_PIN_READ`, `MP_PIN_WRITE`, `MP_PIN_INPUT` and `MP_PIN_OUTPUT`.
//!
//! Two directions:
//! - [`Pin`]: a pin driver written in Rust, answered through [`ioctl`], so the FFI can
//!   expose it as an `mp_pin_p_t` to MicroPython (machine.Signal, soft I2C, ...);
//! - [`PinIoctl`]: any pin reached through its ioctl, and the MPHAL operations a port
//!   without its own GPIO layer gets on top of it (`read`, `write`, `od_low`, ...).

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

use crate::abi::MpUint;
/// `MP_PIN_READ` and friends, as `mp_pin_p_t.ioctl` receives them (mirrored in `crate::abi`).
pub use crate::abi::{MP_PIN_INPUT, MP_PIN_OUTPUT, MP_PIN_READ, MP_PIN_WRITE};

/// A decoded pin request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Read,
    Write(bool),
    Input,
    Output,
}

impl Request {
    /// `None` for a request code the protocol does not define.
    pub fn decode(request: MpUint, arg: usize) -> Option<Self> {
        match request {
            MP_PIN_READ => Some(Request::Read),
            MP_PIN_WRITE => Some(Request::Write(arg != 0)),
            MP_PIN_INPUT => Some(Request::Input),
            MP_PIN_OUTPUT => Some(Request::Output),
            _ => None,
        }
    }
}

/// The pin cannot do what was asked (unknown request, or a mode it lacks): EINVAL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsupported;

/// A pin driver written in Rust. Reads and writes are required; direction changes are
/// optional, and a pin without them answers `Unsupported`.
pub trait Pin {
    /// The pin's level.
    fn read(&mut self) -> bool;
    /// Drives the pin to `high`.
    fn write(&mut self, high: bool);
    fn set_input(&mut self) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
    fn set_output(&mut self) -> Result<(), Unsupported> {
        Err(Unsupported)
    }
}

/// The ioctl of a Rust pin: `MP_PIN_READ` gives 0 or 1, the others 0.
pub fn ioctl<P: Pin + ?Sized>(
    pin: &mut P,
    request: MpUint,
    arg: usize,
) -> Result<MpUint, Unsupported> {
    match Request::decode(request, arg).ok_or(Unsupported)? {
        Request::Read => Ok(MpUint::from(pin.read())),
        Request::Write(high) => {
            pin.write(high);
            Ok(0)
        }
        Request::Input => pin.set_input().map(|()| 0),
        Request::Output => pin.set_output().map(|()| 0),
    }
}

/// A software pin: a level and a direction, pulled up while it is an input. Useful as a
/// stand-in line for bit-banged protocols; the FFI exports it as a ready-made Rust pin.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct LatchPin {
    pub level: bool,
    pub output: bool,
}

impl Pin for LatchPin {
    fn read(&mut self) -> bool {
        self.level
    }
    fn write(&mut self, high: bool) {
        self.level = high;
    }
    fn set_input(&mut self) -> Result<(), Unsupported> {
        self.output = false;
        self.level = true;
        Ok(())
    }
    fn set_output(&mut self) -> Result<(), Unsupported> {
        self.output = true;
        Ok(())
    }
}

/// Why a pin's ioctl failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinError {
    /// The pin reported this errno.
    Errno(i32),
    /// The VM raised an exception during the call; the glue re-raises it.
    Raised,
}

/// A pin reached through its protocol's ioctl. `Ok` carries the raw return value (which a
/// pin may make `-1` without an errno, as MicroPython's PinBase does for what it lacks).
pub trait PinIoctl {
    fn ioctl(&mut self, request: MpUint, arg: usize) -> Result<MpUint, PinError>;
}

/// `mp_virtual_pin_read`: the pin's value, as an int.
pub fn read<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<i32, PinError> {
    // Truncation to int is what MicroPython's C API returns.
    pin.ioctl(MP_PIN_READ, 0).map(|v| v as i32)
}

/// `mp_virtual_pin_write`.
pub fn write<P: PinIoctl + ?Sized>(pin: &mut P, value: bool) -> Result<(), PinError> {
    pin.ioctl(MP_PIN_WRITE, usize::from(value)).map(drop)
}

pub fn set_input<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    pin.ioctl(MP_PIN_INPUT, 0).map(drop)
}

pub fn set_output<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    pin.ioctl(MP_PIN_OUTPUT, 0).map(drop)
}

/// `mp_hal_pin_od_low`: drive the line low. The level is set before the pin becomes an
/// output, so the line never glitches high.
pub fn od_low<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    write(pin, false)?;
    set_output(pin)
}

/// `mp_hal_pin_od_high` and `mp_hal_pin_open_drain`: release the line (an input, pulled
/// high by the bus), which is what open drain means for a pin with no open-drain mode.
pub fn od_high<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    set_input(pin)
}

#[cfg(test)]
mod tests;
