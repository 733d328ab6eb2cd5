use super::*;
use proptest::prelude::*;
use std::collections::VecDeque;

#[test]
fn errno_table_covers_lwip_errors() {
    assert_eq!(errno_of(err::OK), None);
    assert_eq!(errno_of(err::MEM), Some(MprsErrno::Enomem));
    assert_eq!(errno_of(err::RST), Some(MprsErrno::Econnreset));
    assert_eq!(errno_of(err::ABRT), Some(MprsErrno::Econnaborted));
    assert_eq!(errno_of(err::CLSD), Some(MprsErrno::Enotconn));
    assert_eq!(errno_of(lwip_err::USE), Some(MprsErrno::Eaddrinuse));
    assert_eq!(errno_of(lwip_err::RTE), Some(MprsErrno::Ehostunreach));
    // Never 0 for an error, whatever lwIP passes (modlwip.c's OSError: 0).
    for e in -128..0 {
        assert!(errno_of(e).is_some(), "{e}");
    }
    assert_eq!(errno_of(5), Some(MprsErrno::Eio));
}

#[test]
fn timeouts_wrap_and_never_expire_when_negative() {
    assert!(!timed_out(0, 999, 1000));
    assert!(timed_out(0, 1000, 1000));
    assert!(timed_out(u32::MAX - 10, 5, 10));
    assert!(!timed_out(0, u32::MAX, -1));
    assert!(timed_out(7, 7, 0));
}

#[test]
fn connect_runs_once_and_reports_its_own_error() {
    let mut s = Tcp::New;
    assert_eq!(connect_start(&mut s, err::OK), ConnectStart::Start);
    assert_eq!(
        connect_start(&mut s, err::OK),
        ConnectStart::Refuse(MprsErrno::Ealready)
    );
    assert_eq!(
        connect_step(&mut s, err::OK, true, false),
        ConnectStep::Fail(MprsErrno::Einprogress)
    );
    assert_eq!(
        connect_step(&mut s, err::OK, false, false),
        ConnectStep::Wait
    );
    assert_eq!(
        connect_step(&mut s, err::OK, false, true),
        ConnectStep::Fail(MprsErrno::Etimedout)
    );
    assert_eq!(s, Tcp::Failed);
    assert_eq!(connect_start(&mut s, err::OK), ConnectStart::Start);
    assert_eq!(
        connect_step(&mut s, err::RST, false, false),
        ConnectStep::Fail(MprsErrno::Econnreset)
    );
    let mut s = Tcp::Connected;
    // Connected is connected, whatever came after (the peer's FIN).
    assert_eq!(
        connect_step(&mut s, err::OK, false, true),
        ConnectStep::Done
    );
    assert_eq!(
        connect_start(&mut s, err::OK),
        ConnectStart::Refuse(MprsErrno::Eisconn)
    );
    // A non-blocking connect refused meanwhile: connect() again reports it, once.
    let mut s = Tcp::Connecting;
    assert_eq!(
        connect_start(&mut s, err::RST),
        ConnectStart::Refuse(MprsErrno::Econnreset)
    );
    assert_eq!(connect_start(&mut s, err::OK), ConnectStart::Start);
}

#[test]
fn send_plans() {
    use SendStep::*;
    assert_eq!(send_step(Tcp::Connected, 0, 10, 4, false, false), Write(4));
    assert_eq!(send_step(Tcp::Connected, 0, 0, 0, true, false), Write(0));
    assert_eq!(
        send_step(Tcp::Connected, 0, 10, 0, true, false),
        Fail(MprsErrno::Eagain)
    );
    assert_eq!(send_step(Tcp::Connected, 0, 10, 0, false, false), Wait);
    assert_eq!(
        send_step(Tcp::Connected, 0, 10, 0, false, true),
        Fail(MprsErrno::Etimedout)
    );
    assert_eq!(
        send_step(Tcp::Connected, err::RST, 10, 100, false, false),
        Fail(MprsErrno::Econnreset)
    );
    assert_eq!(
        send_step(Tcp::New, 0, 10, 100, false, false),
        Fail(MprsErrno::Enotconn)
    );
    assert_eq!(
        send_step(Tcp::Closed, 0, 10, 100, false, false),
        Fail(MprsErrno::Ebadf)
    );
}

