use super::*;
use crate::errno::Numbering;

/// The one port service the adapter uses, as a host port would give it.
#[no_mangle]
extern "C" fn mprs_port_errno(which: MprsErrno) -> c_int {
    Numbering::Darwin.value(which)
}

fn call(obj: &mut PinObject<LatchPin>, request: MpUint, arg: usize, errcode: *mut c_int) -> MpUint {
    let ioctl = LATCH_PIN_PROTOCOL.ioctl.expect("ioctl");
    // SAFETY: obj is a live PinObject<LatchPin> used by nothing else meanwhile.
    unsafe {
        ioctl(
            MpObj(obj as *mut PinObject<LatchPin> as usize as MpUint),
            request,
            arg,
            errcode,
        )
    }
}

#[test]
fn a_rust_pin_through_its_c_vtable() {
    let mut obj = PinObject::<LatchPin> {
        base: MpObjBase {
            type_: core::ptr::null(),
        },
        pin: LatchPin::default(),
    };
    let mut err = 0;
    assert_eq!(call(&mut obj, pin::MP_PIN_WRITE, 1, &mut err), 0);
    assert_eq!(call(&mut obj, pin::MP_PIN_READ, 0, &mut err), 1);
    assert_eq!(call(&mut obj, pin::MP_PIN_OUTPUT, 0, &mut err), 0);
    assert!(obj.pin.output && obj.pin.level);
    assert_eq!(err, 0);
    assert_eq!(call(&mut obj, 77, 0, &mut err), MP_STREAM_ERROR);
    assert_eq!(err, 22);
    // NULL errcode, as the C original passes it: no crash, same answer.
    assert_eq!(
        call(&mut obj, 77, 0, core::ptr::null_mut()),
        MP_STREAM_ERROR
    );
    let ioctl = LATCH_PIN_PROTOCOL.ioctl.expect("ioctl");
    // SAFETY: a NULL object is allowed and refused.
    assert_eq!(
        unsafe { ioctl(MpObj(0), pin::MP_PIN_READ, 0, &mut err) },
        MP_STREAM_ERROR
    );
}
