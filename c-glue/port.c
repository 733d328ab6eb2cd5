// Port services that libmprs.a imports, implemented with this port's MicroPython build:
// every VM call that can raise is protected here, so no longjmp crosses a Rust frame.

#include <stddef.h>

#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/stream.h"
#include "mprs_glue.h"

// The Rust mirrors must match this build's configuration.
_Static_assert(sizeof(mprs_obj_t) == sizeof(mp_obj_t),
    "mprs: mp_obj_t width differs; set MPRS_OBJ_REPR_D=1 for MICROPY_OBJ_REPR_D");
_Static_assert(sizeof(mprs_uint_t) == sizeof(mp_uint_t), "mprs: mp_uint_t width differs");
_Static_assert(sizeof(mprs_int_t) == sizeof(mp_int_t), "mprs: mp_int_t width differs");
_Static_assert(sizeof(mprs_off_t) == sizeof(mp_off_t),
    "mprs: mp_off_t width differs; set MPRS_OFF_T_64=1 where mp_off_t is 64-bit on a 32-bit target");
_Static_assert(sizeof(mprs_stream_p_t) == sizeof(mp_stream_p_t), "mprs: mp_stream_p_t size differs");
_Static_assert(offsetof(mprs_stream_p_t, read) == offsetof(mp_stream_p_t, read), "mprs: mp_stream_p_t.read");
_Static_assert(offsetof(mprs_stream_p_t, write) == offsetof(mp_stream_p_t, write), "mprs: mp_stream_p_t.write");
_Static_assert(offsetof(mprs_stream_p_t, ioctl) == offsetof(mp_stream_p_t, ioctl), "mprs: mp_stream_p_t.ioctl");
_Static_assert(sizeof(mprs_stream_seek_t) == sizeof(struct mp_stream_seek_t), "mprs: mp_stream_seek_t size");
_Static_assert(offsetof(mprs_stream_seek_t, whence) == offsetof(struct mp_stream_seek_t, whence),
    "mprs: mp_stream_seek_t.whence");

#ifndef MPRS_PANIC_HOOK
// A Rust panic is an mprs bug: stop the way this port stops on a fatal VM error.
#define MPRS_PANIC_HOOK() nlr_jump_fail(NULL)
#endif

MP_NORETURN void mprs_port_panic(void) {
    MPRS_PANIC_HOOK();
    for (;;) {
    }
}

// The critical-section of libmprs.a. Each entry keeps the state its own begin returned,
// so every level restores what it found; only the holder of the section touches these.
#ifndef MPRS_ATOMIC_NEST_MAX
#define MPRS_ATOMIC_NEST_MAX (8)
#endif
static mp_uint_t mprs_atomic_state[MPRS_ATOMIC_NEST_MAX];
static size_t mprs_atomic_depth;

void mprs_port_atomic_begin(void) {
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    if (mprs_atomic_depth >= MPRS_ATOMIC_NEST_MAX) {
        mprs_port_panic();
    }
    mprs_atomic_state[mprs_atomic_depth++] = state;
}

void mprs_port_atomic_end(void) {
    if (mprs_atomic_depth == 0) {
        mprs_port_panic();
    }
    mp_uint_t state = mprs_atomic_state[--mprs_atomic_depth];
    MICROPY_END_ATOMIC_SECTION(state);
}

bool mprs_protect(mprs_call_t *call, mprs_protected_fn_t fn, void *ctx) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        fn(ctx);
        nlr_pop();
        return true;
    }
    if (call != NULL) {
        call->exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    }
    return false;
}

// One protocol call (read, write or ioctl) and its result, for mprs_protect.
typedef struct {
    mp_obj_t obj;
    union {
        mp_uint_t (*read)(mp_obj_t obj, void *buf, mp_uint_t size, int *errcode);
        mp_uint_t (*write)(mp_obj_t obj, const void *buf, mp_uint_t size, int *errcode);
        mprs_ioctl_fn_t ioctl;
    } fn;
    void *buf;
    mp_uint_t arg; // size, or the ioctl request
    uintptr_t ioctl_arg;
    int *errcode;
    mp_uint_t out;
    uint8_t kind;
} protocol_call_t;

enum { CALL_READ, CALL_WRITE, CALL_IOCTL };

static void protocol_call(void *ctx) {
    protocol_call_t *c = ctx;
    switch (c->kind) {
        case CALL_READ:
            c->out = c->fn.read(c->obj, c->buf, c->arg, c->errcode);
            break;
        case CALL_WRITE:
            c->out = c->fn.write(c->obj, c->buf, c->arg, c->errcode);
            break;
        default:
            c->out = c->fn.ioctl(c->obj, c->arg, c->ioctl_arg, c->errcode);
            break;
    }
}

static mp_uint_t protocol_call_protected(mprs_call_t *call, protocol_call_t *c) {
    // Only the member the caller set is read.
    bool missing = c->kind == CALL_READ ? c->fn.read == NULL
        : c->kind == CALL_WRITE ? c->fn.write == NULL : c->fn.ioctl == NULL;
    if (missing) {
        *c->errcode = MP_EOPNOTSUPP;
        return MP_STREAM_ERROR;
    }
    if (!mprs_protect(call, protocol_call, c)) {
        *c->errcode = MPRS_RAISED;
        return MP_STREAM_ERROR;
    }
    return c->out;
}

