// Host pin port service for the C tests: an mprs_obj_t pin is a pointer to an object that
// starts with a pointer to its mprs_pin_p_t (the host's stand-in for the type's protocol
// slot), so C pins and Rust latch pins (mprs_latch_pin_obj_t) are reached the same way.
// An ioctl "raises" when it returns HOST_PIN_RAISE.
#include "host_pin.h"

mprs_uint_t mprs_port_pin_ioctl(mprs_call_t *call, mprs_obj_t pin, mprs_uint_t request, size_t arg, int *errcode) {
    const mprs_pin_p_t *const *proto = (const mprs_pin_p_t *const *)(uintptr_t)pin;
    if (proto == NULL || *proto == NULL || (*proto)->ioctl == NULL) {
        *errcode = host_errno(MPRS_ERRNO_EINVAL);
        return (mprs_uint_t)-1;
    }
    mprs_uint_t ret = (*proto)->ioctl(pin, request, arg, errcode);
    if (ret == HOST_PIN_RAISE) {
        call->raised = true;
        call->exc = "RuntimeError: pin broke";
        *errcode = MPRS_RAISED;
        return (mprs_uint_t)-1;
    }
    return ret;
}
