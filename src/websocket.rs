//! websocket (extmod/modwebsocket.c): RFC 6455 framing over a raw stream, as a state
//! machine.
//!
//! Reading ([`Websocket::read`]) parses frame headers a byte range at a time, so a header
//! that arrives in pieces resumes where it stopped. Data payloads go straight into the
//! caller's buffer, unmasked there; control frames (ping, pong, close) are collected in the
//! object and handled whole, between the frames of a fragmented message as RFC 6455
//! allows, and never show up as data. A close is answered with a close echoing its status
//! code, and reads give end of file from then on. A ping is answered with a pong carrying
//! its payload when the read that took it returns, or before that read would wait for the
//! socket (the socket's poll says whether it would), so a pong never lands in the middle of
//! what the reader is still taking from a stream that is not a socket. Frames carry up to
//! 65,535 bytes (7- and 16-bit lengths), as in the C original.
//!
//! Writing ([`Websocket::write`]) puts the header into [`HEADROOM`] bytes the caller leaves
//! before its payload, so header and payload leave in one underlying write with no copy; a
//! caller may give the end of the payload apart (`rest`), which takes a second write. The
//! glue copies a `write()` into a [`WRITE_BUF`] frame buffer on its stack, or into GC
//! memory with headroom when larger; only when the heap cannot give that does a frame take
//! two writes. Pongs and closes are sent in place from the object's control buffer. Server
//! frames are unmasked, as in the C original.
//!
//! Beyond the C original: a header split across reads of a blocking socket is completed
//! instead of reported as `EAGAIN`; a control frame read with a small buffer does not leak
//! its payload as data; a ping is answered; a frame with a 64-bit length is refused with
//! close status 1009 and `EIO`, and one that breaks the protocol (reserved opcode or bits, a
//! control frame over 125 bytes or fragmented) with 1002 and `EIO`, the socket left to its
//! owner; a peer that stops in the middle of a frame is an error (`ECONNRESET`, reported by
//! the read after the last bytes of that frame, so a reader that gathers reads keeps
//! them), not a clean end of file; a stream that stops taking a frame part way (a write of
//! 0 bytes, or would-block after some of the frame left) is `EIO` rather than a frame cut
//! short with a success or `EAGAIN`; a write after this side sent a close is `ENOTCONN`, as
//! no data frame may follow it.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

use crate::bytes::{window, window_mut};
use crate::errno::{Errnos, MprsErrno};
use crate::stream::{IoError, RawStream};

/// Frame opcodes (`FRAME_CONT`, `FRAME_TXT`, `FRAME_BIN`, `FRAME_CLOSE`, ... of
/// `extmod/modwebsocket.h`).
pub const OP_CONT: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;
pub const OP_PONG: u8 = 0xa;
const OP_MASK: u8 = 0x0f;
const FIN: u8 = 0x80;
const RSV: u8 = 0x70;
const MASKED: u8 = 0x80;

/// Longest payload of a frame (16-bit length), read or written.
pub const FRAME_MAX: usize = 0xffff;
/// Longest control-frame payload (RFC 6455, 5.5).
pub const CONTROL_MAX: usize = 125;
/// Bytes a caller of [`Websocket::write`] leaves before its payload: room for the longest
/// header.
pub const HEADROOM: usize = 4;
// `send` names the four bytes of the headroom.
const _: () = assert!(HEADROOM == 4);
/// The glue's frame buffer for a `write()`, on its stack: a frame of up to this many bytes
/// (headroom included) leaves in one underlying write even when the heap is full.
pub const WRITE_BUF: usize = 256;
/// Longest header read: 2 bytes, a 16-bit length, a mask.
const HEADER_MAX: usize = 8;
/// Close status codes.
pub const CLOSE_NORMAL: u16 = 1000;
pub const CLOSE_PROTOCOL_ERROR: u16 = 1002;
pub const CLOSE_TOO_BIG: u16 = 1009;

