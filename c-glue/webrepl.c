// extmod/modwebrepl.c implemented over libmprs.a: the protocol (login, terminal input,
// file transfers) is the state machine in src/webrepl.rs; this file is the `_webrepl`
// module and the port services the machine acts through, each protected so that an
// exception from a file operation becomes an error status, not the end of the session.

#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/builtin.h"
#include "py/mperrno.h"
#ifdef MICROPY_PY_WEBREPL_DELAY
#include "py/mphal.h"
#endif
#include "extmod/modwebsocket.h"
#include "mprs_glue.h"
#if MPRS_WEBSOCKET && MICROPY_PY_WEBSOCKET
#include "mprs_websocket.h"
#endif

#if MICROPY_PY_WEBREPL

// Longest password _webrepl.password() accepts (the C original's buffer held 9).
#ifndef MPRS_WEBREPL_PASSWORD_MAX
#define MPRS_WEBREPL_PASSWORD_MAX (9)
#endif
_Static_assert(MPRS_WEBREPL_PASSWORD_MAX <= MPRS_WEBREPL_PASSWORD_LIMIT,
    "mprs: MPRS_WEBREPL_PASSWORD_MAX is longer than a session can compare (MPRS_WEBREPL_PASSWORD_LIMIT)");

// Bytes of file data in a GET chunk (the C original sent 256). Each chunk is one round
// trip with the client, so larger chunks make GET faster. The buffer (this plus
// MPRS_WEBREPL_CHUNK_PREFIX bytes) comes from the GC heap for the length of a GET only;
// when the heap cannot give it, half the size is tried, down to 256.
#ifndef MPRS_WEBREPL_GET_CHUNK
#define MPRS_WEBREPL_GET_CHUNK (16384)
#endif
#if MPRS_WEBREPL_GET_CHUNK < 256 || MPRS_WEBREPL_GET_CHUNK > MPRS_WEBREPL_GET_CHUNK_MAX
#error "MPRS_WEBREPL_GET_CHUNK must be 256 to MPRS_WEBREPL_GET_CHUNK_MAX (65533)"
#endif

// The socket's frame kind, as src/abi.rs asks for it.
_Static_assert(MP_STREAM_GET_DATA_OPTS == 8 && FRAME_TXT == 1, "mprs: MP_STREAM_GET_DATA_OPTS or FRAME_TXT differs from src/abi.rs");

typedef struct _mp_obj_webrepl_t {
    mp_obj_base_t base;
    mp_obj_t sock;
    mp_obj_t cur_file; // the file of the transfer in progress, or MP_OBJ_NULL
    uint8_t *chunk; // the GET chunk buffer, only while a GET is in progress
    size_t chunk_len;
    uint64_t session[(MPRS_WEBREPL_SESSION_SIZE + 7) / 8];
} mp_obj_webrepl_t;

// The password as bytes and a length (the session compares lengths too): no terminator.
static char webrepl_passwd[MPRS_WEBREPL_PASSWORD_MAX > 0 ? MPRS_WEBREPL_PASSWORD_MAX : 1];
static size_t webrepl_passwd_len;

static mp_obj_webrepl_t *webrepl_of(mprs_webrepl_t *repl) {
    return (mp_obj_webrepl_t *)repl;
}

// buf[MPRS_WEBREPL_HEADROOM..len] as one frame: text (the socket's current kind) or binary.
// May raise.
static void webrepl_send(mp_obj_t sock, uint8_t *buf, size_t len, bool text) {
    int err;
    #if MPRS_WEBSOCKET && MICROPY_PY_WEBSOCKET
    if (mprs_websocket_is(sock)) {
        // The header goes into the headroom: the frame leaves in one socket write.
        mprs_websocket_send_in_place(sock, buf, len, text ? MPRS_WEBSOCKET_OP_CURRENT : FRAME_BIN, &err);
        return;
    }
    #endif
    const mp_stream_p_t *sock_stream = mp_get_stream(sock);
    mp_uint_t old_opts = 0;
    if (!text) {
        old_opts = sock_stream->ioctl(sock, MP_STREAM_SET_DATA_OPTS, FRAME_BIN, &err);
    }
    sock_stream->write(sock, buf + MPRS_WEBREPL_HEADROOM, len - MPRS_WEBREPL_HEADROOM, &err);
    if (!text) {
        sock_stream->ioctl(sock, MP_STREAM_SET_DATA_OPTS, old_opts, &err);
    }
}

