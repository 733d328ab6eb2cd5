//! Stream exports. The glue's `mp_stream_rw`, `read`, `readline` and friends call these,
//! then raise whatever the `MprsCall` recorded once Rust has returned.

use super::{PortErrnos, PortStream, PortVstr};
use crate::abi::{
    MpObj, MpUint, MprsCall, MprsErrno, MprsVstr, MPRS_RAISED, MP_STREAM_RW_ONCE,
    MP_STREAM_RW_WRITE,
};
use crate::errno::Errnos;
use crate::stream::{self, IoError, ReadEnd, RwBuf};
use core::ffi::{c_int, c_void};

/// A reader's status: the buffer holds the result.
pub const MPRS_READ_DATA: c_int = 0;
/// A reader's status: a non-blocking stream had nothing; Python sees `None`.
pub const MPRS_READ_NONE: c_int = -1;

fn error_code(error: IoError) -> c_int {
    match error {
        IoError::Errno(code) => code,
        IoError::Raised => MPRS_RAISED,
    }
}

fn read_status(result: Result<ReadEnd, IoError>) -> c_int {
    match result {
        Ok(ReadEnd::Data) => MPRS_READ_DATA,
        Ok(ReadEnd::WouldBlockEmpty) => MPRS_READ_NONE,
        Err(error) => error_code(error),
    }
}

/// `mp_stream_rw`: moves `size` bytes between `buf` and `stream` (read unless `flags` has
/// `MP_STREAM_RW_WRITE`; one underlying call with `MP_STREAM_RW_ONCE`). Returns the bytes
/// done; `*errcode` is 0, an errno, or `MPRS_RAISED` with the exception in `call`.
/// `errcode` may be NULL. A NULL `buf` with a non-zero size is `EINVAL`.
///
/// # Safety
/// `buf` must be valid for `size` bytes (writable for a read); `call` must be the glue's
/// live call record; `stream` an object with the stream protocol.
#[no_mangle]
pub unsafe extern "C" fn mprs_stream_rw(
    call: *mut MprsCall,
    stream: MpObj,
    buf: *mut c_void,
    size: MpUint,
    errcode: *mut c_int,
    flags: u8,
) -> MpUint {
    let once = flags & MP_STREAM_RW_ONCE != 0;
    let outcome = match crate::abi::uint_to_usize(size).ok_or(()) {
        Ok(len) if len <= isize::MAX as usize && (!buf.is_null() || len == 0) => {
            let mut port = PortStream { call, obj: stream };
            let bytes = buf.cast::<u8>();
            if flags & MP_STREAM_RW_WRITE != 0 {
                // SAFETY: the caller guarantees buf covers size readable bytes.
                let data = unsafe { super::slice_or_empty(bytes, len) };
                stream::rw(&mut port, &PortErrnos, RwBuf::Write(data), once)
            } else {
                // SAFETY: the caller guarantees buf covers size writable bytes.
                let data = unsafe { super::slice_or_empty_mut(bytes, len) };
                stream::rw(&mut port, &PortErrnos, RwBuf::Read(data), once)
            }
        }
        _ => stream::Rw {
            done: 0,
            error: Some(IoError::Errno(PortErrnos.value(MprsErrno::Einval))),
        },
    };
    if !errcode.is_null() {
        // SAFETY: a non-null errcode points to an int the caller owns.
        unsafe { *errcode = outcome.error.map_or(0, error_code) };
    }
    outcome.done as MpUint
}

/// `read(n)` on a text stream: appends to `vstr` until it holds `chars` whole UTF-8
/// characters, or EOF. Returns `MPRS_READ_DATA`, `MPRS_READ_NONE`, an errno to raise, or
/// `MPRS_RAISED`.
///
/// # Safety
/// `call` and `vstr` must be the glue's live call record and buffer.
#[no_mangle]
pub unsafe extern "C" fn mprs_stream_read_text(
    call: *mut MprsCall,
    stream: MpObj,
    vstr: *mut MprsVstr,
    chars: MpUint,
) -> c_int {
    let mut port = PortStream { call, obj: stream };
    let mut buf = PortVstr { call, vstr };
    let chars = crate::abi::uint_to_usize(chars).unwrap_or(usize::MAX);
    read_status(stream::read_text(&mut port, &PortErrnos, &mut buf, chars))
}

/// `read()` with no size: appends everything up to EOF to `vstr`. Status as
/// `mprs_stream_read_text`.
///
/// # Safety
/// As `mprs_stream_read_text`.
#[no_mangle]
pub unsafe extern "C" fn mprs_stream_read_all(
    call: *mut MprsCall,
    stream: MpObj,
    vstr: *mut MprsVstr,
) -> c_int {
    let mut port = PortStream { call, obj: stream };
    let mut buf = PortVstr { call, vstr };
    read_status(stream::read_all(&mut port, &PortErrnos, &mut buf))
}

/// `readline([max])`: appends one line, with its newline, to `vstr`; a negative `max` is
/// no limit. Status as `mprs_stream_read_text`.
///
/// # Safety
/// As `mprs_stream_read_text`.
#[no_mangle]
pub unsafe extern "C" fn mprs_stream_read_line(
    call: *mut MprsCall,
    stream: MpObj,
    vstr: *mut MprsVstr,
    max: crate::abi::MpInt,
) -> c_int {
    let mut port = PortStream { call, obj: stream };
    let mut buf = PortVstr { call, vstr };
    let max = usize::try_from(max).ok();
    read_status(stream::read_line(&mut port, &PortErrnos, &mut buf, max))
}
