//! lwIP shim exports: the socket state of `crate::lwip` in storage the glue embeds in its
//! socket object (`mprs_lwip_socket_t`), driven by c-glue/lwip.c from lwIP's callbacks and
//! from the VM. Every call takes the critical section (the port's lwIP lock), checks its
//! arguments and answers bad ones with an lwIP error: a NULL or never-initialised socket,
//! a NULL pcb, a slot out of range.
//!
//! pcbs and pbufs are opaque pointers here; the glue does every lwIP call that needs their
//! layout, through the port services of `crate::abi` or on what these calls return.

use crate::abi::{
    mprs_port_lwip_pbuf_cat, mprs_port_lwip_pbuf_copy, mprs_port_lwip_pbuf_free,
    mprs_port_lwip_pbuf_take, mprs_port_lwip_schedule,
};
use crate::lwip::{err, Accept, Lwip, Pbuf, Pcb, Received, Socket, BACKLOG_MAX};
use core::ffi::{c_int, c_void};
use core::ptr;

/// 64-bit words of the state the glue embeds per socket.
pub const MPRS_LWIP_SOCKET_WORDS: usize = 38;

/// The most connections one listening socket queues for accept(); listen's backlog is
/// clamped to it.
pub const MPRS_LWIP_BACKLOG_MAX: usize = 8;
const _: () = assert!(MPRS_LWIP_BACKLOG_MAX == BACKLOG_MAX);

/// One socket's shim state, embedded in the glue's socket object; opaque to C. Zeroed
/// storage is "not initialised": every call but `mprs_lwip_init` refuses it.
#[repr(C)]
pub struct MprsLwipSocket {
    /// Rust's `Socket`; C only reserves the room.
    pub storage: [u64; MPRS_LWIP_SOCKET_WORDS],
}

/// What `mprs_lwip_close` leaves for the glue: close `pcb` (a listening pcb if
/// `listening`), abort the `pending` connections that were never accepted.
#[repr(C)]
pub struct MprsLwipTeardown {
    pub pcb: *mut c_void,
    pub listening: bool,
    pub pending: [*mut c_void; MPRS_LWIP_BACKLOG_MAX],
}

#[repr(C)]
struct Stored {
    magic: u32,
    socket: Socket,
}

/// Marks initialised storage ("mplw").
const MAGIC: u32 = 0x6d70_6c77;

const _: () = assert!(core::mem::size_of::<Stored>() <= MPRS_LWIP_SOCKET_WORDS * 8);
const _: () = assert!(core::mem::align_of::<Stored>() <= 8);

/// lwIP as the glue provides it.
struct PortLwip;

fn handle(p: *mut c_void) -> Option<Pbuf> {
    Pbuf::new(p as usize)
}

fn raw(h: Option<core::num::NonZeroUsize>) -> *mut c_void {
    h.map_or(ptr::null_mut(), |h| h.get() as *mut c_void)
}

impl Lwip for PortLwip {
    fn chain_append(&mut self, chain: Option<Pbuf>, p: Pbuf) -> Pbuf {
        // SAFETY: both are pbufs lwIP gave the shim and nobody else holds.
        handle(unsafe { mprs_port_lwip_pbuf_cat(raw(chain), raw(Some(p))) }).unwrap_or(p)
    }
    fn chain_take(
        &mut self,
        chain: Pbuf,
        offset: usize,
        buf: &mut [u8],
    ) -> (usize, Option<Pbuf>, usize) {
        let mut new_head = ptr::null_mut();
        let mut new_offset = 0;
        // SAFETY: buf is a live, writable slice; chain is the shim's own; the out pointers
        // are locals.
        let n = unsafe {
            mprs_port_lwip_pbuf_take(
                raw(Some(chain)),
                offset,
                buf.as_mut_ptr(),
                buf.len(),
                &mut new_head,
                &mut new_offset,
            )
        };
        (n.min(buf.len()), handle(new_head), new_offset)
    }
    fn chain_copy(&mut self, chain: Pbuf, offset: usize, buf: &mut [u8]) -> usize {
        // SAFETY: buf is a live, writable slice; chain is the shim's own.
        let n = unsafe {
            mprs_port_lwip_pbuf_copy(raw(Some(chain)), offset, buf.as_mut_ptr(), buf.len())
        };
        n.min(buf.len())
    }
    fn chain_free(&mut self, chain: Pbuf) {
        // SAFETY: the shim's own chain, forgotten by the caller.
        unsafe { mprs_port_lwip_pbuf_free(raw(Some(chain))) }
    }
    fn schedule(&mut self, owner: usize) -> bool {
        // SAFETY: owner is the glue's handle given to mprs_lwip_init.
        unsafe { mprs_port_lwip_schedule(owner as *mut c_void) }
    }
}

