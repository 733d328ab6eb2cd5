// Stand-in for the header MicroPython's build generates: no root pointers registered.
