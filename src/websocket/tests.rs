use super::*;
use crate::errno::Numbering;
use proptest::prelude::*;
use std::vec::Vec;

/// A socket: reads come from `input` in pieces of `chunks` (cycled), with an EAGAIN before
/// every piece when `eagain` is set; writes go to `output`, at most `write_max` a call.
struct FakeSock {
    input: Vec<u8>,
    pos: usize,
    chunks: Vec<usize>,
    turn: usize,
    eagain: bool,
    again_next: bool,
    output: Vec<u8>,
    writes: usize,
    write_max: usize,
    raise_on_write: bool,
    /// What `readable` says: None (cannot tell), or whether input is left.
    polls: bool,
    /// How many bytes had been read when each write was made.
    write_at: Vec<usize>,
    /// Writes would block once this many bytes were taken.
    write_block_at: Option<usize>,
}

impl FakeSock {
    fn new(input: Vec<u8>) -> Self {
        FakeSock {
            input,
            pos: 0,
            chunks: vec![usize::MAX],
            turn: 0,
            eagain: false,
            again_next: false,
            output: Vec::new(),
            writes: 0,
            write_max: usize::MAX,
            raise_on_write: false,
            polls: false,
            write_at: Vec::new(),
            write_block_at: None,
        }
    }
}

const N: Numbering = Numbering::MicroPythonInternal;

/// A `write()` as the glue makes it when the heap cannot give a larger buffer: the
/// payload copied behind headroom into a `WRITE_BUF` frame buffer, what does not fit given
/// apart.
trait WriteData {
    fn write_data(
        &mut self,
        sock: &mut FakeSock,
        errnos: &Numbering,
        data: &[u8],
    ) -> Result<usize, IoError>;
}

impl WriteData for Websocket {
    fn write_data(
        &mut self,
        sock: &mut FakeSock,
        errnos: &Numbering,
        data: &[u8],
    ) -> Result<usize, IoError> {
        let mut frame = [0u8; WRITE_BUF];
        let (head, rest) = data.split_at(data.len().min(WRITE_BUF - HEADROOM));
        frame[HEADROOM..HEADROOM + head.len()].copy_from_slice(head);
        self.write(
            sock,
            errnos,
            &mut frame[..HEADROOM + head.len()],
            rest,
            None,
        )?;
        Ok(data.len())
    }
}

fn eagain() -> IoError {
    IoError::Errno(N.value(MprsErrno::Eagain))
}