/// A socket pointer from C that the caller of an export vouches for (its `# Safety`): the
/// one way `with_socket` gets one, so every dereference rests on an `unsafe` promise.
#[derive(Clone, Copy, PartialEq, Eq)]
struct SocketPtr(*mut MprsLwipSocket);

impl SocketPtr {
    /// # Safety
    /// `s` is NULL or a `mprs_lwip_socket_t`, zeroed or left by this library, valid for the
    /// call, and used by other contexts only inside the critical section.
    unsafe fn new(s: *mut MprsLwipSocket) -> Self {
        SocketPtr(s)
    }
}

/// Runs `f` on the socket at `s` inside the critical section; ERR_ARG when `s` is NULL or
/// not initialised.
fn with_socket<T>(s: SocketPtr, f: impl FnOnce(&mut Socket) -> T) -> Result<T, c_int> {
    critical_section::with(|cs| checked(s, cs).map(f))
}

/// The socket at `s`, for the critical section `_cs` only; ERR_ARG when `s` is NULL or not
/// initialised. One copy for every export (with_socket is generic over its closure).
#[inline(never)]
fn checked<'cs>(
    s: SocketPtr,
    _cs: critical_section::CriticalSection<'cs>,
) -> Result<&'cs mut Socket, c_int> {
    let SocketPtr(s) = s;
    if s.is_null() {
        return Err(err::ARG);
    }
    let stored = s.cast::<Stored>();
    // SAFETY: s is non-NULL and valid (SocketPtr's contract); the magic word is read
    // raw before any reference is formed, so zeroed storage is refused.
    let magic = unsafe { ptr::addr_of!((*stored).magic).read() };
    if magic != MAGIC {
        return Err(err::ARG);
    }
    // SAFETY: initialised by mprs_lwip_init (the magic says so); the critical section,
    // which `_cs` proves held and which outlives the reference, excludes every other
    // context, so this is the only reference.
    Ok(unsafe { &mut (*stored).socket })
}

/// Two sockets at once (accept); both must differ.
fn with_sockets<T>(
    a: SocketPtr,
    b: SocketPtr,
    f: impl FnOnce(&mut Socket, &mut Socket) -> T,
) -> Result<T, c_int> {
    if a == b {
        return Err(err::ARG);
    }
    critical_section::with(|cs| {
        // a and b are distinct objects, so the references do not alias.
        let (sa, sb) = (checked(a, cs)?, checked(b, cs)?);
        Ok(f(sa, sb))
    })
}

fn pcb(p: *mut c_void) -> Option<Pcb> {
    Pcb::new(p as usize)
}

fn flatten(r: Result<Result<(), c_int>, c_int>) -> c_int {
    match r {
        Ok(Ok(())) => err::OK,
        Ok(Err(e)) | Err(e) => e,
    }
}

/// Initialises the state in `s` for a new socket; `owner` is what
/// `mprs_port_lwip_schedule` gets. Storage already holding an open socket is refused with
/// ERR_ISCONN (its pbufs would leak).
///
/// # Safety
/// `s` is NULL or a writable `mprs_lwip_socket_t`, zeroed or
/// left by this library, that no other context uses during the call.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_init(s: *mut MprsLwipSocket, owner: *mut c_void) -> c_int {
    if s.is_null() {
        return err::ARG;
    }
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let sp = unsafe { SocketPtr::new(s) };
    critical_section::with(|cs| {
        // The check and the write are one step for every other context.
        if checked(sp, cs).is_ok_and(|sock| sock.pcb().is_some() || sock.buffered() > 0) {
            return err::ISCONN;
        }
        // SAFETY: the caller's guarantee: s is valid storage for Stored.
        unsafe {
            s.cast::<Stored>().write(Stored {
                magic: MAGIC,
                socket: Socket::new(owner as usize),
            })
        };
        err::OK
    })
}

