//! dupterm: terminal duplication slots (extmod/os_dupterm.c).
//!
//! The port holds the attached streams (in MicroPython, the GC-visible
//! `MP_STATE_VM(dupterm_objs)`, which port code may also set directly); this module holds
//! the rules for using them:
//! - a slot is read, written and polled only while a stream is attached;
//! - EOF and a failing read or write deactivate the slot: the stream is detached first,
//!   then the reason is reported, then the stream is closed. The detached stream is a value
//!   that `close` consumes, so each detachment closes its stream exactly once, and a slot
//!   reached twice is found empty the second time;
//! - a non-blocking "no data" is not an error; one failing slot does not stop the others.

/// The port's dupterm slots.
pub trait Terminals {
    /// A stream taken out of its slot; closing consumes it.
    type Detached;

    /// How many slots the port has.
    fn slot_count(&self) -> usize;
    fn is_attached(&self, slot: usize) -> bool;
    /// A port's own stream (`MICROPY_PY_OS_DUPTERM_BUILTIN_STREAM`): called directly, its
    /// errors skip the slot instead of deactivating it.
    fn is_builtin(&self, slot: usize) -> bool;
    fn read_byte(&mut self, slot: usize) -> ReadByte;
    /// Writes all of `data` (an exact write).
    fn write(&mut self, slot: usize, data: &[u8]) -> Written;
    /// The stream's poll ioctl; `None` when it failed (failures are ignored when polling).
    fn poll(&mut self, slot: usize, flags: usize) -> Option<usize>;
    /// Empties the slot, returning what was attached.
    fn detach(&mut self, slot: usize) -> Option<Self::Detached>;
    /// Prints why a slot is being deactivated (with the exception, for a failure).
    fn report(&mut self, why: Deactivation);
    /// Closes a detached stream, swallowing any error.
    fn close(&mut self, stream: Self::Detached);
    /// The character that interrupts the program (`mp_interrupt_char`), if any.
    fn interrupt_char(&self) -> Option<u8>;
    /// Schedules KeyboardInterrupt.
    fn schedule_interrupt(&mut self);
}

/// What a one-byte read gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadByte {
    Byte(u8),
    Eof,
    /// Nothing available on a non-blocking stream.
    WouldBlock,
    /// An errno or an exception; the port holds what to report.
    Failed,
}

/// What a write gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Bytes(usize),
    /// A non-blocking stream took nothing (`write` returned None).
    WouldBlock,
    /// An errno or an exception; the port holds what to report.
    Failed,
}

/// Why a slot is deactivated; the port prints the matching message.
/// cbindgen:prefix-with-name
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivation {
    /// `dupterm: EOF received, deactivating`
    Eof,
    /// `dupterm: Exception in read() method, deactivating: ` and the exception
    ReadFailed,
    /// `dupterm: Exception in write() method, deactivating: ` and the exception
    WriteFailed,
    /// A message the port's caller supplied (`mp_os_deactivate`).
    Other,
}

/// What `rx_chr` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rx {
    Byte(u8),
    /// The interrupt character: KeyboardInterrupt has been scheduled.
    Interrupt,
    Nothing,
}

impl Rx {
    /// As `mp_os_dupterm_rx_chr` returns it: the byte, -2 for an interrupt, -1 for nothing.
    pub fn code(self) -> i32 {
        match self {
            Rx::Byte(b) => i32::from(b),
            Rx::Interrupt => -2,
            Rx::Nothing => -1,
        }
    }
}

/// Detaches the slot, reports why, and closes what was attached (if anything still was).
pub fn deactivate<T: Terminals + ?Sized>(terms: &mut T, slot: usize, why: Deactivation) {
    let detached = terms.detach(slot);
    terms.report(why);
    if let Some(stream) = detached {
        terms.close(stream);
    }
}

/// `mp_os_dupterm_rx_chr`: the first byte any attached stream has, in slot order.
pub fn rx_chr<T: Terminals + ?Sized>(terms: &mut T) -> Rx {
    for slot in 0..terms.slot_count() {
        if !terms.is_attached(slot) {
            continue;
        }
        let builtin = terms.is_builtin(slot);
        match terms.read_byte(slot).into_result() {
            Ok(byte) if builtin => return Rx::Byte(byte),
            Ok(byte) if terms.interrupt_char() == Some(byte) => {
                terms.schedule_interrupt();
                return Rx::Interrupt;
            }
            Ok(byte) => return Rx::Byte(byte),
            Err(_) if builtin => {}
            Err(ReadByte::WouldBlock) => {}
            Err(ReadByte::Eof) => deactivate(terms, slot, Deactivation::Eof),
            Err(_) => deactivate(terms, slot, Deactivation::ReadFailed),
        }
    }
    Rx::Nothing
}

impl ReadByte {
    fn into_result(self) -> Result<u8, ReadByte> {
        match self {
            ReadByte::Byte(b) => Ok(b),
            other => Err(other),
        }
    }
}

