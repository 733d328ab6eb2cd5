// extmod/os_dupterm.c implemented over libmprs.a: the slot rules (when to read, write,
// deactivate and close) are in Rust (src/dupterm.rs); this file reaches the streams held in
// MP_STATE_VM(dupterm_objs), protecting every call that can raise.

#include "py/mpconfig.h"

#if MICROPY_PY_OS_DUPTERM

#include "py/mperrno.h"
#include "py/stream.h"
#include "extmod/misc.h"
#include "shared/runtime/interrupt_char.h"
#include "mprs_glue.h"

bool mprs_port_dupterm_stream(size_t slot, mprs_obj_t *stream) {
    mp_obj_t s = slot < MICROPY_PY_OS_DUPTERM ? MP_STATE_VM(dupterm_objs[slot]) : MP_OBJ_NULL;
    *stream = MPRS_OBJ(s);
    return s != MP_OBJ_NULL;
}

bool mprs_port_dupterm_builtin(mprs_obj_t stream) {
    #if MICROPY_PY_OS_DUPTERM_BUILTIN_STREAM
    return mp_os_dupterm_is_builtin_stream(MP_OBJ_FROM_MPRS(stream));
    #else
    (void)stream;
    return false;
    #endif
}

int mprs_port_dupterm_read(mprs_call_t *call, mprs_obj_t stream, uint8_t *out) {
    mp_obj_t s = MP_OBJ_FROM_MPRS(stream);
    const mp_stream_p_t *stream_p = mp_get_stream(s);
    bool builtin = mprs_port_dupterm_builtin(stream);
    int errcode = 0;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_uint_t out_sz = stream_p->read(s, out, 1, &errcode);
        int ret = 1;
        if (builtin) {
            // The port's own stream: any error just skips it, as in the C original.
            ret = out_sz == 1 && errcode == 0 ? 1 : MPRS_DUPTERM_FAILED;
        } else if (out_sz == 0) {
            ret = MPRS_DUPTERM_EOF;
        } else if (out_sz == MP_STREAM_ERROR) {
            if (!mp_is_nonblocking_error(errcode)) {
                // Reported as the C original reports it: as an OSError.
                mp_raise_OSError(errcode);
            }
            ret = MPRS_DUPTERM_WOULD_BLOCK;
        } else if (out_sz != 1) {
            mp_raise_OSError(MP_EIO);
        }
        nlr_pop();
        return ret;
    }
    // A builtin stream's exception is not reported: it stays in `call` and is raised again
    // once Rust has returned, as the C original let it propagate.
    mprs_call_caught(call, &nlr, &errcode);
    return MPRS_DUPTERM_FAILED;
}

ptrdiff_t mprs_port_dupterm_write(mprs_call_t *call, mprs_obj_t stream, const uint8_t *buf, size_t len) {
    mp_obj_t s = MP_OBJ_FROM_MPRS(stream);
    bool builtin = mprs_port_dupterm_builtin(stream);
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        ptrdiff_t ret;
        if (builtin) {
            // The port's own stream: called directly, as the C original does.
            int errcode = 0;
            mp_uint_t written = mp_get_stream(s)->write(s, buf, len, &errcode);
            ret = written == MP_STREAM_ERROR ? MPRS_DUPTERM_FAILED : (ptrdiff_t)MIN(written, len);
        } else {
            mp_obj_t written = mp_stream_write(s, buf, len, MP_STREAM_RW_WRITE);
            ret = written == mp_const_none ? MPRS_DUPTERM_WOULD_BLOCK
                : mp_obj_is_small_int(written) ? MAX(0, MP_OBJ_SMALL_INT_VALUE(written)) : 0;
        }
        nlr_pop();
        return ret;
    }
    int errcode;
    mprs_call_caught(call, &nlr, &errcode);
    return MPRS_DUPTERM_FAILED;
}

mprs_uint_t mprs_port_dupterm_poll(mprs_obj_t stream, mprs_uint_t flags) {
    mp_obj_t s = MP_OBJ_FROM_MPRS(stream);
    const mp_stream_p_t *stream_p = mp_get_stream(s);
    mp_uint_t ret = MP_STREAM_ERROR;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        int errcode = 0;
        ret = stream_p->ioctl(s, MP_STREAM_POLL, flags, &errcode);
        nlr_pop();
    }
    // An exception from poll is ignored, as in the C original.
    return ret;
}

bool mprs_port_dupterm_detach(mprs_obj_t stream) {
    mp_obj_t s = MP_OBJ_FROM_MPRS(stream);
    bool held = false;
    for (size_t i = 0; i < MICROPY_PY_OS_DUPTERM; ++i) {
        if (MP_STATE_VM(dupterm_objs[i]) == s) {
            MP_STATE_VM(dupterm_objs[i]) = MP_OBJ_NULL;
            held = true;
        }
    }
    return held;
}

void mprs_port_dupterm_report(mprs_call_t *call, mprs_dupterm_why why) {
    static const char *const messages[] = {
        [MPRS_DUPTERM_WHY_EOF] = "dupterm: EOF received, deactivating\n",
        [MPRS_DUPTERM_WHY_READ_FAILED] = "dupterm: Exception in read() method, deactivating: ",
        [MPRS_DUPTERM_WHY_WRITE_FAILED] = "dupterm: Exception in write() method, deactivating: ",
    };
    const char *msg = why == MPRS_DUPTERM_WHY_OTHER || (size_t)why >= MP_ARRAY_SIZE(messages) ? call->msg : messages[why];
    // Taken before printing: the message goes to the other dupterm slots too.
    mp_obj_t exc = call->exc;
    call->exc = MP_OBJ_NULL;
    if (msg != NULL) {
        mp_printf(&mp_plat_print, "%s", msg);
    }
    if (exc != MP_OBJ_NULL) {
        mp_obj_print_exception(&mp_plat_print, exc);
    }
}

