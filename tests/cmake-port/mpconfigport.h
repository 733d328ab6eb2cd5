// The test port's configuration (tests/cmake-port): the features whose C modules mprs
// replaces (streams, os.dupterm, WebREPL, virtual pins), little else.
#include <stdint.h>

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_MINIMUM)

#define MICROPY_ENABLE_GC (1)
#define MICROPY_ENABLE_COMPILER (1)
#define MICROPY_HELPER_REPL (0)
#define MICROPY_ERROR_REPORTING (MICROPY_ERROR_REPORTING_NORMAL)
#define MICROPY_LONGINT_IMPL (MICROPY_LONGINT_IMPL_NONE)
#define MICROPY_FLOAT_IMPL (MICROPY_FLOAT_IMPL_NONE)
#define MICROPY_PY_BUILTINS_STR_UNICODE (1)
#define MICROPY_PY_IO (1)
#define MICROPY_PY_SYS (1)
#define MICROPY_PY_OS (1)
#define MICROPY_PY_OS_DUPTERM (2)
#define MICROPY_PY_WEBSOCKET (1)
#define MICROPY_PY_WEBREPL (1)
#define MICROPY_STREAMS_NON_BLOCK (1)
#define MICROPY_KBD_EXCEPTION (1)

#define MICROPY_HW_BOARD_NAME "mprs-cmake-port"
#define MICROPY_HW_MCU_NAME "test"

typedef intptr_t mp_int_t;
typedef uintptr_t mp_uint_t;
typedef long mp_off_t;

#define MP_STATE_PORT MP_STATE_VM

#include <alloca.h>
