// The host lwIP tests' stand-in for MicroPython's configuration, as c-glue/lwip.c reads it
// (tests/mk/lwip.mk copies it to where "py/mpconfig.h" finds it): a scheduler when the test build asks for one
// (MPRS_LWIP_HOST_SCHEDULER), and lwIP's core lock as the port's lwIP lock.
#ifndef MPRS_TEST_MPCONFIG_H
#define MPRS_TEST_MPCONFIG_H

#include "lwip/tcpip.h"

#ifndef MPRS_LWIP_HOST_SCHEDULER
#define MPRS_LWIP_HOST_SCHEDULER (0)
#endif
#define MICROPY_ENABLE_SCHEDULER (MPRS_LWIP_HOST_SCHEDULER)
#define MICROPY_PY_LWIP_ENTER LOCK_TCPIP_CORE();
#define MICROPY_PY_LWIP_EXIT UNLOCK_TCPIP_CORE();

#endif // MPRS_TEST_MPCONFIG_H
