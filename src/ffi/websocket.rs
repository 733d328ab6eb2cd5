//! websocket exports: the `websocket` object's stream methods over the framing state
//! machine in `crate::websocket`. The glue keeps the state in opaque storage inside its
//! object (`MPRS_WEBSOCKET_SIZE` bytes, 8-aligned); the underlying socket is reached
//! through the protected stream services, so an exception it raises is recorded in the
//! call record and re-raised by the glue once these functions have returned.

use super::{PortErrnos, PortStream};
use crate::abi::{uint_to_usize, MpObj, MpUint, MprsCall, MprsErrno, MPRS_RAISED, MP_STREAM_ERROR};
use crate::abi::{MP_STREAM_CLOSE, MP_STREAM_GET_DATA_OPTS, MP_STREAM_SET_DATA_OPTS};
use crate::abi::{MP_STREAM_POLL, MP_STREAM_POLL_ERR, MP_STREAM_POLL_HUP, MP_STREAM_POLL_RD};
use crate::errno::Errnos;
use crate::stream::IoError;
use crate::websocket::{Socket, Websocket};
use core::ffi::{c_int, c_void};

/// Bytes of storage the glue reserves for a websocket's state (8-aligned).
pub const MPRS_WEBSOCKET_SIZE: usize = 152;
/// Bytes a caller of `mprs_websocket_write` leaves before its payload.
pub const MPRS_WEBSOCKET_HEADROOM: usize = 4;

const _: () = assert!(MPRS_WEBSOCKET_HEADROOM == crate::websocket::HEADROOM);

/// `op` of `mprs_websocket_write`: frames of the current kind.
pub const MPRS_WEBSOCKET_OP_CURRENT: c_int = -1;
/// The glue's frame buffer on its stack for a `write()`: a frame of up to this many bytes,
/// headroom included, leaves in one socket write even when the heap is full.
pub const MPRS_WEBSOCKET_WRITE_BUF: usize = 256;

const _: () = assert!(MPRS_WEBSOCKET_WRITE_BUF == crate::websocket::WRITE_BUF);

const _: () = assert!(core::mem::size_of::<Websocket>() <= MPRS_WEBSOCKET_SIZE);
const _: () = assert!(core::mem::align_of::<Websocket>() <= 8);

/// A socket's poll (`MP_STREAM_POLL`) says whether a read would wait. A stream without
/// poll (an `io.BytesIO`) cannot tell.
impl Socket for PortStream {
    fn readable(&mut self) -> Result<Option<bool>, IoError> {
        let ready = MP_STREAM_POLL_RD | MP_STREAM_POLL_HUP | MP_STREAM_POLL_ERR;
        let arg = uint_to_usize(MP_STREAM_POLL_RD).unwrap_or(0);
        match self.ioctl(MP_STREAM_POLL, arg) {
            Ok(flags) => Ok(Some(flags & ready != 0)),
            Err(IoError::Raised) => Err(IoError::Raised),
            Err(IoError::Errno(_)) => Ok(None),
        }
    }
}

/// The state in the glue's storage.
///
/// # Safety
/// `storage` must be NULL or the object's storage, initialised by `mprs_websocket_init`,
/// and not used elsewhere meanwhile.
unsafe fn state<'a>(storage: *mut c_void) -> Option<&'a mut Websocket> {
    // SAFETY: the caller's guarantee; the storage is 8-aligned and large enough (asserted).
    unsafe { storage.cast::<Websocket>().as_mut() }
}

/// A result as a stream method returns it: the count, or MP_STREAM_ERROR with `*errcode`.
///
/// # Safety
/// `errcode` must be writable.
unsafe fn stream_result(result: Result<usize, IoError>, errcode: *mut c_int) -> MpUint {
    let code = match result {
        Ok(n) => return n as MpUint,
        Err(IoError::Errno(code)) => code,
        Err(IoError::Raised) => MPRS_RAISED,
    };
    // SAFETY: the caller's guarantee.
    unsafe { *errcode = code };
    MP_STREAM_ERROR
}

/// EINVAL for a call with bad arguments.
///
/// # Safety
/// `errcode` must be writable.
unsafe fn einval(errcode: *mut c_int) -> MpUint {
    // SAFETY: the caller's guarantee.
    unsafe {
        stream_result(
            Err(IoError::Errno(PortErrnos.value(MprsErrno::Einval))),
            errcode,
        )
    }
}

/// Initialises a websocket's state in `storage`: text frames, nothing received yet.
///
/// # Safety
/// `storage` must be NULL or `MPRS_WEBSOCKET_SIZE` writable, 8-aligned bytes.
#[no_mangle]
pub unsafe extern "C" fn mprs_websocket_init(storage: *mut c_void) {
    if !storage.is_null() {
        // SAFETY: the caller guarantees the storage.
        unsafe { storage.cast::<Websocket>().write(Websocket::new()) };
    }
}

