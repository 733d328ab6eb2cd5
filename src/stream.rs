//! Streams: the algorithms of py/stream.c as machines their caller drives.
//!
//! `RwState` is `mp_stream_rw`: exact reads and writes repeat the underlying call until
//! the amount is done (short only at EOF or on error), `once` makes a single call. `Reader`
//! is the readers that build Python objects (`readline`, `read()` to EOF, `read(n)` on
//! text) over a growable buffer the glue owns.
//!
//! Each machine decides and its driver moves bytes: the driver asks for the next
//! underlying call, makes it, and hands back what it returned. The glue drives them from
//! C, so a stream method that raises, or an allocation that does, unwinds through C frames
//! only, as in py/stream.c, with no `nlr_push` per call; `rw` drives `RwState` over a
//! [`RawStream`] for callers in Rust.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

use crate::errno::{Errnos, MprsErrno};

/// Why an underlying call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoError {
    /// The stream reported this errno.
    Errno(i32),
    /// The VM raised an exception during the call; the glue holds it and re-raises it.
    Raised,
}

/// A raw stream: `mp_stream_p_t`'s read and write. `Ok(n)` is the count the stream
/// reports, which a misbehaving stream may make larger than the buffer; the algorithms
/// here check it, so implementations pass it on unchanged.
pub trait RawStream {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError>;
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError>;
}

/// `mp_stream_rw` as a machine: `start` gives the length of the first underlying call,
/// made on the caller's buffer from offset `done`; `step` takes what that call returned
/// and gives the next length, 0 once finished. Then `done` is the bytes moved and `error`
/// 0 or the errno that stopped it (`*errcode`).
///
/// An underlying 0 ends it (EOF for read); an error ends it with the bytes done so far,
/// except that a non-blocking error after some progress ends it as success. A count
/// larger than what was asked is EIO.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RwState {
    /// Bytes asked for.
    pub len: usize,
    /// Bytes moved so far: the next call starts at this offset.
    pub done: usize,
    /// 0, or the errno that ended it.
    pub error: i32,
    once: bool,
}

impl RwState {
    #[inline]
    pub fn new(len: usize, once: bool) -> Self {
        RwState {
            len,
            done: 0,
            error: 0,
            once,
        }
    }

    /// The length of the first call (0: none to make).
    #[inline]
    pub fn start(&self) -> usize {
        self.len
    }

    /// Takes the last call's outcome; returns the length of the next call, 0 when finished.
    // Always inlined: it runs once per underlying call, and the FFI step is its only caller
    // in a firmware.
    #[inline(always)]
    pub fn step<E: Errnos + ?Sized>(&mut self, errnos: &E, outcome: Result<usize, i32>) -> usize {
        let remaining = self.len.saturating_sub(self.done);
        match outcome {
            Ok(0) => return 0,
            Ok(n) if n > remaining => {
                self.error = errnos.value(MprsErrno::Eio);
                return 0;
            }
            Ok(n) => {
                self.done += n;
                if self.once {
                    return 0;
                }
            }
            Err(code) => {
                if self.done == 0 || !errnos.is_nonblocking(code) {
                    self.error = code;
                }
                return 0;
            }
        }
        self.len - self.done
    }
}

/// The outcome of `rw`: bytes done, and the error that stopped it (`None` is
/// `*errcode == 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rw {
    pub done: usize,
    pub error: Option<IoError>,
}

/// The direction's buffer.
pub enum RwBuf<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
}

/// Drives `RwState` over a `RawStream`. An exception stops it at once, with the progress.
pub fn rw<S, E>(stream: &mut S, errnos: &E, mut buf: RwBuf<'_>, once: bool) -> Rw
where
    S: RawStream + ?Sized,
    E: Errnos + ?Sized,
{
    let len = match &buf {
        RwBuf::Read(b) => b.len(),
        RwBuf::Write(b) => b.len(),
    };
    let mut state = RwState::new(len, once);
    let mut next = state.start();
    while next != 0 {
        let at = state.done;
        // One call site for both directions keeps one copy of the loop in flash.
        let outcome = match &mut buf {
            RwBuf::Read(b) => b.get_mut(at..).map_or(Ok(0), |rest| stream.read(rest)),
            RwBuf::Write(b) => b.get(at..).map_or(Ok(0), |rest| stream.write(rest)),
        };
        let outcome = match outcome {
            Ok(n) => Ok(n),
            Err(IoError::Errno(code)) => Err(code),
            Err(IoError::Raised) => {
                return Rw {
                    done: state.done,
                    error: Some(IoError::Raised),
                }
            }
        };
        next = state.step(errnos, outcome);
    }
    Rw {
        done: state.done,
        error: (state.error != 0).then_some(IoError::Errno(state.error)),
    }
}

/// How a reader that fills a buffer ended without error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadEnd {
    /// The buffer holds the result (possibly empty, at EOF).
    Data,
    /// A non-blocking stream had nothing: Python sees `None`.
    WouldBlockEmpty,
}

