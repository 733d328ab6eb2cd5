// Shaped like ports/stm32/mphalport.h: mp_hal_pin_obj_t and the pin functions are macros
// over the pin object's registers. Not guarded, as stm32's is not: the enum and the
// static inline function below fail to compile if the header is read twice.
#include "py/mpconfig.h"

typedef struct {
    volatile uint32_t IDR, BSRR;
} mprs_test_gpio_t;

typedef struct {
    mprs_test_gpio_t *gpio;
    uint32_t pin, pin_mask, name;
} machine_pin_obj_t;

enum {
    MP_HAL_PIN_MODE_INPUT = 0,
    MP_HAL_PIN_MODE_OUTPUT = 1,
    MP_HAL_PIN_MODE_OPEN_DRAIN = 2,
};
#define MP_HAL_PIN_PULL_NONE (0)

static inline mp_uint_t mp_hal_ticks_cpu(void) {
    return 0;
}

void mp_hal_pin_config(const machine_pin_obj_t *pin, uint32_t mode, uint32_t pull, uint32_t alt);

#define mp_hal_pin_obj_t const machine_pin_obj_t *
#define mp_hal_get_pin_obj(o)   ((const machine_pin_obj_t *)(o))
#define mp_hal_pin_input(p)     mp_hal_pin_config((p), MP_HAL_PIN_MODE_INPUT, MP_HAL_PIN_PULL_NONE, 0)
#define mp_hal_pin_output(p)    mp_hal_pin_config((p), MP_HAL_PIN_MODE_OUTPUT, MP_HAL_PIN_PULL_NONE, 0)
#define mp_hal_pin_open_drain(p) mp_hal_pin_config((p), MP_HAL_PIN_MODE_OPEN_DRAIN, MP_HAL_PIN_PULL_NONE, 0)
#define mp_hal_pin_high(p)      (((p)->gpio->BSRR) = (p)->pin_mask)
#define mp_hal_pin_low(p)       (((p)->gpio->BSRR) = ((p)->pin_mask << 16))
#define mp_hal_pin_od_low(p)    mp_hal_pin_low(p)
#define mp_hal_pin_od_high(p)   mp_hal_pin_high(p)
#define mp_hal_pin_read(p)      (((p)->gpio->IDR >> (p)->pin) & 1)
#define mp_hal_pin_write(p, v)  ((v) ? mp_hal_pin_high(p) : mp_hal_pin_low(p))
