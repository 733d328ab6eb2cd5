"""End to end: the `webrepl` client from PyPI against the WebREPL state machine, served over
a real websocket on 127.0.0.1 by tests/webrepl/server.rs with a temporary directory as its
file system. Prints 'webrepl e2e: N passed, M failed' and exits non-zero on a failure."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

import webrepl  # the PyPI client

SERVER, PASSWORD, VERSION = sys.argv[1], "secret", (1, 27, 3)
results = []


def check(name, fn):
    try:
        fn()
        results.append((name, None))
        print("pass ", name)
    except Exception as e:  # a failed assert or a client error
        results.append((name, e))
        print("FAIL ", name, repr(e))


root = tempfile.mkdtemp(prefix="mprs-webrepl-")
server = subprocess.Popen(
    [SERVER, root, PASSWORD, "40", ".".join(map(str, VERSION))], stdout=subprocess.PIPE, text=True
)
port = int(server.stdout.readline())


def client(password=PASSWORD):
    return webrepl.Webrepl(host="127.0.0.1", port=port, password=password)


def wrong_password_is_refused():
    c = client("wrong")
    assert not c.connected
    c.disconnect()


def login():
    c = client()
    assert c.connected
    c.disconnect()


def put_and_get(size):
    def run():
        data = os.urandom(size)
        local = os.path.join(root, "local-%d" % size)
        with open(local, "wb") as f:
            f.write(data)
        c = client()
        c.put_file(local, "remote-%d.bin" % size)
        with open(os.path.join(root, "remote-%d.bin" % size), "rb") as f:
            assert f.read() == data, "file on the server differs"
        assert c.get_file_content("remote-%d.bin" % size) == data, "GET differs"
        c.disconnect()
        assert not os.path.exists(os.path.join(root, "remote-%d.bin.part" % size))

    return run


def get_ver():
    c = client()
    assert c.get_ver() == VERSION
    c.disconnect()


def missing_file_gets_an_error_and_the_session_goes_on():
    c = client()
    c.send_req(webrepl.WEBREPL_GET_FILE, 0, b"no-such-file")
    assert c.read_resp() != 0
    assert c.get_ver() == VERSION  # still serving
    c.disconnect()


def disconnect_mid_put_keeps_the_old_file():
    target = os.path.join(root, "keep.txt")
    with open(target, "wb") as f:
        f.write(b"the good version")
    c = client()
    c.send_req(webrepl.WEBREPL_PUT_FILE, 10000, b"keep.txt")
    assert c.read_resp() == 0
    c.ws.write(b"x" * 500)
    c.disconnect()
    client().disconnect()  # the server takes connections in turn: the first is finished
    with open(target, "rb") as f:
        assert f.read() == b"the good version"
    assert not os.path.exists(target + ".part"), "temporary left behind"


check("wrong password is refused", wrong_password_is_refused)
check("login", login)
for size in (0, 1, 300, 1 << 20):
    check("PUT and GET of %d bytes" % size, put_and_get(size))
check("GET_VER", get_ver)
check("missing file gets an error, session goes on", missing_file_gets_an_error_and_the_session_goes_on)
check("disconnect in the middle of a PUT", disconnect_mid_put_keeps_the_old_file)

server.terminate()
server.wait(timeout=10)
failed = sum(1 for _, e in results if e)
print("webrepl e2e: %d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