/// `Reader::status` when the buffer holds the result.
pub const READ_DATA: i32 = 0;
/// `Reader::status` when a non-blocking stream had nothing.
pub const READ_NONE: i32 = -1;

/// Size of each step of `read()` to EOF, as py/stream.c's DEFAULT_BUFFER_SIZE.
pub const READ_ALL_CHUNK: usize = 256;

/// How much `readline` grows its buffer at a time.
const READ_LINE_STEP: usize = 16;

/// Which reader a `Reader` is.
///
/// cbindgen:prefix-with-name
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MprsReaderKind {
    /// `readline([max])`: one byte per call (unbuffered, so never past the line) until a
    /// newline, which is kept, EOF, or `max` bytes.
    Line,
    /// `read()`: to EOF in `READ_ALL_CHUNK` steps.
    All,
    /// `read(n)` on text: until the buffer holds `n` whole UTF-8 characters, never reading
    /// past them, or EOF.
    Text,
}

/// A reader as a machine. Each `step` gets the buffer as it is and what the last window's
/// reads returned (ignored on the first step). It returns true for another window: size
/// the buffer to `want` bytes, then read into `at..at + len`. It returns false when
/// finished: size the buffer to `want`, and `status` is `READ_DATA`, `READ_NONE` or the
/// errno to raise.
///
/// A window is read with one call, or, where `stop` is a byte (readline's newline), with
/// one call per byte that ends after the call that brings `stop`, after the window's last
/// byte, or at the first call that does not return 1. The driver then reports the bytes
/// those calls moved and what the last call returned; for a one-call window, moved is 0.
/// The per-byte calls are the driver's so that a line costs no call into Rust per byte.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Reader {
    pub want: usize,
    pub at: usize,
    pub len: usize,
    /// The byte a per-byte window stops after, or -1 for one call per window.
    pub stop: i32,
    pub status: i32,
    kind: MprsReaderKind,
    started: bool,
    /// The buffer's length when the reader started.
    start: usize,
    /// Line: bytes still allowed. Text: characters still wanted.
    left: usize,
    /// Bytes grown at the tail and not yet filled (text: this round's).
    free: usize,
    /// Text: bytes already counted into characters.
    counted: usize,
    /// Text: this round's exact read.
    round: RwState,
}

impl Reader {
    /// `limit`: the line's byte limit or the text's characters (`None`: no limit); `All`
    /// ignores it.
    pub fn new(kind: MprsReaderKind, limit: Option<usize>) -> Self {
        let limit = if kind == MprsReaderKind::All {
            None
        } else {
            limit
        };
        Reader {
            want: 0,
            at: 0,
            len: 0,
            stop: if kind == MprsReaderKind::Line {
                i32::from(b'\n')
            } else {
                -1
            },
            status: READ_DATA,
            kind,
            started: false,
            start: 0,
            left: limit.unwrap_or(usize::MAX),
            free: 0,
            counted: 0,
            round: RwState::new(0, false),
        }
    }

    /// The status as a result, once finished.
    pub fn end(&self) -> Result<ReadEnd, i32> {
        match self.status {
            READ_DATA => Ok(ReadEnd::Data),
            READ_NONE => Ok(ReadEnd::WouldBlockEmpty),
            code => Err(code),
        }
    }

