//! A pin driver written in Rust, exposed to MicroPython as an `mp_pin_p_t`.
//!
//! `BlinkCounter` implements `mprs::pin::Pin`; `rust_pin_protocol::<BlinkCounter>()` is the
//! protocol a MicroPython type would put in its `protocol` slot (for machine.Signal, soft
//! I2C, ...). Here the host plays MicroPython: it calls the vtable's ioctl the way
//! `mp_virtual_pin_read`/`write` do, then drives the pin through the default MPHAL
//! operations over that same ioctl.
//!
//! Run with `cargo run --example rust_pin --features std` (or `make`).

use core::ffi::c_int;
use mprs::abi::{MpObj, MpUint};
use mprs::errno::{Errnos, Numbering};
use mprs::ffi::pin::{rust_pin_protocol, MpObjBase, MpPinP, PinObject};
use mprs::pin::{self, Pin, PinError, PinIoctl, Unsupported};

/// A push-pull output that counts its rising edges (an LED driver, say); it has no input
/// mode, so MP_PIN_INPUT is refused with EINVAL.
#[derive(Default)]
struct BlinkCounter {
    high: bool,
    rising_edges: u32,
}

impl Pin for BlinkCounter {
    fn read(&mut self) -> bool {
        self.high
    }
    fn write(&mut self, high: bool) {
        if high && !self.high {
            self.rising_edges += 1;
        }
        self.high = high;
    }
    fn set_output(&mut self) -> Result<(), Unsupported> {
        Ok(())
    }
}

static PROTOCOL: MpPinP = rust_pin_protocol::<BlinkCounter>();

/// The one port service the adapter calls: this host's errno numbering.
#[no_mangle]
extern "C" fn mprs_port_errno(which: mprs::abi::MprsErrno) -> c_int {
    Numbering::MicroPythonInternal.value(which)
}

/// The object as MicroPython sees it: an `mp_obj_t`, reached through the C vtable.
struct ThroughVtable(MpObj);

impl PinIoctl for ThroughVtable {
    fn ioctl(&mut self, request: MpUint, arg: usize) -> Result<MpUint, PinError> {
        let ioctl = PROTOCOL.ioctl.ok_or(PinError::Errno(22))?;
        let mut errcode = 0;
        // SAFETY: self.0 points to the live PinObject<BlinkCounter> in main, unused meanwhile.
        let ret = unsafe { ioctl(self.0, request, arg, &mut errcode) };
        if errcode != 0 {
            Err(PinError::Errno(errcode))
        } else {
            Ok(ret)
        }
    }
}

fn main() {
    let mut object = PinObject {
        base: MpObjBase {
            type_: core::ptr::null(),
        },
        pin: BlinkCounter::default(),
    };
    let mut pin_obj = ThroughVtable(MpObj(
        &mut object as *mut PinObject<BlinkCounter> as usize as MpUint,
    ));

    for _ in 0..3 {
        pin::write(&mut pin_obj, true).expect("write high");
        pin::write(&mut pin_obj, false).expect("write low");
    }
    pin::od_low(&mut pin_obj).expect("od_low: low, then output");
    let level = pin::read(&mut pin_obj).expect("read");
    let input = pin::set_input(&mut pin_obj);
    let edges = object.pin.rising_edges;

    println!("rust_pin: 3 blinks through the mp_pin_p_t vtable counted {edges} rising edges");
    println!("rust_pin: od_low leaves the pin at {level}; MP_PIN_INPUT is refused: {input:?}");
    let ok = edges == 3 && level == 0 && input == Err(PinError::Errno(22));
    println!(
        "{}",
        if ok {
            "rust_pin: ok"
        } else {
            "rust_pin: FAILED"
        }
    );
    std::process::exit(if ok { 0 } else { 1 });
}
