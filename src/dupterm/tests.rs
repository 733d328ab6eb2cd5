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
    closes: usize,
    /// During its next read, the stream puts stream `.1` in slot `.0` (as a read()
    /// that calls os.dupterm would).
    swap_on_read: Option<(usize, Option<usize>)>,
}

/// A detached stream; not Clone, as in the FFI.
#[derive(Debug, PartialEq)]
struct Detached(usize);

/// Slots hold stream ids; `terms[id]` is the stream.
#[derive(Default)]
struct Fake {
    slots: Vec<Option<usize>>,
    terms: Vec<FakeTerm>,
    reports: Vec<Deactivation>,
    interrupt: Option<u8>,
    interrupts: usize,
    polls: usize,
}

impl Fake {
    /// `slots[i]` holds stream `slots[i]`; streams `0..n_terms` exist.
    fn new(slots: &[Option<usize>], n_terms: usize) -> Self {
        Fake {
            slots: slots.to_vec(),
            terms: (0..n_terms).map(|_| FakeTerm::default()).collect(),
            interrupt: Some(3),
            ..Default::default()
        }
    }
    fn reads(mut self, id: usize, reads: &[ReadByte]) -> Self {
        self.terms[id].reads.extend(reads.iter().copied());
        self
    }
    fn closes(&self) -> Vec<usize> {
        self.terms.iter().map(|t| t.closes).collect()
    }
}

impl Terminals for Fake {
    type Stream = usize;
    type Detached = Detached;
    fn slot_count(&self) -> usize {
        self.slots.len()
    }
    fn stream(&self, slot: usize) -> Option<usize> {
        self.slots[slot]
    }
    fn is_builtin(&self, id: usize) -> bool {
        self.terms[id].builtin
    }
    fn read_byte(&mut self, id: usize) -> ReadByte {
        if let Some((slot, other)) = self.terms[id].swap_on_read.take() {
            self.slots[slot] = other;
        }
        let t = &mut self.terms[id];
        assert_eq!(t.closes, 0, "never read after close");
        t.reads_done += 1;
        t.reads.pop_front().unwrap_or(ReadByte::WouldBlock)
    }
    fn write(&mut self, id: usize, data: &[u8]) -> Written {
        let t = &mut self.terms[id];
        assert_eq!(t.closes, 0, "never written after close");
        t.writes_done += 1;
        let w = t.writes.pop_front().unwrap_or(Written::Bytes(data.len()));
        if let Written::Bytes(n) = w {
            t.written.extend_from_slice(&data[..n.min(data.len())]);
        }
        w
    }
    fn poll(&mut self, id: usize, _flags: usize) -> Option<usize> {
        self.polls += 1;
        self.terms[id].poll
    }
    fn detach(&mut self, id: usize) -> Option<Detached> {
        let mut held = false;
        for slot in self.slots.iter_mut().filter(|s| **s == Some(id)) {
            *slot = None;
            held = true;
        }
        held.then_some(Detached(id))
    }
    fn report(&mut self, why: Deactivation) {
        self.reports.push(why);
    }
    fn close(&mut self, stream: Detached) {
        // A raising close is swallowed by the port; it still counts as the one close.
        self.terms[stream.0].closes += 1;
    }
    fn interrupt_char(&self) -> Option<u8> {
        self.interrupt
    }
    fn schedule_interrupt(&mut self) {
        self.interrupts += 1;
    }
}

#[test]
fn eof_deactivates_and_closes_once() {
    let mut f = Fake::new(&[Some(0)], 1).reads(0, &[ReadByte::Eof]);
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    assert_eq!(f.reports, vec![Deactivation::Eof]);
    assert_eq!(f.closes(), vec![1]);
    assert_eq!(f.slots, vec![None]);
    // Reached again: the slot is empty, nothing more is read or closed.
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    deactivate_slot(&mut f, 0, Deactivation::Requested);
    deactivate(&mut f, 0, Deactivation::ReadFailed);
    assert_eq!(f.closes(), vec![1], "closed exactly once");
    assert_eq!(f.reports.len(), 3, "every deactivation still reports");
}

#[test]
fn read_failure_deactivates_with_the_read_message() {
    let mut f = Fake::new(&[Some(0), Some(1)], 2)
        .reads(0, &[ReadByte::Failed])
        .reads(1, &[ReadByte::Byte(b'x')]);
    assert_eq!(
        rx_chr(&mut f),
        Rx::Byte(b'x'),
        "the next slot still answers"
    );
    assert_eq!(f.reports, vec![Deactivation::ReadFailed]);
    assert_eq!(f.closes(), vec![1, 0]);
}