    /// `moved`: the bytes a per-byte window's calls moved before `last`, the outcome of
    /// the window's last call.
    pub fn step<E: Errnos + ?Sized>(
        &mut self,
        errnos: &E,
        bytes: &[u8],
        moved: usize,
        last: Result<usize, i32>,
    ) -> bool {
        if !self.started {
            self.started = true;
            self.start = bytes.len();
            self.want = self.start;
            self.counted = self.start;
            if self.kind == MprsReaderKind::Text {
                return self.begin_round(self.left);
            }
            return self.next_chunk();
        }
        if self.kind == MprsReaderKind::Text {
            return self.text_step(errnos, bytes, last);
        }
        if self.kind == MprsReaderKind::Line {
            // Each of those calls returned 1; `last` is the last of them or the one that
            // ended the window otherwise.
            let moved = moved.min(self.free);
            self.free -= moved;
            self.left = self.left.saturating_sub(moved);
            let end = self.at.saturating_add(moved);
            if moved > 0 && bytes.get(end - 1) == Some(&b'\n') {
                return self.finish(READ_DATA);
            }
            return match last {
                Ok(1) => self.next_chunk(),
                Ok(0) => self.finish(READ_DATA),
                Ok(_) => self.finish(errnos.value(MprsErrno::Eio)),
                Err(code) => self.error(errnos, code),
            };
        }
        match last {
            Ok(0) => self.finish(READ_DATA),
            Ok(n) if n > self.len => self.finish(errnos.value(MprsErrno::Eio)),
            Ok(n) => {
                self.free -= n;
                self.next_chunk()
            }
            Err(code) => self.error(errnos, code),
        }
    }

    /// Line and all: ends on the error `code` (see `nonblocking_status`).
    fn error<E: Errnos + ?Sized>(&mut self, errnos: &E, code: i32) -> bool {
        let filled = self.want.saturating_sub(self.free);
        let status = self.nonblocking_status(errnos, code, filled);
        self.finish(status)
    }

    /// Line and all: the next window, the buffer's free tail, grown when used up.
    fn next_chunk(&mut self) -> bool {
        if self.left == 0 {
            return self.finish(READ_DATA);
        }
        if self.free == 0 {
            let step = if self.kind == MprsReaderKind::Line {
                READ_LINE_STEP.min(self.left)
            } else {
                READ_ALL_CHUNK
            };
            self.want = self.want.saturating_add(step);
            self.free = step;
        }
        self.at = self.want.saturating_sub(self.free);
        self.len = self.free.min(self.left);
        true
    }

    /// Text: a round that reads `more` bytes exactly, or finishes when none are wanted.
    fn begin_round(&mut self, more: usize) -> bool {
        if more == 0 {
            return self.finish(READ_DATA);
        }
        self.free = more;
        self.at = self.want;
        self.want = self.want.saturating_add(more);
        self.round = RwState::new(more, false);
        self.len = self.round.start();
        true
    }

    fn text_step<E: Errnos + ?Sized>(
        &mut self,
        errnos: &E,
        bytes: &[u8],
        last: Result<usize, i32>,
    ) -> bool {
        let next = self.round.step(errnos, last);
        let base = self.want.saturating_sub(self.free);
        if next != 0 {
            self.at = base.saturating_add(self.round.done);
            self.len = next;
            return true;
        }
        if self.round.error != 0 {
            let status = self.nonblocking_status(errnos, self.round.error, base);
            return self.finish(status);
        }
        let got = self.round.done;
        self.want = base.saturating_add(got);
        self.free = 0;
        if got == 0 {
            return self.finish(READ_DATA);
        }
        // Count the characters completed by what was just read.
        let bytes = bytes.get(..self.want).unwrap_or(bytes);
        let mut more = 0;
        while let Some(&lead) = bytes.get(self.counted) {
            let end = self.counted.saturating_add(utf8_width(lead));
            if end <= bytes.len() {
                self.counted = end;
                self.left = self.left.saturating_sub(1);
                more = self.left;
            } else {
                // A partial character: its missing bytes, plus one byte per character still wanted.
                more = (end - bytes.len()).saturating_add(self.left.saturating_sub(1));
                break;
            }
        }
        self.begin_round(more)
    }

    /// After an error `code` with the buffer holding `filled` bytes: a non-blocking error
    /// returns what was read, or `READ_NONE` if nothing was; others are raised.
    fn nonblocking_status<E: Errnos + ?Sized>(&self, errnos: &E, code: i32, filled: usize) -> i32 {
        if !errnos.is_nonblocking(code) {
            code
        } else if filled == self.start {
            READ_NONE
        } else {
            READ_DATA
        }
    }

    /// Finishes with `status`, dropping the grown tail nothing was read into.
    fn finish(&mut self, status: i32) -> bool {
        self.want = self.want.saturating_sub(self.free);
        self.free = 0;
        self.len = 0;
        self.status = status;
        false
    }
}

