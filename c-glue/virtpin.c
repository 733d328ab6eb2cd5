// extmod/virtpin.c implemented over libmprs.a (src/pin.rs), with the default MPHAL GPIO
// functions for ports whose pins are virtual pins.

#include <stdint.h>
#include <stddef.h>
#include "py/mpconfig.h"

// The defaults are on when the port leaves its pins to py/mphal.h's virtual-pin fallback,
// that is when its own HAL header does not define mp_hal_pin_obj_t. A port with a GPIO
// layer defines mp_hal_pin_obj_t and its mp_hal_pin_* functions, as macros (stm32) or as
// static inline functions (rp2). py/mphal.h defines mp_hal_pin_obj_t itself when the port
// did not, so the test looks at the port's header alone: included here as py/mphal.h
// includes it (after py/mpconfig.h), and py/mphal.h is then pointed at an empty header,
// so the port's header (not every port guards it) is read once.
#ifndef MPRS_PIN_DEFAULT_MPHAL
#ifdef MICROPY_INCLUDED_PY_MPHAL_H
#error "mprs: py/mphal.h was included before c-glue/virtpin.c could test mp_hal_pin_obj_t; define MPRS_PIN_DEFAULT_MPHAL to 0 or 1"
#endif
#ifdef MICROPY_MPHALPORT_H
#include MICROPY_MPHALPORT_H
#undef MICROPY_MPHALPORT_H
#else
#include <mphalport.h>
#endif
#define MICROPY_MPHALPORT_H "mprs_mphalport_read.h"
#ifdef mp_hal_pin_obj_t
#define MPRS_PIN_DEFAULT_MPHAL (0)
#else
#define MPRS_PIN_DEFAULT_MPHAL (1)
#endif
#endif

#include "py/runtime.h"
#include "py/mphal.h"
#include "py/mperrno.h"
#include "py/stream.h"
#include "extmod/virtpin.h"
#include "mprs_glue.h"

_Static_assert(sizeof(mprs_pin_p_t) == sizeof(mp_pin_p_t), "mprs: mp_pin_p_t size differs");
_Static_assert(sizeof(mprs_obj_base_t) == sizeof(mp_obj_base_t), "mprs: mp_obj_base_t size differs");

// Runs one pin operation: Rust's machine says which ioctl requests it makes and what their
// returns mean; the ioctl is called here, with no Rust frame live, so an exception from it
// propagates as in extmod/virtpin.c. An object without the pin protocol is EINVAL.
static int pin_op(mp_obj_t pin, mprs_pin_op op) {
    const mp_pin_p_t *pin_p = mprs_protocol_of(pin);
    mprs_pin_call_t call;
    mprs_pin_start(&call, op);
    bool more;
    do {
        mp_uint_t ret = MP_STREAM_ERROR;
        int errcode = MP_EINVAL;
        if (pin_p != NULL && pin_p->ioctl != NULL) {
            errcode = 0;
            ret = pin_p->ioctl(pin, call.request, call.arg, &errcode);
        }
        more = mprs_pin_step(&call, ret, errcode);
    } while (more);
    if (call.error != 0) {
        mp_raise_OSError(call.error);
    }
    return call.value;
}

int mp_virtual_pin_read(mp_obj_t pin) {
    return pin_op(pin, MPRS_PIN_OP_READ);
}

void mp_virtual_pin_write(mp_obj_t pin, int value) {
    pin_op(pin, value ? MPRS_PIN_OP_HIGH : MPRS_PIN_OP_LOW);
}

#if MPRS_PIN_DEFAULT_MPHAL
#include "mprs_hal_pin.h"

void mp_hal_pin_input(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_INPUT);
}

void mp_hal_pin_output(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_OUTPUT);
}

void mp_hal_pin_open_drain(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_OD_HIGH);
}

void mp_hal_pin_od_low(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_OD_LOW);
}

void mp_hal_pin_od_high(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_OD_HIGH);
}

void mp_hal_pin_low(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_LOW);
}

void mp_hal_pin_high(mp_obj_t pin) {
    pin_op(pin, MPRS_PIN_OP_HIGH);
}
#endif
