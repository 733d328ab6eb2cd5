//! lwIP callback shims (the raw-API side of extmod/modlwip.c): the per-socket state that
//! lwIP's callbacks and the VM share, without any lwIP type. lwIP's structures change with
//! each port's lwipopts.h, so pcbs and pbufs stay opaque handles here and every lwIP call
//! is the glue's; this module decides what the callbacks do:
//! - [`AcceptQueue`]: the listening socket's bounded backlog of connections not yet
//!   accepted, in arrival order, from which a connection that dies early is removed;
//! - [`Rx`]: what a connected socket has received and not yet read, peer close and errors;
//! - [`UserCallback`]: the `setsockopt(SOL_SOCKET, 20, cb)` slot, scheduled to run outside
//!   lwIP's context: a burst of events gives one pending call, and a full scheduler queue
//!   delays the call without losing it.
//!
//! Each method is called with the socket's critical section held (the port maps it to its
//! lwIP lock), so lwIP's thread or interrupt and the VM see consistent state.
//!
//! Status: this is the core only; the glue that binds it to lwIP's callbacks, and the tests
//! against real lwIP, are the rest of the lwIP issue.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

/// The most connections a listening socket can hold for accept(); `listen(backlog)` is
/// clamped to it.
pub const BACKLOG_MAX: usize = 8;

/// An lwIP pcb, as an opaque non-zero handle.
pub type Pcb = core::num::NonZeroUsize;

/// Connections waiting for accept(), oldest first, at most `backlog` of them.
#[derive(Clone, Debug)]
pub struct AcceptQueue {
    slots: [Option<Pcb>; BACKLOG_MAX],
    head: usize,
    len: usize,
    backlog: usize,
}

impl Default for AcceptQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl AcceptQueue {
    pub const fn new() -> Self {
        AcceptQueue {
            slots: [None; BACKLOG_MAX],
            head: 0,
            len: 0,
            backlog: 1,
        }
    }

    /// Sets the backlog given to listen(): at least 1, at most `BACKLOG_MAX`.
    pub fn listen(&mut self, backlog: usize) {
        self.backlog = backlog.clamp(1, BACKLOG_MAX);
    }

    pub fn backlog(&self) -> usize {
        self.backlog
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The accept callback: queues `pcb` if the backlog has room. `false` means refuse the
    /// connection (the glue answers lwIP with an error, and lwIP drops it cleanly).
    pub fn offer(&mut self, pcb: Pcb) -> bool {
        if self.len >= self.backlog || self.contains(pcb) {
            return false;
        }
        let tail = (self.head + self.len) % BACKLOG_MAX;
        match self.slots.get_mut(tail) {
            Some(slot) => {
                *slot = Some(pcb);
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// accept(): the oldest queued connection.
    pub fn take(&mut self) -> Option<Pcb> {
        if self.len == 0 {
            return None;
        }
        let pcb = self.slots.get_mut(self.head).and_then(Option::take);
        self.head = (self.head + 1) % BACKLOG_MAX;
        self.len -= 1;
        pcb
    }

    pub fn contains(&self, pcb: Pcb) -> bool {
        self.iter().any(|p| p == pcb)
    }

    /// The error callback of a queued connection (reset before accept): removes it, keeping
    /// the others in order. `false` if it was not queued (a stale callback).
    pub fn remove(&mut self, pcb: Pcb) -> bool {
        let Some(pos) = self.iter().position(|p| p == pcb) else {
            return false;
        };
        // Shift the younger entries down by one.
        for i in pos..self.len - 1 {
            let from = (self.head + i + 1) % BACKLOG_MAX;
            let to = (self.head + i) % BACKLOG_MAX;
            let moved = self.slots.get(from).copied().flatten();
            if let Some(slot) = self.slots.get_mut(to) {
                *slot = moved;
            }
        }
        if let Some(last) = self.slots.get_mut((self.head + self.len - 1) % BACKLOG_MAX) {
            *last = None;
        }
        self.len -= 1;
        true
    }

    /// The queued connections, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = Pcb> + '_ {
        (0..self.len).filter_map(move |i| {
            self.slots
                .get((self.head + i) % BACKLOG_MAX)
                .copied()
                .flatten()
        })
    }
}

/// What a read of a connected socket should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// Copy this many buffered bytes (from the chain's read offset), then acknowledge them.
    Copy(usize),
    /// Nothing buffered and the peer has closed: 0, end of file.
    Eof,
    /// Nothing buffered yet.
    WouldBlock,
    /// The connection failed with this lwIP error; reported once the buffered data is read.
    Error(i32),
}

/// A connected socket's receive side. The pbuf chain is the glue's; this counts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rx {
    buffered: usize,
    peer_closed: bool,
    error: Option<i32>,
}

impl Rx {
    pub const fn new() -> Self {
        Rx {
            buffered: 0,
            peer_closed: false,
            error: None,
        }
    }

