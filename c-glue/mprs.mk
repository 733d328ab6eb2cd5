# mprs for a MicroPython port. Include it from the port Makefile after py/py.mk and
# extmod/extmod.mk (and after any line that assigns LIBS with '='):
#
#     include path/to/mprs/c-glue/mprs.mk
#
# It builds libmprs.a with cargo, adds the glue sources and the include path, and removes
# the C files mprs replaces, so each symbol has one definition.
#
# Settings (set them before the include or on the make command line):
#   MPRS_TARGET        Rust target triple, or "host" (default) for the build machine,
#                      e.g. thumbv7em-none-eabihf, thumbv7m-none-eabi, i686-unknown-linux-gnu
#   MPRS_OBJ_REPR_D    1 when the port uses MICROPY_OBJ_REPR_D (64-bit mp_obj_t on 32-bit)
#   MPRS_OFF_T_64      1 when mp_off_t is 64-bit on a 32-bit target
#   MPRS_SUBSYSTEMS    which C modules to replace (default: stream dupterm virtpin webrepl
#                      websocket); opt-in: "lwip" for the lwIP callback shims
#                      (c-glue/mprs_lwip.h), and "socket" (with "lwip") for the socket
#                      module on lwIP in place of extmod/modlwip.c, for a port with
#                      MICROPY_PY_LWIP. libmprs.a is built with these alone: list only the
#                      modules the port enables (a listed one that its mpconfigport.h
#                      turns off links only with --gc-sections)
#   MPRS_CARGO         cargo command (default: cargo)
#   MPRS_CARGO_FLAGS   extra flags for cargo build (e.g. --offline)
#   MPRS_LINK_TARGETS  the port's final link targets (default: $(BUILD)/firmware.elf, and
#                      $(BUILD)/$(PROG) where PROG is set, as in the unix port)

MPRS_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
MPRS_TARGET ?= host
MPRS_OBJ_REPR_D ?= 0
MPRS_OFF_T_64 ?= 0
MPRS_CARGO ?= cargo
MPRS_CARGO_FLAGS ?=
MPRS_SUBSYSTEMS ?= stream dupterm virtpin webrepl websocket

# Each subsystem: the glue file that replaces it, and the C original it removes. Each one
# listed is also a cargo feature of libmprs.a (which then imports only the port services of
# the subsystems listed) and a C macro, MPRS_<NAME>=1, under which include/mprs.h declares
# its API (c-glue/webrepl.c, for one, sends GET chunks through the mprs websocket in place
# when MPRS_WEBSOCKET is set).
MPRS_KNOWN := stream dupterm virtpin webrepl websocket lwip socket
MPRS_MACRO_stream := MPRS_STREAM
MPRS_MACRO_dupterm := MPRS_DUPTERM
MPRS_MACRO_virtpin := MPRS_VIRTPIN
MPRS_MACRO_webrepl := MPRS_WEBREPL
MPRS_MACRO_websocket := MPRS_WEBSOCKET
MPRS_MACRO_lwip := MPRS_LWIP
MPRS_MACRO_socket := MPRS_SOCKET
MPRS_GLUE_stream := stream.c
MPRS_ORIG_stream := py/stream.c
MPRS_GLUE_dupterm := dupterm.c
MPRS_ORIG_dupterm := extmod/os_dupterm.c
MPRS_GLUE_virtpin := virtpin.c
MPRS_ORIG_virtpin := extmod/virtpin.c
MPRS_GLUE_webrepl := webrepl.c
MPRS_ORIG_webrepl := extmod/modwebrepl.c
MPRS_GLUE_websocket := websocket.c
MPRS_ORIG_websocket := extmod/modwebsocket.c
# The lwIP shims replace no C file; the socket module on them replaces modlwip.c.
MPRS_GLUE_lwip := lwip.c
MPRS_ORIG_lwip :=
MPRS_GLUE_socket := socket.c
MPRS_ORIG_socket := extmod/modlwip.c
ifneq ($(filter-out $(MPRS_KNOWN),$(MPRS_SUBSYSTEMS)),)
$(error mprs: unknown subsystem(s) '$(filter-out $(MPRS_KNOWN),$(MPRS_SUBSYSTEMS))' in MPRS_SUBSYSTEMS (known: $(MPRS_KNOWN)))
endif
ifneq ($(filter socket,$(MPRS_SUBSYSTEMS)),)
ifeq ($(filter lwip,$(MPRS_SUBSYSTEMS)),)
$(error mprs: the socket subsystem is built on the lwIP shims: list lwip in MPRS_SUBSYSTEMS too)
endif
endif
MPRS_FEATURES := $(MPRS_SUBSYSTEMS)
CFLAGS += $(foreach s,$(MPRS_SUBSYSTEMS),-D$(MPRS_MACRO_$(s))=1)

