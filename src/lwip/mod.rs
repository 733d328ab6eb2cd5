//! lwIP callback shims (the raw-API side of extmod/modlwip.c): the per-socket state that
//! lwIP's callbacks and the VM share, without any lwIP type. lwIP's structures change with
//! each port's lwipopts.h, so pcbs and pbufs stay opaque handles here and every lwIP call
//! is the glue's; this module decides what the callbacks do:
//! - [`AcceptQueue`]: the listening socket's bounded backlog of connections not yet
//!   accepted, in arrival order, from which a connection that dies early is removed;
//! - [`Rx`]: what a connected socket has received and not yet read, peer close and errors;
//! - [`UserCallback`]: the `setsockopt(SOL_SOCKET, 20, cb)` slot, scheduled to run outside
//!   lwIP's context: a burst of events gives one pending call, and a full scheduler queue
//!   delays the call without losing it;
//! - [`Socket`]: one socket's state, driven by lwIP's callbacks and the VM's calls, acting
//!   on pbufs and the scheduler through the [`Lwip`] trait.
//!
//! src/ffi/lwip.rs calls each method with the critical section held (the port maps it to
//! its lwIP lock), so lwIP's thread or interrupt and the VM see consistent state;
//! c-glue/lwip.c binds it to lwIP's raw API.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

/// The most connections a listening socket can hold for accept(); `listen(backlog)` is
/// clamped to it.
pub const BACKLOG_MAX: usize = 8;
const _: () = assert!(BACKLOG_MAX <= u8::MAX as usize);

/// An lwIP pcb, as an opaque non-zero handle.
pub type Pcb = core::num::NonZeroUsize;

/// An lwIP pbuf (the head of a chain), as an opaque non-zero handle.
pub type Pbuf = core::num::NonZeroUsize;

/// What a receive callback brings: a pbuf and its length, or `None` for the peer's close.
pub type Received = Option<(Pbuf, usize)>;

/// lwIP's error codes (`err_t`), the same in every lwIP 2.x build; the glue checks them.
pub mod err {
    pub const OK: i32 = 0;
    pub const MEM: i32 = -1;
    pub const VAL: i32 = -6;
    pub const WOULDBLOCK: i32 = -7;
    pub const ISCONN: i32 = -10;
    pub const CONN: i32 = -11;
    pub const ABRT: i32 = -13;
    pub const RST: i32 = -14;
    pub const CLSD: i32 = -15;
    pub const ARG: i32 = -16;
}

/// A connection lwIP handed to the accept callback, waiting for accept() with what it has
/// received so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub pcb: Pcb,
    /// Arrival order, to accept the oldest first (wrapping).
    seq: u32,
    rx: Rx,
    chain: Option<Pbuf>,
}

