use super::*;
use proptest::prelude::*;
use std::collections::VecDeque;
use std::vec::Vec;

fn pcb(n: usize) -> Pcb {
    Pcb::new(n).expect("non-zero")
}

#[test]
fn backlog_of_two_refuses_the_third_and_keeps_order() {
    let mut q = AcceptQueue::new();
    q.listen(2);
    assert_eq!(q.offer(pcb(1)), Some(0));
    assert_eq!(q.offer(pcb(2)), Some(1));
    assert_eq!(q.offer(pcb(3)), None, "the third is refused");
    assert_eq!(q.take().map(|p| p.pcb), Some(pcb(1)));
    assert_eq!(q.take().map(|p| p.pcb), Some(pcb(2)));
    assert_eq!(q.take(), None);
}

#[test]
fn backlog_is_clamped() {
    let mut q = AcceptQueue::new();
    q.listen(0);
    assert_eq!(q.backlog(), 1);
    q.listen(1000);
    assert_eq!(q.backlog(), BACKLOG_MAX);
    for i in 1..=BACKLOG_MAX {
        assert!(q.offer(pcb(i)).is_some());
    }
    assert!(q.offer(pcb(99)).is_none());
}

#[test]
fn a_reset_before_accept_leaves_the_queue_consistent() {
    let mut q = AcceptQueue::new();
    q.listen(4);
    for i in 1..=4 {
        assert!(q.offer(pcb(i)).is_some());
    }
    assert_eq!(q.remove_slot(1).map(|p| p.pcb), Some(pcb(2)));
    assert_eq!(
        q.remove_slot(1),
        None,
        "a stale error callback changes nothing"
    );
    assert_eq!(
        q.remove_slot(BACKLOG_MAX + 3),
        None,
        "an index out of range is refused"
    );
    assert_eq!(
        q.offer(pcb(5)),
        Some(1),
        "the freed slot takes the next connection"
    );
    assert_eq!(
        q.iter().collect::<Vec<_>>(),
        vec![pcb(1), pcb(3), pcb(4), pcb(5)]
    );
    assert!(
        q.offer(pcb(3)).is_none(),
        "a pcb already queued is not queued twice"
    );
    assert_eq!(q.take().map(|p| p.pcb), Some(pcb(1)), "oldest first");
    assert_eq!(q.take().map(|p| p.pcb), Some(pcb(3)));
}

#[test]
fn rx_reads_data_then_eof_or_error() {
    let mut rx = Rx::new();
    assert_eq!(rx.read(10), Read::WouldBlock);
    assert!(!rx.readable());
    rx.on_data(5);
    rx.on_peer_close();
    assert_eq!(rx.read(3), Read::Copy(3));
    rx.consumed(3);
    assert_eq!(rx.read(10), Read::Copy(2));
    rx.consumed(2);
    assert_eq!(rx.read(10), Read::Eof, "EOF only after the data");
    let mut rx = Rx::new();
    rx.on_data(1);
    rx.on_error(-14);
    assert_eq!(rx.read(4), Read::Copy(1), "data before the error");
    rx.consumed(1);
    assert_eq!(rx.read(4), Read::Error(-14));
    assert!(rx.readable());
}

#[test]
fn a_burst_of_events_gives_one_call() {
    let mut cb = UserCallback::new();
    assert_eq!(cb.on_event(), Notify::None, "no callback set");
    cb.set(true);
    assert_eq!(cb.on_event(), Notify::Schedule);
    cb.scheduled(true);
    for _ in 0..100 {
        assert_eq!(cb.on_event(), Notify::Coalesced);
    }
    assert!(!cb.retry());
    assert!(cb.run());
    assert!(!cb.run(), "one call for the burst");
    assert_eq!(
        cb.on_event(),
        Notify::Schedule,
        "an event after the call schedules again"
    );
}

#[test]
fn a_full_scheduler_delays_the_call_but_loses_none() {
    let mut cb = UserCallback::new();
    cb.set(true);
    assert_eq!(cb.on_event(), Notify::Schedule);
    cb.scheduled(false); // mp_sched_schedule: queue full
    assert_eq!(cb.on_event(), Notify::Coalesced);
    assert!(cb.retry(), "still owed");
    cb.scheduled(false);
    assert!(cb.retry());
    cb.scheduled(true);
    assert!(!cb.retry());
    assert!(cb.run());
}

