//! The ABI surface in one place: `#[repr(C)]` mirrors of MicroPython's types and the
//! constants of its we use, and every port service mprs imports (the shared ones, then one
//! block a subsystem, built with its cargo feature).
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

pub use mp::*;

/// MicroPython's own constants, as far as mprs uses them: `py/stream.h` and
/// `extmod/virtpin.h` define them for C, so they stay out of the header.
/// cbindgen:ignore
mod mp {
    use super::MpUint;

    /// `MP_STREAM_ERROR`: the value a stream method returns on error.
    pub const MP_STREAM_ERROR: MpUint = MpUint::MAX;

    /// Flags of `mp_stream_rw` (a read is neither).
    pub const MP_STREAM_RW_ONCE: u8 = 1;
    pub const MP_STREAM_RW_WRITE: u8 = 2;

    /// The stream ioctl request `MP_STREAM_POLL` and the poll flags it answers with.
    pub const MP_STREAM_POLL: MpUint = 3;
    pub const MP_STREAM_POLL_RD: MpUint = 0x0001;
    pub const MP_STREAM_POLL_ERR: MpUint = 0x0008;
    pub const MP_STREAM_POLL_HUP: MpUint = 0x0010;

    /// The stream ioctl requests `MP_STREAM_CLOSE`, `MP_STREAM_GET_DATA_OPTS` (a websocket
    /// answers with the opcode of the message being read) and `MP_STREAM_SET_DATA_OPTS`,
    /// and the text opcode (`FRAME_TXT`).
    pub const MP_STREAM_CLOSE: MpUint = 4;
    pub const MP_STREAM_GET_DATA_OPTS: MpUint = 8;
    pub const MP_STREAM_SET_DATA_OPTS: MpUint = 9;
    pub const MP_FRAME_TXT: MpUint = 1;

    /// The pin protocol's ioctl requests (`extmod/virtpin.h`).
    pub const MP_PIN_READ: MpUint = 1;
    pub const MP_PIN_WRITE: MpUint = 2;
    pub const MP_PIN_INPUT: MpUint = 3;
    pub const MP_PIN_OUTPUT: MpUint = 4;
}

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

/// `mp_pin_p_t`: the pin protocol, one method.
#[repr(C)]
pub struct MpPinP {
    pub ioctl: Option<unsafe extern "C" fn(MpObj, MpUint, usize, *mut c_int) -> MpUint>,
}

/// `mp_obj_base_t`: the type pointer every MicroPython object starts with.
#[repr(C)]
pub struct MpObjBase {
    pub type_: *const c_void,
}

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
    Ehostunreach = 16,
    Eaddrinuse = 17,
    Eisconn = 18,
}

// Port services shared by every subsystem: implemented by `c-glue/port.c` inside a
// MicroPython build, and by `tests/c/host_port.c` in the host tests. Each one that calls into the VM protects the
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
        direction: crate::stream::Direction,
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

/// `mprs_port_dupterm_read` results other than a byte count.
#[cfg(feature = "dupterm")]
pub const MPRS_DUPTERM_EOF: c_int = 0;
#[cfg(feature = "dupterm")]
pub const MPRS_DUPTERM_WOULD_BLOCK: c_int = -1;
#[cfg(feature = "dupterm")]
pub const MPRS_DUPTERM_FAILED: c_int = -2;

// dupterm's port services (`c-glue/dupterm.c`): the slots of `MP_STATE_VM(dupterm_objs)`.
#[cfg(feature = "dupterm")]
#[allow(improper_ctypes)]
extern "C" {
    /// The stream attached to `slot`: true with `*stream` set, false for an empty slot.
    pub fn mprs_port_dupterm_stream(slot: usize, stream: *mut MpObj) -> bool;
    /// Whether `stream` is the port's own (MICROPY_PY_OS_DUPTERM_BUILTIN_STREAM).
    pub fn mprs_port_dupterm_builtin(stream: MpObj) -> bool;
    /// Reads one byte: 1 with `*out` set, `MPRS_DUPTERM_EOF`, `MPRS_DUPTERM_WOULD_BLOCK`,
    /// or `MPRS_DUPTERM_FAILED` with the exception (an OSError for an errno) in `call`.
    pub fn mprs_port_dupterm_read(call: *mut MprsCall, stream: MpObj, out: *mut u8) -> c_int;
    /// Writes all of `buf` (mp_stream_write): the count, `MPRS_DUPTERM_WOULD_BLOCK` for
    /// None, or `MPRS_DUPTERM_FAILED` with the exception in `call`.
    pub fn mprs_port_dupterm_write(
        call: *mut MprsCall,
        stream: MpObj,
        buf: *const u8,
        len: usize,
    ) -> isize;
    /// The stream's MP_STREAM_POLL ioctl; MP_STREAM_ERROR when it failed or raised.
    pub fn mprs_port_dupterm_poll(stream: MpObj, flags: MpUint) -> MpUint;
    /// Empties every slot holding `stream`; false if none did.
    pub fn mprs_port_dupterm_detach(stream: MpObj) -> bool;
    /// Prints why a stream is deactivated (for `Requested`, the port's `msg`), with the
    /// exception `call` holds (then cleared).
    pub fn mprs_port_dupterm_report(
        call: *mut MprsCall,
        why: crate::dupterm::Deactivation,
        msg: *const core::ffi::c_char,
    );
    /// Closes a detached stream, swallowing any exception.
    pub fn mprs_port_dupterm_close(stream: MpObj);
    /// `mp_interrupt_char`, or -1 when none.
    pub fn mprs_port_dupterm_interrupt_char() -> c_int;
    /// `mp_sched_keyboard_interrupt`.
    pub fn mprs_port_dupterm_schedule_interrupt();
}

