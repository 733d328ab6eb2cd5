// The mprs websocket as other glue sees it (c-glue/webrepl.c sends GET chunks through it
// in place). Only built when MPRS_SUBSYSTEMS has websocket (MPRS_WEBSOCKET=1).
#ifndef MICROPY_INCLUDED_MPRS_WEBSOCKET_H
#define MICROPY_INCLUDED_MPRS_WEBSOCKET_H

#include "py/obj.h"

extern const mp_obj_type_t mp_type_websocket;

// Whether obj is an mprs websocket.
bool mprs_websocket_is(mp_obj_t obj);

// Sends buf[MPRS_WEBSOCKET_HEADROOM..len] as one frame of opcode op (or
// MPRS_WEBSOCKET_OP_CURRENT), the header written into the headroom, so the frame leaves in
// one socket write. Returns 0 or MP_STREAM_ERROR
// with *errcode; may raise (call it through mprs_protect where a Rust frame is live).
mp_uint_t mprs_websocket_send_in_place(mp_obj_t ws, uint8_t *buf, size_t len, int op, int *errcode);

#endif // MICROPY_INCLUDED_MPRS_WEBSOCKET_H
