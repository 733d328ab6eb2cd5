// lwIP options of the unix lwIP test variant: MicroPython's common board options, made
// strict where boards are lax, with statistics for leak checks.
#ifndef MPRS_LWIPOPTS_H
#define MPRS_LWIPOPTS_H

#include <stdint.h>
#include "extmod/lwip-include/lwipopts_common.h"

void mprs_lwip_assert_core_locked(const char *func);
void mprs_lwip_platform_assert(const char *msg, const char *file, int line);
uint32_t mprs_lwip_rand(void);

// Boards define LWIP_PLATFORM_ASSERT as nothing; here a failed lwIP assertion is printed and
// aborts (MPRS_LWIP_ASSERT=log only records it, as a board would go on).
#define LWIP_PLATFORM_ASSERT(msg) mprs_lwip_platform_assert((msg), __FILE__, __LINE__)
// Every raw-API call must hold the port's lwIP lock (MICROPY_PY_LWIP_ENTER).
#define LWIP_ASSERT_CORE_LOCKED() mprs_lwip_assert_core_locked(__func__)

#define LWIP_IPV4 1
// IPv4 only, as the stage's main builds; MPRS_LWIP_IPV6=1 (mpconfigvariant.mk) builds
// dual-stack, as some boards do.
#ifndef MPRS_LWIP_IPV6
#define MPRS_LWIP_IPV6 0
#endif
#define LWIP_IPV6 MPRS_LWIP_IPV6
#define LWIP_RAND() mprs_lwip_rand()

// Pool and pcb statistics, read by lwip_tap.stats().
#undef LWIP_STATS
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1

#endif
