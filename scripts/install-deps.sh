#!/bin/sh
# Installs every Debian package the project needs (build, tests, co-simulation,
# synthesis, ONNX). Safe to run repeatedly: only missing packages are fetched.
# Usage: scripts/install-deps.sh [--check]   (--check: list missing packages, exit 1 if any)
set -eu

PKGS="build-essential g++ make pkg-config
libgtest-dev verilator yosys libsystemc-dev
protobuf-c-compiler libprotobuf-c-dev libonnx-dev libonnx-testdata zlib1g-dev
nextpnr-ice40 fpga-icestorm gnuplot-nox
clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "missing packages:$missing"
    exit 1
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-deps: not root and no sudo; install these packages by hand:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