/// Connections waiting for accept(), at most `backlog` of them. Each stays in one slot
/// until it is accepted or dies, so the glue can give each slot its own error callback
/// (lwIP's error callback does not say which pcb died).
#[derive(Clone, Debug)]
pub struct AcceptQueue {
    slots: [Option<Pending>; BACKLOG_MAX],
    backlog: u8,
    next_seq: u32,
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
            backlog: 1,
            next_seq: 0,
        }
    }

    /// Sets the backlog given to listen(): at least 1, at most `BACKLOG_MAX`.
    pub fn listen(&mut self, backlog: usize) {
        // BACKLOG_MAX fits a u8 (asserted below).
        self.backlog = backlog.clamp(1, BACKLOG_MAX) as u8;
    }

    pub fn backlog(&self) -> usize {
        usize::from(self.backlog)
    }

    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.iter().all(Option::is_none)
    }

    /// The accept callback: queues `pcb` if the backlog has room, in the slot returned.
    /// `None` means refuse the connection (lwIP then aborts it cleanly).
    pub fn offer(&mut self, pcb: Pcb) -> Option<usize> {
        if self.len() >= self.backlog() || self.slot_of(pcb).is_some() {
            return None;
        }
        let index = self.slots.iter().position(Option::is_none)?;
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        let slot = self.slots.get_mut(index)?;
        *slot = Some(Pending {
            pcb,
            seq,
            rx: Rx::new(),
            chain: None,
        });
        Some(index)
    }

    /// The slot of the oldest queued connection.
    fn oldest(&self) -> Option<usize> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|p| (i, self.next_seq.wrapping_sub(p.seq))))
            .max_by_key(|&(_, age)| age)
            .map(|(i, _)| i)
    }

    /// accept(): the oldest queued connection.
    pub fn take(&mut self) -> Option<Pending> {
        self.remove_slot(self.oldest()?)
    }

    pub fn slot_of(&self, pcb: Pcb) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.map(|p| p.pcb) == Some(pcb))
    }

    /// Removes what `slot` holds; `None` if the index is out of range or the slot empty
    /// (a stale callback).
    pub fn remove_slot(&mut self, slot: usize) -> Option<Pending> {
        self.slots.get_mut(slot)?.take()
    }

    /// Removes `pcb`, keeping the others in order; `None` if it was not queued.
    pub fn remove(&mut self, pcb: Pcb) -> Option<Pending> {
        self.remove_slot(self.slot_of(pcb)?)
    }

    fn get_mut(&mut self, pcb: Pcb) -> Option<&mut Pending> {
        self.slots.iter_mut().flatten().find(|p| p.pcb == pcb)
    }

    /// The queued connections, oldest first (for the tests).
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = Pcb> + '_ {
        // Ages are distinct, so each step takes the oldest younger than the last one
        // (a selection over at most BACKLOG_MAX slots; sorting would pull in panics).
        let mut last_age: Option<u32> = None;
        core::iter::from_fn(move || {
            let (age, pcb) = self
                .slots
                .iter()
                .flatten()
                .map(|p| (self.next_seq.wrapping_sub(p.seq), p.pcb))
                .filter(|&(age, _)| last_age.map_or(true, |last| age < last))
                .max_by_key(|&(age, _)| age)?;
            last_age = Some(age);
            Some(pcb)
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
    // u32 and i8 keep a queued connection small; lwIP's receive window bounds what is
    // buffered far below 4 GiB, and err_t is an s8.
    buffered: u32,
    peer_closed: bool,
    error: Option<i8>,
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
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.buffered = self.buffered.saturating_add(len);
    }

    /// The recv callback with a NULL pbuf: the peer closed (EOF after the buffered data).
    pub fn on_peer_close(&mut self) {
        self.peer_closed = true;
    }

    /// The error callback: lwIP has freed the pcb; reads end with this error.
    pub fn on_error(&mut self, err: i32) {
        self.error = Some(i8::try_from(err).unwrap_or(i8::MIN));
    }

    pub fn buffered(&self) -> usize {
        self.buffered as usize
    }

    /// Plans a read of up to `want` bytes. Buffered data comes first, then EOF or the error.
    pub fn read(&self, want: usize) -> Read {
        if self.buffered > 0 {
            return Read::Copy(self.buffered().min(want));
        }
        match (self.error, self.peer_closed) {
            (Some(err), _) => Read::Error(i32::from(err)),
            (None, true) => Read::Eof,
            (None, false) => Read::WouldBlock,
        }
    }

    /// `n` bytes were copied out (and will be acknowledged with tcp_recved).
    pub fn consumed(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
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

/// lwIP's side of the shim, as the glue provides it: pbuf chains and the scheduler. The
/// glue does every pcb call itself, outside the critical section, on what [`Socket`]
/// decides.
pub trait Lwip {
    /// Appends `p` to `chain` (`pbuf_cat`): the head of the chain that holds both.
    fn chain_append(&mut self, chain: Option<Pbuf>, p: Pbuf) -> Pbuf;
    /// Copies up to `buf.len()` bytes from `chain` at `offset`, frees the pbufs read to
    /// the end and returns (bytes copied, new head, offset in it).
    fn chain_take(
        &mut self,
        chain: Pbuf,
        offset: usize,
        buf: &mut [u8],
    ) -> (usize, Option<Pbuf>, usize);
    /// Copies up to `buf.len()` bytes from `chain` at `offset` and leaves the chain as it
    /// is (MSG_PEEK): the count copied.
    fn chain_copy(&mut self, chain: Pbuf, offset: usize, buf: &mut [u8]) -> usize;
    /// Frees a whole chain.
    fn chain_free(&mut self, chain: Pbuf);
    /// Frees a chain if there is one.
    fn chain_free_any(&mut self, chain: Option<Pbuf>) {
        if let Some(chain) = chain {
            self.chain_free(chain);
        }
    }
    /// Schedules the user callback of the socket whose owner is `owner` to run in the VM
    /// (`mp_sched_schedule`); false if the scheduler's queue is full.
    fn schedule(&mut self, owner: usize) -> bool;
}

/// What the accept callback should tell lwIP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// Queued in this slot: the glue sets the pending callbacks of that slot on the pcb.
    Queued(usize),
    /// No room, or not a listening socket: lwIP aborts the connection.
    Refused,
    /// lwIP reported an error (ERR_MEM with no pcb): not a connection.
    NotAConnection,
}

/// A connected socket: its pcb while lwIP has it, and what it received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Conn {
    pcb: Option<Pcb>,
    rx: Rx,
    chain: Option<Pbuf>,
    offset: usize,
}

