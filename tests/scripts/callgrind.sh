#!/usr/bin/env bash
# Prints instructions per call of a function, counted by callgrind (repeatable, unlike
# wall time). The driver prints how many calls it made on its last line.
# Usage: callgrind.sh <label> <function> <driver> [args...]
set -euo pipefail
label=$1 fn=$2
shift 2
out=$(mktemp)
calls=$(valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$fn" "$@" 2>/dev/null | tail -1)
total=$(awk '/^totals:/ {print $2}' "$out")
rm -f "$out"
awk -v l="$label" -v t="$total" -v c="$calls" 'BEGIN { printf "%-60s %12.2f instructions/call (%d calls)\n", l, t / c, c }'
