// lwIP's compiler/platform header for the unix lwIP test variant: the defaults of
// lwip/arch.h serve (stdint types, printf formats, byte order).
#ifndef MPRS_LWIP_ARCH_CC_H
#define MPRS_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#endif
