//! The socket module's exports (`crate::socket`): the decisions c-glue/socket.c asks for,
//! on a small state the glue embeds in its socket object (`mprs_socket_state_t`, zeroed
//! at creation). The glue calls the functions that take the state with the lwIP lock held
//! (lwIP's callbacks write it too). A NULL state is refused (EINVAL, or no slot).

use crate::abi::{mprs_port_errno, MprsErrno};
use crate::ffi::lwip::{poll_view, MprsLwipSocket};
use crate::socket::{
    connect_start, connect_step, errno_of, poll_dgram, poll_tcp, send_step, timed_out, wait_step,
    ConnectStart, ConnectStep, Ring, SendStep, Tcp, WaitStep,
};
use core::ffi::c_int;

/// One socket's state for the decisions below; the glue zeroes it and passes it back.
#[repr(C)]
pub struct MprsSocketState {
    /// The TCP state (`crate::socket::Tcp` as a byte).
    pub tcp: u8,
    /// The lwIP error of a failed connect (0: none).
    pub failed: i8,
    /// The UDP/raw receive ring.
    pub ring_head: u8,
    pub ring_len: u8,
}

/// Datagrams a UDP or raw socket keeps: the glue's slot arrays have this many entries.
pub const MPRS_SOCKET_RING_LEN: usize = 4;
const _: () = assert!(MPRS_SOCKET_RING_LEN == crate::socket::RING_LEN);

/// What a send, connect or wait does next (`action` of `mprs_socket_step_t`).
/// cbindgen:prefix-with-name
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MprsSocketAction {
    /// Go on: write `n` bytes (send), or done (connect).
    Go = 0,
    /// Poll lwIP and ask again.
    Wait = 1,
    /// Raise OSError(`errcode`).
    Fail = 2,
}

/// A step's answer. Four bytes, so that it comes back in a register on Cortex-M (AAPCS
/// returns a composite of up to four bytes in r0, a larger one through memory).
#[repr(C)]
pub struct MprsSocketStep {
    pub action: MprsSocketAction,
    /// `Fail`: the errno to raise (MicroPython's errno numbers, internal or the system's,
    /// are below 256).
    pub errcode: u8,
    /// `Go` of a send: the bytes to write now, at most 65535 (what one tcp_write takes).
    pub n: u16,
}

fn errcode(e: MprsErrno) -> c_int {
    // SAFETY: a plain port service, no VM call that can raise.
    unsafe { mprs_port_errno(e) }
}

fn fail(e: MprsErrno) -> MprsSocketStep {
    MprsSocketStep {
        action: MprsSocketAction::Fail,
        n: 0,
        // Never out of range in practice; 255 is no errno to be mistaken for another.
        errcode: u8::try_from(errcode(e)).unwrap_or(u8::MAX),
    }
}

const GO: MprsSocketStep = MprsSocketStep {
    action: MprsSocketAction::Go,
    n: 0,
    errcode: 0,
};

const WAIT: MprsSocketStep = MprsSocketStep {
    action: MprsSocketAction::Wait,
    n: 0,
    errcode: 0,
};

fn tcp_of(b: u8) -> Tcp {
    match b {
        0 => Tcp::New,
        1 => Tcp::Connecting,
        2 => Tcp::Connected,
        3 => Tcp::Listening,
        4 => Tcp::Failed,
        _ => Tcp::Closed,
    }
}

/// Runs `f` on the TCP state at `s` (the state and connect's error); `None` when `s` is
/// NULL.
///
/// # Safety
/// `s` is NULL or a valid `mprs_socket_state_t` that no other context uses during the call.
unsafe fn with_state<T>(
    s: *mut MprsSocketState,
    f: impl FnOnce(&mut Tcp, &mut i8) -> T,
) -> Option<T> {
    // SAFETY: the caller's guarantee (# Safety).
    let st = unsafe { s.as_mut() }?;
    let mut tcp = tcp_of(st.tcp);
    let out = f(&mut tcp, &mut st.failed);
    st.tcp = tcp as u8;
    Some(out)
}

