//! WebREPL (extmod/modwebrepl.c): the protocol spoken over a websocket, as a state machine.
//!
//! The machine is fed bytes together with the kind of websocket frame they came in
//! ([`Session::feed`]) and acts through a [`Host`]: text and binary replies, and the file
//! operations of a transfer. It does no I/O of its own, so every split of the input can be
//! tested. Text frames after login are terminal input; binary frames carry file-transfer
//! records: an 82-byte request (`WA`, type, flags, offset u64, size u32, name length u16,
//! name[64], little-endian), answered with `WB` and a u16 status.
//!
//! Beyond the C original: a bad name gets an error status instead of a read past the
//! buffer; file errors get an error status and the session goes on; PUT writes to a
//! temporary name and renames it into place at the last byte, so an aborted transfer never
//! leaves a truncated file where a good one stood; the password check takes the same time
//! whatever is typed.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

use crate::bytes::{copy_into, split, window_mut};
pub use crate::stream::Direction;
use crate::websocket::HEADROOM;

/// Length of a file-transfer request.
pub const HEADER_LEN: usize = 82;
/// Longest file name a request carries.
pub const NAME_MAX: usize = 64;
/// Bytes of file data in one GET chunk when the caller gives no chunk buffer (`feed`): the
/// C original's size. A port sets its own (`MPRS_WEBREPL_GET_CHUNK`, through the buffer it
/// passes to `feed_with`).
pub const GET_CHUNK: usize = 256;
/// Most file data one GET chunk can carry: its length field is 16 bits, and the frame's
/// payload (length and data) must fit the 16-bit websocket length the clients read.
pub const GET_CHUNK_MAX: usize = 0xffff - 2;
/// A chunk buffer starts with room for the websocket header, then the chunk's u16 length.
pub const CHUNK_PREFIX: usize = HEADROOM + 2;
// `send_chunk` names the six bytes of the prefix.
const _: () = assert!(CHUNK_PREFIX == 6);
/// Longest password the machine can hold. The port's own limit (`MPRS_WEBREPL_PASSWORD_MAX`
/// in c-glue/webrepl.c, 9 as in the C original) may not exceed it, which the glue asserts.
pub const PASSWORD_MAX: usize = 32;
/// Suffix of the temporary file a PUT writes before renaming it into place.
pub const TEMP_SUFFIX: &[u8; 5] = b".part";
/// Most bytes the reader takes from the websocket at once.
pub const READ_MAX: usize = 128;

pub const PUT_FILE: u8 = 1;
pub const GET_FILE: u8 = 2;
pub const GET_VER: u8 = 3;

/// Status of a `WB` reply.
pub const STATUS_OK: u16 = 0;
/// A request the machine refuses (bad signature, type or name).
pub const STATUS_BAD_REQUEST: u16 = 1;
/// A file that could not be opened, read, written or renamed.
pub const STATUS_FILE_ERROR: u16 = 2;

pub const PASSWORD_PROMPT: &[u8] = b"Password: ";
pub const CONNECTED: &[u8] = b"\r\nWebREPL connected\r\n>>> ";
pub const DENIED: &[u8] = b"\r\nAccess denied\r\n";
const _: () = assert!(CONNECTED.len() <= TEXT_MAX && PASSWORD_PROMPT.len() <= TEXT_MAX);
const _: () = assert!(DENIED.len() <= TEXT_MAX);

/// The kind of websocket frame bytes came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    Text,
    Binary,
}

/// What the machine acts through. File operations report failure with `false`/`None`;
/// the machine turns that into an error status.
pub trait Host {
    /// Sends `buf[HEADROOM..]` as one websocket frame of `frame` kind. The first `HEADROOM`
    /// bytes are free for the frame header, so a websocket can send header and payload in
    /// one write.
    fn send(&mut self, buf: &mut [u8], frame: Frame);
    /// The password set with `_webrepl.password()`.
    fn password(&self) -> &[u8];
    /// Opens `name` for writing (truncating) or reading; the host keeps the open file.
    fn open(&mut self, name: &[u8], direction: Direction) -> bool;
    /// Writes all of `data` to the open file.
    fn write_file(&mut self, data: &[u8]) -> bool;
    /// Reads up to `buf.len()` bytes of the open file; 0 at its end.
    fn read_file(&mut self, buf: &mut [u8]) -> Option<usize>;
    fn close_file(&mut self);
    /// Renames `from` to `to`, replacing `to`.
    fn rename(&mut self, from: &[u8], to: &[u8]) -> bool;
    fn remove(&mut self, name: &[u8]);
    /// The three version bytes of the running MicroPython.
    fn version(&self) -> [u8; 3];
}

