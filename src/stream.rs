//! Streams: the algorithms of py/stream.c over a raw stream trait.
//!
//! `rw` is `mp_stream_rw`: exact reads and writes repeat the underlying call until the
//! amount is done (short only at EOF or on error), `once` makes a single call. The
//! readers that build Python objects (`read_text`, `read_all`, `read_line`) fill a
//! growable buffer that the glue owns; the glue turns their outcome into an object, `None`
//! or an exception.

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

/// The outcome of `rw`, as `mp_stream_rw` reports it: bytes done, and the error that
/// stopped it (`None` is `*errcode == 0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rw {
    pub done: usize,
    pub error: Option<IoError>,
}

/// Exact or once, and the direction's buffer.
pub enum RwBuf<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
}

/// `mp_stream_rw`. An underlying 0 ends the loop (EOF for read); an error returns the
/// bytes done so far with the error, except that a non-blocking error after some progress
/// returns the progress as success. A count larger than what was asked is EIO.
pub fn rw<S, E>(stream: &mut S, errnos: &E, mut buf: RwBuf<'_>, once: bool) -> Rw
where
    S: RawStream + ?Sized,
    E: Errnos + ?Sized,
{
    let len = match &buf {
        RwBuf::Read(b) => b.len(),
        RwBuf::Write(b) => b.len(),
    };
    let mut done = 0;
    while done < len {
        let remaining = len - done;
        // One loop for both directions keeps one copy of it in flash.
        let step = match &mut buf {
            RwBuf::Read(b) => b.get_mut(done..).map_or(Ok(0), |rest| stream.read(rest)),
            RwBuf::Write(b) => b.get(done..).map_or(Ok(0), |rest| stream.write(rest)),
        };
        match step {
            Ok(0) => break,
            Ok(n) if n > remaining => {
                let eio = errnos.value(MprsErrno::Eio);
                return Rw {
                    done,
                    error: Some(IoError::Errno(eio)),
                };
            }
            Ok(n) if once => {
                return Rw {
                    done: n,
                    error: None,
                }
            }
            Ok(n) => done += n,
            Err(IoError::Errno(code)) if done != 0 && errnos.is_nonblocking(code) => break,
            Err(error) => {
                return Rw {
                    done,
                    error: Some(error),
                }
            }
        }
    }
    Rw { done, error: None }
}

/// A growable byte buffer (a `vstr_t` in the glue). Growing allocates from the VM, which
/// can raise MemoryError: that is `Err(IoError::Raised)`.
pub trait GrowBuf {
    /// Appends `n` bytes of unspecified value.
    fn grow(&mut self, n: usize) -> Result<(), IoError>;
    /// Drops the last `n` bytes (all of them if fewer).
    fn shrink(&mut self, n: usize);
    fn bytes(&self) -> &[u8];
    fn bytes_mut(&mut self) -> &mut [u8];
}

/// The last `n` bytes of `buf`.
fn tail<B: GrowBuf + ?Sized>(buf: &mut B, n: usize) -> &mut [u8] {
    let bytes = buf.bytes_mut();
    let start = bytes.len().saturating_sub(n);
    bytes.get_mut(start..).unwrap_or_default()
}

/// How a reader that fills a buffer ended without error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadEnd {
    /// The buffer holds the result (possibly empty, at EOF).
    Data,
    /// A non-blocking stream had nothing: Python sees `None`.
    WouldBlockEmpty,
}

/// Size of each step of `read_all`, as py/stream.c's DEFAULT_BUFFER_SIZE.
pub const READ_ALL_CHUNK: usize = 256;

