// Host pin objects for the C tests: see host_pin.c.
#ifndef MPRS_HOST_PIN_H
#define MPRS_HOST_PIN_H

#include "host_port.h"

// What a test pin's ioctl returns to stand for "raised an exception".
#define HOST_PIN_RAISE ((mprs_uint_t)-7)

#endif // MPRS_HOST_PIN_H