/// The stream under a websocket: reads and writes, and whether a read would find data.
pub trait Socket: RawStream {
    /// `Some(false)` when a read would wait for the peer, `Some(true)` when it would not
    /// (data, end of file or an error), `None` when the stream cannot tell.
    fn readable(&mut self) -> Result<Option<bool>, IoError> {
        Ok(None)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Receiving {
    /// Collecting a frame header: `have` of `need` bytes are in `hdr`.
    Header { have: u8, need: u8 },
    /// A data payload: `left` bytes still to give the reader; `started` once some were.
    Data { left: u16, started: bool },
    /// A control payload: `have` of `len` bytes are in `buf`.
    Control { have: u8, len: u8 },
    /// The peer went away in a frame whose first bytes the reader already has: the next
    /// read reports it (ECONNRESET), so a reader that gathers several reads into one keeps
    /// those bytes.
    Reset,
    /// A close was received (and answered), the peer went away, or the protocol was
    /// broken: reads give end of file.
    Closed,
}

const HEADER_START: Receiving = Receiving::Header { have: 0, need: 2 };
/// `pong` when no pong is due.
const NO_PONG: u8 = 0xff;

/// One websocket connection's framing state. Plain data, no heap: the glue keeps it inside
/// the `websocket` object. In this order (`repr(C)`): the scalars first, at offsets a
/// 16-bit Thumb load or store reaches, then the buffers.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Websocket {
    rx: Receiving,
    /// Opcode of the frames written (`MP_STREAM_SET_DATA_OPTS`).
    write_op: u8,
    /// Payload length of the pong due (in `buf`), or NO_PONG.
    pong: u8,
    close_sent: bool,
    mask_pos: u8,
    /// Opcode of the frame being received.
    frame_op: u8,
    /// Opcode of the data message being received (`MP_STREAM_GET_DATA_OPTS`): a
    /// continuation frame keeps it, a control frame does not touch it.
    data_op: u8,
    mask: [u8; 4],
    hdr: [u8; HEADER_MAX],
    /// `HEADROOM` bytes for the header of a pong or close sent from here, then a control
    /// frame's payload; a due pong's until it is sent.
    buf: [u8; HEADROOM + CONTROL_MAX],
}

impl Default for Websocket {
    fn default() -> Self {
        Self::new()
    }
}

impl Websocket {
    pub const fn new() -> Self {
        Websocket {
            rx: HEADER_START,
            hdr: [0; HEADER_MAX],
            buf: [0; HEADROOM + CONTROL_MAX],
            mask: [0; 4],
            mask_pos: 0,
            frame_op: 0,
            data_op: 0,
            write_op: OP_TEXT,
            pong: NO_PONG,
            close_sent: false,
        }
    }

    /// `MP_STREAM_GET_DATA_OPTS`: the opcode of the data message being read (1 text,
    /// 2 binary).
    pub fn data_opts(&self) -> u8 {
        self.data_op
    }

    /// `MP_STREAM_SET_DATA_OPTS`: the opcode of frames written from now on; returns the
    /// previous one.
    pub fn set_data_opts(&mut self, op: usize) -> u8 {
        let old = self.write_op;
        self.write_op = (op & usize::from(OP_MASK)) as u8;
        old
    }

    /// Whether the connection is over for reading (close received, peer gone, or broken).
    pub fn closed(&self) -> bool {
        self.rx == Receiving::Closed
    }

    /// Reads payload bytes into `out`: the count, 0 at end of file (or for an empty `out`),
    /// or the error. Each call returns bytes of one frame at most. A pong due is sent
    /// before it returns.
    pub fn read<S, E>(&mut self, sock: &mut S, errnos: &E, out: &mut [u8]) -> Result<usize, IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        if out.is_empty() {
            return Ok(0);
        }
        let result = self.read_frames(sock, errnos, out);
        self.send_pong(sock, errnos)?;
        result
    }