/// The buffer a GET chunk is built in: `CHUNK_PREFIX` bytes, then up to `GET_CHUNK_MAX`
/// bytes of file data. Asked for only when a chunk is sent, so a host can allocate it for
/// the length of a GET.
pub trait ChunkBuf {
    fn chunk_buf(&mut self) -> &mut [u8];
}

impl ChunkBuf for [u8] {
    fn chunk_buf(&mut self) -> &mut [u8] {
        self
    }
}

/// What feeding gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// A byte of terminal input.
    Terminal(u8),
    /// Everything fed was taken by the protocol: read on.
    Consumed,
    /// The wrong password: the stream is at its end.
    Denied,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// Waiting for a request.
    Idle,
    /// Receiving `Session::left` bytes of a PUT (`Session::put_failed` once the file could
    /// not take them: the data is still drained, so the session stays in step with the
    /// client).
    Put,
    /// Draining the data of a refused PUT.
    Drain,
    /// A GET: each one-byte request from the client gets a chunk.
    Get,
}

/// One WebREPL session. Plain data, no heap: the glue keeps it inside the `_webrepl`
/// object. In this order (`repr(C)`): the scalars first, at offsets 16-bit Thumb loads and
/// stores reach, then the buffers.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Session {
    /// How many bytes were typed, counting past what `typed` keeps: more than any password
    /// can hold matches none, not even an empty one.
    typed_len: usize,
    header_len: usize,
    /// Bytes still to come of a PUT or drain.
    left: u32,
    /// The length of the current PUT's or GET's name in `header`.
    name_len: usize,
    /// The kept terminal input not yet returned: `pending[pending_at..pending_end]`.
    pending_at: usize,
    pending_end: usize,
    logged_in: bool,
    denied: bool,
    op: Op,
    /// The current PUT's file could not take its data.
    put_failed: bool,
    /// The password typed so far (only its first `PASSWORD_MAX` bytes are kept).
    typed: [u8; PASSWORD_MAX],
    /// The request being received, and room for TEMP_SUFFIX after its name: once a request
    /// is taken, the name of its PUT or GET stays here (`name_len` bytes at `NAME_AT`,
    /// then TEMP_SUFFIX for the temporary file a PUT writes), as no request is received
    /// before that transfer ends.
    header: [u8; HEADER_LEN + TEMP_SUFFIX.len()],
    /// Terminal input that arrived in a read meant for file data, returned byte by byte.
    pending: [u8; READ_MAX],
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    pub const fn new() -> Self {
        Session {
            logged_in: false,
            denied: false,
            typed: [0; PASSWORD_MAX],
            typed_len: 0,
            header: [0; HEADER_LEN + TEMP_SUFFIX.len()],
            header_len: 0,
            op: Op::Idle,
            left: 0,
            put_failed: false,
            name_len: 0,
            pending: [0; READ_MAX],
            pending_at: 0,
            pending_end: 0,
        }
    }

    /// Sends the password prompt that opens a session.
    pub fn start<H: Host + ?Sized>(&mut self, host: &mut H) {
        send(host, PASSWORD_PROMPT, Frame::Text);
    }

    /// Whether terminal output may be forwarded (not before login).
    pub fn forwards_output(&self) -> bool {
        self.logged_in
    }

    /// How many bytes the machine can take from the next read (at least 1): a whole header
    /// remainder or a run of PUT data at once, otherwise one byte, so terminal input is
    /// never read ahead.
    pub fn want(&self) -> usize {
        let n = match self.op {
            _ if !self.logged_in => 1,
            _ if self.header_len > 0 => HEADER_LEN - self.header_len,
            Op::Put | Op::Drain => usize::try_from(self.left).unwrap_or(READ_MAX),
            Op::Idle | Op::Get => 1,
        };
        n.clamp(1, READ_MAX)
    }

    /// Terminal input kept from an earlier read, if any.
    pub fn take_pending(&mut self) -> Option<u8> {
        if self.pending_at >= self.pending_end {
            return None;
        }
        let byte = self.pending.get(self.pending_at).copied();
        self.pending_at += 1;
        byte
    }

    /// Feeds bytes that came in one frame of `frame` kind; GET chunks of `GET_CHUNK` bytes.
    pub fn feed<H: Host + ?Sized>(&mut self, data: &[u8], frame: Frame, host: &mut H) -> Feed {
        let mut chunk = [0u8; CHUNK_PREFIX + GET_CHUNK];
        self.feed_with(data, frame, host, &mut chunk[..])
    }

    /// `feed`, with GET chunks built in `chunk` (as large as it is, up to `GET_CHUNK_MAX`).
    pub fn feed_with<H, C>(
        &mut self,
        data: &[u8],
        frame: Frame,
        host: &mut H,
        chunk: &mut C,
    ) -> Feed
    where
        H: Host + ?Sized,
        C: ChunkBuf + ?Sized,
    {
        if self.denied {
            return Feed::Denied;
        }
        if !self.logged_in {
            return self.feed_password(data, host);
        }
        if frame == Frame::Text {
            let Some((&first, rest)) = data.split_first() else {
                return Feed::Consumed;
            };
            self.keep_pending(rest);
            return Feed::Terminal(first);
        }
        let mut rest = data;
        while !rest.is_empty() {
            rest = self.feed_binary(rest, host, chunk);
        }
        Feed::Consumed
    }

    fn keep_pending(&mut self, rest: &[u8]) {
        // Only reachable when a text frame answers a multi-byte read; READ_MAX bounds it.
        copy_into(&mut self.pending, rest);
        self.pending_at = 0;
        self.pending_end = rest.len().min(self.pending.len());
    }

    fn feed_password<H: Host + ?Sized>(&mut self, data: &[u8], host: &mut H) -> Feed {
        for &byte in data {
            if byte == b'\r' || byte == b'\n' {
                if password_matches(host.password(), &self.typed, self.typed_len) {
                    self.logged_in = true;
                    self.typed = [0; PASSWORD_MAX];
                    self.typed_len = 0;
                    send(host, CONNECTED, Frame::Text);
                    return Feed::Consumed;
                }
                self.denied = true;
                send(host, DENIED, Frame::Text);
                return Feed::Denied;
            }
            if let Some(slot) = self.typed.get_mut(self.typed_len) {
                *slot = byte;
            }
            self.typed_len = self.typed_len.saturating_add(1);
        }
        Feed::Consumed
    }

    /// Takes what it can of `data` in the current state; returns the rest.
    fn feed_binary<'a, H, C>(&mut self, data: &'a [u8], host: &mut H, chunk: &mut C) -> &'a [u8]
    where
        H: Host + ?Sized,
        C: ChunkBuf + ?Sized,
    {
        match self.op {
            Op::Idle => {
                let dst = window_mut(&mut self.header, self.header_len, HEADER_LEN);
                let (now, rest) = split(data, dst.len());
                copy_into(dst, now);
                self.header_len += now.len();
                if self.header_len == HEADER_LEN {
                    self.header_len = 0;
                    self.handle_request(host);
                }
                rest
            }
            Op::Put => {
                let (now, rest) = split_left(data, self.left);
                let failed = self.put_failed || !host.write_file(now);
                self.left -= now.len() as u32;
                self.put_failed = failed;
                if self.left == 0 {
                    self.finish(host, !failed);
                }
                rest
            }
            Op::Drain => {
                let (now, rest) = split_left(data, self.left);
                self.left -= now.len() as u32;
                if self.left == 0 {
                    self.op = Op::Idle;
                }
                rest
            }
            Op::Get => {
                // Each byte from the client asks for the next chunk.
                let (_, rest) = split(data, 1);
                self.send_chunk(host, chunk.chunk_buf());
                rest
            }
        }
    }

    fn handle_request<H: Host + ?Sized>(&mut self, host: &mut H) {
        let Some(request) = Request::parse(&self.header) else {
            // Garbage: answer it, and the next 82 bytes are taken as a new request.
            reply(host, STATUS_BAD_REQUEST);
            return;
        };
        match request.kind {
            GET_VER => send(host, &host.version(), Frame::Binary),
            PUT_FILE | GET_FILE => self.start_transfer(host, &request, request.kind == PUT_FILE),
            _ => reply(host, STATUS_BAD_REQUEST),
        }
    }

    /// Takes the request's name, if it is one (see `Request::name_len`), followed by
    /// TEMP_SUFFIX.
    fn set_name(&mut self, request: &Request) -> bool {
        let Some(len) = request.name_len else {
            return false;
        };
        let at = NAME_AT + len;
        if let Some(suffix) = self.header.get_mut(at..).and_then(|s| s.first_chunk_mut()) {
            *suffix = *TEMP_SUFFIX;
        }
        self.name_len = len;
        true
    }

    /// The current transfer's name followed by `suffix` bytes of TEMP_SUFFIX: all of it is
    /// the temporary name of a PUT.
    fn file_name(&self, suffix: usize) -> &[u8] {
        let end = NAME_AT + self.name_len + suffix;
        self.header.get(NAME_AT..end).unwrap_or_default()
    }

    /// Starts a PUT (`put`) or a GET: takes the request's name, opens the file (a PUT's
    /// temporary file) and answers. The data of a refused PUT is drained.
    fn start_transfer<H: Host + ?Sized>(&mut self, host: &mut H, request: &Request, put: bool) {
        let (suffix, direction) = if put {
            (TEMP_SUFFIX.len(), Direction::Write)
        } else {
            (0, Direction::Read)
        };
        let status = if !self.set_name(request) {
            STATUS_BAD_REQUEST
        } else if !host.open(self.file_name(suffix), direction) {
            STATUS_FILE_ERROR
        } else if put {
            reply(host, STATUS_OK);
            self.op = Op::Put;
            self.left = request.size;
            self.put_failed = false;
            if request.size == 0 {
                self.finish(host, true);
            }
            return;
        } else {
            self.op = Op::Get;
            STATUS_OK
        };
        if put {
            self.left = request.size;
            self.op = if request.size == 0 {
                Op::Idle
            } else {
                Op::Drain
            };
        }
        reply(host, status);
    }

    /// The end of a PUT (its last byte) or a GET (its last chunk), `ok` if its file took or
    /// gave everything: ends it and sends the final status.
    fn finish<H: Host + ?Sized>(&mut self, host: &mut H, ok: bool) {
        let ok = self.end_transfer(host, ok);
        reply(host, if ok { STATUS_OK } else { STATUS_FILE_ERROR });
    }

    /// Closes the current transfer's file. A PUT's temporary file becomes the target with
    /// `keep`, and whatever is not renamed is removed. Returns whether all went well
    /// (`keep`, and for a PUT the rename).
    fn end_transfer<H: Host + ?Sized>(&mut self, host: &mut H, keep: bool) -> bool {
        let put = self.op == Op::Put;
        self.op = Op::Idle;
        host.close_file();
        if !put {
            return keep;
        }
        let temp = self.file_name(TEMP_SUFFIX.len());
        let ok = keep && host.rename(temp, split(temp, self.name_len).0);
        if !ok {
            host.remove(temp);
        }
        ok
    }

    /// One GET chunk: a u16 length and as much file data as `buf` holds after
    /// `CHUNK_PREFIX`, sent as one frame; a zero length ends the file, followed by the final
    /// status. A buffer with no room for data ends the GET with an error status.
    fn send_chunk<H: Host + ?Sized>(&mut self, host: &mut H, buf: &mut [u8]) {
        let cap = buf.len().saturating_sub(CHUNK_PREFIX).min(GET_CHUNK_MAX);
        let got = if cap > 0 {
            host.read_file(window_mut(buf, CHUNK_PREFIX, CHUNK_PREFIX + cap))
        } else {
            None
        };
        let n = got.unwrap_or(0).min(cap);
        // The length goes after the headroom, at the end of the prefix (a slice pattern,
        // not a copy loop).
        if let [_, _, _, _, lo, hi, ..] = buf {
            [*lo, *hi] = (n as u16).to_le_bytes();
            host.send(window_mut(buf, 0, CHUNK_PREFIX + n), Frame::Binary);
        }
        if n == 0 {
            self.finish(host, got.is_some());
        }
    }

    /// The connection ended (EOF, error or close): an unfinished PUT leaves no temporary
    /// file and no partial target; an unfinished GET closes its file.
    pub fn abort<H: Host + ?Sized>(&mut self, host: &mut H) {
        if matches!(self.op, Op::Put | Op::Get) {
            self.end_transfer(host, false);
        }
        self.op = Op::Idle;
        self.header_len = 0;
    }
}

