# SHA-1 in MicroPython, for the WebREPL handshake where hashlib has no sha1 (it exists only
# with MICROPY_PY_SSL, and the test builds have MICROPY_PY_SSL=0). Used by serve.py here and
# by tests/lwip-net/webrepl/board.py.
import hashlib


def sha1(data):
    # hashlib.sha1 exists only with MICROPY_PY_SSL (these builds have MICROPY_PY_SSL=0).
    if hasattr(hashlib, "sha1"):
        return hashlib.sha1(data).digest()
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    n = len(data)
    data = bytes(data) + b"\x80" + bytes((55 - n) % 64) + (n * 8).to_bytes(8, "big")
    rol = lambda x, k: ((x << k) | (x >> (32 - k))) & 0xFFFFFFFF
    for o in range(0, len(data), 64):
        w = [int.from_bytes(data[o + 4 * i : o + 4 * i + 4], "big") for i in range(16)]
        for i in range(16, 80):
            w.append(rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1))
        a, b, c, d, e = h
        for i in range(80):
            if i < 20:
                f, k = (b & c) | (~b & d), 0x5A827999
            elif i < 40:
                f, k = b ^ c ^ d, 0x6ED9EBA1
            elif i < 60:
                f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
            else:
                f, k = b ^ c ^ d, 0xCA62C1D6
            a, b, c, d, e = (rol(a, 5) + f + e + k + w[i]) & 0xFFFFFFFF, a, rol(b, 30), c, d
        h = [(x + y) & 0xFFFFFFFF for x, y in zip(h, (a, b, c, d, e))]
    return b"".join(x.to_bytes(4, "big") for x in h)
