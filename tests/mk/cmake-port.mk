# c-glue/mprs.cmake in a small port built with MicroPython's own CMake machinery
# (tests/cmake-port/, tests/scripts/cmake-port.sh): a host executable, and a Cortex-M0+ ELF
# for PICO_PLATFORM rp2040 with the other platforms' targets configured.
TESTS += test-cmake-host test-cmake-rp2040
DEPS_APT += cmake


.PHONY: test-cmake-host test-cmake-rp2040
test-cmake-host:
	bash tests/scripts/cmake-port.sh host $(MICROPYTHON_DIR) $(BUILD)/cmake-port

test-cmake-rp2040:
	bash tests/scripts/cmake-port.sh rp2040 $(MICROPYTHON_DIR) $(BUILD)/cmake-port