/// listen(): the socket now owns the listening `pcb` and queues up to `backlog`
/// connections (clamped to 1..=MPRS_LWIP_BACKLOG_MAX).
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_listen(
    s: *mut MprsLwipSocket,
    pcb: *mut c_void,
    backlog: c_int,
) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    let Some(pcb) = self::pcb(pcb) else {
        return err::ARG;
    };
    let backlog = usize::try_from(backlog).unwrap_or(1);
    flatten(with_socket(s, |sock| sock.listen(pcb, backlog)))
}

/// A connected pcb (from connect()) now belongs to the socket.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_attach(s: *mut MprsLwipSocket, pcb: *mut c_void) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    let Some(pcb) = self::pcb(pcb) else {
        return err::ARG;
    };
    flatten(with_socket(s, |sock| sock.attach(pcb)))
}

/// lwIP's accept callback on the listening socket `s`: ERR_OK when `pcb` is queued, in
/// `*slot`; otherwise the error to return to lwIP (which then aborts the pcb): ERR_MEM
/// when the backlog is full, ERR_VAL when `s` is not listening, ERR_ARG for lwIP's
/// "no memory" notification (no pcb) and bad arguments.
///
/// # Safety
/// `s` as for `mprs_lwip_init`, initialised; `slot` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_on_accept(
    s: *mut MprsLwipSocket,
    pcb: *mut c_void,
    lwip_err: c_int,
    slot: *mut usize,
) -> c_int {
    if slot.is_null() {
        return err::ARG;
    }
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    let verdict = with_socket(s, |sock| {
        sock.on_accept(self::pcb(pcb), lwip_err, &mut PortLwip)
    });
    match verdict {
        Ok(Accept::Queued(index)) => {
            // SAFETY: checked non-NULL; the caller's guarantee that it is writable.
            unsafe { slot.write(index) };
            err::OK
        }
        Ok(Accept::Refused) => err::MEM,
        Ok(Accept::NotAConnection) => err::ARG,
        Err(e) => e,
    }
}

fn data(p: *mut c_void, len: usize) -> Received {
    handle(p).map(|p| (p, len))
}

/// A receive callback, queued (`Socket::on_pending_recv`) or connected (`Socket::on_recv`).
fn on_receive(
    s: SocketPtr,
    pcb: *mut c_void,
    p: *mut c_void,
    len: usize,
    on_recv: fn(&mut Socket, Pcb, Received, &mut PortLwip) -> bool,
) -> c_int {
    let Some(pcb) = self::pcb(pcb) else {
        return err::ARG;
    };
    match with_socket(s, |sock| on_recv(sock, pcb, data(p, len), &mut PortLwip)) {
        Ok(true) => err::OK,
        Ok(false) => err::VAL,
        Err(e) => e,
    }
}

/// The receive callback of a connection queued on the listening socket `s`: keeps `p`
/// (`len` bytes) for accept(), or records the peer's close when `p` is NULL. ERR_OK, or
/// ERR_VAL when `pcb` is not queued there; then `p` is still the caller's to free.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_on_pending_recv(
    s: *mut MprsLwipSocket,
    pcb: *mut c_void,
    p: *mut c_void,
    len: usize,
) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    on_receive(s, pcb, p, len, Socket::on_pending_recv)
}

/// The error callback of the connection queued in `slot` of `s`: lwIP has freed it. Frees
/// what it received. ERR_VAL when the slot is empty or out of range (a stale callback).
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_on_pending_error(s: *mut MprsLwipSocket, slot: usize) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    match with_socket(s, |sock| sock.on_pending_error(slot, &mut PortLwip)) {
        Ok(true) => err::OK,
        Ok(false) => err::VAL,
        Err(e) => e,
    }
}