impl RawStream for FakeSock {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        if self.eagain {
            self.again_next = !self.again_next;
            if self.again_next {
                return Err(eagain());
            }
        }
        let chunk = self.chunks[self.turn % self.chunks.len()].max(1);
        self.turn += 1;
        let n = buf.len().min(chunk).min(self.input.len() - self.pos);
        buf[..n].copy_from_slice(&self.input[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        if self.raise_on_write {
            return Err(IoError::Raised);
        }
        if self.write_block_at == Some(self.output.len()) {
            return Err(eagain());
        }
        self.writes += 1;
        self.write_at.push(self.pos);
        let n = buf.len().min(self.write_max);
        self.output.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Socket for FakeSock {
    fn readable(&mut self) -> Result<Option<bool>, IoError> {
        Ok(self.polls.then_some(self.pos < self.input.len()))
    }
}

/// A frame as a client sends it: FIN or not, opcode, masked with `mask` if given, the
/// length in the shortest form unless `long_len` forces the 64-bit one.
fn frame(fin: bool, op: u8, payload: &[u8], mask: Option<[u8; 4]>, long_len: bool) -> Vec<u8> {
    let mut f = vec![if fin { 0x80 } else { 0 } | op];
    let m = if mask.is_some() { 0x80 } else { 0 };
    if long_len {
        f.push(m | 127);
        f.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    } else if payload.len() < 126 {
        f.push(m | payload.len() as u8);
    } else if payload.len() <= 0xffff {
        f.push(m | 126);
        f.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    } else {
        f.push(m | 127);
        f.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    }
    match mask {
        Some(k) => {
            f.extend_from_slice(&k);
            f.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => f.extend_from_slice(payload),
    }
    f
}

/// Parses unmasked server frames: (first byte, payload) each.
fn parse_frames(mut out: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while !out.is_empty() {
        let b0 = out[0];
        let l = out[1] & 0x7f;
        assert_eq!(out[1] & 0x80, 0, "server frames are unmasked");
        let (len, at) = match l {
            126 => (u16::from_be_bytes([out[2], out[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(out[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        frames.push((b0, out[at..at + len].to_vec()));
        out = &out[at + len..];
    }
    frames
}

/// Reads until EOF or an error with reads of `size`; returns the data, the opcode seen with
/// each read, and how it ended. EAGAIN is retried.
fn read_all(
    ws: &mut Websocket,
    sock: &mut FakeSock,
    size: usize,
) -> (Vec<u8>, Vec<u8>, Result<(), IoError>) {
    let mut data = Vec::new();
    let mut ops = Vec::new();
    let mut buf = vec![0u8; size];
    loop {
        match ws.read(sock, &N, &mut buf) {
            Ok(0) => return (data, ops, Ok(())),
            Ok(n) => {
                assert!(n <= size);
                data.extend_from_slice(&buf[..n]);
                ops.push(ws.data_opts());
            }
            Err(e) if e == eagain() => continue,
            Err(e) => return (data, ops, Err(e)),
        }
    }
}

#[test]
fn text_and_binary_frames_masked_or_not() {
    let mut input = frame(true, OP_TEXT, b"hello", Some([1, 2, 3, 4]), false);
    input.extend(frame(true, OP_BINARY, b"\x00\x01", None, false));
    let mut sock = FakeSock::new(input);
    let mut ws = Websocket::new();
    let mut buf = [0u8; 64];
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"hello");
    assert_eq!(ws.data_opts(), OP_TEXT);
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(2));
    assert_eq!(&buf[..2], b"\x00\x01");
    assert_eq!(ws.data_opts(), OP_BINARY);
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0));
    assert!(sock.output.is_empty());
}

#[test]
fn ping_inside_a_fragmented_message_is_answered_and_not_data() {
    let mut input = frame(false, OP_BINARY, b"ab", Some([9, 8, 7, 6]), false);
    input.extend(frame(true, OP_PING, b"xyz", Some([5, 5, 5, 5]), false));
    input.extend(frame(true, OP_CONT, b"cd", Some([1, 1, 1, 1]), false));
    // One-byte reads: the C original returns the ping's first bytes as data here.
    let mut sock = FakeSock::new(input);
    let mut ws = Websocket::new();
    let (data, ops, end) = read_all(&mut ws, &mut sock, 1);
    assert_eq!(data, b"abcd");
    assert_eq!(ops, [OP_BINARY; 4]);
    assert_eq!(end, Ok(()));
    assert_eq!(parse_frames(&sock.output), [(0x8a, b"xyz".to_vec())]);
}

#[test]
fn close_is_echoed_with_its_status_then_eof() {
    let mut payload = 1001u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"going away");
    let mut input = frame(true, OP_CLOSE, &payload, Some([3, 1, 4, 1]), false);
    input.extend(frame(true, OP_TEXT, b"after", None, false));
    let mut sock = FakeSock::new(input);
    let mut ws = Websocket::new();
    let mut buf = [0u8; 4];
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0));
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0), "EOF stays EOF");
    assert!(ws.closed());
    assert_eq!(parse_frames(&sock.output), [(0x88, vec![0x03, 0xe9])]);
    // Closing afterwards sends no second close.
    ws.close(&mut sock, &N).unwrap();
    assert_eq!(parse_frames(&sock.output).len(), 1);
}

#[test]
fn close_without_status_gets_an_empty_close() {
    let mut sock = FakeSock::new(frame(true, OP_CLOSE, b"", None, false));
    let mut ws = Websocket::new();
    assert_eq!(ws.read(&mut sock, &N, &mut [0u8; 8]), Ok(0));
    assert_eq!(sock.output, [0x88, 0]);
}

#[test]
fn closing_sends_a_normal_close_once() {
    let mut sock = FakeSock::new(Vec::new());
    let mut ws = Websocket::new();
    ws.close(&mut sock, &N).unwrap();
    ws.close(&mut sock, &N).unwrap();
    assert_eq!(sock.output, [0x88, 2, 0x03, 0xe8]);
    assert_eq!(ws.read(&mut sock, &N, &mut [0u8; 8]), Ok(0));
    // No data after a close.
    let enotconn = Err(IoError::Errno(N.value(MprsErrno::Enotconn)));
    assert_eq!(ws.write_data(&mut sock, &N, b"late"), enotconn);
    let mut buf = [0u8; HEADROOM + 1];
    assert_eq!(
        ws.write(&mut sock, &N, &mut buf, &[], Some(OP_BINARY)),
        enotconn.map(|_: usize| ())
    );
    assert_eq!(sock.output.len(), 4);
}

#[test]
fn frames_with_64_bit_lengths_are_refused_with_1009() {
    for input in [
        frame(true, OP_BINARY, &[7; 70_000], Some([1, 2, 3, 4]), false),
        frame(true, OP_BINARY, b"tiny", None, true),
    ] {
        let mut sock = FakeSock::new(input);
        let mut ws = Websocket::new();
        let mut buf = [0u8; 64];
        assert_eq!(
            ws.read(&mut sock, &N, &mut buf),
            Err(IoError::Errno(N.value(MprsErrno::Eio)))
        );
        assert_eq!(sock.output, [0x88, 2, 0x03, 0xf1]);
        assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0));
    }
}