// One mprs_port_webrepl_call and its result, for mprs_protect.
typedef struct {
    mp_obj_webrepl_t *self;
    mprs_webrepl_op op;
    uint8_t *data;
    size_t len;
    const uint8_t *to;
    size_t to_len;
    ptrdiff_t out;
} webrepl_call_t;

static void webrepl_call(void *ctx) {
    webrepl_call_t *c = ctx;
    mp_obj_webrepl_t *self = c->self;
    mp_obj_t file = self->cur_file;
    switch (c->op) {
        case MPRS_WEBREPL_OP_SEND_TEXT:
        case MPRS_WEBREPL_OP_SEND_BINARY:
            webrepl_send(self->sock, c->data, c->len, c->op == MPRS_WEBREPL_OP_SEND_TEXT);
            break;
        case MPRS_WEBREPL_OP_OPEN_READ:
        case MPRS_WEBREPL_OP_OPEN_WRITE: {
            self->cur_file = MP_OBJ_NULL; // also if open raises
            mp_obj_t open_args[2] = {
                mp_obj_new_str((const char *)c->data, c->len),
                MP_OBJ_NEW_QSTR(c->op == MPRS_WEBREPL_OP_OPEN_WRITE ? MP_QSTR_wb : MP_QSTR_rb),
            };
            self->cur_file = mp_builtin_open(2, open_args, (mp_map_t *)&mp_const_empty_map);
            break;
        }
        case MPRS_WEBREPL_OP_WRITE_FILE:
        case MPRS_WEBREPL_OP_READ_FILE: {
            // Writes exactly, or reads once.
            bool write = c->op == MPRS_WEBREPL_OP_WRITE_FILE;
            int err = 0;
            if (file == MP_OBJ_NULL) {
                c->out = -1;
                break;
            }
            mp_uint_t out = mp_stream_rw(file, c->data, c->len, &err, write ? MP_STREAM_RW_WRITE : MP_STREAM_RW_READ | MP_STREAM_RW_ONCE);
            c->out = err != 0 || (write && out != c->len) ? -1 : (ptrdiff_t)out;
            break;
        }
        case MPRS_WEBREPL_OP_CLOSE_FILE:
            self->cur_file = MP_OBJ_NULL;
            if (file != MP_OBJ_NULL) {
                mp_stream_close(file);
            }
            break;
        default: { // os.rename(data, to) or os.remove(data)
            qstr fun = MP_QSTR_remove;
            size_t n_args = 1;
            mp_obj_t args[2] = { mp_obj_new_str((const char *)c->data, c->len), MP_OBJ_NULL };
            if (c->op == MPRS_WEBREPL_OP_RENAME) {
                fun = MP_QSTR_rename;
                args[n_args++] = mp_obj_new_str((const char *)c->to, c->to_len);
            }
            mp_obj_t os = mp_import_name(MP_QSTR_os, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
            mp_call_function_n_kw(mp_load_attr(os, fun), n_args, 0, args);
            break;
        }
    }
}

ptrdiff_t mprs_port_webrepl_call(mprs_webrepl_t *repl, mprs_webrepl_op op, uint8_t *data, size_t len, const uint8_t *to, size_t to_len) {
    webrepl_call_t c = { webrepl_of(repl), op, data, len, to, to_len, 0 };
    // An exception is dropped: a file error becomes a status, and a failed send is
    // noticed by the next read of the same connection.
    return mprs_protect(NULL, webrepl_call, &c) ? c.out : -1;
}

uint8_t *mprs_port_webrepl_chunk(mprs_webrepl_t *repl, size_t *len) {
    mp_obj_webrepl_t *self = webrepl_of(repl);
    for (size_t n = MPRS_WEBREPL_GET_CHUNK; self->chunk == NULL && n >= 256; n /= 2) {
        // m_new_maybe never raises: no protection needed.
        self->chunk = m_new_maybe(uint8_t, MPRS_WEBREPL_CHUNK_PREFIX + n);
        self->chunk_len = self->chunk == NULL ? 0 : MPRS_WEBREPL_CHUNK_PREFIX + n;
    }
    *len = self->chunk_len;
    return self->chunk;
}

// Frees the chunk buffer; only when no Rust frame holds it.
static void webrepl_free_chunk(mp_obj_webrepl_t *self) {
    if (self->chunk != NULL) {
        m_del(uint8_t, self->chunk, self->chunk_len);
        self->chunk = NULL;
        self->chunk_len = 0;
    }
}

const uint8_t *mprs_port_webrepl_password(size_t *len) {
    *len = webrepl_passwd_len;
    return (const uint8_t *)webrepl_passwd;
}

void mprs_port_webrepl_version(uint8_t *out) {
    out[0] = MICROPY_VERSION_MAJOR;
    out[1] = MICROPY_VERSION_MINOR;
    out[2] = MICROPY_VERSION_MICRO;
}

static mp_obj_t webrepl_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 2, false);
    mp_get_stream_raise(args[0], MP_STREAM_OP_READ | MP_STREAM_OP_WRITE | MP_STREAM_OP_IOCTL);
    mp_obj_webrepl_t *o = mp_obj_malloc(mp_obj_webrepl_t, type);
    o->sock = args[0];
    o->cur_file = MP_OBJ_NULL;
    o->chunk = NULL;
    o->chunk_len = 0;
    mprs_webrepl_init((mprs_webrepl_t *)o, o->session);
    return MP_OBJ_FROM_PTR(o);
}

