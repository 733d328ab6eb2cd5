// A library of the port's own (tests/cmake-port).
const char *mprs_test_port_name(void);
