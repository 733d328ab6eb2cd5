//! The FFI edge: `extern "C"` exports and the adapters that turn port services into the
//! core's traits. The only place with `unsafe`; every block says why it is sound.

#[cfg(feature = "dupterm")]
pub mod dupterm;
#[cfg(feature = "lwip")]
pub mod lwip;
#[cfg(feature = "virtpin")]
pub mod pin;
#[cfg(feature = "socket")]
pub mod socket;
#[cfg(feature = "stream")]
pub mod stream;
#[cfg(feature = "webrepl")]
pub mod webrepl;
#[cfg(feature = "websocket")]
pub mod websocket;

use crate::abi::{self, MpObj, MpUint, MprsCall, MprsErrno, MPRS_RAISED, MP_STREAM_ERROR};
use crate::errno::Errnos;
use crate::stream::{Direction, IoError, RawStream};
use core::ffi::{c_int, c_void};

/// Calls the port's panic hook.
#[cfg(not(any(test, feature = "std")))]
pub(crate) fn port_panic() -> ! {
    // SAFETY: the port hook takes no arguments and never returns.
    unsafe { abi::mprs_port_panic() }
}

/// `critical-section` for the library: the port's atomic section. Host tests use the std
/// implementation instead.
#[cfg(not(any(test, feature = "std")))]
mod port_critical_section {
    struct PortCriticalSection;
    critical_section::set_impl!(PortCriticalSection);

    // SAFETY: the port's atomic section excludes every other context that touches the
    // state mprs guards (interrupts, lwIP's thread), and nests.
    unsafe impl critical_section::Impl for PortCriticalSection {
        unsafe fn acquire() {
            // SAFETY: enters the port's section; release leaves it.
            unsafe { super::abi::mprs_port_atomic_begin() }
        }
        unsafe fn release(_restore: ()) {
            // SAFETY: called once for each acquire, innermost first, by critical-section.
            unsafe { super::abi::mprs_port_atomic_end() }
        }
    }
}

/// `critical-section` on the host with std (tests, tools): one process-wide mutex,
/// re-entrant per thread, so tests that race threads against each other really exclude them.
#[cfg(any(test, feature = "std"))]
mod std_critical_section {
    use std::cell::{Cell, RefCell};
    use std::sync::{Mutex, MutexGuard};

    static LOCK: Mutex<()> = Mutex::new(());
    std::thread_local! {
        static DEPTH: Cell<usize> = const { Cell::new(0) };
        static HELD: RefCell<Option<MutexGuard<'static, ()>>> = const { RefCell::new(None) };
    }

    struct StdCriticalSection;
    critical_section::set_impl!(StdCriticalSection);

    // SAFETY: the outermost acquire on a thread takes the process-wide lock and the
    // matching outermost release drops it; nested levels only count.
    unsafe impl critical_section::Impl for StdCriticalSection {
        unsafe fn acquire() {
            DEPTH.with(|depth| {
                if depth.get() == 0 {
                    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    HELD.with(|held| *held.borrow_mut() = Some(guard));
                }
                depth.set(depth.get() + 1);
            });
        }
        unsafe fn release(_restore: ()) {
            DEPTH.with(|depth| {
                depth.set(depth.get().saturating_sub(1));
                if depth.get() == 0 {
                    HELD.with(|held| held.borrow_mut().take());
                }
            });
        }
    }
}

/// The port's errno numbering, through `mprs_port_errno`.
pub struct PortErrnos;

impl Errnos for PortErrnos {
    fn value(&self, which: MprsErrno) -> i32 {
        // SAFETY: a pure lookup in the port with a valid enum value.
        unsafe { abi::mprs_port_errno(which) }
    }
    fn is_nonblocking(&self, code: i32) -> bool {
        // SAFETY: a pure predicate on an integer.
        unsafe { abi::mprs_port_is_nonblocking_error(code) }
    }
}

/// Turns what a port service or a stream method reported into the core's result.
pub(crate) fn io_result(ret: MpUint, errcode: c_int) -> Result<usize, IoError> {
    if ret == MP_STREAM_ERROR {
        return Err(match errcode {
            MPRS_RAISED => IoError::Raised,
            // An error with no errno is a misbehaving stream: report it as EIO, not success.
            0 => IoError::Errno(PortErrnos.value(MprsErrno::Eio)),
            code => IoError::Errno(code),
        });
    }
    // A count that does not fit usize is over-long whatever was asked.
    Ok(abi::uint_to_usize(ret).unwrap_or(usize::MAX))
}

/// A MicroPython stream object, called through the port's protected services.
pub struct PortStream {
    pub call: *mut MprsCall,
    pub obj: MpObj,
}

impl PortStream {
    /// One protected read or write; `buf` is written to only for a read.
    fn io(&mut self, buf: *mut u8, len: usize, direction: Direction) -> Result<usize, IoError> {
        let mut errcode = 0;
        // SAFETY: buf covers len bytes of a live slice (writable for a read); the service
        // moves at most len bytes and reports exceptions instead of unwinding.
        let ret = unsafe {
            abi::mprs_port_stream_io(
                self.call,
                self.obj,
                buf.cast::<c_void>(),
                len as MpUint,
                &mut errcode,
                direction,
            )
        };
        io_result(ret, errcode)
    }
}

impl RawStream for PortStream {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        self.io(buf.as_mut_ptr(), buf.len(), Direction::Read)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        // The port only reads from buf for a write.
        self.io(buf.as_ptr().cast_mut(), buf.len(), Direction::Write)
    }
}

impl PortStream {
    /// A stream ioctl through the port's protected service.
    pub fn ioctl(&mut self, request: MpUint, arg: usize) -> Result<MpUint, IoError> {
        let mut errcode = 0;
        // SAFETY: the request and argument are passed through as the caller gave them;
        // the service reports exceptions instead of unwinding.
        let ret =
            unsafe { abi::mprs_port_stream_ioctl(self.call, self.obj, request, arg, &mut errcode) };
        io_result(ret, errcode).map(|_| ret)
    }
}

/// A slice from a C pointer and length; NULL or zero length is the empty slice.
///
/// # Safety
/// A non-null `p` must point to `len` initialised bytes valid for `'a`.
#[cfg(any(feature = "stream", feature = "dupterm", feature = "webrepl"))]
pub(crate) unsafe fn slice_or_empty<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: the caller guarantees p covers len bytes for 'a.
        unsafe { core::slice::from_raw_parts(p, len) }
    }
}

/// The mutable form of `slice_or_empty`.
///
/// # Safety
/// A non-null `p` must point to `len` bytes valid and unaliased for `'a`.
#[cfg(any(
    feature = "stream",
    feature = "webrepl",
    feature = "websocket",
    feature = "lwip"
))]
pub(crate) unsafe fn slice_or_empty_mut<'a>(p: *mut u8, len: usize) -> &'a mut [u8] {
    if p.is_null() || len == 0 {
        &mut []
    } else {
        // SAFETY: the caller guarantees p covers len unaliased bytes for 'a.
        unsafe { core::slice::from_raw_parts_mut(p, len) }
    }
}
