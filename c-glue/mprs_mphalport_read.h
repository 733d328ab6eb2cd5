// Empty on purpose: c-glue/virtpin.c has already included the port's HAL header (to see
// whether it defines mp_hal_pin_obj_t) and points py/mphal.h here, so that header, which
// not every port guards against a second inclusion, is read once.
