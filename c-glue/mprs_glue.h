// Shared by the glue files: the call record that carries a VM exception across the Rust
// frames, and conversions between mp_obj_t and the header's mprs_obj_t.
#ifndef MICROPY_INCLUDED_MPRS_GLUE_H
#define MICROPY_INCLUDED_MPRS_GLUE_H

#include "py/runtime.h"
#include "mprs.h"

// A VM exception raised inside a protected port service, held until Rust has returned;
// and, for mp_os_deactivate, the message its caller gave.
struct mprs_call_t {
    mp_obj_t exc;
    const char *msg;
};

#define MPRS_CALL_INIT { MP_OBJ_NULL, NULL }

// mprs_obj_t is the integer of the same width as mp_obj_t (checked in port.c).
#define MPRS_OBJ(o) ((mprs_obj_t)(o))
#define MP_OBJ_FROM_MPRS(o) ((mp_obj_t)(o))

// The glue's vstr_t is what Rust sees as an opaque mprs_vstr_t.
#define MPRS_VSTR(v) ((mprs_vstr_t *)(v))

// Re-raises the exception a port service recorded, now that no Rust frame is live.
static inline void mprs_call_reraise(mprs_call_t *call) {
    if (call->exc != MP_OBJ_NULL) {
        nlr_jump(MP_OBJ_TO_PTR(call->exc));
    }
}

// Records the exception caught by nlr_push; returns MP_STREAM_ERROR with MPRS_RAISED.
mp_uint_t mprs_call_caught(mprs_call_t *call, nlr_buf_t *nlr, int *errcode);

#endif // MICROPY_INCLUDED_MPRS_GLUE_H