/// Bytes in the UTF-8 sequence a byte leads, as py/stream.c counts them (5 for a byte that
/// leads no valid sequence).
fn utf8_width(lead: u8) -> usize {
    match lead {
        b if b & 0x80 == 0 => 1,
        b if b & 0xe0 == 0xc0 => 2,
        b if b & 0xf0 == 0xe0 => 3,
        b if b & 0xf8 == 0xf0 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Numbering;
    use proptest::prelude::*;
    use std::collections::VecDeque;
    use std::vec::Vec;

    /// What one underlying call does; with no step queued the stream moves up to `chunk`.
    #[derive(Clone, Copy, Debug)]
    enum Step {
        Move(usize),
        Errno(MprsErrno),
        Code(i32),
        Raise,
        Overlong(usize),
        Zero,
    }

    struct Fake {
        numbering: Numbering,
        data: Vec<u8>,
        pos: usize,
        chunk: usize,
        script: VecDeque<Step>,
        written: Vec<u8>,
        calls: usize,
    }

    impl Fake {
        fn new(data: &[u8], chunk: usize) -> Self {
            Fake {
                numbering: Numbering::MicroPythonInternal,
                data: data.to_vec(),
                pos: 0,
                chunk,
                script: VecDeque::new(),
                written: Vec::new(),
                calls: 0,
            }
        }
        fn with(mut self, steps: &[Step]) -> Self {
            self.script.extend(steps.iter().copied());
            self
        }
        fn numbering(mut self, numbering: Numbering) -> Self {
            self.numbering = numbering;
            self
        }
        fn next(&mut self, asked: usize) -> Result<usize, IoError> {
            self.calls += 1;
            let limit = match self.script.pop_front() {
                None => self.chunk,
                Some(Step::Move(n)) => n,
                Some(Step::Errno(e)) => return Err(IoError::Errno(self.numbering.value(e))),
                Some(Step::Code(code)) => return Err(IoError::Errno(code)),
                Some(Step::Raise) => return Err(IoError::Raised),
                Some(Step::Overlong(extra)) => return Ok(asked + extra),
                Some(Step::Zero) => return Ok(0),
            };
            Ok(asked.min(limit))
        }
    }

    impl RawStream for Fake {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
            let n = self.next(buf.len())?;
            if n > buf.len() {
                return Ok(n); // over-long: claims more, writes nothing past the buffer
            }
            let n = n.min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
        fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
            let n = self.next(buf.len())?;
            if n <= buf.len() {
                self.written.extend_from_slice(&buf[..n]);
            }
            Ok(n)
        }
    }

    /// A Vec standing for the glue's vstr, with an optional size limit that stands for
    /// MemoryError.
    struct VecBuf {
        bytes: Vec<u8>,
        limit: usize,
    }

    impl VecBuf {
        fn new() -> Self {
            // A request beyond this is a MemoryError, as an impossible vstr_add_len is.
            VecBuf {
                bytes: Vec::new(),
                limit: 1 << 24,
            }
        }

        /// The glue's sizing of the vstr: grow (which can raise) or cut.
        fn resize(&mut self, want: usize) -> Result<(), IoError> {
            if want > self.limit {
                return Err(IoError::Raised);
            }
            self.bytes.resize(want, 0xa5);
            Ok(())
        }
    }

    /// Drives a reader as c-glue/stream.c does, over a fake stream. An exception from the
    /// stream or the growth ends it at once, as the VM's would.
    fn drive(s: &mut Fake, buf: &mut VecBuf, mut reader: Reader) -> Result<ReadEnd, IoError> {
        let numbering = s.numbering;
        let (mut moved, mut last) = (0, Ok(0));
        while reader.step(&numbering, &buf.bytes, moved, last) {
            buf.resize(reader.want)?;
            // Indexing panics if the machine ever asks for a window outside the buffer.
            let window = &mut buf.bytes[reader.at..reader.at + reader.len];
            moved = 0;
            let call = |s: &mut Fake, into: &mut [u8]| match s.read(into) {
                Ok(n) => Ok(Ok(n)),
                Err(IoError::Errno(code)) => Ok(Err(code)),
                Err(IoError::Raised) => Err(IoError::Raised),
            };
            if reader.stop < 0 {
                last = call(s, window)?;
            } else {
                loop {
                    last = call(s, &mut window[moved..moved + 1])?;
                    if last != Ok(1) {
                        break;
                    }
                    moved += 1;
                    if i32::from(window[moved - 1]) == reader.stop || moved == window.len() {
                        break;
                    }
                }
            }
        }
        assert!(
            reader.want <= buf.bytes.len(),
            "a finished reader only cuts"
        );
        buf.resize(reader.want)?;
        reader.end().map_err(IoError::Errno)
    }

    fn read_text(s: &mut Fake, buf: &mut VecBuf, chars: usize) -> Result<ReadEnd, IoError> {
        drive(s, buf, Reader::new(MprsReaderKind::Text, Some(chars)))
    }

    fn read_all(s: &mut Fake, buf: &mut VecBuf) -> Result<ReadEnd, IoError> {
        // The glue passes 0: read() to EOF has no limit.
        drive(s, buf, Reader::new(MprsReaderKind::All, Some(0)))
    }

    fn read_line(s: &mut Fake, buf: &mut VecBuf, max: Option<usize>) -> Result<ReadEnd, IoError> {
        drive(s, buf, Reader::new(MprsReaderKind::Line, max))
    }

    const BOTH: [Numbering; 2] = [Numbering::MicroPythonInternal, Numbering::Darwin];

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    fn read_exact(s: &mut Fake, len: usize) -> (Rw, Vec<u8>) {
        let mut buf = vec![0u8; len];
        let numbering = s.numbering;
        let rw = rw(s, &numbering, RwBuf::Read(&mut buf), false);
        (rw, buf)
    }

    #[test]
    fn exact_read_every_chunk_size_returns_everything_asked() {
        let src = data(64);
        for chunk in 1..=64 {
            let mut s = Fake::new(&src, chunk);
            let (out, buf) = read_exact(&mut s, 64);
            assert_eq!(
                out,
                Rw {
                    done: 64,
                    error: None
                },
                "chunk {chunk}"
            );
            assert_eq!(buf, src);
            assert_eq!(
                s.calls,
                64usize.div_ceil(chunk),
                "chunk {chunk}: one call per chunk"
            );
        }
    }

    #[test]
    fn exact_read_is_short_only_at_eof_at_every_position() {
        for eof in 0..=40 {
            for chunk in [1, 3, 40] {
                let src = data(eof);
                let mut s = Fake::new(&src, chunk);
                let (out, buf) = read_exact(&mut s, 40);
                assert_eq!(
                    out,
                    Rw {
                        done: eof,
                        error: None
                    },
                    "eof {eof} chunk {chunk}"
                );
                assert_eq!(&buf[..eof], &src[..]);
            }
        }
    }

    #[test]
    fn once_makes_a_single_call() {
        let src = data(100);
        let mut s = Fake::new(&src, 7);
        let mut buf = [0u8; 50];
        let out = rw(
            &mut s,
            &Numbering::MicroPythonInternal,
            RwBuf::Read(&mut buf),
            true,
        );
        assert_eq!(
            out,
            Rw {
                done: 7,
                error: None
            }
        );
        assert_eq!(s.calls, 1);
        assert_eq!(&buf[..7], &src[..7]);

        let mut s = Fake::new(&[], 7);
        let out = rw(
            &mut s,
            &Numbering::MicroPythonInternal,
            RwBuf::Write(&src),
            true,
        );
        assert_eq!(
            out,
            Rw {
                done: 7,
                error: None
            }
        );
        assert_eq!((s.calls, &s.written[..]), (1, &src[..7]));
    }

    #[test]
    fn eagain_before_progress_is_reported_and_after_progress_is_success() {
        for n in BOTH {
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Errno(MprsErrno::Eagain)]);
            let (out, _) = read_exact(&mut s, 10);
            assert_eq!(
                out,
                Rw {
                    done: 0,
                    error: Some(IoError::Errno(n.value(MprsErrno::Eagain)))
                }
            );

            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Move(3), Step::Errno(MprsErrno::Ewouldblock)]);
            let (out, buf) = read_exact(&mut s, 10);
            assert_eq!(
                out,
                Rw {
                    done: 3,
                    error: None
                },
                "{n:?}: progress is kept, not leaked"
            );
            assert_eq!(&buf[..3], &data(10)[..3]);
        }
    }

    #[test]
    fn the_ports_numbering_decides_what_is_non_blocking() {
        // Linux's EAGAIN (11) is a hard error on a port whose EAGAIN is 35.
        let mut s = Fake::new(&data(10), 4)
            .numbering(Numbering::Darwin)
            .with(&[Step::Move(2), Step::Code(11)]);
        let (out, _) = read_exact(&mut s, 10);
        assert_eq!(
            out,
            Rw {
                done: 2,
                error: Some(IoError::Errno(11))
            }
        );
    }

    #[test]
    fn hard_errors_and_exceptions_return_progress_with_the_error() {
        for n in BOTH {
            let eio = n.value(MprsErrno::Eio);
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Move(3), Step::Errno(MprsErrno::Eio)]);
            assert_eq!(
                read_exact(&mut s, 10).0,
                Rw {
                    done: 3,
                    error: Some(IoError::Errno(eio))
                }
            );

            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Move(3), Step::Raise]);
            assert_eq!(
                read_exact(&mut s, 10).0,
                Rw {
                    done: 3,
                    error: Some(IoError::Raised)
                }
            );
            assert_eq!(s.calls, 2, "nothing is called after an exception");
        }
    }

    #[test]
    fn a_write_that_returns_zero_ends_the_loop() {
        let src = data(20);
        let mut s = Fake::new(&[], 5).with(&[Step::Move(5), Step::Zero]);
        let out = rw(
            &mut s,
            &Numbering::MicroPythonInternal,
            RwBuf::Write(&src),
            false,
        );
        assert_eq!(
            out,
            Rw {
                done: 5,
                error: None
            }
        );
        assert_eq!(s.calls, 2);
    }

    #[test]
    fn exact_write_every_chunk_size_writes_everything_in_order() {
        let src = data(33);
        for chunk in 1..=33 {
            let mut s = Fake::new(&[], chunk);
            let out = rw(
                &mut s,
                &Numbering::MicroPythonInternal,
                RwBuf::Write(&src),
                false,
            );
            assert_eq!(
                out,
                Rw {
                    done: 33,
                    error: None
                }
            );
            assert_eq!(s.written, src);
        }
    }

    #[test]
    fn an_over_long_count_is_eio_never_an_overrun() {
        for n in BOTH {
            let eio = Some(IoError::Errno(n.value(MprsErrno::Eio)));
            for once in [false, true] {
                let mut s = Fake::new(&data(10), 4)
                    .numbering(n)
                    .with(&[Step::Overlong(1)]);
                let mut buf = [0u8; 8];
                assert_eq!(
                    rw(&mut s, &n, RwBuf::Read(&mut buf), once),
                    Rw {
                        done: 0,
                        error: eio
                    }
                );
            }
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Move(2), Step::Overlong(usize::MAX - 8)]);
            assert_eq!(
                read_exact(&mut s, 8).0,
                Rw {
                    done: 2,
                    error: eio
                },
                "no unsigned wrap"
            );
            let mut s = Fake::new(&[], 4).numbering(n).with(&[Step::Overlong(3)]);
            assert_eq!(
                rw(&mut s, &n, RwBuf::Write(&data(8)), false),
                Rw {
                    done: 0,
                    error: eio
                }
            );
        }
    }

    #[test]
    fn an_empty_request_makes_no_call() {
        let mut s = Fake::new(&data(4), 4);
        assert_eq!(
            read_exact(&mut s, 0).0,
            Rw {
                done: 0,
                error: None
            }
        );
        assert_eq!(s.calls, 0);
    }

    fn text(s: &mut Fake, chars: usize) -> (Result<ReadEnd, IoError>, Vec<u8>) {
        let mut buf = VecBuf::new();
        let r = read_text(s, &mut buf, chars);
        (r, buf.bytes)
    }

    #[test]
    fn text_read_counts_characters_and_never_reads_past_them() {
        let src = "aé€😀b".as_bytes();
        for chunk in 1..=src.len() {
            for chars in 0..=6 {
                let expect: std::string::String = "aé€😀b".chars().take(chars).collect();
                let mut s = Fake::new(src, chunk);
                let (r, out) = text(&mut s, chars);
                assert_eq!(r, Ok(ReadEnd::Data));
                assert_eq!(out, expect.as_bytes(), "chunk {chunk} chars {chars}");
                assert_eq!(s.pos, expect.len(), "no over-read");
            }
        }
    }

    #[test]
    fn text_read_stops_at_eof_mid_character() {
        let src = &"a€".as_bytes()[..3]; // 'a' and 2 of the 3 bytes of '€'
        let mut s = Fake::new(src, 1);
        let (r, out) = text(&mut s, 5);
        assert_eq!((r, &out[..]), (Ok(ReadEnd::Data), src));
    }

    #[test]
    fn text_read_non_blocking() {
        for n in BOTH {
            let mut s = Fake::new(b"abc", 4)
                .numbering(n)
                .with(&[Step::Errno(MprsErrno::Eagain)]);
            assert_eq!(text(&mut s, 2), (Ok(ReadEnd::WouldBlockEmpty), vec![]));
            // One whole char, then nothing more for now: what was read is returned.
            let mut s = Fake::new("é€".as_bytes(), 2)
                .numbering(n)
                .with(&[Step::Move(2), Step::Errno(MprsErrno::Eagain)]);
            assert_eq!(
                text(&mut s, 2),
                (Ok(ReadEnd::Data), "é".as_bytes().to_vec())
            );
        }
    }

    #[test]
    fn text_read_reports_errors_and_memory_errors() {
        let mut s = Fake::new(b"abc", 4).with(&[Step::Errno(MprsErrno::Eio)]);
        assert_eq!(text(&mut s, 2).0, Err(IoError::Errno(5)));
        let mut s = Fake::new(b"abc", 4);
        let mut buf = VecBuf {
            bytes: Vec::new(),
            limit: 1,
        };
        assert_eq!(read_text(&mut s, &mut buf, 2), Err(IoError::Raised));
        assert_eq!(s.calls, 0, "no read into memory that could not be had");
    }

    fn all(s: &mut Fake) -> (Result<ReadEnd, IoError>, Vec<u8>) {
        let mut buf = VecBuf::new();
        let r = read_all(s, &mut buf);
        (r, buf.bytes)
    }

    #[test]
    fn read_all_reads_to_eof_across_growth() {
        for len in [0, 1, 255, 256, 257, 1000] {
            for chunk in [1, 100, 256, 4096] {
                let src = data(len);
                let mut s = Fake::new(&src, chunk);
                assert_eq!(
                    all(&mut s),
                    (Ok(ReadEnd::Data), src.clone()),
                    "len {len} chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn read_all_non_blocking_and_errors() {
        for n in BOTH {
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Errno(MprsErrno::Eagain)]);
            assert_eq!(all(&mut s), (Ok(ReadEnd::WouldBlockEmpty), vec![]));
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Move(4), Step::Errno(MprsErrno::Eagain)]);
            assert_eq!(all(&mut s), (Ok(ReadEnd::Data), data(4)));
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Move(4), Step::Raise]);
            assert_eq!(all(&mut s).0, Err(IoError::Raised));
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Overlong(1)]);
            assert_eq!(all(&mut s).0, Err(IoError::Errno(n.value(MprsErrno::Eio))));
        }
    }

    fn line(s: &mut Fake, max: Option<usize>) -> (Result<ReadEnd, IoError>, Vec<u8>) {
        let mut buf = VecBuf::new();
        let r = read_line(s, &mut buf, max);
        (r, buf.bytes)
    }

    #[test]
    fn readline_reads_one_line_with_its_newline() {
        let mut s = Fake::new(b"ab\ncd\nef", 4);
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"ab\n".to_vec()));
        assert_eq!(s.pos, 3, "unbuffered: nothing past the newline is read");
        assert_eq!(line(&mut s, Some(1)), (Ok(ReadEnd::Data), b"c".to_vec()));
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"d\n".to_vec()));
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"ef".to_vec()));
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"".to_vec()));
        assert_eq!(line(&mut s, Some(0)), (Ok(ReadEnd::Data), b"".to_vec()));
    }

    #[test]
    fn readline_across_growth_steps_keeps_every_byte() {
        let mut text = data(50);
        text.iter_mut().for_each(|b| *b |= 0x80); // no newline inside
        text.push(b'\n');
        text.extend_from_slice(b"next");
        let mut s = Fake::new(&text, 3);
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), text[..51].to_vec()));
        assert_eq!(
            line(&mut s, Some(33)),
            (Ok(ReadEnd::Data), b"next".to_vec())
        );
        let mut s = Fake::new(&text, 3);
        assert_eq!(
            line(&mut s, Some(33)),
            (Ok(ReadEnd::Data), text[..33].to_vec())
        );
        assert_eq!(s.pos, 33);
    }

    #[test]
    fn readline_non_blocking_and_errors() {
        for n in BOTH {
            let mut s = Fake::new(b"abc\n", 1)
                .numbering(n)
                .with(&[Step::Errno(MprsErrno::Eagain)]);
            assert_eq!(line(&mut s, None), (Ok(ReadEnd::WouldBlockEmpty), vec![]));
            let mut s = Fake::new(b"abc\n", 1)
                .numbering(n)
                .with(&[Step::Move(1), Step::Errno(MprsErrno::Eagain)]);
            assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"a".to_vec()));
            let mut s = Fake::new(b"abc\n", 1)
                .numbering(n)
                .with(&[Step::Move(1), Step::Overlong(1)]);
            assert_eq!(
                line(&mut s, None).0,
                Err(IoError::Errno(n.value(MprsErrno::Eio)))
            );
            let mut s = Fake::new(b"abc\n", 1).numbering(n).with(&[Step::Raise]);
            assert_eq!(line(&mut s, None).0, Err(IoError::Raised));
        }
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0usize..20).prop_map(Step::Move),
            1 => Just(Step::Errno(MprsErrno::Eagain)),
            1 => Just(Step::Errno(MprsErrno::Eio)),
            1 => Just(Step::Raise),
            1 => (1usize..5).prop_map(Step::Overlong),
            1 => Just(Step::Zero),
        ]
    }

    proptest! {
        /// Whatever the stream does, rw reports exactly the bytes it moved, in order, never
        /// more than asked, and stops short only for EOF, an error or progress before EAGAIN.
        #[test]
        fn rw_reports_what_moved(
            len in 0usize..64,
            avail in 0usize..80,
            chunk in 1usize..70,
            steps in proptest::collection::vec(step(), 0..8),
            once in any::<bool>(),
            darwin in any::<bool>(),
        ) {
            let numbering = if darwin { Numbering::Darwin } else { Numbering::MicroPythonInternal };
            let src = data(avail);
            let mut s = Fake::new(&src, chunk).numbering(numbering).with(&steps);
            let mut buf = vec![0u8; len];
            let out = rw(&mut s, &numbering, RwBuf::Read(&mut buf), once);
            prop_assert!(out.done <= len);
            prop_assert_eq!(out.done, s.pos, "done is exactly what the stream moved");
            prop_assert_eq!(&buf[..out.done], &src[..out.done]);
            if out.error.is_none() && out.done < len && !once {
                // Short without error: EOF, a zero return, or EAGAIN after progress.
                prop_assert!(s.pos == avail || s.calls > 0);
            }
            if once {
                prop_assert!(s.calls <= 1);
            }
        }

        /// Whatever the stream does, a reader keeps exactly the bytes it read, in order, asks
        /// only for windows inside the buffer (`drive` indexes them), and readline stops at
        /// its newline and its limit.
        #[test]
        fn readers_keep_exactly_what_they_read(
            kind in 0u8..3,
            src in proptest::collection::vec(any::<u8>(), 0..600),
            chunk in 1usize..300,
            steps in proptest::collection::vec(step(), 0..8),
            limit in proptest::option::of(0usize..40),
            darwin in any::<bool>(),
        ) {
            let kind = [MprsReaderKind::Line, MprsReaderKind::All, MprsReaderKind::Text][kind as usize];
            let numbering = if darwin { Numbering::Darwin } else { Numbering::MicroPythonInternal };
            let mut s = Fake::new(&src, chunk).numbering(numbering).with(&steps);
            let mut buf = VecBuf::new();
            if drive(&mut s, &mut buf, Reader::new(kind, limit)).is_ok() {
                let got = &buf.bytes[..];
                prop_assert_eq!(got.len(), s.pos, "every byte read is kept");
                prop_assert_eq!(got, &src[..got.len()]);
                if kind == MprsReaderKind::Line {
                    let body = got.split_last().map_or(&[][..], |(_, body)| body);
                    prop_assert!(!body.contains(&b'\n'), "nothing past the newline");
                    prop_assert!(got.len() <= limit.unwrap_or(usize::MAX));
                }
            }
        }

        /// read(n) on text returns exactly the first n characters and reads no byte past them.
        #[test]
        fn text_read_takes_exactly_n_chars(text_in in "\\PC{0,24}", n in 0usize..30, chunk in 1usize..9) {
            let expect: std::string::String = text_in.chars().take(n).collect();
            let mut s = Fake::new(text_in.as_bytes(), chunk);
            let (r, out) = text(&mut s, n);
            prop_assert_eq!(r, Ok(ReadEnd::Data));
            prop_assert_eq!(&out[..], expect.as_bytes());
            prop_assert_eq!(s.pos, expect.len());
        }
    }
}