    fn read_frames<S, E>(
        &mut self,
        sock: &mut S,
        errnos: &E,
        out: &mut [u8],
    ) -> Result<usize, IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        loop {
            if self.pong != NO_PONG && sock.readable()? == Some(false) {
                // The read would wait: the pong goes first.
                self.send_pong(sock, errnos)?;
            }
            // Where the next bytes go, and whether the peer stopping now is inside a frame.
            let (dst, mid_frame) = match self.rx {
                Receiving::Closed => return Ok(0),
                Receiving::Reset => return self.ended(true, errnos),
                Receiving::Control { have, len } if have >= len => {
                    if self.control_done(sock, errnos, len)? {
                        return Ok(0);
                    }
                    continue;
                }
                Receiving::Header { have, need } => (
                    window_mut(&mut self.hdr, usize::from(have), usize::from(need)),
                    have > 0,
                ),
                Receiving::Data { left, .. } => {
                    let want = usize::from(left).min(out.len());
                    (out.get_mut(..want).unwrap_or_default(), true)
                }
                Receiving::Control { have, len } => {
                    let (from, to) = (usize::from(have), usize::from(len));
                    (
                        window_mut(&mut self.buf, HEADROOM + from, HEADROOM + to),
                        true,
                    )
                }
            };
            let n = read_some(sock, errnos, dst)?;
            if n == 0 {
                if let Receiving::Data { started: true, .. } = self.rx {
                    self.rx = Receiving::Reset;
                    return Ok(0);
                }
                return self.ended(mid_frame, errnos);
            }
            match self.rx {
                Receiving::Header { have, need } => {
                    let have = have + n as u8;
                    self.rx = Receiving::Header { have, need };
                    if have == need {
                        self.header_done(sock, errnos)?;
                    }
                }
                Receiving::Data { left, .. } => {
                    let data = out.get_mut(..n).unwrap_or_default();
                    unmask(&self.mask, &mut self.mask_pos, data);
                    let left = left - n as u16;
                    self.rx = if left == 0 {
                        HEADER_START
                    } else {
                        Receiving::Data {
                            left,
                            started: true,
                        }
                    };
                    return Ok(n);
                }
                Receiving::Control { have, len } => {
                    self.rx = Receiving::Control {
                        have: have + n as u8,
                        len,
                    };
                }
                Receiving::Reset | Receiving::Closed => {}
            }
        }
    }

    /// The socket reached end of file: clean between frames, an error inside one.
    fn ended<E: Errnos + ?Sized>(&mut self, mid_frame: bool, errnos: &E) -> Result<usize, IoError> {
        self.rx = Receiving::Closed;
        if mid_frame {
            Err(IoError::Errno(errnos.value(MprsErrno::Econnreset)))
        } else {
            Ok(0)
        }
    }

    /// The header bytes so far are all that were asked for: asks for the rest of the
    /// header, or starts the payload.
    fn header_done<S, E>(&mut self, sock: &mut S, errnos: &E) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        let [b0, b1, ..] = self.hdr;
        let len7 = b1 & 0x7f;
        if len7 == 127 {
            // A 64-bit length: over what this side takes.
            return self.fail(sock, errnos, CLOSE_TOO_BIG);
        }
        let ext: u8 = if len7 == 126 { 2 } else { 0 };
        let need = 2 + ext + if b1 & MASKED != 0 { 4 } else { 0 };
        if let Receiving::Header { have, .. } = self.rx {
            if have < need {
                self.rx = Receiving::Header { have, need };
                return Ok(());
            }
        }
        let len = if ext == 0 {
            u16::from(len7)
        } else {
            u16::from_be_bytes([self.hdr[2], self.hdr[3]])
        };
        self.mask = [0; 4];
        if b1 & MASKED != 0 {
            let at = 2 + usize::from(ext);
            if let Some(mask) = self.hdr.get(at..).and_then(|m| m.first_chunk()) {
                self.mask = *mask;
            }
        }
        self.mask_pos = 0;
        let op = b0 & OP_MASK;
        let control = op & 0x8 != 0;
        let valid_op = matches!(
            op,
            OP_CONT | OP_TEXT | OP_BINARY | OP_CLOSE | OP_PING | OP_PONG
        );
        let control_ok = !control || (b0 & FIN != 0 && usize::from(len) <= CONTROL_MAX);
        if b0 & RSV != 0 || !valid_op || !control_ok {
            return self.fail(sock, errnos, CLOSE_PROTOCOL_ERROR);
        }
        self.frame_op = op;
        if control {
            // Its payload goes where a due pong's is: that pong goes first.
            self.send_pong(sock, errnos)?;
            self.rx = Receiving::Control {
                have: 0,
                len: len as u8,
            };
        } else {
            if op != OP_CONT {
                self.data_op = op;
            }
            // An empty data frame is not the end of the stream: on to the next header.
            self.rx = if len == 0 {
                HEADER_START
            } else {
                Receiving::Data {
                    left: len,
                    started: false,
                }
            };
        }
        Ok(())
    }

    /// A whole control frame is in `buf`: answers it. True if it was a close.
    fn control_done<S, E>(&mut self, sock: &mut S, errnos: &E, len: u8) -> Result<bool, IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        let payload = window_mut(&mut self.buf, HEADROOM, HEADROOM + usize::from(len));
        unmask(&self.mask, &mut self.mask_pos, payload);
        self.rx = HEADER_START;
        match self.frame_op {
            OP_PING => {
                self.pong = len;
                Ok(false)
            }
            OP_CLOSE => {
                self.rx = Receiving::Closed;
                // Echo the status code, if the peer gave one: it is in place already.
                let status = if len >= 2 { 2 } else { 0 };
                self.send_close(sock, errnos, status)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Sends the pong due, if any (best effort).
    fn send_pong<S, E>(&mut self, sock: &mut S, errnos: &E) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        let len = core::mem::replace(&mut self.pong, NO_PONG);
        if len == NO_PONG || self.close_sent {
            return Ok(());
        }
        self.send_control(sock, errnos, OP_PONG, usize::from(len))
    }

    /// Sends a control frame of opcode `op` whose payload is the first `len` bytes after
    /// `buf`'s headroom (best effort).
    fn send_control<S, E>(
        &mut self,
        sock: &mut S,
        errnos: &E,
        op: u8,
        len: usize,
    ) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        let frame = window_mut(&mut self.buf, 0, HEADROOM + len);
        best_effort(send(sock, errnos, op, frame, &[]))
    }

    /// A frame this side does not take: close with `status`, and EIO.
    fn fail<S, E>(&mut self, sock: &mut S, errnos: &E, status: u16) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        self.close_with(sock, errnos, status)?;
        Err(IoError::Errno(errnos.value(MprsErrno::Eio)))
    }

    /// Sends a close (once, best effort) whose payload is the first `len` bytes after
    /// `buf`'s headroom: a status code or nothing.
    fn send_close<S, E>(&mut self, sock: &mut S, errnos: &E, len: usize) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        if self.close_sent {
            return Ok(());
        }
        self.close_sent = true;
        self.pong = NO_PONG;
        self.send_control(sock, errnos, OP_CLOSE, len)
    }

    /// Reads give end of file from now on; a close with `status` is sent unless one was,
    /// best effort. Inlined: each caller's status is a constant.
    #[inline(always)]
    fn close_with<S, E>(&mut self, sock: &mut S, errnos: &E, status: u16) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        self.rx = Receiving::Closed;
        [self.buf[HEADROOM], self.buf[HEADROOM + 1]] = status.to_be_bytes();
        self.send_close(sock, errnos, 2)
    }

    /// The connection is being closed by this side: sends a close frame (status 1000)
    /// unless one was sent already. Reads give end of file from now on.
    pub fn close<S, E>(&mut self, sock: &mut S, errnos: &E) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        self.close_with(sock, errnos, CLOSE_NORMAL)
    }

    /// Writes `head[HEADROOM..]` and then `rest` as one frame of kind `op` (`None`: the
    /// current kind, `set_data_opts`). The header goes into the first `HEADROOM` bytes of
    /// `head`, so header and `head`'s payload leave in one underlying write without a copy,
    /// and `rest`, if any, in a second. Over FRAME_MAX bytes of payload is ENOBUFS; a `head`
    /// shorter than `HEADROOM` is EINVAL.
    pub fn write<S, E>(
        &mut self,
        sock: &mut S,
        errnos: &E,
        head: &mut [u8],
        rest: &[u8],
        op: Option<u8>,
    ) -> Result<(), IoError>
    where
        S: Socket + ?Sized,
        E: Errnos + ?Sized,
    {
        self.check_open(errnos)?;
        self.send_pong(sock, errnos)?;
        send(sock, errnos, op.unwrap_or(self.write_op), head, rest)
    }

    /// No data frame may follow a close this side sent (RFC 6455, 5.5.1): ENOTCONN.
    fn check_open<E: Errnos + ?Sized>(&self, errnos: &E) -> Result<(), IoError> {
        if self.close_sent {
            Err(IoError::Errno(errnos.value(MprsErrno::Enotconn)))
        } else {
            Ok(())
        }
    }
}