// The virtual pins import no port service: c-glue/virtpin.c calls a pin's ioctl itself and
// drives the machine of `crate::pin::PinCall` between the calls.

/// The glue's `_webrepl` object, opaque here: the services find its socket and file.
#[cfg(feature = "webrepl")]
pub struct MprsWebrepl {
    _opaque: [u8; 0],
}

/// What `mprs_port_webrepl_call` does. The socket is read through the stream services;
/// everything else the WebREPL machine does to the VM is one of these.
/// cbindgen:prefix-with-name
#[cfg(feature = "webrepl")]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MprsWebreplOp {
    /// Sends `data[MPRS_WEBSOCKET_HEADROOM..len]` as one frame of the websocket's current
    /// kind (text); the headroom is free for the frame header.
    SendText,
    /// As `SendText`, as a binary frame.
    SendBinary,
    /// Opens the file named `data[..len]` (`rb`) as the object's current file.
    OpenRead,
    /// As `OpenRead`, for writing (`wb`).
    OpenWrite,
    /// Writes all of `data[..len]` to the current file.
    WriteFile,
    /// Reads up to `len` bytes of the current file into `data` (one underlying read): the
    /// count, 0 at its end.
    ReadFile,
    /// Closes the current file, if any.
    CloseFile,
    /// `os.rename(data[..len], to[..to_len])`.
    Rename,
    /// `os.remove(data[..len])`.
    Remove,
}

// WebREPL's port services (`c-glue/webrepl.c`): the websocket, the files, the password.
#[cfg(feature = "webrepl")]
#[allow(improper_ctypes)]
extern "C" {
    /// Does `op`, protected: 0 or more (`ReadFile`: the count), or -1 when it failed or
    /// raised (the exception is dropped: a file error becomes a status, a failed send is
    /// noticed by the next read of the same connection). `data` is written to only by
    /// `SendText`/`SendBinary` (their headroom) and `ReadFile`; `len` is at least
    /// `MPRS_WEBSOCKET_HEADROOM` for a send.
    pub fn mprs_port_webrepl_call(
        repl: *mut MprsWebrepl,
        op: MprsWebreplOp,
        data: *mut u8,
        len: usize,
        to: *const u8,
        to_len: usize,
    ) -> isize;
    /// The buffer GET chunks are built in (the glue allocates it for the GET and keeps it
    /// until the read that asked for it has returned): its start, its length in `*len`.
    /// NULL with `*len` 0 when there is none.
    pub fn mprs_port_webrepl_chunk(repl: *mut MprsWebrepl, len: *mut usize) -> *mut u8;
    /// The password set with `_webrepl.password()`.
    pub fn mprs_port_webrepl_password(len: *mut usize) -> *const u8;
    /// MICROPY_VERSION_MAJOR, _MINOR and _MICRO.
    pub fn mprs_port_webrepl_version(out: *mut u8);
}

// The lwIP shim's port services (`c-glue/lwip.c`): pbuf chains and the scheduler. pbufs
// are opaque pointers here.
#[cfg(feature = "lwip")]
extern "C" {
    /// `pbuf_cat(head, p)` (or `p` alone when `head` is NULL): the chain's head.
    pub fn mprs_port_lwip_pbuf_cat(head: *mut c_void, p: *mut c_void) -> *mut c_void;
    /// Copies up to `len` bytes from the chain at `offset` into `buf`, frees the pbufs read
    /// to their end, and returns the count, with the new head (NULL when all is read) and
    /// the offset in it.
    pub fn mprs_port_lwip_pbuf_take(
        head: *mut c_void,
        offset: usize,
        buf: *mut u8,
        len: usize,
        new_head: *mut *mut c_void,
        new_offset: *mut usize,
    ) -> usize;
    /// Copies up to `len` bytes from the chain at `offset` into `buf` without freeing
    /// anything (`pbuf_copy_partial`): the count copied.
    pub fn mprs_port_lwip_pbuf_copy(
        head: *mut c_void,
        offset: usize,
        buf: *mut u8,
        len: usize,
    ) -> usize;
    /// `pbuf_free` of a whole chain.
    pub fn mprs_port_lwip_pbuf_free(head: *mut c_void);
    /// Schedules the user callback of the socket object `owner` to run in the VM; false
    /// if the scheduler's queue is full. Called in lwIP's context too: it must not run it.
    pub fn mprs_port_lwip_schedule(owner: *mut c_void) -> bool;
}

/// An `mp_uint_t` as a length: `None` where it does not fit (a 64-bit `mp_uint_t` under
/// `MICROPY_OBJ_REPR_D` on a 32-bit target).
#[allow(clippy::useless_conversion)] // the same type unless feature obj-repr-d
pub fn uint_to_usize(value: MpUint) -> Option<usize> {
    usize::try_from(value).ok()
}
