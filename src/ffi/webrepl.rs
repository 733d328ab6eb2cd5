//! WebREPL exports: the `_webrepl` object's stream methods over the state machine in
//! `crate::webrepl`, acting through the port services of `crate::abi`. The glue keeps the session in
//! opaque storage inside its object (`MPRS_WEBREPL_SESSION_SIZE` bytes, 8-aligned) and the
//! open file in a field the GC scans.

use super::{PortErrnos, PortStream};
pub use crate::abi::MprsWebrepl;
use crate::abi::{
    mprs_port_webrepl_call, mprs_port_webrepl_chunk, mprs_port_webrepl_password,
    mprs_port_webrepl_version, uint_to_usize, MpObj, MpUint, MprsCall, MprsErrno, MprsWebreplOp,
    MPRS_RAISED, MP_FRAME_TXT, MP_STREAM_ERROR, MP_STREAM_GET_DATA_OPTS,
};
use crate::errno::Errnos;
use crate::stream::{IoError, RawStream};
use crate::webrepl::{ChunkBuf, Direction, Feed, Frame, Host, Session, READ_MAX};
use core::ffi::{c_int, c_void};

/// Bytes of storage the glue reserves for a session (8-aligned).
pub const MPRS_WEBREPL_SESSION_SIZE: usize = 384;
/// Bytes before the payload of every frame the machine sends (`MprsWebreplOp::SendText`,
/// `SendBinary`), free for the websocket header (`MPRS_WEBSOCKET_HEADROOM`).
pub const MPRS_WEBREPL_HEADROOM: usize = 4;
/// Bytes a GET chunk buffer holds before the file data: the websocket header's headroom
/// and the chunk's u16 length.
pub const MPRS_WEBREPL_CHUNK_PREFIX: usize = 6;
/// Most file data a GET chunk carries (its length and data fit a 16-bit frame length).
pub const MPRS_WEBREPL_GET_CHUNK_MAX: usize = 65533;
/// Longest password a port may set (`MPRS_WEBREPL_PASSWORD_MAX`): what a session can hold
/// of what is typed.
pub const MPRS_WEBREPL_PASSWORD_LIMIT: usize = 32;

const _: () = assert!(MPRS_WEBREPL_HEADROOM == crate::websocket::HEADROOM);
const _: () = assert!(MPRS_WEBREPL_CHUNK_PREFIX == crate::webrepl::CHUNK_PREFIX);
const _: () = assert!(MPRS_WEBREPL_GET_CHUNK_MAX == crate::webrepl::GET_CHUNK_MAX);
const _: () = assert!(MPRS_WEBREPL_PASSWORD_LIMIT == crate::webrepl::PASSWORD_MAX);

const _: () = assert!(core::mem::size_of::<Session>() <= MPRS_WEBREPL_SESSION_SIZE);
const _: () = assert!(core::mem::align_of::<Session>() <= 8);

/// The glue's object, as the machine's host.
struct PortHost {
    repl: *mut MprsWebrepl,
}

impl PortHost {
    /// One protected service call: what it returned, -1 when it failed.
    fn call(&mut self, op: MprsWebreplOp, data: *mut u8, len: usize, to: &[u8]) -> isize {
        // SAFETY: data covers len bytes of a live slice, writable where `op` writes it
        // (sends, ReadFile: the callers pass &mut slices there); to is a live slice. The
        // service protects the VM calls and never unwinds.
        unsafe { mprs_port_webrepl_call(self.repl, op, data, len, to.as_ptr(), to.len()) }
    }

    /// A call that only reads `data`.
    fn call_ro(&mut self, op: MprsWebreplOp, data: &[u8], to: &[u8]) -> bool {
        // Only sends and ReadFile write through the pointer, and none comes here.
        self.call(op, data.as_ptr().cast_mut(), data.len(), to) >= 0
    }
}

impl Host for PortHost {
    fn send(&mut self, buf: &mut [u8], frame: Frame) {
        let op = match frame {
            Frame::Text => MprsWebreplOp::SendText,
            Frame::Binary => MprsWebreplOp::SendBinary,
        };
        // The machine's sends always carry the headroom, which the service relies on. A
        // failed send is noticed by the next read of the same connection.
        if buf.len() >= MPRS_WEBREPL_HEADROOM {
            self.call(op, buf.as_mut_ptr(), buf.len(), &[]);
        }
    }
    fn password(&self) -> &[u8] {
        let mut len = 0;
        // SAFETY: the port keeps the password in static storage, unchanged during a read.
        unsafe { super::slice_or_empty(mprs_port_webrepl_password(&mut len), len) }
    }
    fn open(&mut self, name: &[u8], direction: Direction) -> bool {
        let op = match direction {
            Direction::Read => MprsWebreplOp::OpenRead,
            Direction::Write => MprsWebreplOp::OpenWrite,
        };
        self.call_ro(op, name, &[])
    }
    fn write_file(&mut self, data: &[u8]) -> bool {
        self.call_ro(MprsWebreplOp::WriteFile, data, &[])
    }
    fn read_file(&mut self, buf: &mut [u8]) -> Option<usize> {
        let n = self.call(MprsWebreplOp::ReadFile, buf.as_mut_ptr(), buf.len(), &[]);
        usize::try_from(n).ok().map(|n| n.min(buf.len()))
    }
    fn close_file(&mut self) {
        self.call_ro(MprsWebreplOp::CloseFile, &[], &[]);
    }
    fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        self.call_ro(MprsWebreplOp::Rename, from, to)
    }
    fn remove(&mut self, name: &[u8]) {
        self.call_ro(MprsWebreplOp::Remove, name, &[]);
    }
    fn version(&self) -> [u8; 3] {
        let mut v = [0u8; 3];
        // SAFETY: v has room for the three bytes the service writes.
        unsafe { mprs_port_webrepl_version(v.as_mut_ptr()) };
        v
    }
}

