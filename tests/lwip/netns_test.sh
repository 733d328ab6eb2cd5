#!/usr/bin/env bash
# The shim across a real kernel TCP stack: a network namespace with a TAP device at
# 192.0.2.2/24 (TEST-NET-1, inside the namespace only), lwIP at 192.0.2.1 on the TAP side
# (tap_peer), and a Python socket client in the namespace (tap_client.py). The namespace
# is removed at the end. Where a namespace or TAP device cannot be made, says so and skips.
# Usage: netns_test.sh <tap_peer binary>
set -euo pipefail
peer=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
ns=mprs-lwip-$$
tap=mprstap0
skip() { echo "lwip netns: SKIPPED: $*"; exit 0; }

[ -c /dev/net/tun ] || skip "no /dev/net/tun on this machine"
command -v ip >/dev/null || skip "no 'ip' command (Debian package iproute2)"
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here (needs root and namespace support)"
out=$(mktemp)
cleanup() {
    [ -n "${peer_pid:-}" ] && kill "$peer_pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -f "$out"
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip tuntap add dev "$tap" mode tap 2>/dev/null || skip "cannot create a TAP device in the namespace"
in_ns ip addr add 192.0.2.2/24 dev "$tap"
in_ns ip link set "$tap" up
echo "lwip netns: namespace $ns, $tap 192.0.2.2/24 (kernel) <-> 192.0.2.1 (lwIP)"

in_ns "$peer" "$tap" 192.0.2.1 7000 >"$out" 2>&1 &
peer_pid=$!
for _ in $(seq 100); do grep -q READY "$out" && break; sleep 0.1; done
grep -q READY "$out" || { cat "$out"; echo "lwip netns: FAILED: tap_peer did not start"; exit 1; }
status=0
in_ns timeout 60 python3 "$here/tap_client.py" 192.0.2.1 7000 || status=1
wait "$peer_pid" || status=1
peer_pid=
grep -v READY "$out" || true
if [ $status -ne 0 ]; then echo "lwip netns: FAILED"; exit 1; fi
echo "lwip netns: passed (keep-before-accept and scheduled callbacks across the kernel's TCP)"
