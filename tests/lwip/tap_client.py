"""The kernel side of netns_test.sh: a plain socket client that sends 64 KiB to the shim's
listening socket, closes its side, and expects "OK 65536 early=<n>" back."""
import socket
import sys

addr, port = sys.argv[1], int(sys.argv[2])
payload = bytes((i * 7 + 3) % 251 for i in range(64 * 1024))
with socket.create_connection((addr, port), timeout=20) as s:
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        chunk = s.recv(256)
        if not chunk:
            break
        reply += chunk
print("tap_client: reply", reply.decode(errors="replace").strip())
if not reply.startswith(b"OK 65536 early="):
    sys.exit(1)
