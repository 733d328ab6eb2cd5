# What the fault tests share, run in each instance with
#     exec(open("lib/net.py").read())
# (run-multitests.py runs an instance in the test's folder; `socket` must be imported).


def listener(port, backlog=1):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo("0.0.0.0", port)[0][-1])
    s.listen(backlog)
    return s


def connect(port):
    c = socket.socket()
    c.connect(socket.getaddrinfo(IP, port)[0][-1])
    return c


def recv_upto(c, size):
    """Up to size bytes: fewer only at end of file."""
    data = b""
    while len(data) < size:
        chunk = c.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data
