// The default MPHAL GPIO functions over virtual pins, for a port with no GPIO layer of its
// own (one that leaves mp_hal_pin_obj_t to py/mphal.h, so pins are mp_obj_t with the pin
// protocol). Include it from mphalport.h to use soft I2C, onewire and the like on such
// pins. py/mphal.h already maps mp_hal_pin_read/write to mp_virtual_pin_read/write.
// A port with its own, faster GPIO layer defines mp_hal_pin_obj_t (and these names) in its
// mphalport.h, and c-glue/virtpin.c then leaves them out (or set MPRS_PIN_DEFAULT_MPHAL to 0).
#ifndef MICROPY_INCLUDED_MPRS_HAL_PIN_H
#define MICROPY_INCLUDED_MPRS_HAL_PIN_H

#include "py/obj.h"

void mp_hal_pin_input(mp_obj_t pin);
void mp_hal_pin_output(mp_obj_t pin);
void mp_hal_pin_open_drain(mp_obj_t pin);
void mp_hal_pin_od_low(mp_obj_t pin);
void mp_hal_pin_od_high(mp_obj_t pin);
void mp_hal_pin_low(mp_obj_t pin);
void mp_hal_pin_high(mp_obj_t pin);

#endif // MICROPY_INCLUDED_MPRS_HAL_PIN_H
