// The test port (tests/cmake-port): runs the Python script given as its first argument,
// with stdout (and os.dupterm's copies of it) through mprs.
#include <stdio.h>
#include <string.h>

#include "py/builtin.h"
#include "py/compile.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "extmod/misc.h"
#include "shared/runtime/gchelper.h"
#include "portlib.h"

static char heap[64 * 1024];

static int run(const char *src) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_lexer_t *lex = mp_lexer_new_from_str_len(MP_QSTR__lt_stdin_gt_, src, strlen(src), 0);
        qstr source_name = lex->source_name;
        mp_parse_tree_t parse_tree = mp_parse(lex, MP_PARSE_FILE_INPUT);
        mp_obj_t module_fun = mp_compile(&parse_tree, source_name, false);
        mp_call_function_0(module_fun);
        nlr_pop();
        return 0;
    }
    mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
    return 1;
}

int main(int argc, char **argv) {
    mp_cstack_init_with_sp_here(32 * 1024);
    gc_init(heap, heap + sizeof(heap));
    mp_init();
    int ret = run(argc > 1 ? argv[1] : "print('no script')");
    mp_deinit();
    return ret;
}

void gc_collect(void) {
    gc_collect_start();
    gc_helper_collect_regs_and_stack();
    gc_collect_end();
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    fwrite(str, 1, len, stdout);
    fflush(stdout);
    int dupterm_res = mp_os_dupterm_tx_strn(str, len);
    return dupterm_res >= 0 ? (mp_uint_t)dupterm_res : len;
}

int mp_hal_stdin_rx_chr(void) {
    return -1;
}

void mp_hal_delay_ms(mp_uint_t ms) {
    (void)ms;
}

mp_lexer_t *mp_lexer_new_from_file(qstr filename) {
    mp_raise_OSError(MP_ENOENT);
}

mp_import_stat_t mp_import_stat(const char *path) {
    return MP_IMPORT_STAT_NO_EXIST;
}

mp_obj_t mp_builtin_open(size_t n_args, const mp_obj_t *args, mp_map_t *kwargs) {
    mp_raise_OSError(MP_ENOENT);
}
MP_DEFINE_CONST_FUN_OBJ_KW(mp_builtin_open_obj, 1, mp_builtin_open);

// The port's own library is linked too.
static mp_obj_t port_name(void) {
    return mp_obj_new_str_from_cstr(mprs_test_port_name());
}
static MP_DEFINE_CONST_FUN_OBJ_0(port_name_obj, port_name);

static const mp_rom_map_elem_t port_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_port) },
    { MP_ROM_QSTR(MP_QSTR_name), MP_ROM_PTR(&port_name_obj) },
};
static MP_DEFINE_CONST_DICT(port_module_globals, port_module_globals_table);

const mp_obj_module_t port_module = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&port_module_globals,
};
MP_REGISTER_MODULE(MP_QSTR_port, port_module);

void nlr_jump_fail(void *val) {
    fprintf(stderr, "FATAL: uncaught exception %p\n", val);
    for (;;) {
    }
}