#[test]
fn clearing_the_callback_drops_what_is_pending() {
    let mut cb = UserCallback::new();
    cb.set(true);
    cb.on_event();
    cb.scheduled(true);
    cb.set(false);
    assert!(!cb.run());
    assert_eq!(cb.on_event(), Notify::None);
}

proptest! {
    /// The queue behaves as a bounded FIFO with removal, whatever the order of operations.
    #[test]
    fn accept_queue_matches_a_model(
        backlog in 1usize..=BACKLOG_MAX,
        ops in proptest::collection::vec((0u8..3, 1usize..12), 0..200),
    ) {
        let mut q = AcceptQueue::new();
        q.listen(backlog);
        let mut model: VecDeque<usize> = VecDeque::new();
        for (op, n) in ops {
            match op {
                0 => {
                    let ok = q.offer(pcb(n)).is_some();
                    let model_ok = model.len() < backlog && !model.contains(&n);
                    prop_assert_eq!(ok, model_ok);
                    if model_ok { model.push_back(n); }
                }
                1 => prop_assert_eq!(q.take().map(|p| p.pcb.get()), model.pop_front()),
                _ => {
                    let pos = model.iter().position(|&m| m == n);
                    prop_assert_eq!(q.remove(pcb(n)).is_some(), pos.is_some());
                    if let Some(p) = pos { model.remove(p); }
                }
            }
            prop_assert_eq!(q.iter().map(Pcb::get).collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
        }
    }

    /// No event is lost: after any sequence, if an event happened since the last call
    /// started, a call is either scheduled or still owed (retry).
    #[test]
    fn callbacks_are_never_lost(ops in proptest::collection::vec(0u8..4, 0..200)) {
        let mut cb = UserCallback::new();
        cb.set(true);
        let mut owed = false;
        for op in ops {
            match op {
                0 => {
                    if cb.on_event() == Notify::Schedule {
                        cb.scheduled(false);
                    }
                    owed = true;
                }
                1 => {
                    if cb.retry() {
                        cb.scheduled(true);
                    }
                }
                2 => {
                    if cb.on_event() == Notify::Schedule {
                        cb.scheduled(true);
                    }
                    owed = true;
                }
                _ => {
                    if cb.run() {
                        owed = false;
                    }
                }
            }
            if owed {
                prop_assert!(cb.retry() || cb.scheduled, "an event with no call coming");
            }
        }
    }
}

/// lwIP as a fake: pbufs are byte vectors with handles, chains are lists of them, the
/// scheduler has a capacity. `live` is every pbuf not yet freed, to check for leaks.
#[derive(Default)]
struct FakeLwip {
    next_id: usize,
    pbufs: std::collections::BTreeMap<usize, Vec<u8>>,
    /// head -> the pbufs of its chain, in order (the head first).
    chains: std::collections::BTreeMap<usize, VecDeque<usize>>,
    scheduled: Vec<usize>,
    capacity: usize,
}

impl FakeLwip {
    fn new() -> Self {
        FakeLwip {
            next_id: 1000,
            capacity: 4,
            ..Default::default()
        }
    }

    /// A pbuf as lwIP's recv callback hands it over.
    fn pbuf(&mut self, data: &[u8]) -> (Pbuf, usize) {
        self.next_id += 1;
        self.pbufs.insert(self.next_id, data.to_vec());
        (Pbuf::new(self.next_id).unwrap(), data.len())
    }

    fn live(&self) -> usize {
        self.pbufs.len()
    }
}

impl Lwip for FakeLwip {
    fn chain_append(&mut self, chain: Option<Pbuf>, p: Pbuf) -> Pbuf {
        match chain {
            None => {
                self.chains.insert(p.get(), VecDeque::from([p.get()]));
                p
            }
            Some(head) => {
                self.chains
                    .get_mut(&head.get())
                    .expect("a live chain")
                    .push_back(p.get());
                head
            }
        }
    }

    fn chain_copy(&mut self, chain: Pbuf, mut offset: usize, buf: &mut [u8]) -> usize {
        let mut done = 0;
        for id in &self.chains[&chain.get()] {
            let data = &self.pbufs[id];
            let n = (data.len() - offset).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&data[offset..offset + n]);
            done += n;
            offset = 0;
        }
        done
    }

    fn chain_take(
        &mut self,
        chain: Pbuf,
        mut offset: usize,
        buf: &mut [u8],
    ) -> (usize, Option<Pbuf>, usize) {
        let mut list = self.chains.remove(&chain.get()).expect("a live chain");
        let mut done = 0;
        while let Some(&id) = list.front() {
            let data = &self.pbufs[&id];
            let n = (data.len() - offset).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&data[offset..offset + n]);
            done += n;
            offset += n;
            if offset < data.len() {
                break;
            }
            self.pbufs.remove(&id);
            list.pop_front();
            offset = 0;
        }
        match list.front().copied() {
            Some(head) => {
                self.chains.insert(head, list);
                (done, Pbuf::new(head), offset)
            }
            None => (done, None, 0),
        }
    }

    fn chain_free(&mut self, chain: Pbuf) {
        for id in self.chains.remove(&chain.get()).expect("a live chain") {
            self.pbufs.remove(&id);
        }
    }

    fn schedule(&mut self, owner: usize) -> bool {
        if self.scheduled.len() >= self.capacity {
            return false;
        }
        self.scheduled.push(owner);
        true
    }
}

