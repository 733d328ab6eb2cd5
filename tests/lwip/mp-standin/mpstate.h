// The host lwIP tests' stand-in for MicroPython's root pointers: plain statics.
#ifndef MPRS_TEST_MPSTATE_H
#define MPRS_TEST_MPSTATE_H

#define MP_REGISTER_ROOT_POINTER(variable_declaration) static variable_declaration
#define MP_STATE_VM(name) (name)

#endif // MPRS_TEST_MPSTATE_H
