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

use crate::abi::{MpUint, MP_STREAM_ERROR};
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

/// What the virtual-pin functions and the default MPHAL GPIO functions ask of a pin.
///
/// cbindgen:prefix-with-name
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MprsPinOp {
    /// `mp_virtual_pin_write(pin, 0)` / `mp_hal_pin_low`
    Low,
    /// `mp_virtual_pin_write(pin, 1)` / `mp_hal_pin_high`
    High,
    /// `mp_hal_pin_input`
    Input,
    /// `mp_hal_pin_output`
    Output,
    /// `mp_hal_pin_od_low`: low, then output, so the line never glitches high
    OdLow,
    /// `mp_hal_pin_od_high` and `mp_hal_pin_open_drain`: released (an input, pulled high
    /// by the bus), which is what open drain means for a pin with no open-drain mode
    OdHigh,
    /// `mp_virtual_pin_read`: the level, as an int
    Read,
}

impl MprsPinOp {
    /// The ioctl requests the operation makes, in order.
    fn requests(self) -> &'static [(MpUint, usize)] {
        match self {
            MprsPinOp::Low => &[(MP_PIN_WRITE, 0)],
            MprsPinOp::High => &[(MP_PIN_WRITE, 1)],
            MprsPinOp::Input | MprsPinOp::OdHigh => &[(MP_PIN_INPUT, 0)],
            MprsPinOp::Output => &[(MP_PIN_OUTPUT, 0)],
            MprsPinOp::OdLow => &[(MP_PIN_WRITE, 0), (MP_PIN_OUTPUT, 0)],
            MprsPinOp::Read => &[(MP_PIN_READ, 0)],
        }
    }
}

/// One pin operation as a machine its caller drives: make the ioctl `request` with `arg`,
/// hand `step` what it returned, and repeat while `step` says so. Then `error` is 0 or
/// the errno to raise, and `value` what a read gave. The glue calls the pin's ioctl
/// itself, with no Rust frame live, so an exception from it propagates as in
/// extmod/virtpin.c.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinCall {
    pub request: MpUint,
    pub arg: usize,
    pub value: i32,
    pub error: i32,
    op: MprsPinOp,
    next: usize,
}

impl PinCall {
    pub fn new(op: MprsPinOp) -> Self {
        let (request, arg) = op.requests().first().copied().unwrap_or((MP_PIN_READ, 0));
        PinCall {
            request,
            arg,
            value: 0,
            error: 0,
            op,
            next: 1,
        }
    }

    /// Takes what the ioctl returned (`ret`, and `errcode` when `ret` is
    /// `MP_STREAM_ERROR`); true when there is another request to make.
    pub fn step(&mut self, ret: MpUint, errcode: i32) -> bool {
        // -1 without an errno is a value (MicroPython's PinBase answers so), as in the C
        // original.
        if ret == MP_STREAM_ERROR && errcode != 0 {
            self.error = errcode;
            return false;
        }
        if self.op == MprsPinOp::Read {
            // Truncation to int is what MicroPython's C API returns.
            self.value = ret as i32;
        }
        match self.op.requests().get(self.next) {
            Some(&(request, arg)) => {
                self.request = request;
                self.arg = arg;
                self.next += 1;
                true
            }
            None => false,
        }
    }
}

/// Why a pin's ioctl failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinError {
    /// The pin reported this errno.
    Errno(i32),
    /// The VM raised an exception during the call.
    Raised,
}

/// A pin reached through its protocol's ioctl, for callers in Rust. `Ok` carries the raw
/// return value (which a pin may make `-1` without an errno, as MicroPython's PinBase does
/// for what it lacks).
pub trait PinIoctl {
    fn ioctl(&mut self, request: MpUint, arg: usize) -> Result<MpUint, PinError>;
}

/// Drives `PinCall` over a `PinIoctl`: the operation's value (a read's level, else 0).
pub fn apply<P: PinIoctl + ?Sized>(pin: &mut P, op: MprsPinOp) -> Result<i32, PinError> {
    let mut call = PinCall::new(op);
    loop {
        let (ret, errcode) = match pin.ioctl(call.request, call.arg) {
            Ok(value) => (value, 0),
            Err(PinError::Errno(code)) => (MP_STREAM_ERROR, code),
            Err(PinError::Raised) => return Err(PinError::Raised),
        };
        if !call.step(ret, errcode) {
            break;
        }
    }
    match call.error {
        0 => Ok(call.value),
        code => Err(PinError::Errno(code)),
    }
}

/// `mp_virtual_pin_read`: the pin's value, as an int.
pub fn read<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<i32, PinError> {
    apply(pin, MprsPinOp::Read)
}

/// `mp_virtual_pin_write`.
pub fn write<P: PinIoctl + ?Sized>(pin: &mut P, value: bool) -> Result<(), PinError> {
    let op = if value {
        MprsPinOp::High
    } else {
        MprsPinOp::Low
    };
    apply(pin, op).map(drop)
}

pub fn set_input<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    apply(pin, MprsPinOp::Input).map(drop)
}

pub fn set_output<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    apply(pin, MprsPinOp::Output).map(drop)
}

/// `mp_hal_pin_od_low`: drive the line low, the level set before the pin becomes an output.
pub fn od_low<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    apply(pin, MprsPinOp::OdLow).map(drop)
}

/// `mp_hal_pin_od_high` and `mp_hal_pin_open_drain`: release the line.
pub fn od_high<P: PinIoctl + ?Sized>(pin: &mut P) -> Result<(), PinError> {
    apply(pin, MprsPinOp::OdHigh).map(drop)
}

#[cfg(test)]
mod tests;