#[test]
fn frames_up_to_64k_both_ways_and_enobufs_past() {
    let big: Vec<u8> = (0..65_535u32).map(|i| (i * 7) as u8).collect();
    let mut sock = FakeSock::new(frame(
        true,
        OP_BINARY,
        &big,
        Some([0xaa, 0x55, 1, 2]),
        false,
    ));
    sock.chunks = vec![1000, 3, 65536];
    let mut ws = Websocket::new();
    let (data, _, end) = read_all(&mut ws, &mut sock, 4096);
    assert_eq!(end, Ok(()));
    assert_eq!(data, big);
    ws.set_data_opts(usize::from(OP_BINARY));
    assert_eq!(ws.write_data(&mut sock, &N, &big), Ok(65_535));
    assert_eq!(parse_frames(&sock.output), [(0x82, big)]);
    let enobufs = Err(IoError::Errno(N.value(MprsErrno::Enobufs)));
    assert_eq!(ws.write_data(&mut sock, &N, &[0; 65_536]), enobufs);
    let mut buf = vec![0u8; HEADROOM + 65_536];
    assert_eq!(
        ws.write(&mut sock, &N, &mut buf, &[], None),
        enobufs.map(|_: usize| ())
    );
}

#[test]
fn header_split_across_reads_is_completed() {
    // A blocking socket that gives one byte a call: the C original says EAGAIN after the
    // first header byte; here the read goes on.
    let mut sock = FakeSock::new(frame(true, OP_TEXT, b"ok", Some([1, 2, 3, 4]), false));
    sock.chunks = vec![1];
    let mut ws = Websocket::new();
    let mut buf = [0u8; 8];
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(1));
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(1));
    assert_eq!(&buf[..1], b"k");
}

#[test]
fn nonblocking_socket_resumes_where_it_stopped() {
    let mut input = frame(true, OP_TEXT, &[b'x'; 300], Some([1, 2, 3, 4]), false);
    input.extend(frame(true, OP_PING, b"p", Some([1, 2, 3, 4]), false));
    input.extend(frame(true, OP_BINARY, b"yz", Some([1, 2, 3, 4]), false));
    let mut sock = FakeSock::new(input);
    sock.chunks = vec![1, 2, 5];
    sock.eagain = true;
    let mut ws = Websocket::new();
    let (data, _, end) = read_all(&mut ws, &mut sock, 7);
    assert_eq!(end, Ok(()));
    assert_eq!(data.len(), 302);
    assert_eq!(&data[300..], b"yz");
    assert_eq!(parse_frames(&sock.output), [(0x8a, b"p".to_vec())]);
}

