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

// One dupterm stream call and its result, for mprs_protect.
typedef struct {
    mp_obj_t stream;
    const uint8_t *buf;
    size_t len;
    bool builtin;
    ptrdiff_t ret;
} dupterm_call_t;

static void dupterm_read_call(void *ctx) {
    dupterm_call_t *c = ctx;
    int errcode = 0;
    mp_uint_t out_sz = mp_get_stream(c->stream)->read(c->stream, (uint8_t *)c->buf, 1, &errcode);
    if (c->builtin) {
        // The port's own stream: any error just skips it, as in the C original.
        c->ret = out_sz == 1 && errcode == 0 ? 1 : MPRS_DUPTERM_FAILED;
    } else if (out_sz == 0) {
        c->ret = MPRS_DUPTERM_EOF;
    } else if (out_sz == MP_STREAM_ERROR) {
        if (!mp_is_nonblocking_error(errcode)) {
            // Reported as the C original reports it: as an OSError.
            mp_raise_OSError(errcode);
        }
        c->ret = MPRS_DUPTERM_WOULD_BLOCK;
    } else if (out_sz != 1) {
        mp_raise_OSError(MP_EIO);
    } else {
        c->ret = 1;
    }
}

int mprs_port_dupterm_read(mprs_call_t *call, mprs_obj_t stream, uint8_t *out) {
    dupterm_call_t c = { MP_OBJ_FROM_MPRS(stream), out, 1, mprs_port_dupterm_builtin(stream), 0 };
    // A builtin stream's exception is not reported: it stays in `call` and is raised again
    // once Rust has returned, as the C original let it propagate.
    return mprs_protect(call, dupterm_read_call, &c) ? (int)c.ret : MPRS_DUPTERM_FAILED;
}

static void dupterm_write_call(void *ctx) {
    dupterm_call_t *c = ctx;
    if (c->builtin) {
        // The port's own stream: called directly, as the C original does.
        int errcode = 0;
        mp_uint_t written = mp_get_stream(c->stream)->write(c->stream, c->buf, c->len, &errcode);
        c->ret = written == MP_STREAM_ERROR ? MPRS_DUPTERM_FAILED : (ptrdiff_t)MIN(written, c->len);
    } else {
        mp_obj_t written = mp_stream_write(c->stream, c->buf, c->len, MP_STREAM_RW_WRITE);
        c->ret = written == mp_const_none ? MPRS_DUPTERM_WOULD_BLOCK
            : mp_obj_is_small_int(written) ? MAX(0, MP_OBJ_SMALL_INT_VALUE(written)) : 0;
    }
}

ptrdiff_t mprs_port_dupterm_write(mprs_call_t *call, mprs_obj_t stream, const uint8_t *buf, size_t len) {
    dupterm_call_t c = { MP_OBJ_FROM_MPRS(stream), buf, len, mprs_port_dupterm_builtin(stream), 0 };
    return mprs_protect(call, dupterm_write_call, &c) ? c.ret : MPRS_DUPTERM_FAILED;
}

mprs_uint_t mprs_port_dupterm_poll(mprs_obj_t stream, mprs_uint_t flags) {
    mp_obj_t s = MP_OBJ_FROM_MPRS(stream);
    int errcode = 0;
    // An exception from poll is ignored, as in the C original.
    return mprs_call_ioctl(NULL, mp_get_stream(s)->ioctl, s, MP_STREAM_POLL, flags, &errcode);
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

typedef struct {
    const char *msg;
    mp_obj_t exc;
} dupterm_report_t;

// Printing can raise: the message goes to the other dupterm slots too, and printing the
// exception runs its __str__/__repr__, which is user code.
static void dupterm_report_call(void *ctx) {
    dupterm_report_t *r = ctx;
    if (r->msg != NULL) {
        // The port's message is a format string, as in the C original ("100%%" prints "100%").
        mp_printf(&mp_plat_print, r->msg);
    }
    if (r->exc != MP_OBJ_NULL) {
        mp_obj_print_exception(&mp_plat_print, r->exc);
    }
}

void mprs_port_dupterm_report(mprs_call_t *call, mprs_dupterm_why why, const char *msg) {
    static const char *const messages[] = {
        [MPRS_DUPTERM_WHY_EOF] = "dupterm: EOF received, deactivating\n",
        [MPRS_DUPTERM_WHY_READ_FAILED] = "dupterm: Exception in read() method, deactivating: ",
        [MPRS_DUPTERM_WHY_WRITE_FAILED] = "dupterm: Exception in write() method, deactivating: ",
    };
    dupterm_report_t r = {
        why == MPRS_DUPTERM_WHY_REQUESTED || (size_t)why >= MP_ARRAY_SIZE(messages) ? msg : messages[why],
        call->exc,
    };
    // The stream's exception is taken: once printed, it is done with. An exception raised while
    // printing takes its place in `call`, and the glue raises it once the deactivation (and
    // its close) has finished and no Rust frame is live, as the C original let it propagate.
    call->exc = MP_OBJ_NULL;
    mprs_protect(call, dupterm_report_call, &r);
}

static void dupterm_close_call(void *stream) {
    mp_stream_close(MP_OBJ_FROM_PTR(stream));
}

void mprs_port_dupterm_close(mprs_obj_t stream) {
    // Errors while closing are swallowed: nobody else can reclaim the stream.
    mprs_protect(NULL, dupterm_close_call, MP_OBJ_TO_PTR(MP_OBJ_FROM_MPRS(stream)));
}

int mprs_port_dupterm_interrupt_char(void) {
    return mp_interrupt_char;
}

void mprs_port_dupterm_schedule_interrupt(void) {
    mp_sched_keyboard_interrupt();
}

void mp_os_deactivate(size_t dupterm_idx, const char *msg, mp_obj_t exc) {
    mprs_call_t call = { exc };
    mprs_dupterm_deactivate(&call, MICROPY_PY_OS_DUPTERM, dupterm_idx, msg);
    // The report takes `exc` and leaves in its place any exception raised while printing it;
    // an index past the slots is ignored, unreported, and `exc` is still there.
    if (call.exc != exc) {
        mprs_call_reraise(&call);
    }
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
    // A builtin stream's exception, or one raised while printing a failed stream's.
    mprs_call_reraise(&call);
    return ret;
}

int mp_os_dupterm_tx_strn(const char *str, size_t len) {
    mprs_call_t call = MPRS_CALL_INIT;
    int ret = mprs_dupterm_tx_strn(&call, MICROPY_PY_OS_DUPTERM, (const uint8_t *)str, len);
    // A builtin stream's exception, or one raised while printing a failed stream's.
    mprs_call_reraise(&call);
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

#endif // MICROPY_PY_OS_DUPTERM