/// `mp_os_dupterm_tx_strn`: writes `data` to every attached stream. Returns the smallest
/// count written across them (0 for one that would block or failed), or -1 when none is
/// attached.
pub fn tx_strn<T: Terminals + ?Sized>(terms: &mut T, data: &[u8]) -> i32 {
    let mut least = i32::try_from(data.len()).unwrap_or(i32::MAX);
    let mut any = false;
    for slot in 0..terms.slot_count() {
        if !terms.is_attached(slot) {
            continue;
        }
        any = true;
        let builtin = terms.is_builtin(slot);
        let count = match terms.write(slot, data) {
            Written::Bytes(n) => i32::try_from(n).unwrap_or(i32::MAX),
            Written::WouldBlock => 0,
            Written::Failed => {
                if !builtin {
                    deactivate(terms, slot, Deactivation::WriteFailed);
                }
                0
            }
        };
        least = least.min(count);
    }
    if any {
        least
    } else {
        -1
    }
}

/// `mp_os_dupterm_poll`: the poll flags of all attached streams merged, stopping early
/// once every requested flag is set. A failing poll is ignored.
pub fn poll<T: Terminals + ?Sized>(terms: &mut T, flags: usize) -> usize {
    let mut out = 0;
    for slot in 0..terms.slot_count() {
        if !terms.is_attached(slot) {
            continue;
        }
        if let Some(ready) = terms.poll(slot, flags) {
            out |= ready;
            if out == flags {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::vec::Vec;

    /// A fake stream: scripted reads and writes, and a record of what happened to it.
    #[derive(Default)]
    struct FakeTerm {
        reads: VecDeque<ReadByte>,
        writes: VecDeque<Written>,
        poll: Option<usize>,
        builtin: bool,
        written: Vec<u8>,
        reads_done: usize,
        writes_done: usize,
    }

    /// A detached stream, remembering its slot; not Clone, as in the FFI.
    #[derive(Debug, PartialEq)]
    struct Detached(usize);

    #[derive(Default)]
    struct Fake {
        slots: Vec<Option<FakeTerm>>,
        closed: Vec<usize>,
        reports: Vec<Deactivation>,
        interrupt: Option<u8>,
        interrupts: usize,
        polls: usize,
        /// Slot whose stream, when closed, "raises" (the port swallows it).
        close_raises: Option<usize>,
    }

    impl Fake {
        fn with(slots: Vec<Option<FakeTerm>>) -> Self {
            Fake {
                slots,
                interrupt: Some(3),
                ..Default::default()
            }
        }
        fn term(&mut self, slot: usize) -> &mut FakeTerm {
            self.slots[slot].as_mut().expect("attached")
        }
    }

    impl Terminals for Fake {
        type Detached = Detached;
        fn slot_count(&self) -> usize {
            self.slots.len()
        }
        fn is_attached(&self, slot: usize) -> bool {
            self.slots[slot].is_some()
        }
        fn is_builtin(&self, slot: usize) -> bool {
            self.slots[slot].as_ref().is_some_and(|t| t.builtin)
        }
        fn read_byte(&mut self, slot: usize) -> ReadByte {
            let t = self.term(slot);
            t.reads_done += 1;
            t.reads.pop_front().unwrap_or(ReadByte::WouldBlock)
        }
        fn write(&mut self, slot: usize, data: &[u8]) -> Written {
            let t = self.term(slot);
            t.writes_done += 1;
            let w = t.writes.pop_front().unwrap_or(Written::Bytes(data.len()));
            if let Written::Bytes(n) = w {
                t.written.extend_from_slice(&data[..n.min(data.len())]);
            }
            w
        }
        fn poll(&mut self, slot: usize, _flags: usize) -> Option<usize> {
            self.polls += 1;
            self.term(slot).poll
        }
        fn detach(&mut self, slot: usize) -> Option<Detached> {
            self.slots[slot].take().map(|_| Detached(slot))
        }
        fn report(&mut self, why: Deactivation) {
            self.reports.push(why);
        }
        fn close(&mut self, stream: Detached) {
            // A raising close is swallowed by the port; it still counts as the one close.
            let _raised = self.close_raises == Some(stream.0);
            self.closed.push(stream.0);
        }
        fn interrupt_char(&self) -> Option<u8> {
            self.interrupt
        }
        fn schedule_interrupt(&mut self) {
            self.interrupts += 1;
        }
    }

    fn term(reads: &[ReadByte]) -> Option<FakeTerm> {
        Some(FakeTerm {
            reads: reads.iter().copied().collect(),
            ..Default::default()
        })
    }

    #[test]
    fn eof_deactivates_and_closes_once() {
        let mut f = Fake::with(vec![term(&[ReadByte::Eof])]);
        assert_eq!(rx_chr(&mut f), Rx::Nothing);
        assert_eq!(
            (f.reports.clone(), f.closed.clone()),
            (vec![Deactivation::Eof], vec![0])
        );
        assert!(!f.is_attached(0));
        // Reached again: the slot is empty, nothing more is read or closed.
        assert_eq!(rx_chr(&mut f), Rx::Nothing);
        deactivate(&mut f, 0, Deactivation::Other);
        assert_eq!(f.closed, vec![0], "closed exactly once");
        assert_eq!(f.reports.len(), 2, "the second deactivation still reports");
    }

    #[test]
    fn read_failure_deactivates_with_the_read_message() {
        let mut f = Fake::with(vec![
            term(&[ReadByte::Failed]),
            term(&[ReadByte::Byte(b'x')]),
        ]);
        assert_eq!(
            rx_chr(&mut f),
            Rx::Byte(b'x'),
            "the next slot still answers"
        );
        assert_eq!(f.reports, vec![Deactivation::ReadFailed]);
        assert_eq!(f.closed, vec![0]);
    }

    #[test]
    fn eagain_is_not_an_error() {
        let mut f = Fake::with(vec![term(&[ReadByte::WouldBlock, ReadByte::Byte(b'a')])]);
        assert_eq!(rx_chr(&mut f), Rx::Nothing);
        assert!(f.reports.is_empty() && f.closed.is_empty() && f.is_attached(0));
        assert_eq!(rx_chr(&mut f), Rx::Byte(b'a'));
    }

    #[test]
    fn interrupt_character_schedules_keyboard_interrupt() {
        let mut f = Fake::with(vec![term(&[ReadByte::Byte(3), ReadByte::Byte(3)])]);
        assert_eq!(rx_chr(&mut f), Rx::Interrupt);
        assert_eq!(Rx::Interrupt.code(), -2);
        assert_eq!(f.interrupts, 1);
        f.interrupt = None; // interrupt char disabled (-1 in MicroPython)
        assert_eq!(rx_chr(&mut f), Rx::Byte(3));
    }

    #[test]
    fn builtin_streams_are_skipped_on_error_not_deactivated() {
        let mut builtin = term(&[ReadByte::Failed, ReadByte::Eof, ReadByte::Byte(3)]);
        if let Some(t) = builtin.as_mut() {
            t.builtin = true;
        }
        let mut f = Fake::with(vec![builtin]);
        assert_eq!(rx_chr(&mut f), Rx::Nothing);
        assert_eq!(rx_chr(&mut f), Rx::Nothing);
        assert_eq!(
            rx_chr(&mut f),
            Rx::Byte(3),
            "no interrupt check for a builtin stream"
        );
        assert!(f.reports.is_empty() && f.closed.is_empty());
        f.term(0).writes.push_back(Written::Failed);
        assert_eq!(tx_strn(&mut f, b"abc"), 0);
        assert!(f.is_attached(0));
    }

    #[test]
    fn write_failure_deactivates_that_slot_only() {
        let mut f = Fake::with(vec![term(&[]), term(&[]), term(&[])]);
        f.term(1).writes.push_back(Written::Failed);
        assert_eq!(tx_strn(&mut f, b"hello"), 0);
        assert_eq!(f.reports, vec![Deactivation::WriteFailed]);
        assert_eq!(f.closed, vec![1]);
        assert_eq!(f.term(0).written, b"hello");
        assert_eq!(
            f.term(2).written,
            b"hello",
            "output continues to the other slots"
        );
        assert_eq!(tx_strn(&mut f, b"again"), 5);
        assert_eq!(f.closed, vec![1], "never written after detach");
    }

    #[test]
    fn tx_returns_the_smallest_count_or_minus_one() {
        let mut f = Fake::with(vec![None, None]);
        assert_eq!(tx_strn(&mut f, b"abc"), -1);
        let mut f = Fake::with(vec![term(&[]), term(&[])]);
        f.term(0).writes.push_back(Written::Bytes(2));
        assert_eq!(tx_strn(&mut f, b"abcd"), 2);
        f.term(1).writes.push_back(Written::WouldBlock);
        assert_eq!(tx_strn(&mut f, b"abcd"), 0);
        assert!(f.reports.is_empty());
    }

    #[test]
    fn close_that_raises_is_swallowed_and_counted_once() {
        let mut f = Fake::with(vec![term(&[ReadByte::Eof])]);
        f.close_raises = Some(0);
        assert_eq!(rx_chr(&mut f), Rx::Nothing);
        deactivate(&mut f, 0, Deactivation::ReadFailed);
        assert_eq!(f.closed, vec![0]);
    }

    #[test]
    fn poll_merges_flags_and_finishes_early() {
        let mut f = Fake::with(vec![term(&[]), term(&[]), term(&[]), term(&[])]);
        f.term(0).poll = Some(0x1);
        f.term(1).poll = None; // failing ioctl: ignored
        f.term(2).poll = Some(0x4);
        f.term(3).poll = Some(0x10);
        assert_eq!(poll(&mut f, 0x5), 0x5);
        assert_eq!(
            f.polls, 3,
            "slot 3 is not polled once every requested flag is set"
        );
        f.polls = 0;
        assert_eq!(poll(&mut f, 0x15), 0x15);
        assert_eq!(f.polls, 4);
        let mut empty = Fake::with(vec![None]);
        assert_eq!(poll(&mut empty, 0x1), 0);
    }
}