/// Runs `f` on the receive ring at `s`; `None` when `s` is NULL. Apart from `with_state`,
/// so that no export converts a part of the state it does not use.
///
/// # Safety
/// As for `with_state`.
unsafe fn with_ring<T>(s: *mut MprsSocketState, f: impl FnOnce(&mut Ring) -> T) -> Option<T> {
    // SAFETY: the caller's guarantee (# Safety).
    let st = unsafe { s.as_mut() }?;
    let mut ring = Ring::from_parts(st.ring_head, st.ring_len);
    let out = f(&mut ring);
    (st.ring_head, st.ring_len) = ring.parts();
    Some(out)
}

/// lwIP's error code as the port's errno; 0 for ERR_OK. Every lwIP error the module
/// reports goes through this one table.
#[no_mangle]
pub extern "C" fn mprs_socket_errno(lwip_err: c_int) -> c_int {
    errno_of(lwip_err).map_or(0, errcode)
}

/// Whether a blocking call started at `start` (ms ticks) has used up `timeout` ms at
/// `now` (a negative timeout never runs out).
#[no_mangle]
pub extern "C" fn mprs_socket_timed_out(start: u32, now: u32, timeout: i32) -> bool {
    timed_out(start, now, timeout)
}

/// Nothing to read or accept: wait, or fail with EAGAIN (non-blocking) or ETIMEDOUT.
#[no_mangle]
pub extern "C" fn mprs_socket_wait_step(nonblocking: bool, expired: bool) -> MprsSocketStep {
    match wait_step(nonblocking, expired) {
        WaitStep::Wait => WAIT,
        WaitStep::Fail(e) => fail(e),
    }
}

/// connect() on a TCP socket: `Go` to call tcp_connect (the state is then connecting),
/// else `Fail` (EALREADY, EISCONN, EBADF).
///
/// # Safety
/// `s` as for `with_state`, the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_connect_start(s: *mut MprsSocketState) -> MprsSocketStep {
    // SAFETY: the caller's guarantee for `s`.
    let r = unsafe {
        with_state(s, |tcp, failed| {
            let r = connect_start(tcp, i32::from(*failed));
            if r == ConnectStart::Start {
                *failed = 0;
            }
            r
        })
    };
    match r {
        Some(ConnectStart::Start) => GO,
        Some(ConnectStart::Refuse(e)) => fail(e),
        None => fail(MprsErrno::Einval),
    }
}

/// lwIP's connected callback (`err` ERR_OK) or error callback during connect. True when
/// the socket is now connected and the glue hands the pcb to the shims; false when the
/// connect failed (the error is kept for connect()) or was not in progress.
///
/// # Safety
/// `s` as for `with_state` (lwIP's context holds the lock).
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_on_connect(s: *mut MprsSocketState, lwip_err: c_int) -> bool {
    // SAFETY: the caller's guarantee for `s`.
    let r = unsafe {
        with_state(s, |tcp, failed| {
            if *tcp != Tcp::Connecting {
                return false;
            }
            if lwip_err == 0 {
                *tcp = Tcp::Connected;
                true
            } else {
                *failed = i8::try_from(lwip_err).unwrap_or(i8::MIN);
                false
            }
        })
    };
    r == Some(true)
}

/// One step of connect()'s wait: `Go` when connected, `Wait`, or `Fail` (the connect's
/// error, EINPROGRESS when non-blocking, ETIMEDOUT when `expired`).
///
/// # Safety
/// `s` as for `with_state`, the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_connect_step(
    s: *mut MprsSocketState,
    nonblocking: bool,
    expired: bool,
) -> MprsSocketStep {
    // SAFETY: the caller's guarantee for `s`.
    let r = unsafe {
        with_state(s, |tcp, failed| {
            connect_step(tcp, i32::from(*failed), nonblocking, expired)
        })
    };
    match r {
        Some(ConnectStep::Done) => GO,
        Some(ConnectStep::Wait) => WAIT,
        Some(ConnectStep::Fail(e)) => fail(e),
        None => fail(MprsErrno::Einval),
    }
}