/// The glue's chunk buffer, fetched when a GET chunk is sent.
struct PortChunk {
    repl: *mut MprsWebrepl,
}

impl ChunkBuf for PortChunk {
    fn chunk_buf(&mut self) -> &mut [u8] {
        let mut len = 0;
        // SAFETY: the glue keeps the buffer allocated and referenced from its object until
        // the export that called this has returned, and nothing else writes it meanwhile;
        // &mut self ties the slice to this one use.
        unsafe { super::slice_or_empty_mut(mprs_port_webrepl_chunk(self.repl, &mut len), len) }
    }
}

/// The session in the glue's storage.
///
/// # Safety
/// `session` must be the object's storage, initialised by `mprs_webrepl_init`, and not
/// used elsewhere meanwhile.
unsafe fn session<'a>(session: *mut c_void) -> Option<&'a mut Session> {
    // SAFETY: the caller's guarantee; the storage is 8-aligned and large enough (asserted).
    unsafe { session.cast::<Session>().as_mut() }
}

/// Initialises a session in `storage` and sends the password prompt.
///
/// # Safety
/// `storage` must be NULL or `MPRS_WEBREPL_SESSION_SIZE` writable, 8-aligned bytes;
/// `repl` the glue's object.
#[no_mangle]
pub unsafe extern "C" fn mprs_webrepl_init(repl: *mut MprsWebrepl, storage: *mut c_void) {
    if storage.is_null() {
        return;
    }
    // SAFETY: the caller guarantees the storage.
    unsafe { storage.cast::<Session>().write(Session::new()) };
    // SAFETY: just initialised.
    if let Some(s) = unsafe { session(storage) } {
        s.start(&mut PortHost { repl });
    }
}

/// The `_webrepl` stream's read: returns terminal input (at most `size` bytes, one at a
/// time), 0 at EOF (also after a wrong password), or MP_STREAM_ERROR with `*errcode` (a
/// socket errno, or MPRS_RAISED with the exception in `call`). File transfers are handled
/// while reading; `sock` (the websocket) is read through the protected stream services.
///
/// # Safety
/// As `mprs_webrepl_init`; `sock` the object's socket; `buf` valid for `size` bytes;
/// `errcode` writable.
#[no_mangle]
pub unsafe extern "C" fn mprs_webrepl_read(
    call: *mut MprsCall,
    repl: *mut MprsWebrepl,
    sock: MpObj,
    storage: *mut c_void,
    buf: *mut u8,
    size: MpUint,
    errcode: *mut c_int,
) -> MpUint {
    // SAFETY: the caller's guarantees.
    let (Some(s), Some(out)) = (unsafe { session(storage) }, unsafe { buf.as_mut() }) else {
        // SAFETY: errcode is writable.
        unsafe { *errcode = PortErrnos.value(MprsErrno::Einval) };
        return MP_STREAM_ERROR;
    };
    if uint_to_usize(size).unwrap_or(0) == 0 {
        return 0;
    }
    if let Some(byte) = s.take_pending() {
        *out = byte;
        return 1;
    }
    let mut host = PortHost { repl };
    let mut sock = PortStream { call, obj: sock };
    let mut chunk = [0u8; READ_MAX];
    loop {
        let want = s.want().min(chunk.len());
        let data = chunk.get_mut(..want).unwrap_or_default();
        let got = sock.read(data).map(|n| n.min(want));
        // The frame's kind, asked once bytes came; an exception from it is the read's.
        let kind = match got {
            Ok(0) | Err(_) => Ok(0),
            Ok(_) => sock.ioctl(MP_STREAM_GET_DATA_OPTS, 0),
        };
        let (n, text) = match (got, kind) {
            (Err(e), _) | (_, Err(e @ IoError::Raised)) => {
                let code = match e {
                    IoError::Errno(code) => code,
                    IoError::Raised => {
                        s.abort(&mut host);
                        MPRS_RAISED
                    }
                };
                // SAFETY: errcode is writable.
                unsafe { *errcode = code };
                return MP_STREAM_ERROR;
            }
            // A stream that cannot tell sends binary frames.
            (Ok(n), kind) => (n, kind == Ok(MP_FRAME_TXT)),
        };
        if n == 0 {
            s.abort(&mut host);
            return 0;
        }
        let frame = if text { Frame::Text } else { Frame::Binary };
        let data = chunk.get(..n).unwrap_or_default();
        match s.feed_with(data, frame, &mut host, &mut PortChunk { repl }) {
            Feed::Terminal(byte) => {
                *out = byte;
                return 1;
            }
            Feed::Denied => return 0,
            Feed::Consumed => {}
        }
    }
}

/// Whether the `_webrepl` stream forwards terminal output yet (not before login).
///
/// # Safety
/// As `mprs_webrepl_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_webrepl_forwards_output(storage: *mut c_void) -> bool {
    // SAFETY: the caller's guarantee.
    unsafe { session(storage) }.is_some_and(|s| s.forwards_output())
}

/// The connection is closing: an unfinished PUT leaves no temporary file, an unfinished
/// GET closes its file.
///
/// # Safety
/// As `mprs_webrepl_init`.
#[no_mangle]
pub unsafe extern "C" fn mprs_webrepl_abort(repl: *mut MprsWebrepl, storage: *mut c_void) {
    // SAFETY: the caller's guarantee.
    if let Some(s) = unsafe { session(storage) } {
        s.abort(&mut PortHost { repl });
    }
}
