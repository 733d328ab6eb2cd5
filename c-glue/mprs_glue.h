// Shared by the glue files: the call record that carries a VM exception across the Rust
// frames, and conversions between mp_obj_t and the header's mprs_obj_t.
#ifndef MICROPY_INCLUDED_MPRS_GLUE_H
#define MICROPY_INCLUDED_MPRS_GLUE_H

#include "py/runtime.h"
#include "mprs.h"

// One call from the glue into Rust: the VM exception raised inside a protected port
// service, held until Rust has returned.
struct mprs_call_t {
    mp_obj_t exc;
};

#define MPRS_CALL_INIT { MP_OBJ_NULL }

// mprs_obj_t is the integer of the same width as mp_obj_t (checked in port.c).
#define MPRS_OBJ(o) ((mprs_obj_t)(o))
#define MP_OBJ_FROM_MPRS(o) ((mp_obj_t)(o))

// The protocol slot of obj's type (a stream's mp_stream_p_t, a pin's mp_pin_p_t), or NULL.
static inline __attribute__((always_inline)) const void *mprs_protocol_of(mp_obj_t obj) {
    const mp_obj_type_t *type = mp_obj_get_type(obj);
    return MP_OBJ_TYPE_HAS_SLOT(type, protocol) ? MP_OBJ_TYPE_GET_SLOT(type, protocol) : NULL;
}

// Re-raises the exception a port service recorded, now that no Rust frame is live.
static inline void mprs_call_reraise(mprs_call_t *call) {
    if (call->exc != MP_OBJ_NULL) {
        nlr_jump(MP_OBJ_TO_PTR(call->exc));
    }
}

// The glue's one way to catch a VM exception. Runs fn(ctx) under nlr_push and returns true
// if it returned. If it raised, returns false and records the exception in call (when call is
// not NULL; with NULL the exception is dropped). Every port service that can raise, and every
// glue path that runs VM code while a Rust frame is live, goes through it.
typedef void (*mprs_protected_fn_t)(void *ctx);
bool mprs_protect(mprs_call_t *call, mprs_protected_fn_t fn, void *ctx);

// A stream or pin protocol's ioctl, protected: an exception becomes MP_STREAM_ERROR with
// *errcode MPRS_RAISED and is recorded in call; a missing ioctl is EOPNOTSUPP.
typedef mp_uint_t (*mprs_ioctl_fn_t)(mp_obj_t obj, mp_uint_t request, uintptr_t arg, int *errcode);
mp_uint_t mprs_call_ioctl(mprs_call_t *call, mprs_ioctl_fn_t ioctl, mp_obj_t obj, mp_uint_t request, uintptr_t arg, int *errcode);

#endif // MICROPY_INCLUDED_MPRS_GLUE_H
