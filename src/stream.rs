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

/// Which way bytes move: into the caller's buffer (`Read`) or out of it (`Write`).
///
/// cbindgen:prefix-with-name
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Read,
    Write,
}

/// A raw stream: `mp_stream_p_t`'s read and write. `Ok(n)` is the count the stream
/// reports, which a misbehaving stream may make larger than the buffer; the algorithms
/// here check it, so implementations pass it on unchanged.
pub trait RawStream {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError>;
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError>;
}

/// `mp_stream_rw` as a machine: the first underlying call is for all `left` bytes
/// (`start`), each call is made on the caller's buffer from offset `done`; `step` takes
/// what that call returned and gives the next length, 0 once finished. Then `done` is the
/// bytes moved and `error` 0 or the errno that stopped it (`*errcode`).
///
/// A C driver begins one as `{ .left = size, .once = ... }` (`new`'s fields, the rest
/// zero): a call into Rust for three stores would cost more than the stores.
///
/// An underlying 0 ends it (EOF for read); an error ends it with the bytes done so far,
/// except that a non-blocking error after some progress ends it as success. A count
/// larger than what was asked is EIO.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RwState {
    /// Bytes still to move.
    pub left: usize,
    /// Bytes moved so far: the next call starts at this offset.
    pub done: usize,
    /// 0, or the errno that ended it.
    pub error: i32,
    /// One underlying call only (`MP_STREAM_RW_ONCE`).
    pub once: bool,
}

impl RwState {
    #[inline]
    pub fn new(len: usize, once: bool) -> Self {
        RwState {
            left: len,
            done: 0,
            error: 0,
            once,
        }
    }

    /// The length of the first call (0: none to make).
    #[inline]
    pub fn start(&self) -> usize {
        self.left
    }

    /// Takes the last call's outcome; returns the length of the next call, 0 when finished.
    // Always inlined: it runs once per underlying call, and the FFI step is its only caller
    // in a firmware. The usual outcome, progress within what was asked, stays here; the
    // rest is out of line, so the common path saves no registers and calls nothing.
    #[inline(always)]
    pub fn step<E: Errnos + ?Sized>(&mut self, errnos: &E, outcome: Result<usize, i32>) -> usize {
        let left = self.left;
        match outcome {
            // 1..=left, in one comparison.
            Ok(n) if n.wrapping_sub(1) < left => {
                self.done += n;
                self.left = left - n;
                if self.once {
                    0
                } else {
                    left - n
                }
            }
            Ok(0) => 0,
            other => self.stop(errnos, other),
        }
    }

    /// The outcomes that end it with a verdict: more than asked (EIO) or an error.
    #[cold]
    #[inline(never)]
    fn stop<E: Errnos + ?Sized>(&mut self, errnos: &E, outcome: Result<usize, i32>) -> usize {
        match outcome {
            Ok(_) => self.error = errnos.value(MprsErrno::Eio),
            Err(code) => {
                if self.done == 0 || !errnos.is_nonblocking(code) {
                    self.error = errno_or_eio(errnos, code);
                }
            }
        }
        0
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
/// cbindgen:ignore
pub const READ_DATA: i32 = 0;
/// `Reader::status` when a non-blocking stream had nothing.
/// cbindgen:ignore
pub const READ_NONE: i32 = -1;

/// Size of each step of `read()` to EOF, as py/stream.c's DEFAULT_BUFFER_SIZE.
/// cbindgen:ignore
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

/// A reader as a machine. `begin` gets the buffer's length, and each `step` the buffer as it
/// is and what the last window's reads returned. Each returns true for another window:
/// size the buffer to `want` bytes, then read into `at..at + len`. It returns false when
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
    /// The buffer's length when the reader began.
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

    /// Begins on a buffer holding `filled` bytes, which the reader keeps: the first window.
    pub fn begin(&mut self, filled: usize) -> bool {
        self.start = filled;
        self.want = filled;
        self.counted = filled;
        if self.kind == MprsReaderKind::Text {
            return self.begin_round(self.left);
        }
        self.next_chunk()
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
        let status = self.nonblocking_status(errnos, errno_or_eio(errnos, code), filled);
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
    #[inline(always)]
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

/// A stream that reports an error with no errno is misbehaving: that is EIO, not success.
fn errno_or_eio<E: Errnos + ?Sized>(errnos: &E, code: i32) -> i32 {
    if code == 0 {
        errnos.value(MprsErrno::Eio)
    } else {
        code
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
mod tests;