void mprs_port_dupterm_close(mprs_obj_t stream) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_stream_close(MP_OBJ_FROM_MPRS(stream));
        nlr_pop();
    }
    // Errors while closing are swallowed: nobody else can reclaim the stream.
}

int mprs_port_dupterm_interrupt_char(void) {
    return mp_interrupt_char;
}

void mprs_port_dupterm_schedule_interrupt(void) {
    mp_sched_keyboard_interrupt();
}

void mp_os_deactivate(size_t dupterm_idx, const char *msg, mp_obj_t exc) {
    mprs_call_t call = { exc, msg };
    mprs_dupterm_deactivate(&call, MICROPY_PY_OS_DUPTERM, dupterm_idx, MPRS_DUPTERM_WHY_OTHER);
}

uintptr_t mp_os_dupterm_poll(uintptr_t poll_flags) {
    mprs_call_t call = MPRS_CALL_INIT;
    return mprs_dupterm_poll(&call, MICROPY_PY_OS_DUPTERM, poll_flags);
}

int mp_os_dupterm_rx_chr(void) {
    #if MICROPY_PY_OS_DUPTERM_NOTIFY
    // Reading can run Python code that schedules os.dupterm_notify(), which would read
    // again from inside this read: lock the scheduler meanwhile.
    mp_sched_lock();
    #endif
    mprs_call_t call = MPRS_CALL_INIT;
    int ret = mprs_dupterm_rx_chr(&call, MICROPY_PY_OS_DUPTERM);
    #if MICROPY_PY_OS_DUPTERM_NOTIFY
    mp_sched_unlock();
    #endif
    mprs_call_reraise(&call); // only a builtin stream's exception is left here
    return ret;
}

int mp_os_dupterm_tx_strn(const char *str, size_t len) {
    mprs_call_t call = MPRS_CALL_INIT;
    int ret = mprs_dupterm_tx_strn(&call, MICROPY_PY_OS_DUPTERM, (const uint8_t *)str, len);
    mprs_call_reraise(&call); // only a builtin stream's exception is left here
    return ret;
}

static mp_obj_t mp_os_dupterm(size_t n_args, const mp_obj_t *args) {
    mp_int_t idx = 0;
    if (n_args == 2) {
        idx = mp_obj_get_int(args[1]);
    }
    if (idx < 0 || idx >= MICROPY_PY_OS_DUPTERM) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid dupterm index"));
    }
    mp_obj_t previous_obj = MP_STATE_VM(dupterm_objs[idx]);
    if (previous_obj == MP_OBJ_NULL) {
        previous_obj = mp_const_none;
    }
    if (args[0] == mp_const_none) {
        MP_STATE_VM(dupterm_objs[idx]) = MP_OBJ_NULL;
    } else {
        mp_get_stream_raise(args[0], MP_STREAM_OP_READ | MP_STREAM_OP_WRITE | MP_STREAM_OP_IOCTL);
        MP_STATE_VM(dupterm_objs[idx]) = args[0];
    }
    #if MICROPY_PY_OS_DUPTERM_STREAM_DETACHED_ATTACHED
    mp_os_dupterm_stream_detached_attached(previous_obj, args[0]);
    #endif
    return previous_obj;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mp_os_dupterm_obj, 1, 2, mp_os_dupterm);

MP_REGISTER_ROOT_POINTER(mp_obj_t dupterm_objs[MICROPY_PY_OS_DUPTERM]);

#else

// dupterm is off in this port: no slot ever holds a stream, so libmprs.a's dupterm code
// never reaches the other services. They are defined so the library links without
// --gc-sections.
#include "mprs_glue.h"

bool mprs_port_dupterm_stream(size_t slot, mprs_obj_t *stream) {
    (void)slot;
    *stream = MPRS_OBJ(MP_OBJ_NULL);
    return false;
}

bool mprs_port_dupterm_builtin(mprs_obj_t stream) {
    (void)stream;
    return false;
}

int mprs_port_dupterm_read(mprs_call_t *call, mprs_obj_t stream, uint8_t *out) {
    (void)call;
    (void)stream;
    (void)out;
    return MPRS_DUPTERM_EOF;
}

ptrdiff_t mprs_port_dupterm_write(mprs_call_t *call, mprs_obj_t stream, const uint8_t *buf, size_t len) {
    (void)call;
    (void)stream;
    (void)buf;
    return (ptrdiff_t)len;
}

mprs_uint_t mprs_port_dupterm_poll(mprs_obj_t stream, mprs_uint_t flags) {
    (void)stream;
    (void)flags;
    return 0;
}

bool mprs_port_dupterm_detach(mprs_obj_t stream) {
    (void)stream;
    return false;
}

void mprs_port_dupterm_report(mprs_call_t *call, mprs_dupterm_why why) {
    (void)call;
    (void)why;
}

void mprs_port_dupterm_close(mprs_obj_t stream) {
    (void)stream;
}

int mprs_port_dupterm_interrupt_char(void) {
    return -1;
}

void mprs_port_dupterm_schedule_interrupt(void) {
}

#endif // MICROPY_PY_OS_DUPTERM
