// Shaped like the unix and qemu ports' mphalport.h: no pin layer, so py/mphal.h makes pins
// virtual pins and c-glue/virtpin.c must supply the default mp_hal_pin_* functions. Not
// guarded, as those ports' headers are not.
#include <stddef.h>

static inline mp_uint_t mp_hal_ticks_cpu(void) {
    return 0;
}
