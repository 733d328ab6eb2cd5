#!/usr/bin/env bash
# Installs what `make test` needs on a fresh Debian machine, saying what it does.
# Usage: deps.sh "<apt packages>" "<rust targets>" <cbindgen version>
set -euo pipefail
apt_pkgs=($1)
rust_targets=($2)
cbindgen_version=$3

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${apt_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing Debian packages: ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "deps: Debian packages present: ${apt_pkgs[*]}"
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