/// A payload length as a frame carries it: ENOBUFS past FRAME_MAX.
fn frame_len<E: Errnos + ?Sized>(errnos: &E, len: usize) -> Result<u16, IoError> {
    u16::try_from(len).map_err(|_| IoError::Errno(errnos.value(MprsErrno::Enobufs)))
}

/// `head[HEADROOM..]` and then `rest` as one frame of opcode `op`, its header written into
/// the end of `head`'s headroom: header and `head`'s payload in one underlying write, then
/// `rest`. EINVAL for a `head` without the headroom, ENOBUFS past FRAME_MAX.
///
/// Inlined into both callers: for a control frame (`send_control`) the length is known to
/// be short, so the 16-bit header, the EINVAL and ENOBUFS paths and the second write fold
/// away.
#[inline(always)]
fn send<S, E>(sock: &mut S, errnos: &E, op: u8, head: &mut [u8], rest: &[u8]) -> Result<(), IoError>
where
    S: Socket + ?Sized,
    E: Errnos + ?Sized,
{
    let [h0, h1, h2, h3, payload @ ..] = head else {
        return Err(IoError::Errno(errnos.value(MprsErrno::Einval)));
    };
    let len = frame_len(errnos, payload.len().saturating_add(rest.len()))?;
    let b0 = FIN | (op & OP_MASK);
    let [hi, lo] = len.to_be_bytes();
    // The header ends where the payload starts: 2 bytes with a 7-bit length, 4 with 16 bits
    // (always the shortest, as RFC 6455 requires).
    let start = if len < 126 {
        (*h2, *h3) = (b0, lo);
        2
    } else {
        (*h0, *h1, *h2, *h3) = (b0, 126, hi, lo);
        0
    };
    let frame = window_mut(head, start, usize::MAX);
    write_all(sock, errnos, frame, false)?;
    if rest.is_empty() {
        Ok(())
    } else {
        write_all(sock, errnos, rest, true)
    }
}

