//! The `socket` module on lwIP (the decisions of extmod/modlwip.c): what a socket is and
//! may do next, lwIP's error codes as errno in one table, the timeouts of blocking calls,
//! TCP's send plan and the UDP/raw receive ring. No lwIP type and no VM call here: the
//! glue (c-glue/socket.c) makes every lwIP call, under the lwIP lock, on what these decide,
//! and the TCP receive side and accept queue are the shims' (`crate::lwip`).

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

use crate::abi::MprsErrno;
use crate::lwip::err;

/// Datagrams a UDP or raw socket keeps for recvfrom(), as modlwip.c keeps them.
pub const RING_LEN: usize = 4;

/// lwIP's error codes beyond those the shims use.
pub mod lwip_err {
    pub const BUF: i32 = -2;
    pub const TIMEOUT: i32 = -3;
    pub const RTE: i32 = -4;
    pub const INPROGRESS: i32 = -5;
    pub const USE: i32 = -8;
    pub const ALREADY: i32 = -9;
    pub const IF: i32 = -12;
}

/// lwIP's error code as errno: the one table of the module. `None` for ERR_OK and for
/// anything that is not an lwIP error (an unknown code is EIO, never 0).
#[inline(never)]
pub fn errno_of(lwip: i32) -> Option<MprsErrno> {
    use lwip_err::*;
    Some(match lwip {
        err::OK => return None,
        err::MEM => MprsErrno::Enomem,
        BUF => MprsErrno::Enobufs,
        TIMEOUT | err::WOULDBLOCK => MprsErrno::Ewouldblock,
        RTE => MprsErrno::Ehostunreach,
        INPROGRESS => MprsErrno::Einprogress,
        err::VAL => MprsErrno::Einval,
        USE => MprsErrno::Eaddrinuse,
        ALREADY => MprsErrno::Ealready,
        err::ISCONN => MprsErrno::Eisconn,
        err::CONN | err::CLSD => MprsErrno::Enotconn,
        err::ABRT => MprsErrno::Econnaborted,
        err::RST => MprsErrno::Econnreset,
        _ => MprsErrno::Eio,
    })
}

/// Whether a blocking call that started at `start` (ms ticks, wrapping) has run out of
/// its `timeout` (ms; negative: wait for ever) at `now`.
pub fn timed_out(start: u32, now: u32, timeout: i32) -> bool {
    match u32::try_from(timeout) {
        Ok(t) => now.wrapping_sub(start) >= t,
        Err(_) => false,
    }
}

/// The kinds of socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Tcp = 1,
    Udp = 2,
    Raw = 3,
}

impl Kind {
    /// socket()'s `type` argument (SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3).
    pub fn from_type(ty: i32) -> Option<Kind> {
        match ty {
            1 => Some(Kind::Tcp),
            2 => Some(Kind::Udp),
            3 => Some(Kind::Raw),
            _ => None,
        }
    }
}

/// A TCP socket's life: what connect(), listen() and the data calls may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Tcp {
    /// Made (and maybe bound): connect() or listen() next.
    #[default]
    New = 0,
    /// connect() sent a SYN; lwIP's connected or error callback comes next.
    Connecting = 1,
    /// Connected: the pcb is the shims' (data, peer close and errors are theirs).
    Connected = 2,
    /// Listening: the accept queue is the shims'.
    Listening = 3,
    /// connect() failed; the error stays until connect() is called again.
    Failed = 4,
    /// Closed by the VM.
    Closed = 5,
}

/// What connect() should do on a TCP socket in a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectStart {
    /// Call tcp_connect (the state is now Connecting).
    Start,
    /// Refuse with this errno.
    Refuse(MprsErrno),
}

/// connect() on a TCP socket: starts from New (or after a failure that was reported),
/// else says why not. `failed` is the lwIP error lwIP reported for a connect in progress
/// (ERR_OK: none): a non-blocking connect that failed meanwhile reports it now, once.
pub fn connect_start(state: &mut Tcp, failed: i32) -> ConnectStart {
    match *state {
        Tcp::New | Tcp::Failed => {
            *state = Tcp::Connecting;
            ConnectStart::Start
        }
        Tcp::Connecting if failed != err::OK => {
            *state = Tcp::Failed;
            ConnectStart::Refuse(errno_of(failed).unwrap_or(MprsErrno::Eio))
        }
        Tcp::Connecting => ConnectStart::Refuse(MprsErrno::Ealready),
        Tcp::Connected | Tcp::Listening => ConnectStart::Refuse(MprsErrno::Eisconn),
        Tcp::Closed => ConnectStart::Refuse(MprsErrno::Ebadf),
    }
}

/// What a connect() in progress does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectStep {
    /// Wait (poll lwIP) and ask again.
    Wait,
    /// Connected.
    Done,
    /// Fail with this errno.
    Fail(MprsErrno),
}

/// One step of connect()'s wait. `failed` is the lwIP error its callbacks reported
/// (ERR_OK: none yet); `nonblocking` for a socket with timeout 0, `expired` when the
/// timeout has run out. Once connected, later events (the peer's FIN, a reset) are the
/// data calls' to report, never connect()'s: connect succeeded.
pub fn connect_step(state: &mut Tcp, failed: i32, nonblocking: bool, expired: bool) -> ConnectStep {
    match *state {
        Tcp::Connected => ConnectStep::Done,
        Tcp::Connecting if failed != err::OK => {
            *state = Tcp::Failed;
            ConnectStep::Fail(errno_of(failed).unwrap_or(MprsErrno::Eio))
        }
        Tcp::Connecting if nonblocking => ConnectStep::Fail(MprsErrno::Einprogress),
        Tcp::Connecting if expired => {
            *state = Tcp::Failed;
            ConnectStep::Fail(MprsErrno::Etimedout)
        }
        Tcp::Connecting => ConnectStep::Wait,
        Tcp::Failed => ConnectStep::Fail(errno_of(failed).unwrap_or(MprsErrno::Econnaborted)),
        Tcp::New | Tcp::Listening | Tcp::Closed => ConnectStep::Fail(MprsErrno::Enotconn),
    }
}