mp_uint_t mprs_call_ioctl(mprs_call_t *call, mprs_ioctl_fn_t ioctl, mp_obj_t obj, mp_uint_t request, uintptr_t arg, int *errcode) {
    protocol_call_t c = { .obj = obj, .fn.ioctl = ioctl, .arg = request, .ioctl_arg = arg, .errcode = errcode, .kind = CALL_IOCTL };
    return protocol_call_protected(call, &c);
}

mprs_uint_t mprs_port_stream_io(mprs_call_t *call, mprs_obj_t stream, void *buf, mprs_uint_t size, int *errcode, mprs_direction direction) {
    bool write = direction == MPRS_DIRECTION_WRITE;
    protocol_call_t c = { .obj = MP_OBJ_FROM_MPRS(stream), .buf = buf, .arg = size, .errcode = errcode, .kind = write ? CALL_WRITE : CALL_READ };
    const mp_stream_p_t *stream_p = mprs_protocol_of(c.obj);
    if (stream_p != NULL) {
        if (write) {
            c.fn.write = stream_p->write;
        } else {
            c.fn.read = stream_p->read;
        }
    }
    return protocol_call_protected(call, &c);
}

mprs_uint_t mprs_port_stream_ioctl(mprs_call_t *call, mprs_obj_t stream, mprs_uint_t request, size_t arg, int *errcode) {
    mp_obj_t obj = MP_OBJ_FROM_MPRS(stream);
    const mp_stream_p_t *stream_p = mprs_protocol_of(obj);
    return mprs_call_ioctl(call, stream_p != NULL ? stream_p->ioctl : NULL, obj, request, arg, errcode);
}

int mprs_port_errno(mprs_errno which) {
    switch (which) {
        case MPRS_ERRNO_EIO:
            return MP_EIO;
        case MPRS_ERRNO_EINVAL:
            return MP_EINVAL;
        case MPRS_ERRNO_EAGAIN:
            return MP_EAGAIN;
        case MPRS_ERRNO_EWOULDBLOCK:
            return MP_EWOULDBLOCK;
        case MPRS_ERRNO_ENOMEM:
            return MP_ENOMEM;
        case MPRS_ERRNO_EBADF:
            return MP_EBADF;
        case MPRS_ERRNO_EOPNOTSUPP:
            return MP_EOPNOTSUPP;
        case MPRS_ERRNO_ENOENT:
            return MP_ENOENT;
        case MPRS_ERRNO_EEXIST:
            return MP_EEXIST;
        case MPRS_ERRNO_ENOTCONN:
            return MP_ENOTCONN;
        case MPRS_ERRNO_ECONNRESET:
            return MP_ECONNRESET;
        case MPRS_ERRNO_ETIMEDOUT:
            return MP_ETIMEDOUT;
        case MPRS_ERRNO_EALREADY:
            return MP_EALREADY;
        case MPRS_ERRNO_EINPROGRESS:
            return MP_EINPROGRESS;
        case MPRS_ERRNO_ECONNABORTED:
            return MP_ECONNABORTED;
        case MPRS_ERRNO_ENOBUFS:
            return MP_ENOBUFS;
        case MPRS_ERRNO_EHOSTUNREACH:
            return MP_EHOSTUNREACH;
        case MPRS_ERRNO_EADDRINUSE:
            return MP_EADDRINUSE;
        case MPRS_ERRNO_EISCONN:
            return MP_EISCONN;
    }
    return MP_EINVAL;
}

bool mprs_port_is_nonblocking_error(int errcode) {
    (void)errcode;
    return mp_is_nonblocking_error(errcode);
}

#if defined(__arm__) && defined(__ARM_EABI__) && !defined(MPRS_NO_AEABI_MEM)
// The ARM EABI memory helpers Rust's code generator calls. Ports that link newlib have
// them; MicroPython's own bare-metal ports (qemu, stm32, ...) link only libgcc and
// shared/libc, which lack them. These weak versions forward to the port's memcpy, memset
// and memmove, so the work is always done by the port's one C library.
#include <string.h>
#define MPRS_AEABI_WEAK __attribute__((weak))
MPRS_AEABI_WEAK void __aeabi_memcpy(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
MPRS_AEABI_WEAK void __aeabi_memcpy4(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
MPRS_AEABI_WEAK void __aeabi_memcpy8(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
MPRS_AEABI_WEAK void __aeabi_memmove(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
MPRS_AEABI_WEAK void __aeabi_memmove4(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
MPRS_AEABI_WEAK void __aeabi_memmove8(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
// Note the argument order: (dest, n, c), unlike memset.
MPRS_AEABI_WEAK void __aeabi_memset(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
MPRS_AEABI_WEAK void __aeabi_memset4(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
MPRS_AEABI_WEAK void __aeabi_memset8(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
MPRS_AEABI_WEAK void __aeabi_memclr(void *dest, size_t n) {
    memset(dest, 0, n);
}
MPRS_AEABI_WEAK void __aeabi_memclr4(void *dest, size_t n) {
    memset(dest, 0, n);
}
MPRS_AEABI_WEAK void __aeabi_memclr8(void *dest, size_t n) {
    memset(dest, 0, n);
}
#endif
