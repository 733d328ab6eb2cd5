# mprs for a MicroPython port built with CMake (rp2; see the README for esp32). Hand it to
# the port as a user C module, e.g. for rp2:
#
#     make BOARD=RPI_PICO_W USER_C_MODULES=path/to/mprs/c-glue/mprs.cmake
#
# py/usermod.cmake includes it after py/py.cmake and extmod/extmod.cmake, before the port
# creates its firmware target. It takes the C files mprs replaces out of
# MICROPY_SOURCE_PY and MICROPY_SOURCE_EXTMOD (so they are neither compiled nor
# QSTR-scanned), adds the glue (c-glue/*.c) through an INTERFACE library linked to
# usermod (so the port QSTR-scans it and compiles it with its own flags and
# mpconfigport.h), runs cargo on every build, and links libmprs.a after every library on
# the firmware's link line, before the toolchain's libc and libgcc. The firmware relinks,
# and the glue recompiles, only when libmprs.a changed. Needs CMake 3.19
# (cmake_language(DEFER)).
#
# Settings: -D on the cmake command line (through rp2's Makefile, in the environment:
# CMAKE_ARGS="-DMPRS_TARGET=..."), or set() before py/usermod.cmake runs.
#   MPRS_TARGET        Rust target triple, or "host" for the build machine. Default: from
#                      pico-sdk's PICO_PLATFORM: rp2040 -> thumbv6m-none-eabi,
#                      rp2350-arm-s -> thumbv8m.main-none-eabi (pico-sdk builds the M33 with
#                      the soft-float ABI, -mfloat-abi=softfp), rp2350-riscv ->
#                      riscv32imac-unknown-none-elf; "host" when not cross-compiling
#   MPRS_OBJ_REPR_D    ON when the port uses MICROPY_OBJ_REPR_D (64-bit mp_obj_t on 32-bit)
#   MPRS_OFF_T_64      ON when mp_off_t is 64-bit on a 32-bit target
#   MPRS_SUBSYSTEMS    which C modules to replace (default: stream dupterm virtpin webrepl
#                      websocket),
#                      and "lwip" for the lwIP callback shims (c-glue/mprs_lwip.h), and
#                      "socket" (with "lwip") for the socket module on lwIP in place of
#                      extmod/modlwip.c; both opt-in
#   MPRS_CARGO         cargo command (default: cargo)
#   MPRS_CARGO_FLAGS   extra flags for cargo build (e.g. --offline)

if(CMAKE_VERSION VERSION_LESS 3.19)
    message(FATAL_ERROR "mprs.cmake needs CMake 3.19 or later (this is ${CMAKE_VERSION})")
endif()
if(NOT MICROPY_DIR OR NOT DEFINED MICROPY_SOURCE_PY)
    message(FATAL_ERROR "mprs.cmake is a user C module: pass it as USER_C_MODULES, so that "
        "py/usermod.cmake includes it after py/py.cmake")
endif()

