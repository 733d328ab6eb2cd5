use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::vec::Vec;

/// An in-memory host: a file system of names to bytes, and what was sent.
#[derive(Default)]
struct FakeHost {
    password: Vec<u8>,
    files: BTreeMap<Vec<u8>, Vec<u8>>,
    open: Option<(Vec<u8>, bool, usize)>, // name, writing, read position
    sent: Vec<(Vec<u8>, Frame)>,
    fail_open: bool,
    fail_write_after: Option<usize>,
    fail_rename: bool,
    written: usize,
    closes: usize,
}

impl FakeHost {
    fn new(password: &[u8]) -> Self {
        FakeHost {
            password: password.to_vec(),
            ..Default::default()
        }
    }
    fn statuses(&self) -> Vec<u16> {
        self.sent
            .iter()
            .filter(|(d, f)| *f == Frame::Binary && d.len() == 4 && d.starts_with(b"WB"))
            .map(|(d, _)| u16::from_le_bytes([d[2], d[3]]))
            .collect()
    }
    fn text(&self) -> Vec<u8> {
        self.sent
            .iter()
            .filter(|(_, f)| *f == Frame::Text)
            .flat_map(|(d, _)| d.clone())
            .collect()
    }
}

impl Host for FakeHost {
    fn send(&mut self, buf: &mut [u8], frame: Frame) {
        assert!(buf.len() >= HEADROOM, "every send carries the headroom");
        self.sent.push((buf[HEADROOM..].to_vec(), frame));
    }
    fn password(&self) -> &[u8] {
        &self.password
    }
    fn open(&mut self, name: &[u8], direction: Direction) -> bool {
        let write = direction == Direction::Write;
        assert!(self.open.is_none(), "one file at a time");
        if self.fail_open || (!write && !self.files.contains_key(name)) {
            return false;
        }
        if write {
            self.files.insert(name.to_vec(), Vec::new());
        }
        self.open = Some((name.to_vec(), write, 0));
        true
    }
    fn write_file(&mut self, data: &[u8]) -> bool {
        let (name, writing, _) = self.open.clone().expect("open file");
        assert!(writing);
        if self
            .fail_write_after
            .is_some_and(|n| self.written + data.len() > n)
        {
            return false;
        }
        self.written += data.len();
        self.files
            .get_mut(&name)
            .expect("file")
            .extend_from_slice(data);
        true
    }
    fn read_file(&mut self, buf: &mut [u8]) -> Option<usize> {
        let (name, _, pos) = self.open.as_mut().expect("open file");
        let data = &self.files[name.as_slice()];
        let n = buf.len().min(data.len() - *pos);
        buf[..n].copy_from_slice(&data[*pos..*pos + n]);
        *pos += n;
        Some(n)
    }
    fn close_file(&mut self) {
        assert!(self.open.take().is_some(), "close of an open file");
        self.closes += 1;
    }
    fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        if self.fail_rename {
            return false;
        }
        match self.files.remove(from) {
            Some(data) => {
                self.files.insert(to.to_vec(), data);
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

fn request(kind: u8, size: u32, name: &[u8]) -> Vec<u8> {
    let mut r = Vec::from(&b"WA"[..]);
    r.push(kind);
    r.push(0);
    r.extend_from_slice(&0u64.to_le_bytes());
    r.extend_from_slice(&size.to_le_bytes());
    r.extend_from_slice(&(name.len() as u16).to_le_bytes());
    let mut field = name.to_vec();
    field.resize(NAME_MAX, 0);
    r.extend_from_slice(&field[..NAME_MAX]);
    assert_eq!(r.len(), HEADER_LEN);
    r
}

fn logged_in(host: &mut FakeHost) -> Session {
    let mut s = Session::new();
    s.start(host);
    assert_eq!(s.feed(b"secret\r", Frame::Text, host), Feed::Consumed);
    assert!(s.forwards_output());
    host.sent.clear();
    s
}

/// Feeds `data` as binary frames of `chunk` bytes, as a reader that asks `want()` would.
fn feed_binary(s: &mut Session, host: &mut FakeHost, data: &[u8], chunk: usize) {
    let mut rest = data;
    while !rest.is_empty() {
        let n = chunk.min(s.want()).min(rest.len());
        assert_eq!(s.feed(&rest[..n], Frame::Binary, host), Feed::Consumed);
        rest = &rest[n..];
    }
}

fn put(s: &mut Session, host: &mut FakeHost, name: &[u8], data: &[u8], chunk: usize) {
    feed_binary(s, host, &request(PUT_FILE, data.len() as u32, name), chunk);
    feed_binary(s, host, data, chunk);
}

fn get(s: &mut Session, host: &mut FakeHost, name: &[u8]) -> Vec<u8> {
    feed_binary(s, host, &request(GET_FILE, 0, name), HEADER_LEN);
    let mut out = Vec::new();
    for _ in 0..100_000 {
        let before = host.sent.len();
        feed_binary(s, host, &[0], 1);
        let chunk = &host.sent[before].0;
        let n = usize::from(u16::from_le_bytes([chunk[0], chunk[1]]));
        assert!(n <= GET_CHUNK);
        out.extend_from_slice(&chunk[2..2 + n]);
        if n == 0 {
            return out;
        }
    }
    panic!("GET did not end");
}

#[test]
fn prompt_then_right_password_at_cr_or_lf() {
    for end in [b'\r', b'\n'] {
        let mut host = FakeHost::new(b"secret");
        let mut s = Session::new();
        s.start(&mut host);
        assert!(!s.forwards_output());
        for &b in b"secret" {
            assert_eq!(s.feed(&[b], Frame::Text, &mut host), Feed::Consumed);
        }
        assert_eq!(s.feed(&[end], Frame::Text, &mut host), Feed::Consumed);
        assert!(s.forwards_output());
        assert_eq!(host.text(), [PASSWORD_PROMPT, CONNECTED].concat());
        assert!(
            !host.text().windows(6).any(|w| w == b"secret"),
            "never echoed"
        );
    }
}

#[test]
fn wrong_or_overlong_password_is_denied_and_ends_the_stream() {
    for (password, typed) in [
        (&b"secret"[..], &b"secre\r"[..]),
        (b"secret", b"secrets\r"),
        (b"secret", b"\r"),
        (b"secret", &[b'x'; 200][..]),
        // Too long for the buffer: denied even where the password is empty.
        (b"", &[b'x'; 200][..]),
    ] {
        let mut host = FakeHost::new(password);
        let mut s = Session::new();
        let mut fed = typed.to_vec();
        if fed.last() != Some(&b'\r') {
            fed.push(b'\n');
        }
        assert_eq!(s.feed(&fed, Frame::Text, &mut host), Feed::Denied);
        assert_eq!(host.text(), DENIED);
        assert_eq!(
            s.feed(b"secret\r", Frame::Text, &mut host),
            Feed::Denied,
            "no second try"
        );
        assert!(!s.forwards_output());
    }
}

/// `password_matches` over what a session keeps of `typed`.
fn matches(password: &[u8], typed: &[u8]) -> bool {
    let mut kept = [0u8; PASSWORD_MAX];
    for (k, t) in kept.iter_mut().zip(typed) {
        *k = *t;
    }
    password_matches(password, &kept, typed.len())
}

#[test]
fn password_compare_is_exact() {
    assert!(matches(b"abc", b"abc"));
    assert!(!matches(b"abc", b"ab"));
    assert!(!matches(b"abc", b"abcd"));
    assert!(!matches(b"abc", b"abd"));
    assert!(matches(b"", b""));
    let full = [b'x'; PASSWORD_MAX];
    assert!(matches(&full, &full));
    assert!(
        !matches(&full, &[b'x'; PASSWORD_MAX + 1]),
        "more than is kept"
    );
    // A password longer than a session keeps (a port past its limit) matches nothing, not
    // even itself: the bytes past the kept ones were never compared.
    let long = [b'x'; PASSWORD_MAX + 8];
    assert!(!matches(&long, &long));
}

#[test]
fn text_frames_are_terminal_input_byte_by_byte() {
    let mut host = FakeHost::new(b"secret");
    let mut s = logged_in(&mut host);
    assert_eq!(s.want(), 1);
    assert_eq!(s.feed(b"x", Frame::Text, &mut host), Feed::Terminal(b'x'));
    // A multi-byte text read (only possible mid-transfer) is kept and handed out in order.
    assert_eq!(s.feed(b"abc", Frame::Text, &mut host), Feed::Terminal(b'a'));
    assert_eq!(s.take_pending(), Some(b'b'));
    assert_eq!(s.take_pending(), Some(b'c'));
    assert_eq!(s.take_pending(), None);
}

#[test]
fn put_then_get_with_every_header_split() {
    let data: Vec<u8> = (0..300u32).map(|i| (i * 7) as u8).collect();
    for chunk in 1..=HEADER_LEN {
        let mut host = FakeHost::new(b"secret");
        let mut s = logged_in(&mut host);
        put(&mut s, &mut host, b"main.py", &data, chunk);
        assert_eq!(host.statuses(), vec![0, 0], "chunk {chunk}");
        assert_eq!(host.files.get(&b"main.py"[..]), Some(&data));
        assert!(
            !host.files.contains_key(&b"main.py.part"[..]),
            "no temporary left"
        );
        assert_eq!(get(&mut s, &mut host, b"main.py"), data);
        assert_eq!(host.statuses(), vec![0, 0, 0, 0]);
    }
}

#[test]
fn put_and_get_of_empty_and_large_files() {
    let big: Vec<u8> = (0..(1u32 << 20)).map(|i| (i ^ (i >> 8)) as u8).collect();
    for data in [Vec::new(), vec![42u8], big] {
        let mut host = FakeHost::new(b"secret");
        let mut s = logged_in(&mut host);
        put(&mut s, &mut host, b"f.bin", &data, 1024);
        assert_eq!(host.statuses(), vec![0, 0]);
        assert_eq!(host.files[&b"f.bin"[..]], data);
        assert_eq!(get(&mut s, &mut host, b"f.bin"), data);
        assert_eq!(host.closes, 2);
    }
}

#[test]
fn get_ver_sends_the_version() {
    let mut host = FakeHost::new(b"secret");
    let mut s = logged_in(&mut host);
    feed_binary(&mut s, &mut host, &request(GET_VER, 0, b""), 7);
    assert_eq!(host.sent, vec![(vec![1, 27, 0], Frame::Binary)]);
}

#[test]
fn bad_names_get_an_error_and_the_session_goes_on() {
    let mut host = FakeHost::new(b"secret");
    let mut s = logged_in(&mut host);
    let mut long = request(PUT_FILE, 3, b"x");
    long[16..18].copy_from_slice(&65u16.to_le_bytes()); // longer than the 64-byte field
    feed_binary(&mut s, &mut host, &long, HEADER_LEN);
    feed_binary(&mut s, &mut host, b"abc", 3); // its data is drained, not taken as a request
    put(&mut s, &mut host, b"a\0b", b"xyz", 10);
    put(&mut s, &mut host, b"", b"", 10);
    assert_eq!(host.statuses(), vec![STATUS_BAD_REQUEST; 3]);
    assert!(host.files.is_empty());
    put(&mut s, &mut host, b"ok.txt", b"fine", 10);
    assert_eq!(host.statuses()[3..], [0, 0]);
    assert_eq!(host.files[&b"ok.txt"[..]], b"fine");
}

#[test]
fn garbage_requests_are_answered_not_obeyed() {
    let mut host = FakeHost::new(b"secret");
    let mut s = logged_in(&mut host);
    let mut bad = request(GET_FILE, 0, b"x");
    bad[0] = b'X';
    feed_binary(&mut s, &mut host, &bad, HEADER_LEN);
    let mut unknown = request(9, 0, b"x");
    unknown[2] = 9;
    feed_binary(&mut s, &mut host, &unknown, HEADER_LEN);
    assert_eq!(
        host.statuses(),
        vec![STATUS_BAD_REQUEST, STATUS_BAD_REQUEST]
    );
}

#[test]
fn file_errors_get_an_error_status_and_keep_the_old_file() {
    // Open fails: error, the data is drained, the session goes on.
    let mut host = FakeHost::new(b"secret");
    let mut s = logged_in(&mut host);
    host.fail_open = true;
    put(&mut s, &mut host, b"a.txt", b"data", 2);
    host.fail_open = false;
    assert_eq!(host.statuses(), vec![STATUS_FILE_ERROR]);
    // A write fails midway: the old file stands, no temporary is left.
    host.files.insert(b"a.txt".to_vec(), b"old".to_vec());
    host.fail_write_after = Some(5);
    put(&mut s, &mut host, b"a.txt", b"0123456789", 3);
    assert_eq!(host.statuses()[1..], [0, STATUS_FILE_ERROR]);
    assert_eq!(host.files[&b"a.txt"[..]], b"old");
    assert!(!host.files.contains_key(&b"a.txt.part"[..]));
    // The rename fails: the same.
    host.fail_write_after = None;
    host.fail_rename = true;
    put(&mut s, &mut host, b"a.txt", b"new", 3);
    assert_eq!(host.statuses()[3..], [0, STATUS_FILE_ERROR]);
    assert_eq!(host.files[&b"a.txt"[..]], b"old");
    assert_eq!(host.files.len(), 1);
    // A missing file for GET.
    assert_eq!(get_status_of_missing(&mut s, &mut host), STATUS_FILE_ERROR);
}

fn get_status_of_missing(s: &mut Session, host: &mut FakeHost) -> u16 {
    feed_binary(s, host, &request(GET_FILE, 0, b"missing"), HEADER_LEN);
    *host.statuses().last().expect("a status")
}

#[test]
fn a_dropped_connection_mid_put_leaves_the_old_file_and_no_temporary() {
    let mut host = FakeHost::new(b"secret");
    host.files.insert(b"boot.py".to_vec(), b"good".to_vec());
    let mut s = logged_in(&mut host);
    feed_binary(
        &mut s,
        &mut host,
        &request(PUT_FILE, 100, b"boot.py"),
        HEADER_LEN,
    );
    feed_binary(&mut s, &mut host, &[7u8; 40], 40);
    s.abort(&mut host);
    assert_eq!(host.files.len(), 1);
    assert_eq!(host.files[&b"boot.py"[..]], b"good");
    assert!(host.open.is_none());
}

#[test]
fn want_never_reads_terminal_input_ahead() {
    let mut host = FakeHost::new(b"secret");
    let mut s = Session::new();
    assert_eq!(s.want(), 1, "password: one byte at a time");
    s = logged_in(&mut host);
    assert_eq!(s.want(), 1);
    s.feed(b"W", Frame::Binary, &mut host);
    assert_eq!(s.want(), HEADER_LEN - 1);
    feed_binary(
        &mut s,
        &mut host,
        &request(PUT_FILE, 1000, b"x")[1..],
        HEADER_LEN,
    );
    assert_eq!(s.want(), READ_MAX);
}

proptest! {
    /// Any split of a PUT's request and data into frames gives the same file.
    #[test]
    fn any_split_of_a_put_gives_the_same_file(
        data in proptest::collection::vec(any::<u8>(), 0..2000),
        cuts in proptest::collection::vec(1usize..200, 1..40),
    ) {
        let mut host = FakeHost::new(b"secret");
        let mut s = logged_in(&mut host);
        let mut stream = request(PUT_FILE, data.len() as u32, b"p.bin");
        stream.extend_from_slice(&data);
        let mut rest = &stream[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = cuts[i % cuts.len()].min(rest.len()).min(s.want());
            prop_assert_eq!(s.feed(&rest[..n], Frame::Binary, &mut host), Feed::Consumed);
            rest = &rest[n..];
            i += 1;
        }
        prop_assert_eq!(host.statuses(), vec![0, 0]);
        prop_assert_eq!(&host.files[&b"p.bin"[..]], &data);
    }

    /// Whatever a client sends, in whatever frames, the machine answers without panicking,
    /// keeps at most one file open, and its requests stay bounded.
    #[test]
    fn garbage_never_breaks_the_machine(
        frames in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..300), any::<bool>()), 0..30),
        login in any::<bool>(),
    ) {
        let mut host = FakeHost::new(b"secret");
        host.files.insert(b"x".to_vec(), vec![1; 600]);
        let mut s = if login { logged_in(&mut host) } else { Session::new() };
        for (data, text) in &frames {
            let mut rest = &data[..];
            while !rest.is_empty() {
                let n = s.want().min(rest.len());
                let _ = s.feed(&rest[..n], if *text { Frame::Text } else { Frame::Binary }, &mut host);
                while s.take_pending().is_some() {}
                rest = &rest[n..];
            }
            prop_assert!(s.want() >= 1 && s.want() <= READ_MAX);
        }
        s.abort(&mut host);
        prop_assert!(host.open.is_none());
        prop_assert!(host.files.keys().all(|k| !k.ends_with(b".part")));
    }
}

