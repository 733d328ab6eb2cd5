//! `#[repr(C)]` mirrors of MicroPython's ABI types, and the port services mprs imports.
//!
//! The C glue `_Static_assert`s every size and offset here against the port's own headers,
//! so a port whose configuration differs from the cargo features fails to compile instead
//! of corrupting memory.

use core::ffi::{c_int, c_void};

/// The integer behind `mp_obj_t`, `mp_uint_t` and `mp_int_t`: pointer-sized, or 64 bits
/// under `MICROPY_OBJ_REPR_D` (feature `obj-repr-d`).
#[cfg(not(feature = "obj-repr-d"))]
pub type MpUint = usize;
#[cfg(not(feature = "obj-repr-d"))]
pub type MpInt = isize;
#[cfg(feature = "obj-repr-d")]
pub type MpUint = u64;
#[cfg(feature = "obj-repr-d")]
pub type MpInt = i64;

/// `mp_off_t`: `long` on most ports, `long long` where feature `off-t-64` says so.
#[cfg(not(feature = "off-t-64"))]
pub type MpOff = isize;
#[cfg(feature = "off-t-64")]
pub type MpOff = i64;

/// `mp_obj_t`: an opaque handle that Rust only passes back to C.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MpObj(pub MpUint);

/// `MP_STREAM_ERROR`: the value a stream method returns on error.
pub const MP_STREAM_ERROR: MpUint = MpUint::MAX;

/// Flags of `mp_stream_rw`.
pub const MP_STREAM_RW_READ: u8 = 0;
pub const MP_STREAM_RW_ONCE: u8 = 1;
pub const MP_STREAM_RW_WRITE: u8 = 2;

/// Flags of `mp_get_stream_raise`.
pub const MP_STREAM_OP_READ: c_int = 1;
pub const MP_STREAM_OP_WRITE: c_int = 2;
pub const MP_STREAM_OP_IOCTL: c_int = 4;

/// Stream ioctl request codes.
pub const MP_STREAM_FLUSH: MpUint = 1;
pub const MP_STREAM_SEEK: MpUint = 2;
pub const MP_STREAM_POLL: MpUint = 3;
pub const MP_STREAM_CLOSE: MpUint = 4;
pub const MP_STREAM_TIMEOUT: MpUint = 5;
pub const MP_STREAM_GET_OPTS: MpUint = 6;
pub const MP_STREAM_SET_OPTS: MpUint = 7;
pub const MP_STREAM_GET_DATA_OPTS: MpUint = 8;
pub const MP_STREAM_SET_DATA_OPTS: MpUint = 9;
pub const MP_STREAM_GET_FILENO: MpUint = 10;
pub const MP_STREAM_GET_BUFFER_SIZE: MpUint = 11;
pub const MP_STREAM_RAISE_ERROR: MpUint = 12;

/// Poll flags, compatible with Linux.
pub const MP_STREAM_POLL_RD: MpUint = 0x0001;
pub const MP_STREAM_POLL_WR: MpUint = 0x0004;
pub const MP_STREAM_POLL_ERR: MpUint = 0x0008;
pub const MP_STREAM_POLL_HUP: MpUint = 0x0010;
pub const MP_STREAM_POLL_NVAL: MpUint = 0x0020;

/// Seek `whence` values.
pub const MP_SEEK_SET: c_int = 0;
pub const MP_SEEK_CUR: c_int = 1;
pub const MP_SEEK_END: c_int = 2;

/// `struct mp_stream_seek_t`, the argument of `MP_STREAM_SEEK`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MpStreamSeek {
    pub offset: MpOff,
    pub whence: c_int,
}

/// The storage of `mp_stream_p_t`'s `is_text : 1` bit-field: an `mp_uint_t`, except under
/// `MICROPY_OBJ_REPR_D`, where GCC puts the one bit of the 64-bit bit-field in the 32 bits
/// after the three pointers (so the struct is 16 bytes on i386 and ARM alike).
#[cfg(not(feature = "obj-repr-d"))]
pub type StreamFlags = MpUint;
#[cfg(feature = "obj-repr-d")]
pub type StreamFlags = u32;

