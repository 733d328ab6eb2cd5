//! The websocket framing machine under arbitrary input: the first bytes choose how the
//! socket cuts its data (piece sizes, EAGAIN) and the reader's buffer size, the rest is
//! what the peer sent. It must never panic, never return more than asked, give EOF for
//! good once it has (after at most one ECONNRESET for a frame cut short), and write only
//! well-formed, unmasked frames (pongs and closes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mprs::errno::{Errnos, MprsErrno, Numbering};
use mprs::stream::{IoError, RawStream};
use mprs::websocket::{Socket, Websocket};

struct Sock<'a> {
    input: &'a [u8],
    pieces: [u8; 4],
    turn: usize,
    eagain: bool,
    output: Vec<u8>,
}

impl RawStream for Sock<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        self.turn += 1;
        if self.eagain && self.turn % 3 == 0 {
            return Err(IoError::Errno(
                Numbering::MicroPythonInternal.value(MprsErrno::Eagain),
            ));
        }
        let piece = usize::from(self.pieces[self.turn % 4]).max(1);
        let n = buf.len().min(piece).min(self.input.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
}

impl Socket for Sock<'_> {}

/// Every byte of `out` belongs to a whole, unmasked control frame.
fn check_frames(mut out: &[u8]) {
    while !out.is_empty() {
        assert!(out.len() >= 2);
        assert!(
            matches!(out[0], 0x88 | 0x8a),
            "only closes and pongs: {:x}",
            out[0]
        );
        assert_eq!(out[1] & 0x80, 0);
        let len = usize::from(out[1]);
        assert!(len <= 125);
        out = &out[2 + len..];
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((cfg, input)) = data.split_at_checked(6) else {
        return;
    };
    let size = usize::from(cfg[4]).max(1);
    let mut sock = Sock {
        input,
        pieces: [cfg[0], cfg[1], cfg[2], cfg[3]],
        turn: 0,
        eagain: cfg[5] & 1 != 0,
        output: Vec::new(),
    };
    let mut ws = Websocket::new();
    let errnos = Numbering::MicroPythonInternal;
    let eagain = IoError::Errno(errnos.value(MprsErrno::Eagain));
    let mut buf = vec![0u8; size];
    let mut total = 0;
    for _ in 0..100_000 {
        match ws.read(&mut sock, &errnos, &mut buf) {
            Ok(0) => {
                // End of file stays so; a peer gone mid-frame is said once, after its bytes.
                let reset = IoError::Errno(errnos.value(MprsErrno::Econnreset));
                match ws.read(&mut sock, &errnos, &mut buf) {
                    Ok(0) => {}
                    Err(e) if e == reset => {}
                    other => panic!("after EOF: {other:?}"),
                }
                assert_eq!(ws.read(&mut sock, &errnos, &mut buf), Ok(0));
                break;
            }
            Ok(n) => {
                assert!(n <= size);
                total += n;
            }
            Err(e) if e == eagain => {}
            Err(_) => break,
        }
    }
    assert!(total <= input.len());
    check_frames(&sock.output);
});
