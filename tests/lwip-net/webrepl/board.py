# The board side of the WebREPL-over-lwIP run (driven by client.py in this folder): the real
# lib/micropython-lib/micropython/net/webrepl/webrepl.py, imported from the tree, on the lwIP
# unix build. Run as `micropython -i board.py WEBREPL_DIR PORT PASSWORD` with stdin a pipe
# that stays open: webrepl.start() listens with the option-20 callback, and the script
# returns to the REPL, whose input (the variant's __wrap_mp_hal_stdin_rx_chr) keeps lwIP and
# the scheduler running and reads the dupterm slot, as a board's REPL does.
#
# What the unix port lacks, webrepl.py gets here: `network` (a stub whose interfaces are
# inactive: setup_conn only prints their addresses) and hashlib.sha1 (tests/micropython/
# webrepl/sha1.py, found through sys.path), both put in sys.modules before the import.
import sys

WEBREPL_DIR, PORT, PASSWORD = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.append(sys.argv[0].rsplit("/", 3)[0] + "/micropython/webrepl")  # tests/micropython/webrepl
from sha1 import sha1  # noqa: E402


class _Sha1:
    def __init__(self, data=b""):
        self.data = bytes(data)

    def update(self, data):
        self.data += bytes(data)

    def digest(self):
        return sha1(self.data)


class _Hashlib:
    sha1 = _Sha1


class _WLAN:
    IF_STA, IF_AP = 0, 1

    def __init__(self, index):
        pass

    def active(self):
        return False


class _Network:
    WLAN = _WLAN


sys.modules["hashlib"] = _Hashlib
sys.modules["network"] = _Network
sys.path.insert(0, WEBREPL_DIR)
import lwip_tap  # noqa: E402
import socket  # noqa: E402
import webrepl  # noqa: E402



class _NoDelay:
    """The listening socket as webrepl.accept_conn sees it: accept() sets TCP_NODELAY on the
    connection. A GET is one round trip per 256-byte chunk, each written as a websocket
    header and its data: with Nagle, the data waits for the kernel's delayed ACK (40 ms a
    chunk, 18 s for 100 KB). Everything else is webrepl.py's own."""

    def __init__(self, sock):
        self.sock = sock

    def accept(self):
        cl, addr = self.sock.accept()
        cl.setsockopt(getattr(socket, "IPPROTO_TCP", 6), getattr(socket, "TCP_NODELAY", 1), 1)
        return cl, addr


def accept_handler(listen_sock):  # the option-20 callback on the listening socket
    return webrepl.accept_conn(_NoDelay(listen_sock))


print("board: lwIP at", lwip_tap.ifconfig()[0])
webrepl.start(port=PORT, password=PASSWORD, accept_handler=accept_handler)
print("board: webrepl listening")