/// One step of a TCP send of `len` bytes with `room` bytes free in lwIP's send buffer;
/// `conn_err` is the lwIP error the shims report for the connection (0: none). `Go` with
/// `n` bytes to write (0 for an empty send), `Wait`, or `Fail`.
///
/// # Safety
/// `s` as for `with_state`, the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_send_step(
    s: *mut MprsSocketState,
    conn_err: c_int,
    len: usize,
    room: usize,
    nonblocking: bool,
    expired: bool,
) -> MprsSocketStep {
    // SAFETY: the caller's guarantee for `s`.
    let state = unsafe { with_state(s, |tcp, _| *tcp) };
    let Some(state) = state else {
        return fail(MprsErrno::Einval);
    };
    match send_step(state, conn_err, len, room, nonblocking, expired) {
        SendStep::Write(n) => MprsSocketStep {
            action: MprsSocketAction::Go,
            n: u16::try_from(n).unwrap_or(u16::MAX),
            errcode: 0,
        },
        SendStep::Wait => WAIT,
        SendStep::Fail(e) => fail(e),
    }
}

/// Sets the TCP state after a step the glue made: listening (listen), connected (an
/// accepted socket), closed (close). Other values are refused (false).
///
/// # Safety
/// `s` as for `with_state`, the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_set_tcp(s: *mut MprsSocketState, state: u8) -> bool {
    let to = tcp_of(state);
    if !matches!(to, Tcp::Listening | Tcp::Connected | Tcp::Closed) || to as u8 != state {
        return false;
    }
    // SAFETY: the caller's guarantee for `s`.
    let r = unsafe {
        with_state(s, |tcp, _| {
            let ok = match to {
                Tcp::Listening | Tcp::Connected => *tcp == Tcp::New,
                _ => true,
            };
            if ok {
                *tcp = to;
            }
            ok
        })
    };
    r == Some(true)
}

/// The TCP state as a byte (`crate::socket::Tcp`): 0 new, 1 connecting, 2 connected,
/// 3 listening, 4 failed (a connect in progress that lwIP reported failed counts as
/// failed, so poll wakes), 5 closed.
///
/// # Safety
/// `s` as for `with_state`.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_tcp(s: *mut MprsSocketState) -> u8 {
    // SAFETY: the caller's guarantee for `s`.
    unsafe { tcp_seen(s) as u8 }
}

/// The TCP state as the glue sees it (see `mprs_socket_tcp`); `Closed` for NULL.
///
/// # Safety
/// `s` as for `with_state`.
unsafe fn tcp_seen(s: *mut MprsSocketState) -> Tcp {
    // SAFETY: the caller's guarantee for `s`; read only.
    match unsafe { s.as_ref() } {
        Some(st) => match tcp_of(st.tcp) {
            Tcp::Connecting if st.failed != 0 => Tcp::Failed,
            other => other,
        },
        None => Tcp::Closed,
    }
}

/// poll(): the flags a socket reports (`MP_STREAM_POLL_*`), of the events asked for in
/// `flags`, plus ERR and HUP as `crate::socket::poll_tcp` says. `shim` is a TCP socket's
/// shim state, NULL for UDP and raw; `room` whether lwIP's send buffer of a TCP socket's
/// pcb has room (the glue reads it, from lwIP's structs).
///
/// # Safety
/// `s` as for `with_state`; `shim` NULL or as for the shim's exports (`mprs_lwip_readable`);
/// the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_poll_events(
    s: *mut MprsSocketState,
    shim: *mut MprsLwipSocket,
    flags: usize,
    room: bool,
) -> usize {
    if shim.is_null() {
        // SAFETY: the caller's guarantee for `s`; read only.
        let datagram = unsafe { s.as_ref() }.is_some_and(|st| st.ring_len > 0);
        return poll_dgram(datagram, flags);
    }
    // SAFETY: the caller's guarantees for `s` and `shim`.
    let (state, (readable, failed, peer_closed)) = unsafe { (tcp_seen(s), poll_view(shim)) };
    poll_tcp(state, readable, room, failed, peer_closed, flags)
}

/// UDP/raw receive callback: the ring slot for a new datagram, or -1 when full (drop it).
///
/// # Safety
/// `s` as for `with_state`, the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_ring_push(s: *mut MprsSocketState) -> c_int {
    // SAFETY: the caller's guarantee for `s`.
    let slot = unsafe { with_ring(s, |ring| ring.push()) }.flatten();
    slot.and_then(|i| c_int::try_from(i).ok()).unwrap_or(-1)
}