#[test]
fn peer_that_stops_mid_frame_is_a_reset() {
    let whole = frame(true, OP_BINARY, &[1; 100], Some([1, 2, 3, 4]), false);
    let reset = Err(IoError::Errno(N.value(MprsErrno::Econnreset)));
    for cut in 1..whole.len() {
        let mut sock = FakeSock::new(whole[..cut].to_vec());
        let mut ws = Websocket::new();
        let (data, _, end) = read_all(&mut ws, &mut sock, 64);
        assert_eq!(data.len(), cut.saturating_sub(6));
        if data.is_empty() {
            assert_eq!(end, reset.map(|_: usize| ()), "cut at {cut}");
        } else {
            // The frame's bytes came first: this read ends them, the next one says why.
            assert_eq!(end, Ok(()), "cut at {cut}");
            assert_eq!(ws.read(&mut sock, &N, &mut [0u8; 4]), reset, "cut at {cut}");
        }
        assert_eq!(ws.read(&mut sock, &N, &mut [0u8; 4]), Ok(0), "then EOF");
    }
    // At a frame boundary it is a clean EOF.
    let mut sock = FakeSock::new(whole);
    let (_, _, end) = read_all(&mut Websocket::new(), &mut sock, 64);
    assert_eq!(end, Ok(()));
}

#[test]
fn protocol_errors_close_with_1002_and_eio() {
    let bad = [
        vec![0x83, 0],                                // reserved data opcode
        vec![0x8b, 0],                                // reserved control opcode
        vec![0xc1, 0],                                // RSV1 without an extension
        vec![0x09, 0],                                // fragmented ping
        frame(true, OP_PING, &[0; 126], None, false), // control over 125 bytes
    ];
    for input in bad {
        let mut sock = FakeSock::new(input.clone());
        let mut ws = Websocket::new();
        let mut buf = [0u8; 8];
        assert_eq!(
            ws.read(&mut sock, &N, &mut buf),
            Err(IoError::Errno(N.value(MprsErrno::Eio))),
            "{input:x?}"
        );
        assert_eq!(sock.output, [0x88, 2, 0x03, 0xea]);
        assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0));
    }
}

#[test]
fn a_pong_waits_for_the_read_to_return_unless_the_read_would_wait() {
    // A stream that cannot poll (an io.BytesIO): the pong goes out when the read that
    // took the ping returns, after the data that followed it.
    let mut input = frame(true, OP_PING, b"hi", None, false);
    input.extend(frame(true, OP_TEXT, b"ping", None, false));
    let total = input.len();
    let mut sock = FakeSock::new(input.clone());
    let mut ws = Websocket::new();
    let mut buf = [0u8; 4];
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(4));
    assert_eq!(&buf, b"ping");
    assert_eq!(parse_frames(&sock.output), [(0x8a, b"hi".to_vec())]);
    assert_eq!(sock.write_at, [total]);
    // A socket that says a read would wait: the pong goes before the wait.
    let ping = frame(true, OP_PING, b"hi", None, false);
    let mut sock = FakeSock::new(ping.clone());
    sock.polls = true;
    let mut ws = Websocket::new();
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0));
    assert_eq!(sock.write_at, [ping.len()]);
    assert_eq!(parse_frames(&sock.output), [(0x8a, b"hi".to_vec())]);
    // Two pings in a row: each answered, in order.
    let mut input = frame(true, OP_PING, b"1", None, false);
    input.extend(frame(true, OP_PING, b"2", None, false));
    let mut sock = FakeSock::new(input);
    let mut ws = Websocket::new();
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(0));
    assert_eq!(
        parse_frames(&sock.output),
        [(0x8a, b"1".to_vec()), (0x8a, b"2".to_vec())]
    );
}

