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
