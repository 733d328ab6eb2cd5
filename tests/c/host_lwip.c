// Tests without lwIP (all of tests/c): the glue's inert lwIP services, which libmprs.a
// imports. The lwIP tests (tests/lwip/) build the glue against real lwIP instead.
#define MPRS_LWIP_HOST 0
#include "../../c-glue/lwip.c"