#[test]
fn eagain_is_not_an_error() {
    let mut f = Fake::new(&[Some(0)], 1).reads(0, &[ReadByte::WouldBlock, ReadByte::Byte(b'a')]);
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    assert!(f.reports.is_empty() && f.slots[0].is_some());
    assert_eq!(rx_chr(&mut f), Rx::Byte(b'a'));
    assert_eq!(f.closes(), vec![0]);
}

#[test]
fn interrupt_character_schedules_keyboard_interrupt() {
    let mut f = Fake::new(&[Some(0)], 1).reads(0, &[ReadByte::Byte(3), ReadByte::Byte(3)]);
    assert_eq!(rx_chr(&mut f), Rx::Interrupt);
    assert_eq!(Rx::Interrupt.code(), -2);
    assert_eq!(f.interrupts, 1);
    f.interrupt = None; // interrupt char disabled (-1 in MicroPython)
    assert_eq!(rx_chr(&mut f), Rx::Byte(3));
}

#[test]
fn builtin_streams_are_skipped_on_error_not_deactivated() {
    let mut f =
        Fake::new(&[Some(0)], 1).reads(0, &[ReadByte::Failed, ReadByte::Eof, ReadByte::Byte(3)]);
    f.terms[0].builtin = true;
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    assert_eq!(
        rx_chr(&mut f),
        Rx::Byte(3),
        "no interrupt check for a builtin stream"
    );
    f.terms[0].writes.push_back(Written::Failed);
    assert_eq!(tx_strn(&mut f, b"abc"), 0);
    assert!(f.reports.is_empty() && f.slots[0].is_some());
    assert_eq!(f.closes(), vec![0]);
}

#[test]
fn write_failure_deactivates_that_slot_only() {
    let mut f = Fake::new(&[Some(0), Some(1), Some(2)], 3);
    f.terms[1].writes.push_back(Written::Failed);
    assert_eq!(tx_strn(&mut f, b"hello"), 0);
    assert_eq!(f.reports, vec![Deactivation::WriteFailed]);
    assert_eq!(f.closes(), vec![0, 1, 0]);
    assert_eq!(f.terms[0].written, b"hello");
    assert_eq!(
        f.terms[2].written, b"hello",
        "output continues to the other slots"
    );
    assert_eq!(tx_strn(&mut f, b"again"), 5);
    assert_eq!(f.terms[1].writes_done, 1, "never written after detach");
}

#[test]
fn tx_returns_the_smallest_count_or_minus_one() {
    let mut f = Fake::new(&[None, None], 0);
    assert_eq!(tx_strn(&mut f, b"abc"), -1);
    let mut f = Fake::new(&[Some(0), Some(1)], 2);
    f.terms[0].writes.push_back(Written::Bytes(2));
    assert_eq!(tx_strn(&mut f, b"abcd"), 2);
    f.terms[1].writes.push_back(Written::WouldBlock);
    assert_eq!(tx_strn(&mut f, b"abcd"), 0);
    assert!(f.reports.is_empty());
}

#[test]
fn one_stream_in_two_slots_is_detached_from_both_and_closed_once() {
    let mut f = Fake::new(&[Some(0), Some(0)], 1).reads(0, &[ReadByte::Eof]);
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    assert_eq!(f.slots, vec![None, None]);
    assert_eq!(f.closes(), vec![1]);
    assert_eq!(
        tx_strn(&mut f, b"x"),
        -1,
        "not written after close through the other slot"
    );
}

#[test]
fn a_stream_that_replaced_the_failing_one_is_left_alone() {
    // Stream 0's read() attaches stream 1 in its place, then reports EOF.
    let mut f = Fake::new(&[Some(0)], 2).reads(0, &[ReadByte::Eof]);
    f.terms[0].swap_on_read = Some((0, Some(1)));
    assert_eq!(rx_chr(&mut f), Rx::Nothing);
    assert_eq!(f.slots, vec![Some(1)], "the newcomer stays attached");
    assert_eq!(
        f.closes(),
        vec![0, 0],
        "stream 0 was detached by its reader; stream 1 is not closed"
    );
    assert_eq!(f.reports, vec![Deactivation::Eof]);
}

#[test]
fn poll_merges_flags_and_finishes_early() {
    let mut f = Fake::new(&[Some(0), Some(1), Some(2), Some(3)], 4);
    f.terms[0].poll = Some(0x1);
    f.terms[1].poll = None; // failing ioctl: ignored
    f.terms[2].poll = Some(0x4);
    f.terms[3].poll = Some(0x10);
    assert_eq!(poll(&mut f, 0x5), 0x5);
    assert_eq!(
        f.polls, 3,
        "slot 3 is not polled once every requested flag is set"
    );
    f.polls = 0;
    assert_eq!(poll(&mut f, 0x15), 0x15);
    assert_eq!(f.polls, 4);
    let mut empty = Fake::new(&[None], 0);
    assert_eq!(poll(&mut empty, 0x1), 0);
}
