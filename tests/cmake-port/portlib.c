// A library of the port's own (tests/cmake-port): libmprs.a must be linked after it.
#include "portlib.h"

const char *mprs_test_port_name(void) {
    return "mprs-cmake-port";
}