ifeq ($(MPRS_OBJ_REPR_D),1)
MPRS_FEATURES += obj-repr-d
CFLAGS += -DMPRS_OBJ_REPR_D=1
endif
ifeq ($(MPRS_OFF_T_64),1)
MPRS_FEATURES += off-t-64
CFLAGS += -DMPRS_OFF_T_64=1
endif

MPRS_TARGET_DIR := $(abspath $(BUILD))/mprs-cargo
ifeq ($(MPRS_TARGET),host)
MPRS_CARGO_LIB := $(MPRS_TARGET_DIR)/release/libmprs.a
MPRS_TARGET_FLAG :=
else
MPRS_CARGO_LIB := $(MPRS_TARGET_DIR)/$(MPRS_TARGET)/release/libmprs.a
MPRS_TARGET_FLAG := --target $(MPRS_TARGET)
endif
# What the firmware links: cargo's archive less Rust's compiler_builtins (see mprs-archive.sh).
MPRS_LIB := $(abspath $(BUILD))/mprs/libmprs.a

# The glue is compiled by the port's own rules, with its mpconfigport.h. Like
# USER_C_MODULES, sources are named relative to a directory on vpath, so objects land in
# $(BUILD)/<mprs dir name>/c-glue/.
MPRS_PARENT := $(patsubst %/,%,$(dir $(MPRS_ROOT)))
MPRS_NAME := $(notdir $(MPRS_ROOT))
SRC_MPRS_C := $(addprefix $(MPRS_NAME)/c-glue/,port.c $(foreach s,$(MPRS_SUBSYSTEMS),$(MPRS_GLUE_$(s))))
MPRS_ORIG_C := $(foreach s,$(MPRS_SUBSYSTEMS),$(MPRS_ORIG_$(s)))
MPRS_GLUE_O := $(addprefix $(BUILD)/,$(SRC_MPRS_C:.c=.o))

vpath %.c $(MPRS_PARENT)
CFLAGS += -I$(MPRS_ROOT)/include -I$(MPRS_ROOT)/c-glue

# Replace the C originals.
PY_O := $(filter-out $(addprefix $(BUILD)/,$(MPRS_ORIG_C:.c=.o)),$(PY_O)) $(MPRS_GLUE_O)
SRC_QSTR := $(filter-out $(MPRS_ORIG_C),$(SRC_QSTR)) $(SRC_MPRS_C)
SRC_EXTMOD_C := $(filter-out $(MPRS_ORIG_C),$(SRC_EXTMOD_C))
# Added for the link recipe only, so it survives a port that assigns LIBS with '=' after
# this include (as the qemu port does), and lands after the port's objects.
MPRS_LINK_TARGETS ?= $(BUILD)/firmware.elf $(if $(PROG),$(BUILD)/$(PROG))
$(MPRS_LINK_TARGETS): LIBS += $(MPRS_LIB)

# cargo decides whether anything changed; the glue is rebuilt (and the firmware relinked)
# when the library is. `cargo rustc --crate-type staticlib`, not `cargo build`: with the
# manifest's two crate types cargo leaves out -C lto, and without it core's code is not
# optimised together with ours.
$(MPRS_LIB): FORCE
	$(ECHO) "CARGO libmprs.a ($(MPRS_TARGET))"
	$(Q)$(MPRS_CARGO) rustc --release --quiet --lib --crate-type staticlib $(MPRS_CARGO_FLAGS) \
		--manifest-path $(MPRS_ROOT)/Cargo.toml --target-dir $(MPRS_TARGET_DIR) \
		$(MPRS_TARGET_FLAG) --no-default-features $(if $(strip $(MPRS_FEATURES)),--features "$(strip $(MPRS_FEATURES))")
	$(Q)MPRS_CC="$(CC)" sh $(MPRS_ROOT)/c-glue/mprs-archive.sh --if-changed $(MPRS_CARGO_LIB) $(MPRS_LIB) $(CROSS_COMPILE)

$(MPRS_GLUE_O): $(MPRS_LIB)