#[test]
fn empty_data_frames_are_not_eof() {
    let mut input = frame(true, OP_TEXT, b"", None, false);
    input.extend(frame(true, OP_TEXT, b"a", None, false));
    let mut sock = FakeSock::new(input);
    let mut ws = Websocket::new();
    let mut buf = [0u8; 8];
    assert_eq!(ws.read(&mut sock, &N, &mut buf), Ok(1));
}

#[test]
fn writes_are_one_underlying_write_per_frame() {
    let mut sock = FakeSock::new(Vec::new());
    let mut ws = Websocket::new();
    for len in [0, 1, 125, 126, WRITE_BUF - 4] {
        sock.writes = 0;
        ws.write_data(&mut sock, &N, &vec![b'a'; len]).unwrap();
        assert_eq!(sock.writes, 1, "payload of {len}");
    }
    // In place: one write for any payload up to 65,535 bytes, header in the headroom.
    for len in [0, 1, 125, 126, 4096, 16384, 65535] {
        sock.writes = 0;
        sock.output.clear();
        let mut buf = vec![0u8; HEADROOM + len];
        buf[HEADROOM..].fill(7);
        ws.write(&mut sock, &N, &mut buf, &[], Some(OP_BINARY))
            .unwrap();
        assert_eq!(sock.writes, 1, "payload of {len}");
        assert_eq!(parse_frames(&sock.output), [(0x82, vec![7; len])]);
    }
    // Without headroom, a payload past the frame buffer takes two.
    sock.writes = 0;
    ws.write_data(&mut sock, &N, &[0; 4096]).unwrap();
    assert_eq!(sock.writes, 2);
}

#[test]
fn short_writes_are_completed_and_exceptions_kept() {
    let mut sock = FakeSock::new(Vec::new());
    sock.write_max = 3;
    let mut ws = Websocket::new();
    assert_eq!(ws.write_data(&mut sock, &N, b"0123456789"), Ok(10));
    assert_eq!(parse_frames(&sock.output), [(0x81, b"0123456789".to_vec())]);
    sock.raise_on_write = true;
    assert_eq!(ws.write_data(&mut sock, &N, b"x"), Err(IoError::Raised));
    // A ping whose pong raises: the exception is reported by the read.
    let mut sock = FakeSock::new(frame(true, OP_PING, b"", None, false));
    sock.raise_on_write = true;
    assert_eq!(ws.read(&mut sock, &N, &mut [0u8; 4]), Err(IoError::Raised));
}

#[test]
fn would_block_before_a_frame_is_eagain_and_inside_one_eio() {
    let mut ws = Websocket::new();
    let mut sock = FakeSock::new(Vec::new());
    sock.write_max = 1;
    sock.write_block_at = Some(0);
    assert_eq!(ws.write_data(&mut sock, &N, b"abc"), Err(eagain()));
    sock.write_block_at = Some(1);
    let eio = Err(IoError::Errno(N.value(MprsErrno::Eio)));
    assert_eq!(ws.write_data(&mut sock, &N, b"abc"), eio);
    // The second write of a frame past the frame buffer counts as inside it.
    let mut sock = FakeSock::new(Vec::new());
    sock.write_block_at = Some(WRITE_BUF);
    assert_eq!(ws.write_data(&mut sock, &N, &[1; 1000]), eio);
    // A stream that takes nothing: EIO, not a frame cut short.
    let mut sock = FakeSock::new(Vec::new());
    sock.write_max = 0;
    assert_eq!(ws.write_data(&mut sock, &N, b"abc"), eio);
}

#[test]
fn data_opts() {
    let mut ws = Websocket::new();
    assert_eq!(ws.set_data_opts(2), OP_TEXT);
    assert_eq!(ws.set_data_opts(0x11), OP_BINARY);
    let mut sock = FakeSock::new(Vec::new());
    ws.write_data(&mut sock, &N, b"").unwrap();
    assert_eq!(sock.output, [0x81, 0]);
}

