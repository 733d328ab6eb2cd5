// The test port's HAL (tests/cmake-port): no pin layer, so pins are virtual pins and
// c-glue/virtpin.c supplies the default mp_hal_pin_* functions.
static inline mp_uint_t mp_hal_ticks_ms(void) {
    return 0;
}
