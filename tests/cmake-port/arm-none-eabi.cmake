# Cortex-M0+ with arm-none-eabi-gcc and newlib, as pico-sdk builds for RP2040; the
# platform is named the way pico-sdk names it, so mprs.cmake picks its Rust target.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m0plus)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m0plus -mthumb")
if(NOT PICO_PLATFORM)
    set(PICO_PLATFORM rp2040)
endif()