// No heap: the socket object's storage holds the largest role, the listening one.
// repr(u8): a tag byte of its own, so each match reads it rather than decoding a niche in
// the roles' fields (about 100 bytes less code on Cortex-M).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Default)]
#[repr(u8)]
enum Role {
    #[default]
    Idle,
    Listening {
        pcb: Pcb,
        queue: AcceptQueue,
    },
    Connected(Conn),
    Closed,
}

/// What close() leaves for the glue to do: close the socket's pcb, abort the connections
/// never accepted. Buffered pbufs are already freed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Teardown {
    pub pcb: Option<Pcb>,
    pub listening: bool,
    pub pending: [Option<Pcb>; BACKLOG_MAX],
}

/// A receive callback's pbuf (`Some((pbuf, length))`) joins the chain; `None` is the
/// peer's close.
fn receive(rx: &mut Rx, chain: &mut Option<Pbuf>, data: Received, lwip: &mut impl Lwip) {
    match data {
        Some((p, len)) => {
            *chain = Some(lwip.chain_append(*chain, p));
            rx.on_data(len);
        }
        None => rx.on_peer_close(),
    }
}

/// One socket's shared state: what lwIP's callbacks and the VM's calls decide together.
#[derive(Clone, Debug, Default)]
pub struct Socket {
    role: Role,
    callback: UserCallback,
    /// The glue's handle for the socket object, passed to [`Lwip::schedule`].
    owner: usize,
}

impl Socket {
    pub const fn new(owner: usize) -> Self {
        Socket {
            role: Role::Idle,
            callback: UserCallback::new(),
            owner,
        }
    }

    /// listen(): `pcb` is the listening pcb lwIP returned.
    pub fn listen(&mut self, pcb: Pcb, backlog: usize) -> Result<(), i32> {
        match self.role {
            Role::Idle => {
                let mut queue = AcceptQueue::new();
                queue.listen(backlog);
                self.role = Role::Listening { pcb, queue };
                Ok(())
            }
            Role::Closed => Err(err::CLSD),
            _ => Err(err::ISCONN),
        }
    }

    /// A connection made by connect(): the socket now owns `pcb`.
    pub fn attach(&mut self, pcb: Pcb) -> Result<(), i32> {
        match self.role {
            Role::Idle => {
                self.role = Role::Connected(Conn {
                    pcb: Some(pcb),
                    ..Conn::default()
                });
                Ok(())
            }
            Role::Closed => Err(err::CLSD),
            _ => Err(err::ISCONN),
        }
    }

    pub fn pcb(&self) -> Option<Pcb> {
        match &self.role {
            Role::Listening { pcb, .. } => Some(*pcb),
            Role::Connected(conn) => conn.pcb,
            _ => None,
        }
    }

    /// Connections waiting for accept() (for the tests).
    #[cfg(any(test, feature = "test-hooks"))]
    pub fn queued(&self) -> usize {
        match &self.role {
            Role::Listening { queue, .. } => queue.len(),
            _ => 0,
        }
    }

    /// lwIP's accept callback. `err` is what lwIP passed with the pcb.
    pub fn on_accept(&mut self, pcb: Option<Pcb>, err: i32, lwip: &mut impl Lwip) -> Accept {
        let (Some(pcb), err::OK) = (pcb, err) else {
            return Accept::NotAConnection;
        };
        let Role::Listening { queue, .. } = &mut self.role else {
            return Accept::Refused;
        };
        match queue.offer(pcb) {
            Some(slot) => {
                self.notify(lwip);
                Accept::Queued(slot)
            }
            None => Accept::Refused,
        }
    }

