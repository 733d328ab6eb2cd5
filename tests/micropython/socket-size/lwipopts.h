// lwIP options of the socket flash measurement (tests/micropython/socket_size.py), the same
// for extmod/modlwip.c and for mprs's socket module: MicroPython's common board options,
// IPv4 only, as the lwIP test variant of the unix port (tests/lwip-net/unix-lwip) has them,
// without that variant's test hooks (lock and assertion checks, statistics); or IPv4 and
// IPv6, as a dual-stack board has them (MPRS_SIZE_IPV6=1, IPV6=1 on make's command line).
#ifndef MPRS_SIZE_LWIPOPTS_H
#define MPRS_SIZE_LWIPOPTS_H

#include <stdint.h>
#include "extmod/lwip-include/lwipopts_common.h"

uint32_t mprs_size_rand(void);

#define LWIP_IPV4 1
#ifndef MPRS_SIZE_IPV6
#define MPRS_SIZE_IPV6 0
#endif
#define LWIP_IPV6 MPRS_SIZE_IPV6
#define LWIP_RAND() mprs_size_rand()

#endif
