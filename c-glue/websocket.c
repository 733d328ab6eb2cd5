// extmod/modwebsocket.c implemented over libmprs.a: the framing (headers, masks, control
// frames, one socket write per frame) is the state machine in src/websocket.rs; this file
// is the `websocket` module. The socket is reached from Rust through the protected stream
// services of port.c; the only VM calls made here are the blocking toggle around a write
// (made while no Rust frame is live) and closing the socket.

#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "extmod/modwebsocket.h"
#include "mprs_glue.h"
#include "mprs_websocket.h"

#if MICROPY_PY_WEBSOCKET

typedef struct _mp_obj_websocket_t {
    mp_obj_base_t base;
    mp_obj_t sock;
    // sock.setblocking, looked up once (at the first write) when blocking_write is set:
    // the method and its self, as mp_load_method gives them; MP_OBJ_NULL until then.
    mp_obj_t setblocking[2];
    bool blocking_write;
    uint64_t state[(MPRS_WEBSOCKET_SIZE + 7) / 8];
} mp_obj_websocket_t;

static mp_obj_t websocket_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 2, false);
    mp_get_stream_raise(args[0], MP_STREAM_OP_READ | MP_STREAM_OP_WRITE | MP_STREAM_OP_IOCTL);
    mp_obj_websocket_t *o = mp_obj_malloc(mp_obj_websocket_t, type);
    o->sock = args[0];
    o->setblocking[0] = MP_OBJ_NULL;
    o->setblocking[1] = MP_OBJ_NULL;
    o->blocking_write = n_args > 1 && args[1] == mp_const_true;
    mprs_websocket_init(o->state);
    return MP_OBJ_FROM_PTR(o);
}

static mp_uint_t websocket_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_obj_websocket_t *self = MP_OBJ_TO_PTR(self_in);
    mprs_call_t call = MPRS_CALL_INIT;
    mp_uint_t out = mprs_websocket_read(&call, MPRS_OBJ(self->sock), self->state, buf, size, errcode);
    mprs_call_reraise(&call);
    return out;
}

// sock.setblocking(flag) through the method cached at the first blocking write: no
// attribute lookup per frame. Called only while no Rust frame is live; may raise.
static void websocket_set_blocking(mp_obj_websocket_t *self, bool flag) {
    if (self->setblocking[0] == MP_OBJ_NULL) {
        mp_load_method(self->sock, MP_QSTR_setblocking, self->setblocking);
    }
    mp_obj_t args[3] = { self->setblocking[0], self->setblocking[1], mp_obj_new_bool(flag) };
    mp_call_method_n_kw(1, 0, args);
}

// One frame: head[MPRS_WEBSOCKET_HEADROOM..head_len] and then rest[..rest_len] as the payload
// of a frame of opcode op (or MPRS_WEBSOCKET_OP_CURRENT), its header written into head's
// headroom. With blocking_write the socket is made blocking for the frame, as in the C
// original.
static mp_uint_t websocket_frame(mp_obj_websocket_t *self, uint8_t *head, size_t head_len, const uint8_t *rest, size_t rest_len, int op, int *errcode) {
    if (self->blocking_write) {
        websocket_set_blocking(self, true);
    }
    mprs_call_t call = MPRS_CALL_INIT;
    mp_uint_t out = mprs_websocket_write(&call, MPRS_OBJ(self->sock), self->state, head, head_len, rest, rest_len, op, errcode);
    if (self->blocking_write) {
        websocket_set_blocking(self, false);
    }
    mprs_call_reraise(&call);
    return out;
}

static mp_uint_t websocket_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    mp_obj_websocket_t *self = MP_OBJ_TO_PTR(self_in);
    // The payload goes behind headroom for the header, so the frame leaves in one socket
    // write: in the frame buffer on the stack, or, when larger, in GC memory. Without the
    // memory, header and first bytes go in one write and the rest in another.
    uint8_t stack[MPRS_WEBSOCKET_WRITE_BUF];
    uint8_t *frame = stack;
    size_t head = size;
    if (size > sizeof(stack) - MPRS_WEBSOCKET_HEADROOM) {
        frame = size <= 0xffff ? m_new_maybe(uint8_t, MPRS_WEBSOCKET_HEADROOM + size) : NULL;
        if (frame == NULL) {
            frame = stack;
            head = sizeof(stack) - MPRS_WEBSOCKET_HEADROOM;
        }
    }
    memcpy(frame + MPRS_WEBSOCKET_HEADROOM, buf, head);
    mp_uint_t out = websocket_frame(self, frame, MPRS_WEBSOCKET_HEADROOM + head, (const uint8_t *)buf + head, size - head, MPRS_WEBSOCKET_OP_CURRENT, errcode);
    if (frame != stack) {
        m_del(uint8_t, frame, MPRS_WEBSOCKET_HEADROOM + size); // not reached if it raised: the GC then frees it
    }
    return out == MP_STREAM_ERROR ? out : size;
}

bool mprs_websocket_is(mp_obj_t obj) {
    return mp_obj_is_type(obj, &mp_type_websocket);
}

mp_uint_t mprs_websocket_send_in_place(mp_obj_t ws, uint8_t *buf, size_t len, int op, int *errcode) {
    return websocket_frame(MP_OBJ_TO_PTR(ws), buf, len, NULL, 0, op, errcode);
}

// MP_STREAM_CLOSE, GET_DATA_OPTS and SET_DATA_OPTS are answered in Rust (src/abi.rs has
// their values). Closing sends a close frame (once), then closes the socket; an exception
// from sending is raised after the socket is closed.
_Static_assert(MP_STREAM_CLOSE == 4 && MP_STREAM_GET_DATA_OPTS == 8 && MP_STREAM_SET_DATA_OPTS == 9,
    "mprs: a stream ioctl request differs from src/abi.rs");

static mp_uint_t websocket_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_obj_websocket_t *self = MP_OBJ_TO_PTR(self_in);
    mprs_call_t call = MPRS_CALL_INIT;
    mp_uint_t out = mprs_websocket_ioctl(&call, MPRS_OBJ(self->sock), self->state, request, arg, errcode);
    if (request == MP_STREAM_CLOSE) {
        mp_stream_close(self->sock);
    }
    mprs_call_reraise(&call);
    return out;
}

static const mp_rom_map_elem_t websocket_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&mp_stream_ioctl_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
};
static MP_DEFINE_CONST_DICT(websocket_locals_dict, websocket_locals_dict_table);

static const mp_stream_p_t websocket_stream_p = {
    .read = websocket_read,
    .write = websocket_write,
    .ioctl = websocket_ioctl,
};

MP_DEFINE_CONST_OBJ_TYPE(
    mp_type_websocket,
    MP_QSTR_websocket,
    MP_TYPE_FLAG_NONE,
    make_new, websocket_make_new,
    protocol, &websocket_stream_p,
    locals_dict, &websocket_locals_dict
    );

static const mp_rom_map_elem_t websocket_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_websocket) },
    { MP_ROM_QSTR(MP_QSTR_websocket), MP_ROM_PTR(&mp_type_websocket) },
};

static MP_DEFINE_CONST_DICT(websocket_module_globals, websocket_module_globals_table);

const mp_obj_module_t mp_module_websocket = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&websocket_module_globals,
};

// Extensible, as in the original, so the old `uwebsocket` name keeps working.
MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_websocket, mp_module_websocket);

#endif // MICROPY_PY_WEBSOCKET