/// What a TCP send does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendStep {
    /// tcp_write this many bytes (then tcp_output).
    Write(usize),
    /// lwIP's send buffer is full: wait for acknowledgements and ask again.
    Wait,
    /// Fail with this errno (EAGAIN for a non-blocking socket with no room, ETIMEDOUT).
    Fail(MprsErrno),
}

/// A TCP send of `len` bytes with `room` in lwIP's send buffer (tcp_sndbuf) on a socket in
/// `state`, whose connection failed with `failed` (ERR_OK: not).
pub fn send_step(
    state: Tcp,
    failed: i32,
    len: usize,
    room: usize,
    nonblocking: bool,
    expired: bool,
) -> SendStep {
    if let Some(e) = errno_of(failed) {
        return SendStep::Fail(e);
    }
    if state != Tcp::Connected {
        return SendStep::Fail(match state {
            Tcp::Closed => MprsErrno::Ebadf,
            _ => MprsErrno::Enotconn,
        });
    }
    if len == 0 || room > 0 {
        return SendStep::Write(len.min(room));
    }
    if nonblocking {
        SendStep::Fail(MprsErrno::Eagain)
    } else if expired {
        SendStep::Fail(MprsErrno::Etimedout)
    } else {
        SendStep::Wait
    }
}

/// What a receive (or accept) that found nothing does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitStep {
    Wait,
    Fail(MprsErrno),
}

/// Nothing to read or accept yet: EAGAIN when non-blocking, ETIMEDOUT when the timeout has
/// run out, else wait.
pub fn wait_step(nonblocking: bool, expired: bool) -> WaitStep {
    if nonblocking {
        WaitStep::Fail(MprsErrno::Eagain)
    } else if expired {
        WaitStep::Fail(MprsErrno::Etimedout)
    } else {
        WaitStep::Wait
    }
}

/// `py/stream.h`'s poll flags, as poll() answers them (`MP_STREAM_POLL_RD`, `_WR`, `_ERR`,
/// `_HUP`).
pub mod poll {
    pub const RD: usize = 0x0001;
    pub const WR: usize = 0x0004;
    pub const ERR: usize = 0x0008;
    pub const HUP: usize = 0x0010;
}

/// What poll() reports of a TCP socket, as modlwip.c: of the events asked for in `flags`,
/// readable (data, a connection to accept, end of file or an error to read) and writable
/// (connected, no error, room in lwIP's send buffer); and, asked for or not, HUP where
/// nothing will happen (not connected), ERR and HUP for a failed connect or a dead
/// connection (reset, aborted), HUP at the peer's close, the last two readable too, so a
/// reader sees the error or the end of file. `state` is as the glue sees it: a connect
/// whose error has come is `Failed`.
pub fn poll_tcp(
    state: Tcp,
    readable: bool,
    room: bool,
    failed: bool,
    peer_closed: bool,
    flags: usize,
) -> usize {
    let writable = state == Tcp::Connected && !failed && room;
    let ready = ((usize::from(readable) * poll::RD) | (usize::from(writable) * poll::WR)) & flags;
    if state == Tcp::New {
        ready | poll::HUP
    } else if state == Tcp::Failed || failed {
        ready | (flags & poll::RD) | poll::ERR | poll::HUP
    } else if peer_closed {
        ready | (flags & poll::RD) | poll::HUP
    } else {
        ready
    }
}

/// What poll() reports of a UDP or raw socket: readable with a datagram waiting, always
/// writable; of the events asked for in `flags`.
pub fn poll_dgram(datagram: bool, flags: usize) -> usize {
    ((usize::from(datagram) * poll::RD) | poll::WR) & flags
}

/// The receive ring of a UDP or raw socket: which of the glue's `RING_LEN` slots
/// (datagram, source address and port) hold datagrams, oldest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    head: u8,
    len: u8,
}

impl Ring {
    pub const fn new() -> Self {
        Ring { head: 0, len: 0 }
    }

    /// The ring as the glue stores it (head, length); out-of-range values are clamped.
    pub fn from_parts(head: u8, len: u8) -> Self {
        let cap = u8::try_from(RING_LEN).unwrap_or(u8::MAX);
        Ring {
            head: head % cap,
            len: len.min(cap),
        }
    }

    pub fn parts(&self) -> (u8, u8) {
        (self.head, self.len)
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// lwIP's receive callback: the slot for a new datagram, `None` when full (the glue
    /// drops it, as a network may).
    pub fn push(&mut self) -> Option<usize> {
        if self.len() >= RING_LEN {
            return None;
        }
        let slot = (self.head() + self.len()) % RING_LEN;
        self.len += 1;
        Some(slot)
    }

    /// The oldest datagram's slot (recvfrom, MSG_PEEK leaves it there).
    pub fn front(&self) -> Option<usize> {
        (!self.is_empty()).then(|| self.head())
    }

    /// recvfrom() took the oldest datagram: its slot, now free.
    pub fn pop(&mut self) -> Option<usize> {
        let slot = self.front()?;
        self.head = u8::try_from((slot + 1) % RING_LEN).unwrap_or(0);
        self.len -= 1;
        Some(slot)
    }

    fn head(&self) -> usize {
        usize::from(self.head) % RING_LEN
    }
}

#[cfg(test)]
mod tests;
