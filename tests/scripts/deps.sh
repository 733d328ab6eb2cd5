#!/usr/bin/env bash
# Installs what `make test` needs on a fresh Debian machine, saying what it does.
# Usage: deps.sh "<apt packages>" "<rust targets>" <cbindgen version> ["<qemu packages>"]
# The qemu packages must be QEMU 8.1 or newer (MicroPython's VIRT_RV32 board runs with Zcmp):
# on Debian 12 they come from bookworm-backports, which this adds to apt's sources.
set -euo pipefail
apt_pkgs=($1)
rust_targets=($2)
cbindgen_version=$3
qemu_pkgs=(${4:-})
qemu_min=1:8.1

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing Debian packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    # Without recommends: they are not needed, and on some images they conflict with
    # preinstalled packages (qemu-system-* recommends against a newer qemu-utils).
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "deps: Debian packages present: ${apt_pkgs[*]}"
fi

old_qemu=()
for p in "${qemu_pkgs[@]}"; do
    v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
    if [ -z "$v" ] || ! dpkg --compare-versions "$v" ge "$qemu_min"; then old_qemu+=("$p"); fi
done
if [ ${#old_qemu[@]} -gt 0 ]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    target_release=()
    if [ "$codename" = bookworm ]; then
        list=/etc/apt/sources.list.d/mprs-bookworm-backports.list
        if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
            echo "deps: adding Debian's bookworm-backports to apt's sources ($list) for QEMU >= ${qemu_min#1:}"
            echo "deb http://deb.debian.org/debian bookworm-backports main" | "${sudo_cmd[@]}" tee "$list" >/dev/null
        fi
        target_release=(-t bookworm-backports)
    fi
    echo "deps: installing QEMU >= ${qemu_min#1:} ${target_release[*]}: ${old_qemu[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${target_release[@]}" "${old_qemu[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
for t in "${rust_targets[@]}"; do
    if ! grep -qx "$t" <<<"$installed_targets"; then
        echo "deps: rustup target add $t"
        rustup target add "$t"
    fi
done
for c in rustfmt clippy; do
    if ! rustup component list --installed | grep -q "^$c"; then
        echo "deps: rustup component add $c"
        rustup component add "$c"
    fi
done
if ! cbindgen --version 2>/dev/null | grep -qx "cbindgen $cbindgen_version"; then
    echo "deps: cargo install cbindgen $cbindgen_version"
    cargo install --quiet --locked cbindgen --version "$cbindgen_version"
fi
echo "deps: ready (rust targets: ${rust_targets[*]}; $(cbindgen --version))"