static mp_uint_t webrepl_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_obj_webrepl_t *self = MP_OBJ_TO_PTR(self_in);
    mprs_call_t call = MPRS_CALL_INIT;
    mp_uint_t out = mprs_webrepl_read(&call, (mprs_webrepl_t *)self, MPRS_OBJ(self->sock), self->session, buf, size, errcode);
    if (self->cur_file == MP_OBJ_NULL) {
        // No GET in progress: its chunk buffer goes back to the heap.
        webrepl_free_chunk(self);
    }
    mprs_call_reraise(&call);
    #ifdef MICROPY_PY_WEBREPL_DELAY
    // Crude rate control for ports whose network drivers are easily overloaded.
    if (self->cur_file != MP_OBJ_NULL) {
        mp_hal_delay_ms(MICROPY_PY_WEBREPL_DELAY);
    }
    #endif
    return out;
}

static mp_uint_t webrepl_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    mp_obj_webrepl_t *self = MP_OBJ_TO_PTR(self_in);
    if (!mprs_webrepl_forwards_output(self->session)) {
        // No output before the password is accepted.
        return size;
    }
    const mp_stream_p_t *stream_p = mp_get_stream(self->sock);
    return stream_p->write(self->sock, buf, size, errcode);
}

static mp_uint_t webrepl_ioctl(mp_obj_t o_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_obj_webrepl_t *self = MP_OBJ_TO_PTR(o_in);
    (void)arg;
    switch (request) {
        case MP_STREAM_CLOSE:
            // An unfinished transfer is cleaned up before the socket goes.
            mprs_webrepl_abort((mprs_webrepl_t *)self, self->session);
            webrepl_free_chunk(self);
            mp_stream_close(self->sock);
            return 0;
        default:
            *errcode = MP_EINVAL;
            return MP_STREAM_ERROR;
    }
}

static mp_obj_t webrepl_set_password(mp_obj_t passwd_in) {
    size_t len;
    const char *passwd = mp_obj_str_get_data(passwd_in, &len);
    if (len > MPRS_WEBREPL_PASSWORD_MAX) {
        mp_raise_ValueError(NULL);
    }
    memcpy(webrepl_passwd, passwd, len);
    webrepl_passwd_len = len;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(webrepl_set_password_obj, webrepl_set_password);

static const mp_rom_map_elem_t webrepl_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
};
static MP_DEFINE_CONST_DICT(webrepl_locals_dict, webrepl_locals_dict_table);

static const mp_stream_p_t webrepl_stream_p = {
    .read = webrepl_read,
    .write = webrepl_write,
    .ioctl = webrepl_ioctl,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    webrepl_type,
    MP_QSTR__webrepl,
    MP_TYPE_FLAG_NONE,
    make_new, webrepl_make_new,
    protocol, &webrepl_stream_p,
    locals_dict, &webrepl_locals_dict
    );

static const mp_rom_map_elem_t webrepl_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__webrepl) },
    { MP_ROM_QSTR(MP_QSTR__webrepl), MP_ROM_PTR(&webrepl_type) },
    { MP_ROM_QSTR(MP_QSTR_password), MP_ROM_PTR(&webrepl_set_password_obj) },
};

static MP_DEFINE_CONST_DICT(webrepl_module_globals, webrepl_module_globals_table);

const mp_obj_module_t mp_module_webrepl = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&webrepl_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__webrepl, mp_module_webrepl);

#endif // MICROPY_PY_WEBREPL
