// Shaped like ports/rp2/mphalport.h: mp_hal_pin_obj_t is a macro, the pin functions are
// static inline functions over the SDK's GPIO calls. Guarded, as rp2's is.
#ifndef MPRS_TEST_RP2_MPHALPORT_H
#define MPRS_TEST_RP2_MPHALPORT_H

#include "py/mpconfig.h"
#include "py/obj.h"

#define GPIO_IN (0)
#define GPIO_OUT (1)
void gpio_set_dir(unsigned int gpio, int out);
void gpio_put(unsigned int gpio, int value);
int gpio_get(unsigned int gpio);

#define mp_hal_pin_obj_t uint
mp_hal_pin_obj_t mp_hal_get_pin_obj(mp_obj_t pin_in);

static inline void mp_hal_pin_input(mp_hal_pin_obj_t pin) {
    gpio_set_dir(pin, GPIO_IN);
}

static inline void mp_hal_pin_output(mp_hal_pin_obj_t pin) {
    gpio_set_dir(pin, GPIO_OUT);
}

static inline void mp_hal_pin_open_drain(mp_hal_pin_obj_t pin) {
    gpio_put(pin, 0);
    gpio_set_dir(pin, GPIO_IN);
}

static inline int mp_hal_pin_read(mp_hal_pin_obj_t pin) {
    return gpio_get(pin);
}

static inline void mp_hal_pin_write(mp_hal_pin_obj_t pin, int v) {
    gpio_put(pin, v);
}

static inline void mp_hal_pin_od_low(mp_hal_pin_obj_t pin) {
    gpio_set_dir(pin, GPIO_OUT);
}

static inline void mp_hal_pin_od_high(mp_hal_pin_obj_t pin) {
    gpio_set_dir(pin, GPIO_IN);
}

static inline void mp_hal_pin_low(mp_hal_pin_obj_t pin) {
    gpio_put(pin, 0);
}

static inline void mp_hal_pin_high(mp_hal_pin_obj_t pin) {
    gpio_put(pin, 1);
}

#endif