fn listening(backlog: usize) -> Socket {
    let mut s = Socket::new(1);
    s.listen(pcb(1), backlog).unwrap();
    s
}

fn read_all(s: &mut Socket, lwip: &mut FakeLwip, chunk: usize) -> (Vec<u8>, Result<(), i32>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; chunk];
    loop {
        match s.read(&mut buf, lwip) {
            Ok((0, _)) => return (out, Ok(())),
            Ok((n, _)) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Err(e)),
        }
    }
}

#[test]
fn data_before_accept_is_kept_and_read_in_order_then_eof() {
    let mut lw = FakeLwip::new();
    let mut l = listening(2);
    assert_eq!(
        l.on_accept(Some(pcb(10)), err::OK, &mut lw),
        Accept::Queued(0)
    );
    for part in [&b"first "[..], b"second ", b"third"] {
        let p = lw.pbuf(part);
        assert!(l.on_pending_recv(pcb(10), Some(p), &mut lw));
    }
    assert!(
        l.on_pending_recv(pcb(10), None, &mut lw),
        "peer close before accept"
    );
    let mut conn = Socket::new(2);
    assert_eq!(l.accept(&mut conn, &mut lw), Ok(pcb(10)));
    assert_eq!(conn.buffered(), 18);
    let (data, end) = read_all(&mut conn, &mut lw, 4);
    assert_eq!(data, b"first second third");
    assert_eq!(end, Ok(()));
    assert_eq!(lw.live(), 0, "every pbuf freed as it was read");
    assert_eq!(conn.read(&mut [0; 4], &mut lw), Ok((0, None)), "EOF again");
}

#[test]
fn reads_report_the_pcb_to_acknowledge_then_the_error_after_the_data() {
    let mut lw = FakeLwip::new();
    let mut s = Socket::new(3);
    s.attach(pcb(20)).unwrap();
    assert_eq!(s.read(&mut [0; 8], &mut lw), Err(err::WOULDBLOCK));
    let p = lw.pbuf(b"abc");
    assert!(s.on_recv(pcb(20), Some(p), &mut lw));
    let mut buf = [0u8; 2];
    assert_eq!(s.read(&mut buf, &mut lw), Ok((2, Some(pcb(20)))));
    s.on_error(err::RST, &mut lw);
    assert_eq!(s.pcb(), None, "lwIP freed it");
    assert_eq!(
        s.read(&mut buf, &mut lw),
        Ok((1, None)),
        "data first, nothing to acknowledge"
    );
    assert_eq!(s.failed(), Some(err::RST));
    assert_eq!(s.read(&mut buf, &mut lw), Err(err::RST));
    // Reported once, then end of file (as a POSIX socket after ECONNRESET).
    assert_eq!(s.failed(), None);
    assert!(s.peer_closed());
    assert_eq!(s.read(&mut buf, &mut lw), Ok((0, None)));
    assert!(s.readable());
}

