#!/bin/sh
# deps.sh: installs, with apt-get, whatever of serenity's build and test
# dependencies this Debian machine lacks.  Needs root when something is
# missing; does nothing when all is there.
set -e
PKGS="cmake make gcc g++ libc6-dev pkg-config libcmocka-dev libxml2-dev zlib1g-dev clang libclang-rt-14-dev verilator yosys nextpnr-ice40 fpga-icestorm parallel protobuf-c-compiler libprotobuf-c-dev libonnx-testdata python3-onnx python3-numpy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