    /// The receive callback of a queued connection: data (`Some((pbuf, length))`) is kept
    /// for accept(), `None` marks the peer's close. False if `pcb` is not queued here (the
    /// glue then aborts it, so nothing is left behind).
    pub fn on_pending_recv(&mut self, pcb: Pcb, data: Received, lwip: &mut impl Lwip) -> bool {
        let Role::Listening { queue, .. } = &mut self.role else {
            return false;
        };
        let Some(pending) = queue.get_mut(pcb) else {
            return false;
        };
        receive(&mut pending.rx, &mut pending.chain, data, lwip);
        true
    }

    /// The error callback of the connection queued in `slot`: lwIP has freed its pcb.
    /// False for a stale callback (nothing in that slot).
    pub fn on_pending_error(&mut self, slot: usize, lwip: &mut impl Lwip) -> bool {
        let Role::Listening { queue, .. } = &mut self.role else {
            return false;
        };
        let Some(pending) = queue.remove_slot(slot) else {
            return false;
        };
        lwip.chain_free_any(pending.chain);
        true
    }

    /// accept(): moves the oldest queued connection, with what it received, into `into`
    /// (a new, idle socket) and returns its pcb, for the glue to give it `into`'s callbacks.
    pub fn accept(&mut self, into: &mut Socket, lwip: &mut impl Lwip) -> Result<Pcb, i32> {
        self.retry(lwip);
        if !matches!(into.role, Role::Idle) {
            return Err(err::ISCONN);
        }
        let queue = match &mut self.role {
            Role::Listening { queue, .. } => queue,
            Role::Closed => return Err(err::CLSD),
            _ => return Err(err::VAL),
        };
        let pending = queue.take().ok_or(err::WOULDBLOCK)?;
        into.role = Role::Connected(Conn {
            pcb: Some(pending.pcb),
            rx: pending.rx,
            chain: pending.chain,
            offset: 0,
        });
        Ok(pending.pcb)
    }

    /// The receive callback of a connected socket; as [`Socket::on_pending_recv`].
    pub fn on_recv(&mut self, pcb: Pcb, data: Received, lwip: &mut impl Lwip) -> bool {
        let Role::Connected(conn) = &mut self.role else {
            return false;
        };
        if conn.pcb != Some(pcb) {
            return false;
        }
        receive(&mut conn.rx, &mut conn.chain, data, lwip);
        self.notify(lwip);
        true
    }

    /// The error callback of a connected socket: lwIP has freed the pcb; reads give the
    /// buffered data, then this error.
    pub fn on_error(&mut self, err: i32, lwip: &mut impl Lwip) {
        if let Role::Connected(conn) = &mut self.role {
            conn.pcb = None;
            conn.rx.on_error(err);
            self.notify(lwip);
        }
    }

    /// A later chance to deliver a user callback the scheduler had no room for: lwIP's poll
    /// and sent callbacks, and the VM's calls.
    pub fn retry(&mut self, lwip: &mut impl Lwip) {
        if self.callback.retry() {
            self.schedule(lwip);
        }
    }

    /// An event in lwIP's context: schedules the callback unless a call is already owed.
    fn notify(&mut self, lwip: &mut impl Lwip) {
        if self.callback.on_event() == Notify::Schedule {
            self.schedule(lwip);
        }
    }

    fn schedule(&mut self, lwip: &mut impl Lwip) {
        let ok = lwip.schedule(self.owner);
        self.callback.scheduled(ok);
    }

    /// recv(): copies buffered data into `buf`. Ok((n, pcb)): n bytes (0 at end of file),
    /// to acknowledge on `pcb` with `tcp_recved` if lwIP still has it. Err: an lwIP error,
    /// `WOULDBLOCK` when nothing has arrived yet.
    pub fn read(
        &mut self,
        buf: &mut [u8],
        lwip: &mut impl Lwip,
    ) -> Result<(usize, Option<Pcb>), i32> {
        self.receive_into(buf, lwip, true)
            .map(|(n, conn)| (n, if n > 0 { conn.pcb } else { None }))
    }