#[test]
fn waits() {
    assert_eq!(wait_step(true, false), WaitStep::Fail(MprsErrno::Eagain));
    assert_eq!(wait_step(false, true), WaitStep::Fail(MprsErrno::Etimedout));
    assert_eq!(wait_step(false, false), WaitStep::Wait);
}

#[test]
fn ring_keeps_order_and_bound() {
    let mut r = Ring::new();
    let slots: Vec<_> = (0..RING_LEN).map(|_| r.push().unwrap()).collect();
    assert_eq!(r.push(), None);
    assert_eq!(r.front(), Some(slots[0]));
    assert_eq!(r.pop(), Some(slots[0]));
    assert_eq!(r.push(), Some(slots[0]));
    assert_eq!(Ring::from_parts(200, 200).len(), RING_LEN);
}

proptest! {
    #[test]
    fn ring_matches_a_queue(ops in proptest::collection::vec(any::<bool>(), 0..200)) {
        let mut r = Ring::new();
        let mut model: VecDeque<usize> = VecDeque::new();
        for push in ops {
            if push {
                let slot = r.push();
                if model.len() < RING_LEN {
                    let slot = slot.unwrap();
                    prop_assert!(!model.contains(&slot));
                    model.push_back(slot);
                } else {
                    prop_assert_eq!(slot, None);
                }
            } else {
                prop_assert_eq!(r.front(), model.front().copied());
                prop_assert_eq!(r.pop(), model.pop_front());
            }
            let (h, l) = r.parts();
            prop_assert_eq!(Ring::from_parts(h, l), r);
            prop_assert_eq!(r.len(), model.len());
        }
    }

    #[test]
    fn connect_never_reports_zero(state in 0u8..6, failed in -20i32..1, nb: bool, exp: bool) {
        let mut s = [Tcp::New, Tcp::Connecting, Tcp::Connected, Tcp::Listening, Tcp::Failed, Tcp::Closed][state as usize];
        match connect_step(&mut s, failed, nb, exp) {
            ConnectStep::Done => prop_assert_eq!(s, Tcp::Connected),
            ConnectStep::Wait => prop_assert!(s == Tcp::Connecting && !nb && !exp && failed == 0),
            ConnectStep::Fail(_) => {}
        }
    }
}

#[test]
fn poll_reports_as_modlwip() {
    use poll::*;
    let all = RD | WR;
    // Connected, data and room.
    assert_eq!(
        poll_tcp(Tcp::Connected, true, true, false, false, all),
        RD | WR
    );
    // Only what was asked for, of the readiness events.
    assert_eq!(poll_tcp(Tcp::Connected, true, true, false, false, WR), WR);
    assert_eq!(poll_tcp(Tcp::Connected, false, false, false, false, all), 0);
    // Not connected: HUP whatever was asked.
    assert_eq!(poll_tcp(Tcp::New, false, true, false, false, 0), HUP);
    // A failed connect, or a dead connection: readable (if asked), ERR, HUP; never writable.
    assert_eq!(
        poll_tcp(Tcp::Failed, false, true, false, false, all),
        RD | ERR | HUP
    );
    assert_eq!(
        poll_tcp(Tcp::Connected, true, true, true, false, all),
        RD | ERR | HUP
    );
    assert_eq!(
        poll_tcp(Tcp::Connected, false, true, true, false, WR),
        ERR | HUP
    );
    // The peer's close: end of file to read, HUP; still writable.
    assert_eq!(
        poll_tcp(Tcp::Connected, true, true, false, true, all),
        RD | WR | HUP
    );
    assert_eq!(
        poll_tcp(Tcp::Connected, true, true, false, true, WR),
        WR | HUP
    );
    // Listening: readable with a connection waiting, never writable.
    assert_eq!(poll_tcp(Tcp::Listening, true, true, false, false, all), RD);
    assert_eq!(poll_dgram(true, all), RD | WR);
    assert_eq!(poll_dgram(false, RD), 0);
}