/// accept(): moves the oldest queued connection of `listener`, with the data it received,
/// into `into` (initialised, idle) and returns ERR_OK with its pcb in `*pcb`, for the glue
/// to give it `into`'s callbacks. ERR_WOULDBLOCK when none is queued.
///
/// # Safety
/// `listener` and `into` as for `mprs_lwip_init`; `pcb` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_accept(
    listener: *mut MprsLwipSocket,
    into: *mut MprsLwipSocket,
    pcb: *mut *mut c_void,
) -> c_int {
    if pcb.is_null() {
        return err::ARG;
    }
    // SAFETY: the caller's guarantee for `listener` and `into` (# Safety).
    let (listener, into) = unsafe { (SocketPtr::new(listener), SocketPtr::new(into)) };
    match with_sockets(listener, into, |l, i| l.accept(i, &mut PortLwip)) {
        Ok(Ok(p)) => {
            // SAFETY: checked non-NULL; the caller's guarantee that it is writable.
            unsafe { pcb.write(raw(Some(p))) };
            err::OK
        }
        Ok(Err(e)) | Err(e) => e,
    }
}

/// The receive callback of a connected socket: as `mprs_lwip_on_pending_recv`, and
/// schedules the user callback.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_on_recv(
    s: *mut MprsLwipSocket,
    pcb: *mut c_void,
    p: *mut c_void,
    len: usize,
) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    on_receive(s, pcb, p, len, Socket::on_recv)
}

/// The error callback of a connected socket: lwIP has freed its pcb; reads give what was
/// buffered, then `lwip_err`.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_on_error(s: *mut MprsLwipSocket, lwip_err: c_int) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    flatten(with_socket(s, |sock| {
        sock.on_error(lwip_err, &mut PortLwip);
        Ok(())
    }))
}

/// lwIP's poll or sent callback, or any VM call: schedules a user callback the scheduler
/// had no room for.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_retry(s: *mut MprsLwipSocket) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    flatten(with_socket(s, |sock| {
        sock.retry(&mut PortLwip);
        Ok(())
    }))
}

/// recv(): copies up to `len` buffered bytes into `buf`. Returns the count (0 at end of
/// file), with `*pcb` the pcb to acknowledge them on (`tcp_recved`; NULL if lwIP no longer
/// has it), or a negative lwIP error: ERR_WOULDBLOCK when nothing has arrived, the
/// connection's error once its data is read, ERR_CONN when not connected.
///
/// # Safety
/// `s` as for `mprs_lwip_init`; `buf` valid for `len` writable bytes; `pcb` writable.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_read(
    s: *mut MprsLwipSocket,
    buf: *mut u8,
    len: usize,
    pcb: *mut *mut c_void,
) -> isize {
    if buf.is_null() || pcb.is_null() {
        return err::ARG as isize;
    }
    // SAFETY: the caller's guarantee: buf is valid for len writable bytes, and for `s`.
    let (buf, s) = unsafe { (super::slice_or_empty_mut(buf, len), SocketPtr::new(s)) };
    match with_socket(s, |sock| sock.read(buf, &mut PortLwip)) {
        Ok(Ok((n, p))) => {
            // SAFETY: checked non-NULL, writable by the caller's guarantee.
            unsafe { pcb.write(raw(p)) };
            n.min(isize::MAX as usize) as isize
        }
        Ok(Err(e)) | Err(e) => e as isize,
    }
}

/// recv(MSG_PEEK): as `mprs_lwip_read`, but the bytes stay buffered (nothing to
/// acknowledge).
///
/// # Safety
/// `s` as for `mprs_lwip_init`; `buf` valid for `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_peek(s: *mut MprsLwipSocket, buf: *mut u8, len: usize) -> isize {
    if buf.is_null() {
        return err::ARG as isize;
    }
    // SAFETY: the caller's guarantee: buf is valid for len writable bytes, and for `s`.
    let (buf, s) = unsafe { (super::slice_or_empty_mut(buf, len), SocketPtr::new(s)) };
    match with_socket(s, |sock| sock.peek(buf, &mut PortLwip)) {
        Ok(Ok(n)) => n.min(isize::MAX as usize) as isize,
        Ok(Err(e)) | Err(e) => e as isize,
    }
}

