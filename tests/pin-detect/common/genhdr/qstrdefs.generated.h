// Stand-in for the header MicroPython's build generates: the two qstrs every build has.
QDEF0(MP_QSTRnull, 0, 0, "")
QDEF0(MP_QSTR_, 5381, 0, "")