/// `read(n)` on a text stream: reads until the buffer holds `chars` whole UTF-8 characters,
/// never reading past them (no buffering below us), or until EOF.
pub fn read_text<S, E, B>(
    stream: &mut S,
    errnos: &E,
    buf: &mut B,
    chars: usize,
) -> Result<ReadEnd, IoError>
where
    S: RawStream + ?Sized,
    E: Errnos + ?Sized,
    B: GrowBuf + ?Sized,
{
    let mut chars_left = chars;
    let mut more = chars;
    let mut counted = buf.bytes().len();
    while more > 0 {
        buf.grow(more)?;
        let got = rw(stream, errnos, RwBuf::Read(tail(buf, more)), false);
        if let Some(error) = got.error {
            buf.shrink(more);
            return match error {
                IoError::Errno(code) if errnos.is_nonblocking(code) => {
                    Ok(if buf.bytes().is_empty() {
                        ReadEnd::WouldBlockEmpty
                    } else {
                        ReadEnd::Data
                    })
                }
                error => Err(error),
            };
        }
        if got.done < more {
            buf.shrink(more - got.done);
            if got.done == 0 {
                break;
            }
        }
        // Count the characters completed by what was just read.
        let bytes = buf.bytes();
        more = 0;
        while let Some(&lead) = bytes.get(counted) {
            let width = utf8_width(lead);
            let end = counted.saturating_add(width);
            if end <= bytes.len() {
                counted = end;
                chars_left = chars_left.saturating_sub(1);
                more = chars_left;
            } else {
                // A partial character: its missing bytes, plus one byte per character still wanted.
                more = (end - bytes.len()) + chars_left.saturating_sub(1);
                break;
            }
        }
    }
    Ok(ReadEnd::Data)
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

/// `read()` with no size: reads until EOF in `READ_ALL_CHUNK` steps, growing the buffer as
/// it fills. A non-blocking stream returns what it had, or `WouldBlockEmpty` if nothing.
pub fn read_all<S, E, B>(stream: &mut S, errnos: &E, buf: &mut B) -> Result<ReadEnd, IoError>
where
    S: RawStream + ?Sized,
    E: Errnos + ?Sized,
    B: GrowBuf + ?Sized,
{
    let start = buf.bytes().len();
    let mut free = 0;
    let end = loop {
        if free == 0 {
            buf.grow(READ_ALL_CHUNK)?;
            free = READ_ALL_CHUNK;
        }
        match stream.read(tail(buf, free)) {
            Ok(0) => break ReadEnd::Data,
            Ok(n) if n <= free => free -= n,
            Ok(_) => {
                buf.shrink(free);
                return Err(IoError::Errno(errnos.value(MprsErrno::Eio)));
            }
            Err(IoError::Errno(code)) if errnos.is_nonblocking(code) => {
                break if buf.bytes().len() - free == start {
                    ReadEnd::WouldBlockEmpty
                } else {
                    ReadEnd::Data
                };
            }
            Err(error) => {
                buf.shrink(free);
                return Err(error);
            }
        }
    };
    buf.shrink(free);
    Ok(end)
}

/// How much `read_line` grows its buffer at a time: each grow is a protected call into the
/// VM, so not one per byte.
const READ_LINE_STEP: usize = 16;

/// `readline([max])`: reads one byte at a time (unbuffered, so never past the line) until
/// a newline, which is kept, EOF, or `max` bytes.
pub fn read_line<S, E, B>(
    stream: &mut S,
    errnos: &E,
    buf: &mut B,
    max: Option<usize>,
) -> Result<ReadEnd, IoError>
where
    S: RawStream + ?Sized,
    E: Errnos + ?Sized,
    B: GrowBuf + ?Sized,
{
    let start = buf.bytes().len();
    let mut left = max.unwrap_or(usize::MAX);
    // Bytes grown at the tail and not yet filled.
    let mut free = 0;
    let end = loop {
        if left == 0 {
            break Ok(ReadEnd::Data);
        }
        if free == 0 {
            let step = READ_LINE_STEP.min(left);
            buf.grow(step)?;
            free = step;
        }
        let mut byte = [0u8; 1];
        match stream.read(&mut byte) {
            Ok(1) => {
                if let Some(slot) = tail(buf, free).first_mut() {
                    *slot = byte[0];
                }
                free -= 1;
                left -= 1;
                if byte[0] == b'\n' {
                    break Ok(ReadEnd::Data);
                }
            }
            Ok(0) => break Ok(ReadEnd::Data),
            Ok(_) => break Err(IoError::Errno(errnos.value(MprsErrno::Eio))),
            Err(IoError::Errno(code)) if errnos.is_nonblocking(code) => {
                break Ok(if buf.bytes().len() - free == start {
                    ReadEnd::WouldBlockEmpty
                } else {
                    ReadEnd::Data
                });
            }
            Err(error) => break Err(error),
        }
    };
    buf.shrink(free);
    end
}

#[cfg(test)]
mod tests;