fn split_left(data: &[u8], left: u32) -> (&[u8], &[u8]) {
    split(data, usize::try_from(left).unwrap_or(usize::MAX))
}

fn reply<H: Host + ?Sized>(host: &mut H, status: u16) {
    let [lo, hi] = status.to_le_bytes();
    send(host, &[b'W', b'B', lo, hi], Frame::Binary);
}

/// The longest message the machine sends from a constant (`CONNECTED`).
const TEXT_MAX: usize = 25;

/// Sends `data` (at most `TEXT_MAX` bytes) as one frame, behind the headroom.
fn send<H: Host + ?Sized>(host: &mut H, data: &[u8], frame: Frame) {
    let mut buf = [0u8; HEADROOM + TEXT_MAX];
    copy_into(window_mut(&mut buf, HEADROOM, usize::MAX), data);
    host.send(window_mut(&mut buf, 0, HEADROOM + data.len()), frame);
}

/// Compares without an early exit, so the time taken says nothing about the password.
/// `typed` holds the first `typed_len` bytes typed (as many as fit) and zeros after them.
fn password_matches(password: &[u8], typed: &[u8; PASSWORD_MAX], typed_len: usize) -> bool {
    // A password longer than what is kept (a port past its _Static_assert) matches nothing.
    let mut diff = u8::from(password.len() != typed_len || password.len() > PASSWORD_MAX);
    for (i, &b) in typed.iter().enumerate() {
        diff |= password.get(i).copied().unwrap_or(0) ^ b;
    }
    diff == 0
}

