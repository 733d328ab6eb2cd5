// Host pin objects for the C tests: see host_pin.c.
#ifndef MPRS_HOST_PIN_H
#define MPRS_HOST_PIN_H

#include "host_port.h"

// What a test pin's ioctl returns to stand for "raised an exception".
#define HOST_PIN_RAISE ((mprs_uint_t)-7)

// A pin operation and a read, as c-glue/virtpin.c runs them over libmprs.a's machine:
// 0 or the errno (MPRS_RAISED when the pin "raised"); the read gives -1 on failure, with
// *errcode (which may be NULL) set.
int host_pin_apply(mprs_call_t *call, mprs_obj_t pin, mprs_pin_op op);
int host_pin_read(mprs_call_t *call, mprs_obj_t pin, int *errcode);

#endif // MPRS_HOST_PIN_H