get_filename_component(MPRS_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

if(NOT DEFINED MPRS_SUBSYSTEMS)
    set(MPRS_SUBSYSTEMS stream dupterm virtpin webrepl websocket)
endif()
# A CMake list or space-separated words, as mprs.mk takes it.
string(REPLACE " " ";" MPRS_SUBSYSTEMS "${MPRS_SUBSYSTEMS}")
if(NOT MPRS_CARGO)
    set(MPRS_CARGO cargo)
endif()
string(REPLACE " " ";" MPRS_CARGO_COMMAND "${MPRS_CARGO}")
string(REPLACE " " ";" MPRS_CARGO_FLAGS_LIST "${MPRS_CARGO_FLAGS}")

# Each subsystem: the glue file that replaces it, the C original it removes, and the list
# that holds the original. Each one listed is also a cargo feature of libmprs.a (which then
# imports only the port services of the subsystems listed) and a C macro, MPRS_<NAME>=1,
# under which include/mprs.h declares its API (c-glue/webrepl.c, for one, sends GET chunks
# through the mprs websocket in place when MPRS_WEBSOCKET is set).
set(MPRS_GLUE_stream stream.c)
set(MPRS_ORIG_stream ${MICROPY_DIR}/py/stream.c)
set(MPRS_LIST_stream MICROPY_SOURCE_PY)
set(MPRS_GLUE_dupterm dupterm.c)
set(MPRS_ORIG_dupterm ${MICROPY_DIR}/extmod/os_dupterm.c)
set(MPRS_LIST_dupterm MICROPY_SOURCE_EXTMOD)
set(MPRS_GLUE_virtpin virtpin.c)
set(MPRS_ORIG_virtpin ${MICROPY_DIR}/extmod/virtpin.c)
set(MPRS_LIST_virtpin MICROPY_SOURCE_EXTMOD)
set(MPRS_GLUE_webrepl webrepl.c)
set(MPRS_ORIG_webrepl ${MICROPY_DIR}/extmod/modwebrepl.c)
set(MPRS_LIST_webrepl MICROPY_SOURCE_EXTMOD)
set(MPRS_GLUE_websocket websocket.c)
set(MPRS_ORIG_websocket ${MICROPY_DIR}/extmod/modwebsocket.c)
set(MPRS_LIST_websocket MICROPY_SOURCE_EXTMOD)
# The lwIP shims replace no C file; the socket module on them replaces modlwip.c.
set(MPRS_GLUE_lwip lwip.c)
set(MPRS_GLUE_socket socket.c)
set(MPRS_ORIG_socket ${MICROPY_DIR}/extmod/modlwip.c)
set(MPRS_LIST_socket MICROPY_SOURCE_EXTMOD)

if("socket" IN_LIST MPRS_SUBSYSTEMS AND NOT "lwip" IN_LIST MPRS_SUBSYSTEMS)
    message(FATAL_ERROR "mprs: the socket subsystem is built on the lwIP shims: "
        "list lwip in MPRS_SUBSYSTEMS too")
endif()
set(MPRS_GLUE_C ${MPRS_ROOT}/c-glue/port.c)
set(MPRS_ORIG_C)
set(MPRS_DEFINITIONS)
set(MPRS_FEATURES)
foreach(mprs_sub IN LISTS MPRS_SUBSYSTEMS)
    if(NOT DEFINED MPRS_GLUE_${mprs_sub})
        message(FATAL_ERROR "mprs: unknown subsystem '${mprs_sub}' in MPRS_SUBSYSTEMS "
            "(known: stream dupterm virtpin webrepl websocket lwip socket)")
    endif()
    list(APPEND MPRS_GLUE_C ${MPRS_ROOT}/c-glue/${MPRS_GLUE_${mprs_sub}})
    list(APPEND MPRS_FEATURES ${mprs_sub})
    string(TOUPPER "MPRS_${mprs_sub}=1" mprs_define)
    list(APPEND MPRS_DEFINITIONS ${mprs_define})
    if(NOT DEFINED MPRS_ORIG_${mprs_sub})
        continue()
    endif()
    set(mprs_list ${MPRS_LIST_${mprs_sub}})
    if(NOT "${MPRS_ORIG_${mprs_sub}}" IN_LIST ${mprs_list})
        if(NOT DEFINED ${mprs_list})
            message(FATAL_ERROR "mprs: ${mprs_list} is not set yet, so ${MPRS_ORIG_${mprs_sub}} "
                "cannot be taken out of the build: this port includes py/usermod.cmake before "
                "the file that lists it (the esp32 port includes it before "
                "extmod/extmod.cmake). Leave '${mprs_sub}' out of MPRS_SUBSYSTEMS.")
        endif()
        message(FATAL_ERROR "mprs: ${MPRS_ORIG_${mprs_sub}} is not in ${mprs_list}: "
            "nothing to replace for '${mprs_sub}'")
    endif()
    list(REMOVE_ITEM ${mprs_list} ${MPRS_ORIG_${mprs_sub}})
    list(APPEND MPRS_ORIG_C ${MPRS_ORIG_${mprs_sub}})
endforeach()
if(MPRS_OBJ_REPR_D)
    list(APPEND MPRS_FEATURES obj-repr-d)
    list(APPEND MPRS_DEFINITIONS MPRS_OBJ_REPR_D=1)
endif()
if(MPRS_OFF_T_64)
    list(APPEND MPRS_FEATURES off-t-64)
    list(APPEND MPRS_DEFINITIONS MPRS_OFF_T_64=1)
endif()

# The Rust target: the port's core, as pico-sdk names it.
if(NOT MPRS_TARGET)
    if(PICO_PLATFORM STREQUAL "rp2040")
        set(MPRS_TARGET thumbv6m-none-eabi)
    elseif(PICO_PLATFORM STREQUAL "rp2350-arm-s" OR PICO_PLATFORM STREQUAL "rp2350")
        set(MPRS_TARGET thumbv8m.main-none-eabi)
    elseif(PICO_PLATFORM STREQUAL "rp2350-riscv")
        set(MPRS_TARGET riscv32imac-unknown-none-elf)
    elseif(PICO_PLATFORM)
        message(FATAL_ERROR "mprs: no Rust target known for PICO_PLATFORM ${PICO_PLATFORM}: "
            "set MPRS_TARGET")
    elseif(CMAKE_CROSSCOMPILING)
        message(FATAL_ERROR "mprs: cross-compiling for ${CMAKE_SYSTEM_PROCESSOR}: set "
            "MPRS_TARGET to the Rust target of this core (e.g. thumbv7em-none-eabihf)")
    else()
        set(MPRS_TARGET host)
    endif()
endif()

set(MPRS_CARGO_DIR ${CMAKE_BINARY_DIR}/mprs-cargo)
if(MPRS_TARGET STREQUAL "host")
    set(MPRS_CARGO_LIB ${MPRS_CARGO_DIR}/release/libmprs.a)
    set(MPRS_TARGET_FLAG)
else()
    set(MPRS_CARGO_LIB ${MPRS_CARGO_DIR}/${MPRS_TARGET}/release/libmprs.a)
    set(MPRS_TARGET_FLAG --target ${MPRS_TARGET})
    # Say what to install now rather than fail in the middle of the build.
    if(MPRS_CARGO STREQUAL "cargo")
        execute_process(COMMAND rustc --print sysroot OUTPUT_VARIABLE mprs_sysroot
            OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE mprs_result ERROR_QUIET)
        if(mprs_result EQUAL 0 AND NOT EXISTS "${mprs_sysroot}/lib/rustlib/${MPRS_TARGET}")
            message(FATAL_ERROR "mprs: the Rust target ${MPRS_TARGET} is not installed: "
                "rustup target add ${MPRS_TARGET}")
        endif()
    endif()
endif()
if(MPRS_FEATURES)
    list(JOIN MPRS_FEATURES " " mprs_features)
    set(MPRS_FEATURES_FLAG --no-default-features --features ${mprs_features})
else()
    set(MPRS_FEATURES_FLAG --no-default-features)
endif()
# What the firmware links: cargo's archive less Rust's compiler_builtins, made with the
# port's toolchain (see mprs-archive.sh).
set(MPRS_LIB ${CMAKE_BINARY_DIR}/mprs/libmprs.a)
set(MPRS_ARCHIVE_ENV MPRS_CC=${CMAKE_C_COMPILER})
if(CMAKE_AR)
    list(APPEND MPRS_ARCHIVE_ENV MPRS_AR=${CMAKE_AR})
endif()
if(CMAKE_OBJCOPY)
    list(APPEND MPRS_ARCHIVE_ENV MPRS_OBJCOPY=${CMAKE_OBJCOPY})
endif()
message(STATUS "mprs: libmprs.a for ${MPRS_TARGET}, replacing ${MPRS_SUBSYSTEMS}")

# cargo decides whether anything changed; mprs-archive.sh --if-changed leaves libmprs.a
# (and its time stamp) alone when cargo's archive is the one it was made from.
add_custom_target(mprs_cargo
    COMMAND ${CMAKE_COMMAND} -E echo "CARGO libmprs.a (${MPRS_TARGET})"
    COMMAND ${MPRS_CARGO_COMMAND} rustc --release --quiet --lib --crate-type staticlib ${MPRS_CARGO_FLAGS_LIST}
        --manifest-path ${MPRS_ROOT}/Cargo.toml --target-dir ${MPRS_CARGO_DIR}
        ${MPRS_TARGET_FLAG} ${MPRS_FEATURES_FLAG}
    COMMAND ${CMAKE_COMMAND} -E env ${MPRS_ARCHIVE_ENV}
        sh ${MPRS_ROOT}/c-glue/mprs-archive.sh --if-changed ${MPRS_CARGO_LIB} ${MPRS_LIB}
    BYPRODUCTS ${MPRS_LIB}
    VERBATIM
)

# The glue: compiled as part of the port's firmware target, with its flags.
add_library(usermod_mprs INTERFACE)
target_sources(usermod_mprs INTERFACE ${MPRS_GLUE_C})
target_include_directories(usermod_mprs INTERFACE ${MPRS_ROOT}/include ${MPRS_ROOT}/c-glue)
target_compile_definitions(usermod_mprs INTERFACE ${MPRS_DEFINITIONS})
add_dependencies(usermod_mprs mprs_cargo)
target_link_libraries(usermod INTERFACE usermod_mprs)
# The QSTR scan sees the firmware's own definitions, not those usermod brings.
list(APPEND MICROPY_CPP_DEF_EXTRA ${MPRS_DEFINITIONS})
# Recompile the glue when the library changed, as mprs.mk does.
set_source_files_properties(${MPRS_GLUE_C} PROPERTIES OBJECT_DEPENDS ${MPRS_LIB})

# At the end of the port's CMakeLists, once its firmware target has all it links. An
# executable (rp2's firmware) gets libmprs.a after every library CMake puts on its link line,
# even those its INTERFACE libraries bring (pico-sdk's are all INTERFACE), and before the
# toolchain's own (libc, libgcc), so whatever the library calls comes from those: as a
# standard library of the language, which CMake appends last. The executable relinks when
# libmprs.a changes (LINK_DEPENDS). A library target (esp32's main IDF component) gets it
# in its link interface instead. And no original may have come back.
function(mprs_finish)
    if(NOT TARGET "${MICROPY_TARGET}")
        message(FATAL_ERROR "mprs: the port defined no target MICROPY_TARGET "
            "('${MICROPY_TARGET}') to link libmprs.a into")
    endif()
    get_target_property(mprs_sources ${MICROPY_TARGET} SOURCES)
    foreach(mprs_orig IN LISTS MPRS_ORIG_C)
        if(mprs_orig IN_LIST mprs_sources)
            message(FATAL_ERROR "mprs: ${MICROPY_TARGET} compiles ${mprs_orig}, which mprs "
                "replaces: the port added it after py/usermod.cmake")
        endif()
    endforeach()
    get_target_property(mprs_type ${MICROPY_TARGET} TYPE)
    if(mprs_type STREQUAL "EXECUTABLE")
        # For the language CMake links with: C++ when the firmware has a C++ source (as
        # pico-sdk adds one).
        foreach(mprs_lang C CXX)
            set(CMAKE_${mprs_lang}_STANDARD_LIBRARIES
                "${CMAKE_${mprs_lang}_STANDARD_LIBRARIES} \"${MPRS_LIB}\"" PARENT_SCOPE)
        endforeach()
        set_property(TARGET ${MICROPY_TARGET} APPEND PROPERTY LINK_DEPENDS ${MPRS_LIB})
    else()
        add_library(mprs_lib STATIC IMPORTED)
        set_target_properties(mprs_lib PROPERTIES IMPORTED_LOCATION ${MPRS_LIB})
        add_dependencies(mprs_lib mprs_cargo)
        set_property(TARGET ${MICROPY_TARGET} APPEND PROPERTY INTERFACE_LINK_LIBRARIES mprs_lib)
    endif()
endfunction()
cmake_language(DEFER CALL mprs_finish)