/// Whether a read or accept would not block (data, end of file, an error, a queued
/// connection, or a closed socket).
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_readable(s: *mut MprsLwipSocket) -> bool {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| sock.readable()).unwrap_or(true)
}

/// The shim's side of poll() for the socket module (`mprs_socket_poll_events`): readable,
/// failed (lwIP reported an error), peer closed; as `mprs_lwip_readable`,
/// `mprs_lwip_failed` and `mprs_lwip_peer_closed` answer them, so a socket that is not
/// initialised is readable and failed.
///
/// # Safety
/// `s` as for the exports.
#[cfg(feature = "socket")]
pub(crate) unsafe fn poll_view(s: *mut MprsLwipSocket) -> (bool, bool, bool) {
    // SAFETY: the caller's guarantee for `s`.
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| {
        (
            sock.readable(),
            sock.failed().unwrap_or(err::OK) != err::OK,
            sock.peer_closed(),
        )
    })
    .unwrap_or((true, true, false))
}

/// Bytes received and not yet read (for the host tests: feature `test-hooks`).
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[cfg(feature = "test-hooks")]
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_buffered(s: *mut MprsLwipSocket) -> usize {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| sock.buffered()).unwrap_or(0)
}

/// Connections queued for accept() (for the host tests: feature `test-hooks`).
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[cfg(feature = "test-hooks")]
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_queued(s: *mut MprsLwipSocket) -> usize {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| sock.queued()).unwrap_or(0)
}

/// Whether the peer has closed its side (for poll's HUP; reads give EOF after the data).
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_peer_closed(s: *mut MprsLwipSocket) -> bool {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| sock.peer_closed()).unwrap_or(false)
}

/// The error lwIP reported on the connection, or ERR_OK.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_failed(s: *mut MprsLwipSocket) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| sock.failed().unwrap_or(err::OK)).unwrap_or_else(|e| e)
}

/// The socket's pcb (listening or connected), or NULL.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_pcb(s: *mut MprsLwipSocket) -> *mut c_void {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    raw(with_socket(s, |sock| sock.pcb()).ok().flatten())
}

/// setsockopt(SOL_SOCKET, 20, callback) (`set`) or None: events from now on schedule the
/// callback; clearing drops what is pending.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_set_callback(s: *mut MprsLwipSocket, set: bool) -> c_int {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    flatten(with_socket(s, |sock| {
        sock.set_callback(set);
        Ok(())
    }))
}

/// The scheduled call runs in the VM: whether to call the user's callback now.
///
/// # Safety
/// `s` as for `mprs_lwip_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_callback_due(s: *mut MprsLwipSocket) -> bool {
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    with_socket(s, |sock| sock.callback_due()).unwrap_or(false)
}

/// close(): frees the buffered pbufs and fills `*out` with the pcbs for the glue to close
/// and abort. A second close leaves `*out` empty.
///
/// # Safety
/// `s` as for `mprs_lwip_init`; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mprs_lwip_close(
    s: *mut MprsLwipSocket,
    out: *mut MprsLwipTeardown,
) -> c_int {
    if out.is_null() {
        return err::ARG;
    }
    // SAFETY: the caller's guarantee for `s` (# Safety).
    let s = unsafe { SocketPtr::new(s) };
    match with_socket(s, |sock| sock.close(&mut PortLwip)) {
        Ok(t) => {
            // SAFETY: checked non-NULL; the caller's guarantee that it is writable.
            unsafe {
                out.write(MprsLwipTeardown {
                    pcb: raw(t.pcb),
                    listening: t.listening,
                    pending: t.pending.map(raw),
                })
            };
            err::OK
        }
        Err(e) => e,
    }
}
