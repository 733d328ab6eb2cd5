// The unix port with lwIP as its network stack (see mpconfigvariant.mk).

#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

#include "variants/mpconfigvariant_common.h"

// time.sleep() through mp_hal_delay_ms(), which waits in mp_event_wait_ms() and so runs
// lwIP, as a board's lwIP interrupt runs during a sleep (the unix port's own sleep is a
// select() that would leave lwIP frozen).
#undef MICROPY_PY_TIME_CUSTOM_SLEEP

// WebREPL as a board has it (the stage runs lib/micropython-lib's webrepl.py): one dupterm
// slot, the `_webrepl` module (websocket is on in the unix port already). The REPL's input
// is mprs_lwip_tap.c's (see __wrap_mp_hal_stdin_rx_chr there), which keeps lwIP running.
#define MICROPY_PY_OS_DUPTERM (1)
#define MICROPY_PY_WEBREPL (1)

#ifndef __ASSEMBLER__
void mprs_lwip_lock_enter(void);
void mprs_lwip_lock_exit(void);
void mprs_lwip_poll(void);
#endif

// The port's lwIP lock: a depth counter. lwipopts.h checks it on every raw-API call
// (LWIP_ASSERT_CORE_LOCKED), and lwIP is only polled while nobody holds it, as a board
// masks its lwIP interrupt.
#define MICROPY_PY_LWIP_ENTER mprs_lwip_lock_enter();
#define MICROPY_PY_LWIP_REENTER mprs_lwip_lock_enter();
#define MICROPY_PY_LWIP_EXIT mprs_lwip_lock_exit();

// lwIP is polled (frames from the TAP device, loopback, timers) wherever the VM waits:
// mp_event_wait_ms, mp_event_handle_nowait (select.poll, asyncio, time.sleep).
#define MICROPY_INTERNAL_EVENT_HOOK mprs_lwip_poll()
