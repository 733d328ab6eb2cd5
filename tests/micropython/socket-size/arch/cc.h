// lwIP's compiler and platform header for the socket flash measurement: as a board's,
// assertions and diagnostics compiled out.
#ifndef MPRS_SIZE_LWIP_ARCH_CC_H
#define MPRS_SIZE_LWIP_ARCH_CC_H

#define LWIP_PLATFORM_DIAG(x)
#define LWIP_PLATFORM_ASSERT(x)
#define LWIP_NO_CTYPE_H 1

#endif