/// `mp_stream_p_t`. `flags` holds the `is_text : 1` bit-field: bit 0 on the little-endian
/// targets MicroPython's ports use (GCC allocates bit-fields from the low bit there).
#[repr(C)]
pub struct MpStreamP {
    pub read: Option<unsafe extern "C" fn(MpObj, *mut c_void, MpUint, *mut c_int) -> MpUint>,
    pub write: Option<unsafe extern "C" fn(MpObj, *const c_void, MpUint, *mut c_int) -> MpUint>,
    pub ioctl: Option<unsafe extern "C" fn(MpObj, MpUint, usize, *mut c_int) -> MpUint>,
    pub flags: StreamFlags,
}

/// Bit of `MpStreamP::flags` that is `is_text`.
pub const MP_STREAM_P_IS_TEXT: StreamFlags = 1;

/// One call from the glue into Rust. Opaque to Rust: the glue records there the exception
/// that a protected VM call raised, and re-raises it once Rust has returned.
pub struct MprsCall {
    _opaque: [u8; 0],
}

/// The `*errcode` a port service reports when the VM call it protected raised an exception
/// (recorded in the `MprsCall`). Real errno values are positive.
pub const MPRS_RAISED: c_int = -0x7fff_ffff - 1;

/// Errno values mprs itself reports. The port maps each to its own numbering
/// (MicroPython's internal errno or the system's).
/// cbindgen:prefix-with-name
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MprsErrno {
    Eio = 0,
    Einval = 1,
    Eagain = 2,
    Ewouldblock = 3,
    Enomem = 4,
    Ebadf = 5,
    Eopnotsupp = 6,
    Enoent = 7,
    Eexist = 8,
    Enotconn = 9,
    Econnreset = 10,
    Etimedout = 11,
    Ealready = 12,
    Einprogress = 13,
    Econnaborted = 14,
    Enobufs = 15,
}

// Port services: implemented by `c-glue/port.c` inside a MicroPython build, and by
// `tests/c/host_port.c` in the host tests. Each one that calls into the VM protects the
// call with nlr_push and reports an exception as `MPRS_RAISED`, never by longjmp.
// `MprsCall` is opaque: only pointers to it cross the boundary.
#[allow(improper_ctypes)]
extern "C" {
    /// One read (`write` false) or write of the stream's protocol, protected.
    pub fn mprs_port_stream_io(
        call: *mut MprsCall,
        stream: MpObj,
        buf: *mut c_void,
        size: MpUint,
        errcode: *mut c_int,
        write: bool,
    ) -> MpUint;
    pub fn mprs_port_stream_ioctl(
        call: *mut MprsCall,
        stream: MpObj,
        request: MpUint,
        arg: usize,
        errcode: *mut c_int,
    ) -> MpUint;
    /// The port's value of an errno mprs reports.
    pub fn mprs_port_errno(which: MprsErrno) -> c_int;
    /// `mp_is_nonblocking_error`: false on ports without `MICROPY_STREAMS_NON_BLOCK`.
    pub fn mprs_port_is_nonblocking_error(errcode: c_int) -> bool;
    /// What a Rust panic does in this port (never returns).
    pub fn mprs_port_panic() -> !;
    /// Enters the port's atomic section (`MICROPY_BEGIN_ATOMIC_SECTION`, or the lwIP lock);
    /// nests. The `critical-section` implementation of the library.
    pub fn mprs_port_atomic_begin();
    /// Leaves the section entered by the matching `mprs_port_atomic_begin`.
    pub fn mprs_port_atomic_end();
}

/// An `mp_uint_t` as a length: `None` where it does not fit (a 64-bit `mp_uint_t` under
/// `MICROPY_OBJ_REPR_D` on a 32-bit target).
#[allow(clippy::useless_conversion)] // the same type unless feature obj-repr-d
pub fn uint_to_usize(value: MpUint) -> Option<usize> {
    usize::try_from(value).ok()
}