/// The websocket stream's read: payload bytes of one frame (at most `size`), 0 at end of
/// file (also after a close frame, which is answered), or MP_STREAM_ERROR with `*errcode`
/// (the socket's errno, ECONNRESET for a peer that stopped mid-frame, EIO for a frame that
/// breaks the protocol, or MPRS_RAISED with the exception in `call`). Pings are answered.
///
/// # Safety
/// `storage` as for `mprs_websocket_init`, initialised; `buf` valid for `size` writable
/// bytes; `errcode` writable; `call` the glue's live call record; `sock` a stream object.
#[no_mangle]
pub unsafe extern "C" fn mprs_websocket_read(
    call: *mut MprsCall,
    sock: MpObj,
    storage: *mut c_void,
    buf: *mut u8,
    size: MpUint,
    errcode: *mut c_int,
) -> MpUint {
    let len = uint_to_usize(size).unwrap_or(0);
    // SAFETY: the caller's guarantees.
    let (Some(ws), Some(_)) = (unsafe { state(storage) }, unsafe { buf.as_mut() }) else {
        return if len == 0 {
            0
        } else {
            // SAFETY: errcode is writable (the caller's guarantee).
            unsafe { einval(errcode) }
        };
    };
    let out: &mut [u8] = if len == 0 {
        &mut []
    } else {
        // SAFETY: buf is non-null and valid for len writable bytes.
        unsafe { core::slice::from_raw_parts_mut(buf, len) }
    };
    let result = ws.read(&mut PortStream { call, obj: sock }, &PortErrnos, out);
    // SAFETY: errcode is writable.
    unsafe { stream_result(result, errcode) }
}

/// The websocket stream's write: `head[MPRS_WEBSOCKET_HEADROOM..head_len]` and then
/// `rest[..rest_len]` as one frame of opcode `op` (1 text, 2 binary, or
/// MPRS_WEBSOCKET_OP_CURRENT for the kind set with `MP_STREAM_SET_DATA_OPTS`). The
/// header is written into `head`'s headroom, so header and `head`'s payload leave in one
/// socket write without a copy; `rest`, if any, takes a second. Returns 0, or
/// MP_STREAM_ERROR with `*errcode` (ENOBUFS for a payload of 65,536 bytes or more, EINVAL
/// for a `head` shorter than the headroom).
///
/// # Safety
/// As `mprs_websocket_read`; `head` valid for `head_len` writable bytes, `rest` for
/// `rest_len` readable bytes (either may be NULL with a length of 0).
#[no_mangle]
pub unsafe extern "C" fn mprs_websocket_write(
    call: *mut MprsCall,
    sock: MpObj,
    storage: *mut c_void,
    head: *mut u8,
    head_len: usize,
    rest: *const u8,
    rest_len: usize,
    op: c_int,
    errcode: *mut c_int,
) -> MpUint {
    // SAFETY: the caller's guarantee.
    let Some(ws) = (unsafe { state(storage) }) else {
        // SAFETY: errcode is writable.
        return unsafe { einval(errcode) };
    };
    // A NULL `rest` with a length is EINVAL; no length is no rest, whatever the pointer.
    let rest: &[u8] = if rest_len == 0 {
        &[]
    } else if rest.is_null() {
        // SAFETY: errcode is writable.
        return unsafe { einval(errcode) };
    } else {
        // SAFETY: rest is non-null and covers rest_len readable bytes.
        unsafe { core::slice::from_raw_parts(rest, rest_len) }
    };
    // SAFETY: head covers head_len writable bytes, or is NULL (then too short: EINVAL).
    let head = unsafe { super::slice_or_empty_mut(head, head_len) };
    let op = u8::try_from(op).ok();
    let result = ws.write(
        &mut PortStream { call, obj: sock },
        &PortErrnos,
        head,
        rest,
        op,
    );
    // SAFETY: errcode is writable.
    unsafe { stream_result(result.map(|()| 0), errcode) }
}

/// The websocket stream's ioctl, for the requests it answers:
/// - `MP_STREAM_CLOSE`: this side closes. Sends a close frame (status 1000) unless one was
///   sent, best effort: a socket error is ignored, an exception is recorded in `call`.
///   Returns 0; the glue closes the socket afterwards, then raises what `call` holds.
/// - `MP_STREAM_GET_DATA_OPTS`: the opcode of the data message being read (1 text,
///   2 binary).
/// - `MP_STREAM_SET_DATA_OPTS`: `arg` is the opcode of frames written from now on; returns
///   the old one.
///
/// Anything else is MP_STREAM_ERROR with `*errcode` EINVAL.
///
/// # Safety
/// As `mprs_websocket_read`.
#[no_mangle]
pub unsafe extern "C" fn mprs_websocket_ioctl(
    call: *mut MprsCall,
    sock: MpObj,
    storage: *mut c_void,
    request: MpUint,
    arg: usize,
    errcode: *mut c_int,
) -> MpUint {
    // SAFETY: the caller's guarantee.
    match (unsafe { state(storage) }, request) {
        (Some(ws), MP_STREAM_CLOSE) => {
            // Best effort: only an exception can come back, and `call` holds it.
            let _ = ws.close(&mut PortStream { call, obj: sock }, &PortErrnos);
            0
        }
        (Some(ws), MP_STREAM_GET_DATA_OPTS) => MpUint::from(ws.data_opts()),
        (Some(ws), MP_STREAM_SET_DATA_OPTS) => MpUint::from(ws.set_data_opts(arg)),
        // SAFETY: errcode is writable.
        _ => unsafe { einval(errcode) },
    }
}
