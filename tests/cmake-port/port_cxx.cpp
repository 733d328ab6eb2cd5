// A C++ source, as pico-sdk adds one to rp2's firmware (new_delete.cpp): CMake then links
// the firmware with the C++ driver, and libmprs.a must still be on the line, last.
extern "C" int mprs_test_port_cxx(void);

extern "C" int mprs_test_port_cxx(void) {
    return 1;
}
