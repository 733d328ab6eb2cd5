//! Stream exports. The glue drives the stream machines (`mprs_rw_*`, `mprs_reader_*`)
//! from C, calling the stream itself, so nothing it calls can longjmp over a Rust frame.
//! `mprs_stream_rw` drives the same machine from Rust through the protected port service,
//! for C code that must not see an exception.

use super::{PortErrnos, PortStream};
use crate::abi::{
    MpInt, MpObj, MpUint, MprsCall, MprsErrno, MPRS_RAISED, MP_STREAM_ERROR, MP_STREAM_RW_ONCE,
    MP_STREAM_RW_WRITE,
};
use crate::errno::Errnos;
use crate::stream::{self, IoError, MprsReaderKind, Reader, RwBuf, RwState, READ_DATA, READ_NONE};
use core::ffi::{c_int, c_void};

/// A reader's status: the buffer holds the result.
pub const MPRS_READ_DATA: c_int = 0;
/// A reader's status: a non-blocking stream had nothing; Python sees `None`.
pub const MPRS_READ_NONE: c_int = -1;
const _: () = assert!(MPRS_READ_DATA == READ_DATA && MPRS_READ_NONE == READ_NONE);

fn error_code(error: IoError) -> c_int {
    match error {
        IoError::Errno(code) => code,
        IoError::Raised => MPRS_RAISED,
    }
}

/// What a stream method returned, as the machines take it.
#[inline]
fn outcome(out: MpUint, error: c_int) -> Result<usize, c_int> {
    if out == MP_STREAM_ERROR {
        Err(error)
    } else {
        // A count too wide for usize is over-long, which the machines report as EIO.
        Ok(crate::abi::uint_to_usize(out).unwrap_or(usize::MAX))
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

/// Takes what the stream's read or write returned (`out`, and `error` when `out` is
/// `MP_STREAM_ERROR`) and returns the length of the next call, 0 when finished.
///
/// # Safety
/// `rw` must be a state begun as `RwState` says (`left` and `once` set, the rest zero),
/// stepped only by this function since.
#[no_mangle]
pub unsafe extern "C" fn mprs_rw_step(rw: *mut RwState, out: MpUint, error: c_int) -> MpUint {
    // SAFETY: the caller guarantees rw is a live, initialised state.
    let state = unsafe { &mut *rw };
    state.step(&PortErrnos, outcome(out, error)) as MpUint
}

/// Starts a reader on `*reader` over a buffer already holding `filled` bytes, which it
/// keeps: `limit` is readline's byte limit or `read(n)`'s character count on text,
/// negative for none; `read()` to EOF ignores it. Returns as `mprs_reader_step` does, for
/// the first window; drive it on with `mprs_reader_step`.
///
/// # Safety
/// `reader` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn mprs_reader_start(
    reader: *mut Reader,
    kind: MprsReaderKind,
    limit: MpInt,
    filled: usize,
) -> bool {
    // SAFETY: the caller guarantees reader is valid for writes; once written, it is a live
    // Reader the caller owns.
    let reader = unsafe {
        reader.write(Reader::new(kind, usize::try_from(limit).ok()));
        &mut *reader
    };
    reader.begin(filled)
}

/// One step of a reader, given the buffer as it is (`buf`, `len` bytes), the bytes a
/// per-byte window moved (`moved`), and what the window's last read returned (`out`, and
/// `error` when `out` is `MP_STREAM_ERROR`); all ignored on the first step. True: make the
/// buffer `reader->want` bytes long, then read `reader->len` bytes into it at
/// `reader->at`, one call per byte stopping after `reader->stop` where that is not -1.
/// False: finished; make the buffer `reader->want` bytes long; `reader->status` is
/// `MPRS_READ_DATA`, `MPRS_READ_NONE` or the errno to raise.
///
/// # Safety
/// `reader` must be a reader `mprs_reader_start` began; `buf` must point to `len`
/// initialised bytes (or be NULL with 0).
#[no_mangle]
pub unsafe extern "C" fn mprs_reader_step(
    reader: *mut Reader,
    buf: *const u8,
    len: usize,
    moved: usize,
    out: MpUint,
    error: c_int,
) -> bool {
    // SAFETY: the caller guarantees reader is live and buf covers len bytes, which the
    // reader only reads.
    let (reader, bytes) = unsafe { (&mut *reader, super::slice_or_empty(buf, len)) };
    reader.step(&PortErrnos, bytes, moved, outcome(out, error))
}
