//! Errno values come from the port: MicroPython's internal numbering (`MP_EAGAIN` is 11)
//! or the system's. Core code names the errno it means and asks the port for its value.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

pub use crate::abi::MprsErrno;

/// The port's errno numbering.
pub trait Errnos {
    /// The port's value for `which`.
    fn value(&self, which: MprsErrno) -> i32;
    /// `mp_is_nonblocking_error`: EAGAIN or EWOULDBLOCK, on ports with non-blocking streams.
    fn is_nonblocking(&self, code: i32) -> bool;
}

/// A fixed numbering, for host tests and tools. MicroPython's internal errno uses Linux's
/// numbers; a unix port on macOS uses the system's, where EAGAIN is 35, so tests run under
/// both to prove no value is hard-coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbering {
    MicroPythonInternal,
    Darwin,
}

impl Errnos for Numbering {
    fn value(&self, which: MprsErrno) -> i32 {
        use MprsErrno::*;
        let (internal, darwin) = match which {
            Eio => (5, 5),
            Einval => (22, 22),
            Eagain | Ewouldblock => (11, 35),
            Enomem => (12, 12),
            Ebadf => (9, 9),
            Eopnotsupp => (95, 102),
            Enoent => (2, 2),
            Eexist => (17, 17),
            Enotconn => (107, 57),
            Econnreset => (104, 54),
            Etimedout => (110, 60),
            Ealready => (114, 37),
            Einprogress => (115, 36),
            Econnaborted => (103, 53),
            Enobufs => (105, 55),
            Ehostunreach => (113, 65),
            Eaddrinuse => (98, 48),
            Eisconn => (106, 56),
        };
        match self {
            Numbering::MicroPythonInternal => internal,
            Numbering::Darwin => darwin,
        }
    }

    fn is_nonblocking(&self, code: i32) -> bool {
        code == self.value(MprsErrno::Eagain) || code == self.value(MprsErrno::Ewouldblock)
    }
}