/// Unmasks `data` with `mask`, from position `pos` (which it advances).
fn unmask(mask: &[u8; 4], pos: &mut u8, data: &mut [u8]) {
    for b in data.iter_mut() {
        *b ^= mask[usize::from(*pos & 3)];
        *pos = pos.wrapping_add(1);
    }
}

/// One underlying read into `buf`; a count past the buffer is EIO.
fn read_some<S, E>(sock: &mut S, errnos: &E, buf: &mut [u8]) -> Result<usize, IoError>
where
    S: Socket + ?Sized,
    E: Errnos + ?Sized,
{
    let len = buf.len();
    match sock.read(buf)? {
        n if n > len => Err(IoError::Errno(errnos.value(MprsErrno::Eio))),
        n => Ok(n),
    }
}

/// All of `data`, repeating the underlying write (`mp_stream_write_exactly`); a write that
/// moves nothing, or claims more than asked, is EIO. A non-blocking stream that would block
/// before any of the frame left (`started` false, nothing written yet) gives that error, so
/// the caller may try again; once part of the frame left, the frame cannot be taken back
/// and what follows it would be garbage to the peer: EIO.
fn write_all<S, E>(
    sock: &mut S,
    errnos: &E,
    mut data: &[u8],
    mut started: bool,
) -> Result<(), IoError>
where
    S: Socket + ?Sized,
    E: Errnos + ?Sized,
{
    while !data.is_empty() {
        let n = match sock.write(data) {
            Err(IoError::Errno(code)) if started && errnos.is_nonblocking(code) => 0,
            other => other?,
        };
        // Nothing moved (or would-block inside the frame), or more than asked: EIO.
        if n == 0 || n > data.len() {
            return Err(IoError::Errno(errnos.value(MprsErrno::Eio)));
        }
        data = window(data, n, usize::MAX);
        started = true;
    }
    Ok(())
}

/// A reply the peer may never see (a pong, a close) does not fail the call it came from;
/// an exception does, as the glue must raise it.
fn best_effort(result: Result<(), IoError>) -> Result<(), IoError> {
    match result {
        Err(IoError::Raised) => Err(IoError::Raised),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
