# Guard for mprs: 1 MB each way over the TAP link, byte for byte. The kernel peer sends 1024
# chunks of 1 KB, chunk i a window of a 1280-byte pattern that starts at i % 251, so a lost,
# repeated or reordered chunk shows; the lwIP build checks each chunk as it comes, then sends
# the same megabyte back, which the peer checks, and closes.
import socket

# Shared helpers: listener(), connect(), recv_upto() (lib/net.py).
exec(open("lib/net.py").read())

PORT = 8008
CHUNKS = 1024
CHUNK = 1024
PATTERN = bytes(range(256)) * 5


def chunk(i):
    at = i % 251
    return PATTERN[at : at + CHUNK]


def receive(c):
    """The megabyte as it arrives: bytes received and chunks that differ from the pattern."""
    got = differ = 0
    for i in range(CHUNKS):
        data = recv_upto(c, CHUNK)
        got += len(data)
        differ += data != chunk(i)
    return "%d bytes, %d chunks differ" % (got, differ)


def send(c):
    for i in range(CHUNKS):
        # write() on a blocking socket sends all of it, on both builds and on the kernel's.
        c.write(chunk(i))


def instance0():
    multitest.globals(IP=multitest.get_network_ip())
    s = listener(PORT)
    multitest.next()
    c, _ = s.accept()
    print("kernel to lwIP:", receive(c))
    send(c)
    c.close()
    s.close()


def instance1():
    multitest.next()
    c = connect(PORT)
    send(c)
    print("lwIP to kernel:", receive(c), "then", c.recv(1))
    c.close()
