//! dupterm: terminal duplication slots (extmod/os_dupterm.c).
//!
//! The port holds the attached streams (in MicroPython, the GC-visible
//! `MP_STATE_VM(dupterm_objs)`, which port code may also set directly); this module holds
//! the rules for using them:
//! - a slot is read, written and polled only while a stream is attached, and each step
//!   looks at the slot afresh, since a stream's own methods may change the slots;
//! - EOF and a failing read or write deactivate the stream that failed: it is detached from
//!   every slot holding it, then the reason is reported, then it is closed. The detached
//!   stream is a value that `close` consumes, so each detachment closes its stream exactly
//!   once; a stream reached twice is found detached the second time, and a stream that
//!   replaced it in the meantime is left alone;
//! - a non-blocking "no data" is not an error; one failing slot does not stop the others.

// Core logic: no unsafe code (the FFI edge in src/ffi/ is the only place for it).
#![forbid(unsafe_code)]

/// The port's dupterm slots.
pub trait Terminals {
    /// A stream as a slot holds it (compared by identity).
    type Stream: Copy + Eq;
    /// A stream taken out of the slots; closing consumes it.
    type Detached;

    /// How many slots the port has.
    fn slot_count(&self) -> usize;
    /// The stream attached to `slot`, if any.
    fn stream(&self, slot: usize) -> Option<Self::Stream>;
    /// A port's own stream (`MICROPY_PY_OS_DUPTERM_BUILTIN_STREAM`): called directly, its
    /// errors skip the slot instead of deactivating it.
    fn is_builtin(&self, stream: Self::Stream) -> bool;
    fn read_byte(&mut self, stream: Self::Stream) -> ReadByte;
    /// Writes all of `data` (an exact write).
    fn write(&mut self, stream: Self::Stream, data: &[u8]) -> Written;
    /// The stream's poll ioctl; `None` when it failed (failures are ignored when polling).
    fn poll(&mut self, stream: Self::Stream, flags: usize) -> Option<usize>;
    /// Empties every slot holding `stream`; `None` if none did.
    fn detach(&mut self, stream: Self::Stream) -> Option<Self::Detached>;
    /// Prints why a stream is being deactivated (with the exception, for a failure).
    fn report(&mut self, why: Deactivation);
    /// Closes a detached stream, swallowing any error.
    fn close(&mut self, stream: Self::Detached);
    /// The character that interrupts the program (`mp_interrupt_char`), if any.
    fn interrupt_char(&self) -> Option<u8>;
    /// Schedules KeyboardInterrupt.
    fn schedule_interrupt(&mut self);
}

/// What a one-byte read gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadByte {
    Byte(u8),
    Eof,
    /// Nothing available on a non-blocking stream.
    WouldBlock,
    /// An errno or an exception; the port holds what to report.
    Failed,
}

/// What a write gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Bytes(usize),
    /// A non-blocking stream took nothing (`write` returned None).
    WouldBlock,
    /// An errno or an exception; the port holds what to report.
    Failed,
}

/// Why a slot is deactivated; the port prints the matching message.
/// cbindgen:prefix-with-name
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivation {
    /// `dupterm: EOF received, deactivating`
    Eof,
    /// `dupterm: Exception in read() method, deactivating: ` and the exception
    ReadFailed,
    /// `dupterm: Exception in write() method, deactivating: ` and the exception
    WriteFailed,
    /// The port asked for it (`mp_os_deactivate`), with a message of its own.
    Requested,
}

/// What `rx_chr` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rx {
    Byte(u8),
    /// The interrupt character: KeyboardInterrupt has been scheduled.
    Interrupt,
    Nothing,
}

impl Rx {
    /// As `mp_os_dupterm_rx_chr` returns it: the byte, -2 for an interrupt, -1 for nothing.
    pub fn code(self) -> i32 {
        match self {
            Rx::Byte(b) => i32::from(b),
            Rx::Interrupt => -2,
            Rx::Nothing => -1,
        }
    }
}

/// Detaches `stream` from every slot, reports why, and closes it if it was still attached.
pub fn deactivate<T: Terminals + ?Sized>(terms: &mut T, stream: T::Stream, why: Deactivation) {
    let detached = terms.detach(stream);
    terms.report(why);
    if let Some(stream) = detached {
        terms.close(stream);
    }
}

/// `mp_os_deactivate`: deactivates whatever `slot` holds; an empty slot is only reported.
pub fn deactivate_slot<T: Terminals + ?Sized>(terms: &mut T, slot: usize, why: Deactivation) {
    match terms.stream(slot) {
        Some(stream) => deactivate(terms, stream, why),
        None => terms.report(why),
    }
}

/// `mp_os_dupterm_rx_chr`: the first byte any attached stream has, in slot order.
pub fn rx_chr<T: Terminals + ?Sized>(terms: &mut T) -> Rx {
    for slot in 0..terms.slot_count() {
        let Some(stream) = terms.stream(slot) else {
            continue;
        };
        let builtin = terms.is_builtin(stream);
        match terms.read_byte(stream) {
            ReadByte::Byte(byte) if !builtin && terms.interrupt_char() == Some(byte) => {
                terms.schedule_interrupt();
                return Rx::Interrupt;
            }
            ReadByte::Byte(byte) => return Rx::Byte(byte),
            _ if builtin => {}
            ReadByte::WouldBlock => {}
            ReadByte::Eof => deactivate(terms, stream, Deactivation::Eof),
            ReadByte::Failed => deactivate(terms, stream, Deactivation::ReadFailed),
        }
    }
    Rx::Nothing
}

/// `mp_os_dupterm_tx_strn`: writes `data` to every attached stream. Returns the smallest
/// count written across them (0 for one that would block or failed), or -1 when none is
/// attached.
pub fn tx_strn<T: Terminals + ?Sized>(terms: &mut T, data: &[u8]) -> i32 {
    let mut least = i32::try_from(data.len()).unwrap_or(i32::MAX);
    let mut any = false;
    for slot in 0..terms.slot_count() {
        let Some(stream) = terms.stream(slot) else {
            continue;
        };
        any = true;
        let count = match terms.write(stream, data) {
            Written::Bytes(n) => i32::try_from(n).unwrap_or(i32::MAX),
            Written::WouldBlock => 0,
            Written::Failed => {
                if !terms.is_builtin(stream) {
                    deactivate(terms, stream, Deactivation::WriteFailed);
                }
                0
            }
        };
        least = least.min(count);
    }
    if any {
        least
    } else {
        -1
    }
}

/// `mp_os_dupterm_poll`: the poll flags of all attached streams merged, stopping early
/// once every requested flag is set. A failing poll is ignored.
pub fn poll<T: Terminals + ?Sized>(terms: &mut T, flags: usize) -> usize {
    let mut out = 0;
    for slot in 0..terms.slot_count() {
        let Some(stream) = terms.stream(slot) else {
            continue;
        };
        if let Some(ready) = terms.poll(stream, flags) {
            out |= ready;
            if out == flags {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