    /// recv(MSG_PEEK): as [`Socket::read`], but the bytes stay buffered (nothing to
    /// acknowledge).
    pub fn peek(&mut self, buf: &mut [u8], lwip: &mut impl Lwip) -> Result<usize, i32> {
        self.receive_into(buf, lwip, false).map(|(n, _)| n)
    }

    /// read and peek: copies (and with `take`, consumes) buffered data, then end of file
    /// or the connection's error (reported once, then end of file, as a POSIX socket).
    fn receive_into(
        &mut self,
        buf: &mut [u8],
        lwip: &mut impl Lwip,
        take: bool,
    ) -> Result<(usize, &mut Conn), i32> {
        self.retry(lwip);
        let conn = match &mut self.role {
            Role::Connected(conn) => conn,
            Role::Closed => return Err(err::CLSD),
            _ => return Err(err::CONN),
        };
        match conn.rx.read(buf.len()) {
            Read::Copy(n) => {
                let (Some(chain), Some(dest)) = (conn.chain, buf.get_mut(..n)) else {
                    return Err(err::VAL);
                };
                let copied = if take {
                    let (copied, head, offset) = lwip.chain_take(chain, conn.offset, dest);
                    conn.chain = head;
                    conn.offset = offset;
                    let copied = copied.min(n);
                    conn.rx
                        .consumed(if head.is_none() { usize::MAX } else { copied });
                    copied
                } else {
                    lwip.chain_copy(chain, conn.offset, dest).min(n)
                };
                if copied == 0 {
                    // The chain holds less than counted: a glue bug, not end of file.
                    return Err(err::VAL);
                }
                Ok((copied, conn))
            }
            Read::Eof => Ok((0, conn)),
            Read::WouldBlock => Err(err::WOULDBLOCK),
            Read::Error(e) => {
                if take {
                    conn.rx.error = None;
                    conn.rx.peer_closed = true;
                }
                Err(e)
            }
        }
    }

    /// Bytes received and not yet read.
    pub fn buffered(&self) -> usize {
        match &self.role {
            Role::Connected(conn) => conn.rx.buffered(),
            _ => 0,
        }
    }

    /// Whether a read or accept would not block: data, end of file, an error, or a queued
    /// connection.
    pub fn readable(&self) -> bool {
        match &self.role {
            Role::Listening { queue, .. } => !queue.is_empty(),
            Role::Connected(conn) => conn.rx.readable(),
            Role::Idle => false,
            Role::Closed => true,
        }
    }

    /// Whether the peer has closed its side (end of file once the data is read).
    pub fn peer_closed(&self) -> bool {
        match &self.role {
            Role::Connected(conn) => conn.rx.peer_closed,
            _ => false,
        }
    }

    /// Whether lwIP reported an error on the connection (reset, abort).
    pub fn failed(&self) -> Option<i32> {
        match &self.role {
            Role::Connected(conn) => conn.rx.error.map(i32::from),
            _ => None,
        }
    }

    /// setsockopt(SOL_SOCKET, 20, callback or None).
    pub fn set_callback(&mut self, set: bool) {
        self.callback.set(set);
    }

    /// The scheduled call runs in the VM: whether to call the user's callback now.
    pub fn callback_due(&mut self) -> bool {
        self.callback.run()
    }

    /// close(): frees what was buffered and hands back the pcbs for the glue to close or
    /// abort. A second close does nothing.
    pub fn close(&mut self, lwip: &mut impl Lwip) -> Teardown {
        let mut teardown = Teardown::default();
        // In place: the listening role is a few hundred bytes, not worth a move.
        match &mut self.role {
            Role::Listening { pcb, queue } => {
                teardown.pcb = Some(*pcb);
                teardown.listening = true;
                for out in teardown.pending.iter_mut() {
                    let Some(pending) = queue.take() else { break };
                    lwip.chain_free_any(pending.chain);
                    *out = Some(pending.pcb);
                }
            }
            Role::Connected(conn) => {
                teardown.pcb = conn.pcb;
                lwip.chain_free_any(conn.chain);
            }
            Role::Idle | Role::Closed => {}
        }
        self.role = Role::Closed;
        self.callback.set(false);
        teardown
    }
}

#[cfg(test)]
mod tests;