/// A host whose frames go through a websocket, as the glue's do: `send` writes the
/// header into the headroom and the frame in one write.
struct FramedHost {
    inner: FakeHost,
    ws: crate::websocket::Websocket,
    wire: Vec<Vec<u8>>,
}

impl crate::stream::RawStream for Vec<Vec<u8>> {
    fn read(&mut self, _: &mut [u8]) -> Result<usize, crate::stream::IoError> {
        Ok(0)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, crate::stream::IoError> {
        self.push(buf.to_vec());
        Ok(buf.len())
    }
}

impl crate::websocket::Socket for Vec<Vec<u8>> {}

impl Host for FramedHost {
    fn send(&mut self, buf: &mut [u8], frame: Frame) {
        // Status replies are kept apart from the chunks (a chunk's payload starts with its
        // u16 length, never `WB` in a 4-byte payload).
        if frame == Frame::Text || buf[HEADROOM..].starts_with(b"WB") && buf.len() == HEADROOM + 4 {
            return self.inner.send(buf, frame);
        }
        let n = crate::errno::Numbering::MicroPythonInternal;
        self.ws
            .write(
                &mut self.wire,
                &n,
                buf,
                &[],
                Some(crate::websocket::OP_BINARY),
            )
            .unwrap();
    }
    fn password(&self) -> &[u8] {
        self.inner.password()
    }
    fn open(&mut self, name: &[u8], direction: Direction) -> bool {
        self.inner.open(name, direction)
    }
    fn write_file(&mut self, data: &[u8]) -> bool {
        self.inner.write_file(data)
    }
    fn read_file(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.inner.read_file(buf)
    }
    fn close_file(&mut self) {
        self.inner.close_file()
    }
    fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        self.inner.rename(from, to)
    }
    fn remove(&mut self, name: &[u8]) {
        self.inner.remove(name)
    }
    fn version(&self) -> [u8; 3] {
        self.inner.version()
    }
}