#[test]
fn close_frees_every_buffered_pbuf_and_returns_the_pcbs() {
    let mut lw = FakeLwip::new();
    let mut l = listening(4);
    for (i, n) in [(11, 3), (12, 0), (13, 1)] {
        assert!(matches!(
            l.on_accept(Some(pcb(i)), err::OK, &mut lw),
            Accept::Queued(_)
        ));
        for _ in 0..n {
            let p = lw.pbuf(&[7; 100]);
            assert!(l.on_pending_recv(pcb(i), Some(p), &mut lw));
        }
    }
    let mut conn = Socket::new(2);
    l.accept(&mut conn, &mut lw).unwrap();
    let p = lw.pbuf(b"more");
    assert!(conn.on_recv(pcb(11), Some(p), &mut lw));
    assert_eq!(lw.live(), 5);
    let t = l.close(&mut lw);
    assert_eq!((t.pcb, t.listening), (Some(pcb(1)), true));
    assert_eq!(
        t.pending.iter().flatten().copied().collect::<Vec<_>>(),
        vec![pcb(12), pcb(13)]
    );
    let t = conn.close(&mut lw);
    assert_eq!((t.pcb, t.listening), (Some(pcb(11)), false));
    assert_eq!(lw.live(), 0);
    assert_eq!(
        l.close(&mut lw),
        Teardown::default(),
        "a second close does nothing"
    );
    assert_eq!(conn.read(&mut [0; 1], &mut lw), Err(err::CLSD));
}

#[test]
fn a_connection_that_dies_before_accept_is_removed_with_its_data() {
    let mut lw = FakeLwip::new();
    let mut l = listening(2);
    assert_eq!(
        l.on_accept(Some(pcb(10)), err::OK, &mut lw),
        Accept::Queued(0)
    );
    assert_eq!(
        l.on_accept(Some(pcb(11)), err::OK, &mut lw),
        Accept::Queued(1)
    );
    let p = lw.pbuf(b"lost");
    assert!(l.on_pending_recv(pcb(10), Some(p), &mut lw));
    assert!(l.on_pending_error(0, &mut lw));
    assert_eq!(lw.live(), 0);
    assert!(!l.on_pending_error(0, &mut lw), "stale");
    assert!(!l.on_pending_error(usize::MAX, &mut lw), "out of range");
    assert_eq!(l.queued(), 1);
    assert_eq!(
        l.on_accept(Some(pcb(12)), err::OK, &mut lw),
        Accept::Queued(0),
        "the slot is reused"
    );
    let mut a = Socket::new(5);
    assert_eq!(l.accept(&mut a, &mut lw), Ok(pcb(11)), "the oldest first");
}

#[test]
fn refusals_and_bad_states() {
    let mut lw = FakeLwip::new();
    let mut l = listening(1);
    assert_eq!(l.on_accept(None, err::MEM, &mut lw), Accept::NotAConnection);
    assert_eq!(
        l.on_accept(Some(pcb(9)), err::MEM, &mut lw),
        Accept::NotAConnection
    );
    assert_eq!(
        l.on_accept(Some(pcb(10)), err::OK, &mut lw),
        Accept::Queued(0)
    );
    assert_eq!(
        l.on_accept(Some(pcb(11)), err::OK, &mut lw),
        Accept::Refused,
        "backlog 1"
    );
    let p = lw.pbuf(b"x");
    assert!(
        !l.on_pending_recv(pcb(99), Some(p), &mut lw),
        "not queued here"
    );
    assert_eq!(lw.chains.len(), 0, "a refused pbuf stays the caller's");
    let mut idle = Socket::new(0);
    assert_eq!(
        idle.on_accept(Some(pcb(12)), err::OK, &mut lw),
        Accept::Refused
    );
    assert!(!idle.on_recv(pcb(12), None, &mut lw));
    assert_eq!(idle.accept(&mut Socket::new(0), &mut lw), Err(err::VAL));
    assert_eq!(idle.read(&mut [0; 1], &mut lw), Err(err::CONN));
    let mut busy = Socket::new(0);
    busy.attach(pcb(30)).unwrap();
    assert_eq!(
        l.accept(&mut busy, &mut lw),
        Err(err::ISCONN),
        "into must be unused"
    );
    assert_eq!(l.queued(), 1, "and nothing was taken");
    assert!(
        !busy.on_recv(pcb(31), None, &mut lw),
        "another pcb's callback"
    );
    assert_eq!(busy.attach(pcb(32)), Err(err::ISCONN));
    assert_eq!(busy.listen(pcb(33), 1), Err(err::ISCONN));
}

