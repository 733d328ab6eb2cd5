//! Virtual pin exports: the machine of one pin operation, which c-glue/virtpin.c drives for
//! extmod/virtpin.c and the default MPHAL GPIO functions, and the adapter that gives a Rust
//! `Pin` type its own `mp_pin_p_t`.

use super::PortErrnos;
use crate::abi::{uint_to_usize, MpObj, MpUint, MprsErrno, MP_STREAM_ERROR};
pub use crate::abi::{MpObjBase, MpPinP};
use crate::errno::Errnos;
use crate::pin::{self, LatchPin, MprsPinOp, Pin, PinCall, Unsupported};
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

/// Starts the pin operation `op` on `*call`: its first ioctl request is `call->request`
/// with `call->arg`. Drive it with `mprs_pin_step`.
///
/// # Safety
/// `call` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn mprs_pin_start(call: *mut PinCall, op: MprsPinOp) {
    // SAFETY: the caller guarantees call is valid for writes.
    unsafe { call.write(PinCall::new(op)) };
}

/// Takes what the pin's ioctl returned (`ret`, and `errcode` when `ret` is
/// `MP_STREAM_ERROR`); true when `call->request` is another request to make. When false,
/// `call->error` is 0 or the errno to raise and `call->value` what a read gave.
///
/// # Safety
/// `call` must be an operation `mprs_pin_start` began.
#[no_mangle]
pub unsafe extern "C" fn mprs_pin_step(call: *mut PinCall, ret: MpUint, errcode: c_int) -> bool {
    // SAFETY: the caller guarantees call is live and initialised.
    unsafe { &mut *call }.step(ret, errcode)
}

#[cfg(test)]
mod tests;
