// Host pins for the C tests: an mprs_obj_t pin is a pointer to an object that starts with
// a pointer to its mprs_pin_p_t (the host's stand-in for the type's protocol slot), so C
// pins and Rust latch pins (mprs_latch_pin_obj_t) are reached the same way. An ioctl
// "raises" when it returns HOST_PIN_RAISE.
#include "host_pin.h"

// One pin operation, driven as c-glue/virtpin.c drives it: the machine says which ioctl
// to make, the driver makes it. Returns the machine's value; *status is 0, the errno, or
// MPRS_RAISED (with call set) when an ioctl "raised".
static int host_pin_op(mprs_call_t *call, mprs_obj_t pin, mprs_pin_op op, int *status) {
    const mprs_pin_p_t *const *proto = (const mprs_pin_p_t *const *)(uintptr_t)pin;
    mprs_pin_call_t c;
    mprs_pin_start(&c, op);
    bool more;
    do {
        mprs_uint_t ret = (mprs_uint_t)-1;
        int errcode = host_errno(MPRS_ERRNO_EINVAL);
        if (proto != NULL && *proto != NULL && (*proto)->ioctl != NULL) {
            errcode = 0;
            ret = (*proto)->ioctl(pin, c.request, c.arg, &errcode);
            if (ret == HOST_PIN_RAISE) {
                call->raised = true;
                call->exc = "RuntimeError: pin broke";
                *status = MPRS_RAISED;
                return -1;
            }
        }
        more = mprs_pin_step(&c, ret, errcode);
    } while (more);
    *status = c.error;
    return c.error != 0 ? -1 : c.value;
}

int host_pin_apply(mprs_call_t *call, mprs_obj_t pin, mprs_pin_op op) {
    int status;
    host_pin_op(call, pin, op, &status);
    return status;
}

int host_pin_read(mprs_call_t *call, mprs_obj_t pin, int *errcode) {
    int status;
    int value = host_pin_op(call, pin, MPRS_PIN_OP_READ, &status);
    if (errcode != NULL) {
        *errcode = status;
    }
    return value;
}
