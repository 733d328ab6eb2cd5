//! Virtual pin exports (extmod/virtpin.c and the default MPHAL GPIO functions), over the
//! port service of `crate::abi` that reaches a pin, and the adapter that gives a Rust `Pin`
//! type its own `mp_pin_p_t`.

use super::PortErrnos;
use crate::abi::{
    mprs_port_pin_ioctl, uint_to_usize, MpObj, MpUint, MprsCall, MprsErrno, MPRS_RAISED,
    MP_STREAM_ERROR,
};
pub use crate::abi::{MpObjBase, MpPinP};
use crate::errno::Errnos;
use crate::pin::{self, LatchPin, Pin, PinError, PinIoctl, Unsupported};
use core::ffi::{c_int, c_void};

/// A MicroPython object whose state is a Rust pin: the object header, then the pin. The
/// C side allocates it (statically or from the GC) and gives its type the protocol
/// `rust_pin_protocol::<P>()`.
#[repr(C)]
pub struct PinObject<P> {
    pub base: MpObjBase,
    pub pin: P,
}

/// The `mp_pin_p_t` for objects that are `PinObject<P>`. Only a type whose instances are
/// all `PinObject<P>` may use it.
pub const fn rust_pin_protocol<P: Pin>() -> MpPinP {
    MpPinP {
        ioctl: Some(rust_pin_ioctl::<P>),
    }
}

/// The ioctl of a `PinObject<P>`: an unsupported request, or a NULL object, gives EINVAL
/// in `*errcode` (when `errcode` is not NULL) and `MP_STREAM_ERROR`.
///
/// # Safety
/// `obj` must be NULL or a live `PinObject<P>` that nothing else uses during the call, and
/// `errcode` NULL or writable.
unsafe extern "C" fn rust_pin_ioctl<P: Pin>(
    obj: MpObj,
    request: MpUint,
    arg: usize,
    errcode: *mut c_int,
) -> MpUint {
    let object = uint_to_usize(obj.0).unwrap_or(0) as *mut PinObject<P>;
    // SAFETY: the caller guarantees a live, unshared PinObject<P> or NULL.
    let result = match unsafe { object.as_mut() } {
        Some(object) => pin::ioctl(&mut object.pin, request, arg),
        None => Err(Unsupported),
    };
    result.unwrap_or_else(|Unsupported| {
        if !errcode.is_null() {
            // SAFETY: a non-null errcode is writable (the caller's guarantee).
            unsafe { *errcode = PortErrnos.value(MprsErrno::Einval) };
        }
        MP_STREAM_ERROR
    })
}

static LATCH_PIN_PROTOCOL: MpPinP = rust_pin_protocol::<LatchPin>();

/// The `mp_pin_p_t` of `mprs_latch_pin_obj_t` objects, for their type's protocol slot.
///
/// # Safety
/// None to keep: it only returns a pointer to a static (`unsafe` as every export is).
#[no_mangle]
pub unsafe extern "C" fn mprs_pin_latch_protocol() -> *const MpPinP {
    &LATCH_PIN_PROTOCOL
}

/// Initialises a latch pin object the caller allocated: its type (whose protocol slot
/// must be `mprs_pin_latch_protocol()`), low, an input. A NULL `obj` is ignored.
///
/// # Safety
/// `obj` must be NULL or valid for writing one `mprs_latch_pin_obj_t`.
#[no_mangle]
pub unsafe extern "C" fn mprs_pin_latch_init(obj: *mut PinObject<LatchPin>, type_: *const c_void) {
    if !obj.is_null() {
        let object = PinObject {
            base: MpObjBase { type_ },
            pin: LatchPin::default(),
        };
        // SAFETY: the caller guarantees obj is writable for one object.
        unsafe { obj.write(object) };
    }
}

/// A MicroPython pin object, through the port.
struct PortPin {
    call: *mut MprsCall,
    obj: MpObj,
}

impl PinIoctl for PortPin {
    fn ioctl(&mut self, request: MpUint, arg: usize) -> Result<MpUint, PinError> {
        let mut errcode = 0;
        // SAFETY: errcode is a live local; the service protects the VM call.
        let ret = unsafe { mprs_port_pin_ioctl(self.call, self.obj, request, arg, &mut errcode) };
        match (ret, errcode) {
            (MP_STREAM_ERROR, MPRS_RAISED) => Err(PinError::Raised),
            // -1 without an errno is a value (PinBase answers so), as in the C original.
            (MP_STREAM_ERROR, code) if code != 0 => Err(PinError::Errno(code)),
            (value, _) => Ok(value),
        }
    }
}

fn status(result: Result<(), PinError>) -> c_int {
    match result {
        Ok(()) => 0,
        Err(PinError::Errno(code)) => code,
        Err(PinError::Raised) => MPRS_RAISED,
    }
}

/// `mp_virtual_pin_read`: the pin's value; on failure -1 with `*errcode` set (an errno or
/// `MPRS_RAISED`), else `*errcode` is 0. `errcode` may be NULL.
///
/// # Safety
/// `call` must be the glue's live call record, `errcode` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mprs_pin_read(
    call: *mut MprsCall,
    pin: MpObj,
    errcode: *mut c_int,
) -> c_int {
    let (value, code) = match pin::read(&mut PortPin { call, obj: pin }) {
        Ok(value) => (value, 0),
        Err(error) => (-1, status(Err(error))),
    };
    if !errcode.is_null() {
        // SAFETY: a non-null errcode is writable (the caller's guarantee).
        unsafe { *errcode = code };
    }
    value
}

/// What the pin operations below do, as `mprs_pin_apply` takes them.
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
    /// `mp_hal_pin_od_low`: low, then output
    OdLow,
    /// `mp_hal_pin_od_high` and `mp_hal_pin_open_drain`: released (input)
    OdHigh,
}

/// One pin operation: 0, an errno, or `MPRS_RAISED` with the exception in `call`.
///
/// # Safety
/// `call` must be the glue's live call record.
#[no_mangle]
pub unsafe extern "C" fn mprs_pin_apply(call: *mut MprsCall, pin: MpObj, op: MprsPinOp) -> c_int {
    let mut p = PortPin { call, obj: pin };
    status(match op {
        MprsPinOp::Low => pin::write(&mut p, false),
        MprsPinOp::High => pin::write(&mut p, true),
        MprsPinOp::Input => pin::set_input(&mut p),
        MprsPinOp::Output => pin::set_output(&mut p),
        MprsPinOp::OdLow => pin::od_low(&mut p),
        MprsPinOp::OdHigh => pin::od_high(&mut p),
    })
}

#[cfg(test)]
mod tests;
