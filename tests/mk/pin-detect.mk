# Virtual pins: c-glue/virtpin.c compiled against MicroPython's own headers with port
# headers shaped like rp2's (static inline pin functions), stm32's (macros) and a
# virtual-pin port's; the default MPHAL pin functions must follow the port's
# mp_hal_pin_obj_t (tests/pin-detect/).
TESTS += test-pin-detect


.PHONY: test-pin-detect
test-pin-detect:
	bash tests/scripts/pin-detect.sh $(MICROPYTHON_DIR) $(BUILD)/pin-detect $(CC) arm-none-eabi-gcc
