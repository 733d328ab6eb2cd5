//! The whole WebREPL machine under arbitrary input: the data is cut into frames (a length
//! byte, a kind bit, then bytes), fed as a reader that asks `want()` would, against an
//! in-memory host, GET chunks in a buffer of a size the input picks. It must never panic,
//! keep reads bounded, and leave no temporary file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mprs::webrepl::{Direction, Feed, Frame, Host, Session, CHUNK_PREFIX, READ_MAX};
use std::collections::BTreeMap;

#[derive(Default)]
struct MemHost {
    files: BTreeMap<Vec<u8>, Vec<u8>>,
    open: Option<(Vec<u8>, usize)>,
    sent: usize,
}

impl Host for MemHost {
    fn send(&mut self, buf: &mut [u8], _frame: Frame) {
        assert!(buf.len() >= mprs::websocket::HEADROOM, "every send carries the headroom");
        self.sent += buf.len();
    }
    fn password(&self) -> &[u8] {
        b"pw"
    }
    fn open(&mut self, name: &[u8], direction: Direction) -> bool {
        if direction == Direction::Write {
            self.files.insert(name.to_vec(), Vec::new());
        } else if !self.files.contains_key(name) {
            return false;
        }
        self.open = Some((name.to_vec(), 0));
        true
    }
    fn write_file(&mut self, data: &[u8]) -> bool {
        match &self.open {
            Some((name, _)) => {
                let f = self.files.get_mut(name).expect("open file exists");
                f.extend_from_slice(data);
                f.len() < 1 << 20
            }
            None => panic!("write with no open file"),
        }
    }
    fn read_file(&mut self, buf: &mut [u8]) -> Option<usize> {
        let (name, pos) = self.open.as_mut().expect("read with no open file");
        let data = &self.files[name.as_slice()];
        let n = buf.len().min(data.len() - *pos);
        buf[..n].copy_from_slice(&data[*pos..*pos + n]);
        *pos += n;
        Some(n)
    }
    fn close_file(&mut self) {
        self.open = None;
    }
    fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        match self.files.remove(from) {
            Some(d) => {
                self.files.insert(to.to_vec(), d);
                true
            }
            None => false,
        }
    }
    fn remove(&mut self, name: &[u8]) {
        self.files.remove(name);
    }
    fn version(&self) -> [u8; 3] {
        [1, 27, 0]
    }
}

fuzz_target!(|data: &[u8]| {
    let mut host = MemHost::default();
    host.files.insert(b"f".to_vec(), vec![7; 700]);
    let mut s = Session::new();
    s.start(&mut host);
    // GET chunks of 0 to 1,016 bytes of data (0: a buffer with no room, an error status).
    let mut chunk =
        vec![0u8; CHUNK_PREFIX + usize::from(data.first().copied().unwrap_or(0) >> 1) * 8];
    // Log in first half the time, so both phases are explored.
    if data.first().is_some_and(|b| b & 1 == 1) {
        assert_eq!(s.feed(b"pw\n", Frame::Text, &mut host), Feed::Consumed);
    }
    let mut rest = data.get(1..).unwrap_or_default();
    while let Some((&hdr, tail)) = rest.split_first() {
        let len = usize::from(hdr & 0x7f).min(tail.len());
        let frame = if hdr & 0x80 != 0 {
            Frame::Text
        } else {
            Frame::Binary
        };
        let (mut payload, next) = tail.split_at(len);
        while !payload.is_empty() {
            let want = s.want();
            assert!((1..=READ_MAX).contains(&want));
            let n = want.min(payload.len());
            if s.feed_with(&payload[..n], frame, &mut host, &mut chunk[..]) == Feed::Denied {
                return;
            }
            while s.take_pending().is_some() {}
            payload = &payload[n..];
        }
        rest = next;
    }
    s.abort(&mut host);
    assert!(host.open.is_none());
    assert!(host.files.keys().all(|k| !k.ends_with(b".part")));
});