#[test]
fn get_chunks_fill_the_buffer_given_and_leave_in_one_write_each() {
    for chunk_size in [1usize, 256, 4096, 16384, GET_CHUNK_MAX, GET_CHUNK_MAX + 100] {
        let mut inner = FakeHost::new(b"secret");
        let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        inner.files.insert(b"big".to_vec(), data.clone());
        let mut s = logged_in(&mut inner);
        let mut host = FramedHost {
            inner,
            ws: crate::websocket::Websocket::new(),
            wire: Vec::new(),
        };
        let mut buf = vec![0u8; CHUNK_PREFIX + chunk_size];
        let req = request(GET_FILE, 0, b"big");
        assert_eq!(
            s.feed_with(&req, Frame::Binary, &mut host, &mut buf[..]),
            Feed::Consumed
        );
        let mut out = Vec::new();
        loop {
            let before = host.wire.len();
            s.feed_with(&[0], Frame::Binary, &mut host, &mut buf[..]);
            assert_eq!(host.wire.len(), before + 1, "one write per chunk");
            let w = &host.wire[before];
            let (len, at) = match w[1] {
                126 => (usize::from(u16::from_be_bytes([w[2], w[3]])), 4),
                n => (usize::from(n), 2),
            };
            assert_eq!(w[0], 0x82);
            assert_eq!(w.len(), at + len);
            let n = usize::from(u16::from_le_bytes([w[at], w[at + 1]]));
            assert_eq!(len, n + 2);
            assert!(n <= chunk_size.min(GET_CHUNK_MAX));
            out.extend_from_slice(&w[at + 2..]);
            if n == 0 {
                break;
            }
        }
        assert_eq!(out, data, "chunk size {chunk_size}");
        let chunks = host.wire.len();
        assert_eq!(
            chunks,
            data.len().div_ceil(chunk_size.min(GET_CHUNK_MAX)) + 1
        );
        assert_eq!(host.inner.statuses(), [STATUS_OK, STATUS_OK]);
    }
}

#[test]
fn a_chunk_buffer_with_no_room_ends_the_get_with_an_error() {
    let mut host = FakeHost::new(b"secret");
    host.files.insert(b"f".to_vec(), vec![1; 10]);
    let mut s = logged_in(&mut host);
    let mut buf = [0u8; CHUNK_PREFIX];
    s.feed_with(
        &request(GET_FILE, 0, b"f"),
        Frame::Binary,
        &mut host,
        &mut buf[..],
    );
    s.feed_with(&[0], Frame::Binary, &mut host, &mut buf[..]);
    assert_eq!(host.statuses(), [STATUS_OK, STATUS_FILE_ERROR]);
    assert!(host.open.is_none());
}
