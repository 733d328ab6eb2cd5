# mprs_testhooks: a test-only user C module that lets Python code call the dupterm port
# hooks that board ports call but the unix port never does. Built into both the C and the
# mprs build of the unix port with USER_C_MODULES=<mprs>/tests/micropython/usermod.
MPRS_TESTHOOKS_MOD_DIR := $(USERMOD_DIR)

SRC_USERMOD_C += $(MPRS_TESTHOOKS_MOD_DIR)/mprs_testhooks.c