/// One message of a generated conversation.
#[derive(Clone, Debug)]
enum Msg {
    Data { op: u8, parts: Vec<Vec<u8>> },
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn msg() -> impl Strategy<Value = Msg> {
    let data = (
        prop_oneof![Just(OP_TEXT), Just(OP_BINARY)],
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 1..4),
    )
        .prop_map(|(op, parts)| Msg::Data { op, parts });
    prop_oneof![
        3 => data,
        1 => prop::collection::vec(any::<u8>(), 0..=125).prop_map(Msg::Ping),
        1 => prop::collection::vec(any::<u8>(), 0..=125).prop_map(Msg::Pong),
    ]
}

proptest! {
    /// Any conversation, cut into any reads, with or without masks and EAGAIN: the data
    /// comes out whole and in order with its kind, each ping gets its pong, and the end is
    /// a clean EOF.
    #[test]
    fn conversations_survive_any_split(
        msgs in prop::collection::vec(msg(), 0..8),
        mask in prop::option::of(any::<[u8; 4]>()),
        chunks in prop::collection::vec(1usize..40, 1..5),
        size in 1usize..70,
        with_eagain in any::<bool>(),
        close in any::<bool>(),
    ) {
        let mut input = Vec::new();
        let mut want = Vec::new();
        let mut pongs = Vec::new();
        for m in &msgs {
            match m {
                Msg::Data { op, parts } => {
                    for (i, p) in parts.iter().enumerate() {
                        let fop = if i == 0 { *op } else { OP_CONT };
                        input.extend(frame(i + 1 == parts.len(), fop, p, mask, false));
                        want.extend(p.iter().map(|&b| (b, *op)));
                    }
                }
                Msg::Ping(p) => {
                    input.extend(frame(true, OP_PING, p, mask, false));
                    pongs.push((0x8a, p.clone()));
                }
                Msg::Pong(p) => input.extend(frame(true, OP_PONG, p, mask, false)),
            }
        }
        if close {
            input.extend(frame(true, OP_CLOSE, &1000u16.to_be_bytes(), mask, false));
            input.extend(frame(true, OP_TEXT, b"ignored", mask, false));
            pongs.push((0x88, 1000u16.to_be_bytes().to_vec()));
        }
        let mut sock = FakeSock::new(input);
        sock.chunks = chunks;
        sock.eagain = with_eagain;
        let mut ws = Websocket::new();
        let mut buf = vec![0u8; size];
        let mut data = Vec::new();
        loop {
            match ws.read(&mut sock, &N, &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    prop_assert!(n <= size);
                    // The kind is that of the message the read's bytes belong to.
                    prop_assert_eq!(ws.data_opts(), want[data.len()].1);
                    data.extend_from_slice(&buf[..n]);
                }
                Err(e) if e == eagain() => continue,
                Err(e) => prop_assert!(false, "{:?}", e),
            }
        }
        let want_bytes: Vec<u8> = want.iter().map(|&(b, _)| b).collect();
        prop_assert_eq!(data, want_bytes);
        prop_assert_eq!(parse_frames(&sock.output), pongs);
    }

    /// Any bytes at all, cut anywhere: no panic, reads within bounds, and what is written
    /// is well-formed frames.
    #[test]
    fn arbitrary_input_is_safe(
        input in prop::collection::vec(any::<u8>(), 0..600),
        chunks in prop::collection::vec(1usize..20, 1..4),
        size in 1usize..50,
    ) {
        let mut sock = FakeSock::new(input);
        sock.chunks = chunks;
        let mut ws = Websocket::new();
        let mut buf = vec![0u8; size];
        for _ in 0..10_000 {
            match ws.read(&mut sock, &N, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => prop_assert!(n <= size),
            }
        }
        parse_frames(&sock.output);
    }
}