/// Where a request's name starts.
const NAME_AT: usize = 18;

/// A parsed file-transfer request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Request {
    kind: u8,
    size: u32,
    /// The length of the name, if it is one: 1..=64 bytes, no NUL.
    name_len: Option<usize>,
}

impl Request {
    /// `None` unless the signature is `WA`.
    fn parse(header: &[u8]) -> Option<Self> {
        let (sig, rest) = split(header, 2);
        if sig != b"WA" {
            return None;
        }
        let kind = *rest.first()?;
        // flags (1) and offset (8) are unused, as in the original.
        let size = u32::from_le_bytes(rest.get(10..14)?.try_into().ok()?);
        let len = usize::from(u16::from_le_bytes(rest.get(14..16)?.try_into().ok()?));
        // A length past the field, or a name with a NUL, is no name.
        let name = header
            .get(NAME_AT..NAME_AT + len)
            .filter(|_| len <= NAME_MAX);
        // Not `contains`: that goes through core's memchr, whose bounds checks can panic.
        #[allow(clippy::manual_contains)]
        let name_len = name
            .filter(|name| !name.is_empty() && !name.iter().any(|&b| b == 0))
            .map(|name| name.len());
        Some(Request {
            kind,
            size,
            name_len,
        })
    }
}

#[cfg(test)]
mod tests;