#[test]
fn events_schedule_one_call_and_a_full_scheduler_is_retried() {
    let mut lw = FakeLwip::new();
    let mut l = listening(4);
    l.set_callback(true);
    lw.capacity = 0;
    assert!(matches!(
        l.on_accept(Some(pcb(10)), err::OK, &mut lw),
        Accept::Queued(_)
    ));
    assert!(matches!(
        l.on_accept(Some(pcb(11)), err::OK, &mut lw),
        Accept::Queued(_)
    ));
    assert!(lw.scheduled.is_empty(), "no room");
    l.retry(&mut lw);
    assert!(lw.scheduled.is_empty());
    lw.capacity = 4;
    l.retry(&mut lw);
    assert_eq!(lw.scheduled, vec![1], "one call for both connections");
    l.retry(&mut lw);
    assert_eq!(lw.scheduled.len(), 1, "already scheduled");
    assert!(l.callback_due());
    assert!(!l.callback_due());
}

proptest! {
    /// Whatever the segment sizes and read sizes, the bytes come out in order, each once,
    /// and nothing is left allocated after close.
    #[test]
    fn bytes_arrive_in_order_and_nothing_leaks(
        before in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..10),
        after in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..10),
        chunk in 1usize..64,
        close_early in any::<bool>(),
    ) {
        let mut lw = FakeLwip::new();
        let mut l = listening(1);
        prop_assert_eq!(l.on_accept(Some(pcb(10)), err::OK, &mut lw), Accept::Queued(0));
        for seg in &before {
            let p = lw.pbuf(seg);
            prop_assert!(l.on_pending_recv(pcb(10), Some(p), &mut lw));
        }
        let mut conn = Socket::new(2);
        prop_assert_eq!(l.accept(&mut conn, &mut lw), Ok(pcb(10)));
        for seg in &after {
            let p = lw.pbuf(seg);
            prop_assert!(conn.on_recv(pcb(10), Some(p), &mut lw));
        }
        if close_early {
            conn.close(&mut lw);
        } else {
            prop_assert!(conn.on_recv(pcb(10), None, &mut lw));
            let (data, end) = read_all(&mut conn, &mut lw, chunk);
            prop_assert_eq!(end, Ok(()));
            prop_assert_eq!(data, before.iter().chain(&after).flatten().copied().collect::<Vec<_>>());
            conn.close(&mut lw);
        }
        l.close(&mut lw);
        prop_assert_eq!(lw.live(), 0);
    }
}

#[test]
fn peek_leaves_the_data_for_the_next_read() {
    let mut lw = FakeLwip::new();
    let mut s = Socket::new(3);
    s.attach(pcb(20)).unwrap();
    assert_eq!(s.peek(&mut [0; 4], &mut lw), Err(err::WOULDBLOCK));
    let (p, q) = (lw.pbuf(b"ab"), lw.pbuf(b"cde"));
    assert!(s.on_recv(pcb(20), Some(p), &mut lw));
    assert!(s.on_recv(pcb(20), Some(q), &mut lw));
    let mut buf = [0u8; 4];
    assert_eq!(s.peek(&mut buf, &mut lw), Ok(4));
    assert_eq!(&buf, b"abcd");
    assert_eq!(s.read(&mut buf[..1], &mut lw), Ok((1, Some(pcb(20)))));
    assert_eq!(s.peek(&mut buf, &mut lw), Ok(4));
    assert_eq!(&buf, b"bcde");
    assert_eq!(s.buffered(), 4);
    s.on_error(err::RST, &mut lw);
    assert_eq!(s.read(&mut buf, &mut lw), Ok((4, None)));
    // A peek sees the error and leaves it for the read.
    assert_eq!(s.peek(&mut buf, &mut lw), Err(err::RST));
    assert_eq!(s.read(&mut buf, &mut lw), Err(err::RST));
    assert_eq!(s.peek(&mut buf, &mut lw), Ok(0));
}