    /// The recv callback with data: `len` bytes were appended to the chain.
    pub fn on_data(&mut self, len: usize) {
        self.buffered = self.buffered.saturating_add(len);
    }

    /// The recv callback with a NULL pbuf: the peer closed (EOF after the buffered data).
    pub fn on_peer_close(&mut self) {
        self.peer_closed = true;
    }

    /// The error callback: lwIP has freed the pcb; reads end with this error.
    pub fn on_error(&mut self, err: i32) {
        self.error = Some(err);
    }

    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Plans a read of up to `want` bytes. Buffered data comes first, then EOF or the error.
    pub fn read(&self, want: usize) -> Read {
        if self.buffered > 0 {
            return Read::Copy(self.buffered.min(want));
        }
        match (self.error, self.peer_closed) {
            (Some(err), _) => Read::Error(err),
            (None, true) => Read::Eof,
            (None, false) => Read::WouldBlock,
        }
    }

    /// `n` bytes were copied out (and will be acknowledged with tcp_recved).
    pub fn consumed(&mut self, n: usize) {
        self.buffered = self.buffered.saturating_sub(n);
    }

    /// Poll flags: readable when data, EOF or an error is there.
    pub fn readable(&self) -> bool {
        self.buffered > 0 || self.peer_closed || self.error.is_some()
    }
}

/// What an lwIP-side event asks of the glue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notify {
    /// No callback is set.
    None,
    /// A call is already pending or scheduled: it will see this event too.
    Coalesced,
    /// Try to schedule the callback now (`mp_sched_schedule`), then report the outcome.
    Schedule,
}

/// The user callback slot of `setsockopt(SOL_SOCKET, 20, cb)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserCallback {
    set: bool,
    /// An event happened that no scheduled call covers yet.
    pending: bool,
    /// A call is in the scheduler's queue and has not started.
    scheduled: bool,
}

impl UserCallback {
    pub const fn new() -> Self {
        UserCallback {
            set: false,
            pending: false,
            scheduled: false,
        }
    }

    /// setsockopt with a callback (`true`) or None (`false`); clearing drops what is pending.
    pub fn set(&mut self, set: bool) {
        *self = UserCallback {
            set,
            ..UserCallback::new()
        };
    }

    /// lwIP's context: data arrived, the peer closed, or a connection arrived.
    pub fn on_event(&mut self) -> Notify {
        if !self.set {
            return Notify::None;
        }
        if self.pending || self.scheduled {
            self.pending = !self.scheduled;
            return Notify::Coalesced;
        }
        self.pending = true;
        Notify::Schedule
    }

    /// Whether scheduling worked. A full queue leaves the event pending, to retry later.
    pub fn scheduled(&mut self, ok: bool) {
        if ok {
            self.pending = false;
            self.scheduled = true;
        }
    }

    /// From a later chance (lwIP's poll callback, or the VM between calls): is a call still
    /// owed? If so the glue schedules again and reports with `scheduled`.
    pub fn retry(&self) -> bool {
        self.set && self.pending && !self.scheduled
    }

    /// The VM runs the scheduled call: whether to call the user's callback. Events from now
    /// on schedule a new call.
    pub fn run(&mut self) -> bool {
        let run = self.set && self.scheduled;
        self.scheduled = false;
        run
    }
}

#[cfg(test)]
mod tests;