/// The oldest datagram's slot, or -1 when none; with `take`, the slot is freed (the glue
/// then frees its pbuf).
///
/// # Safety
/// `s` as for `with_state`, the lwIP lock held.
#[no_mangle]
pub unsafe extern "C" fn mprs_socket_ring_front(s: *mut MprsSocketState, take: bool) -> c_int {
    // SAFETY: the caller's guarantee for `s`.
    let slot =
        unsafe { with_ring(s, |ring| if take { ring.pop() } else { ring.front() }) }.flatten();
    slot.and_then(|i| c_int::try_from(i).ok()).unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> MprsSocketState {
        MprsSocketState {
            tcp: 0,
            failed: 0,
            ring_head: 0,
            ring_len: 0,
        }
    }

    #[test]
    fn connect_through_the_exports() {
        let mut st = state();
        let s: *mut MprsSocketState = &mut st;
        // SAFETY: s points at a live local used by nothing else during the calls.
        unsafe {
            assert_eq!(mprs_socket_connect_start(s).action, MprsSocketAction::Go);
            assert_eq!(
                mprs_socket_connect_step(s, false, false).action,
                MprsSocketAction::Wait
            );
            assert!(mprs_socket_on_connect(s, 0));
            assert_eq!(
                mprs_socket_connect_step(s, false, true).action,
                MprsSocketAction::Go
            );
            // A later callback (the peer's FIN, a reset) never undoes the connect.
            assert!(!mprs_socket_on_connect(s, -14));
            assert_eq!(mprs_socket_tcp(s), Tcp::Connected as u8);
            // More than one tcp_write takes: a step of 65535 bytes, and the caller goes on.
            let big = mprs_socket_send_step(s, 0, 100_000, 100_000, false, false);
            assert_eq!((big.action, big.n), (MprsSocketAction::Go, u16::MAX));
            assert!(mprs_socket_set_tcp(s, Tcp::Closed as u8));
            assert!(!mprs_socket_set_tcp(s, 9));
            assert_eq!(
                mprs_socket_send_step(s, 0, 10, 10, false, false).action,
                MprsSocketAction::Fail
            );
            let null = core::ptr::null_mut();
            assert_eq!(
                mprs_socket_connect_start(null).action,
                MprsSocketAction::Fail
            );
            assert_eq!(mprs_socket_ring_push(null), -1);
            assert_eq!(mprs_socket_tcp(null), Tcp::Closed as u8);
        }
    }

    #[test]
    fn the_ring_through_the_exports() {
        let mut st = state();
        let s: *mut MprsSocketState = &mut st;
        // SAFETY: as above.
        unsafe {
            assert_eq!(mprs_socket_ring_front(s, false), -1);
            let slots: Vec<c_int> = (0..4).map(|_| mprs_socket_ring_push(s)).collect();
            assert_eq!(slots, [0, 1, 2, 3]);
            assert_eq!(mprs_socket_ring_push(s), -1, "full: dropped");
            assert_eq!(mprs_socket_ring_front(s, false), 0, "peek");
            assert_eq!(mprs_socket_ring_front(s, true), 0);
            assert_eq!(mprs_socket_ring_push(s), 0);
            assert_eq!(mprs_socket_ring_front(s, true), 1);
        }
        // Storage the glue corrupted is clamped, never out of range.
        st.ring_head = 200;
        st.ring_len = 200;
        // SAFETY: as above.
        let slot = unsafe { mprs_socket_ring_front(&mut st, true) };
        assert!((0..4).contains(&slot));
    }

    #[test]
    fn errno_and_timeouts() {
        assert_eq!(mprs_socket_errno(0), 0);
        // Every lwIP error maps to an errno a step's byte holds (c-glue/socket.c stores it).
        for lwip_err in -16..=0 {
            assert!(
                (0..256).contains(&mprs_socket_errno(lwip_err)),
                "{lwip_err}"
            );
        }
        assert_ne!(mprs_socket_errno(-14), 0);
        assert!(mprs_socket_timed_out(10, 20, 10));
        assert!(!mprs_socket_timed_out(10, 20, -1));
        assert_eq!(
            mprs_socket_wait_step(false, false).action,
            MprsSocketAction::Wait
        );
    }
}
