//! dupterm exports, over the port services of `crate::abi` that reach the dupterm slots.

use crate::abi::{
    mprs_port_dupterm_builtin, mprs_port_dupterm_close, mprs_port_dupterm_detach,
    mprs_port_dupterm_interrupt_char, mprs_port_dupterm_poll, mprs_port_dupterm_read,
    mprs_port_dupterm_report, mprs_port_dupterm_schedule_interrupt, mprs_port_dupterm_stream,
    mprs_port_dupterm_write, MpObj, MpUint, MprsCall, MPRS_DUPTERM_EOF, MPRS_DUPTERM_WOULD_BLOCK,
    MP_STREAM_ERROR,
};
use crate::dupterm::{self, Deactivation, ReadByte, Terminals, Written};
use core::ffi::{c_char, c_int};

/// A stream detached from its slots, owned until it is closed.
pub struct DetachedStream(MpObj);

/// The port's slots, for one call from the glue.
struct PortTerminals {
    call: *mut MprsCall,
    slots: usize,
    /// The port's own message for a requested deactivation (`mp_os_deactivate`), or NULL.
    msg: *const c_char,
}

impl Terminals for PortTerminals {
    type Stream = MpObj;
    type Detached = DetachedStream;

    fn slot_count(&self) -> usize {
        self.slots
    }
    fn stream(&self, slot: usize) -> Option<MpObj> {
        let mut stream = MpObj(0);
        // SAFETY: stream is a live local the service writes when it returns true; slots
        // out of range are empty to it.
        unsafe { mprs_port_dupterm_stream(slot, &mut stream) }.then_some(stream)
    }
    fn is_builtin(&self, stream: MpObj) -> bool {
        // SAFETY: a query on a stream the slots hold.
        unsafe { mprs_port_dupterm_builtin(stream) }
    }
    fn read_byte(&mut self, stream: MpObj) -> ReadByte {
        let mut byte = 0u8;
        // SAFETY: byte is a live local; the service protects the VM call.
        match unsafe { mprs_port_dupterm_read(self.call, stream, &mut byte) } {
            1 => ReadByte::Byte(byte),
            MPRS_DUPTERM_EOF => ReadByte::Eof,
            MPRS_DUPTERM_WOULD_BLOCK => ReadByte::WouldBlock,
            _ => ReadByte::Failed,
        }
    }
    fn write(&mut self, stream: MpObj, data: &[u8]) -> Written {
        // SAFETY: data is a live slice the service only reads; it protects the VM call.
        let n = unsafe { mprs_port_dupterm_write(self.call, stream, data.as_ptr(), data.len()) };
        match usize::try_from(n) {
            Ok(count) => Written::Bytes(count.min(data.len())),
            Err(_) if n == MPRS_DUPTERM_WOULD_BLOCK as isize => Written::WouldBlock,
            Err(_) => Written::Failed,
        }
    }
    fn poll(&mut self, stream: MpObj, flags: usize) -> Option<usize> {
        // SAFETY: the service protects the ioctl and reports a failure as MP_STREAM_ERROR.
        let ret = unsafe { mprs_port_dupterm_poll(stream, flags as MpUint) };
        (ret != MP_STREAM_ERROR).then(|| crate::abi::uint_to_usize(ret).unwrap_or(0))
    }
    fn detach(&mut self, stream: MpObj) -> Option<DetachedStream> {
        // SAFETY: empties the port's slots that hold stream.
        unsafe { mprs_port_dupterm_detach(stream) }.then_some(DetachedStream(stream))
    }
    fn report(&mut self, why: Deactivation) {
        // SAFETY: the call record is the glue's live one.
        unsafe { mprs_port_dupterm_report(self.call, why, self.msg) }
    }
    fn close(&mut self, stream: DetachedStream) {
        // SAFETY: the stream was just detached and is closed once (it is consumed here).
        unsafe { mprs_port_dupterm_close(stream.0) }
    }
    fn interrupt_char(&self) -> Option<u8> {
        // SAFETY: reads a port variable.
        u8::try_from(unsafe { mprs_port_dupterm_interrupt_char() }).ok()
    }
    fn schedule_interrupt(&mut self) {
        // SAFETY: schedules an exception for the VM; safe from any VM context.
        unsafe { mprs_port_dupterm_schedule_interrupt() }
    }
}

/// `mp_os_dupterm_rx_chr` over `slots` slots: a byte, -2 after scheduling
/// KeyboardInterrupt for the interrupt character, or -1.
///
/// # Safety
/// `call` must be the glue's live call record.
#[no_mangle]
pub unsafe extern "C" fn mprs_dupterm_rx_chr(call: *mut MprsCall, slots: usize) -> c_int {
    dupterm::rx_chr(&mut PortTerminals {
        call,
        slots,
        msg: core::ptr::null(),
    })
    .code()
}

/// `mp_os_dupterm_tx_strn`: the smallest count written across attached slots, or -1 when
/// none is attached. A NULL `buf` is an empty string.
///
/// # Safety
/// `buf` must be valid for `len` bytes; `call` the glue's live call record.
#[no_mangle]
pub unsafe extern "C" fn mprs_dupterm_tx_strn(
    call: *mut MprsCall,
    slots: usize,
    buf: *const u8,
    len: usize,
) -> c_int {
    // SAFETY: the caller guarantees buf covers len bytes.
    let data = unsafe { super::slice_or_empty(buf, len) };
    dupterm::tx_strn(
        &mut PortTerminals {
            call,
            slots,
            msg: core::ptr::null(),
        },
        data,
    )
}

/// `mp_os_dupterm_poll`: the merged poll flags of the attached slots.
///
/// # Safety
/// `call` must be the glue's live call record.
#[no_mangle]
pub unsafe extern "C" fn mprs_dupterm_poll(
    call: *mut MprsCall,
    slots: usize,
    flags: usize,
) -> usize {
    dupterm::poll(
        &mut PortTerminals {
            call,
            slots,
            msg: core::ptr::null(),
        },
        flags,
    )
}

/// `mp_os_deactivate`: detaches the stream in `slot` (from every slot), reports it with the
/// port's message `msg` (a format string, or NULL) and the exception `call` holds, and
/// closes it; an empty slot is only reported. A slot out of range is ignored.
///
/// # Safety
/// `call` must be the glue's live call record; `msg` NULL or a string the port keeps.
#[no_mangle]
pub unsafe extern "C" fn mprs_dupterm_deactivate(
    call: *mut MprsCall,
    slots: usize,
    slot: usize,
    msg: *const c_char,
) {
    if slot < slots {
        let mut terminals = PortTerminals { call, slots, msg };
        dupterm::deactivate_slot(&mut terminals, slot, Deactivation::Requested);
    }
}
