// mprs_testhooks: test-only access from Python to the dupterm port hooks declared in
// extmod/misc.h, which board ports call from their HAL but the unix port never does.
// Compiled into both the C and the mprs build so the VM tests (tests/micropython/vm/)
// can compare extmod/os_dupterm.c with its replacement.
//
//   rx_chr()                  mp_os_dupterm_rx_chr(): a byte, -1 (nothing), -2 (interrupt)
//   poll(flags)               mp_os_dupterm_poll(flags)
//   deactivate(idx, msg, exc) mp_os_deactivate(idx, msg, exc or MP_OBJ_NULL for None);
//                             idx and msg are passed as given, as a port would
//   tx(buf)                   mp_os_dupterm_tx_strn(buf, len): the int it returns
//   slot(idx)                 MP_STATE_VM(dupterm_objs[idx]), None when empty
//   nslots()                  MICROPY_PY_OS_DUPTERM
//   interrupt_char(c)         sets mp_interrupt_char, which the hooks compare read bytes
//                             with (-1: none)
//   rw_null(stream, size)     mp_stream_rw(stream, NULL, size, &err, read), as a C caller
//                             might make it: (bytes done, err)
//
// The unix port handles Ctrl-C with a signal and does not build
// shared/runtime/interrupt_char.c, yet os_dupterm.c (and mprs's c-glue/dupterm.c) read
// mp_interrupt_char: this module defines it, so the port links with dupterm enabled.
// A port that has it already builds with -DMPRS_TESTHOOKS_INTERRUPT_CHAR=0.

#include "py/runtime.h"
#include "py/stream.h"
#include "extmod/misc.h"
#include "shared/runtime/interrupt_char.h"

#if MICROPY_PY_OS_DUPTERM

#ifndef MPRS_TESTHOOKS_INTERRUPT_CHAR
#define MPRS_TESTHOOKS_INTERRUPT_CHAR (1)
#endif

#if MPRS_TESTHOOKS_INTERRUPT_CHAR
int mp_interrupt_char = -1;
#endif

static mp_obj_t mprs_testhooks_interrupt_char(mp_obj_t c_in) {
    mp_interrupt_char = mp_obj_get_int(c_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_testhooks_interrupt_char_obj, mprs_testhooks_interrupt_char);

static mp_obj_t mprs_testhooks_rx_chr(void) {
    return MP_OBJ_NEW_SMALL_INT(mp_os_dupterm_rx_chr());
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_testhooks_rx_chr_obj, mprs_testhooks_rx_chr);

static mp_obj_t mprs_testhooks_poll(mp_obj_t flags_in) {
    uintptr_t flags = mp_obj_get_int_truncated(flags_in);
    return mp_obj_new_int_from_uint(mp_os_dupterm_poll(flags));
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_testhooks_poll_obj, mprs_testhooks_poll);

static mp_obj_t mprs_testhooks_deactivate(mp_obj_t idx_in, mp_obj_t msg_in, mp_obj_t exc_in) {
    size_t idx = mp_obj_get_int_truncated(idx_in);
    const char *msg = mp_obj_str_get_str(msg_in);
    mp_obj_t exc = exc_in == mp_const_none ? MP_OBJ_NULL : exc_in;
    mp_os_deactivate(idx, msg, exc);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(mprs_testhooks_deactivate_obj, mprs_testhooks_deactivate);

static mp_obj_t mprs_testhooks_tx(mp_obj_t buf_in) {
    mp_buffer_info_t bufinfo;
    mp_get_buffer_raise(buf_in, &bufinfo, MP_BUFFER_READ);
    return MP_OBJ_NEW_SMALL_INT(mp_os_dupterm_tx_strn(bufinfo.buf, bufinfo.len));
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_testhooks_tx_obj, mprs_testhooks_tx);

static mp_obj_t mprs_testhooks_slot(mp_obj_t idx_in) {
    mp_int_t idx = mp_obj_get_int(idx_in);
    if (idx < 0 || idx >= MICROPY_PY_OS_DUPTERM) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid dupterm index"));
    }
    mp_obj_t s = MP_STATE_VM(dupterm_objs[idx]);
    return s == MP_OBJ_NULL ? mp_const_none : s;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mprs_testhooks_slot_obj, mprs_testhooks_slot);

static mp_obj_t mprs_testhooks_nslots(void) {
    return MP_OBJ_NEW_SMALL_INT(MICROPY_PY_OS_DUPTERM);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprs_testhooks_nslots_obj, mprs_testhooks_nslots);

static mp_obj_t mprs_testhooks_rw_null(mp_obj_t stream, mp_obj_t size_in) {
    int err = 0;
    mp_uint_t done = mp_stream_rw(stream, NULL, mp_obj_get_int(size_in), &err, MP_STREAM_RW_READ);
    mp_obj_t items[2] = { mp_obj_new_int_from_uint(done), MP_OBJ_NEW_SMALL_INT(err) };
    return mp_obj_new_tuple(2, items);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mprs_testhooks_rw_null_obj, mprs_testhooks_rw_null);

static const mp_rom_map_elem_t mprs_testhooks_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_mprs_testhooks) },
    { MP_ROM_QSTR(MP_QSTR_rx_chr), MP_ROM_PTR(&mprs_testhooks_rx_chr_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll), MP_ROM_PTR(&mprs_testhooks_poll_obj) },
    { MP_ROM_QSTR(MP_QSTR_deactivate), MP_ROM_PTR(&mprs_testhooks_deactivate_obj) },
    { MP_ROM_QSTR(MP_QSTR_tx), MP_ROM_PTR(&mprs_testhooks_tx_obj) },
    { MP_ROM_QSTR(MP_QSTR_slot), MP_ROM_PTR(&mprs_testhooks_slot_obj) },
    { MP_ROM_QSTR(MP_QSTR_nslots), MP_ROM_PTR(&mprs_testhooks_nslots_obj) },
    { MP_ROM_QSTR(MP_QSTR_interrupt_char), MP_ROM_PTR(&mprs_testhooks_interrupt_char_obj) },
    { MP_ROM_QSTR(MP_QSTR_rw_null), MP_ROM_PTR(&mprs_testhooks_rw_null_obj) },
};
static MP_DEFINE_CONST_DICT(mprs_testhooks_module_globals, mprs_testhooks_module_globals_table);

const mp_obj_module_t mprs_testhooks_user_cmodule = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mprs_testhooks_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_mprs_testhooks, mprs_testhooks_user_cmodule);

#endif // MICROPY_PY_OS_DUPTERM
