#!/usr/bin/env bash
# Regenerates the Python stubs of the SDK (sdk/python/tradectl_strategy/trading/v1)
# from proto/trading/v1 with protoc and grpc_python_plugin.
#
# Pinned to protoc 3.21.x on purpose: it compiles proto3 `optional` (>= 3.15),
# and the code it writes runs on every protobuf runtime from 3.20 on,
# Debian's python3-protobuf included; protoc 26+ writes code that demands a
# runtime as new as itself. Debian (bookworm, trixie) and Ubuntu 24.04 ship
# 3.21.12 as protobuf-compiler and the plugin as protobuf-compiler-grpc.
# (Debian's python3-grpc-tools bundles protoc 3.5, too old for `optional`.)
#
# --if-available: skip with a note when the tools are missing (or protoc is
# another version), unless CI is
# set (CI must check the stubs, so there a missing tool is a failure).
set -euo pipefail
cd "$(dirname "$0")/.."

PROTOC=${PROTOC:-protoc}
PLUGIN=${GRPC_PYTHON_PLUGIN:-$(command -v grpc_python_plugin || true)}
out=sdk/python/tradectl_strategy

missing=""
command -v "$PROTOC" >/dev/null || missing="protoc (apt-get install protobuf-compiler)"
[ -n "$PLUGIN" ] && [ -x "$PLUGIN" ] || missing="${missing:+$missing, }grpc_python_plugin (apt-get install protobuf-compiler-grpc)"
if [ -n "$missing" ]; then
	if [ "${1:-}" = "--if-available" ] && [ -z "${CI:-}" ]; then
		echo "genpython: SKIPPED, missing $missing"
		exit 0
	fi
	echo "genpython: missing $missing" >&2
	exit 1
fi
version=$("$PROTOC" --version)
case "$version" in
"libprotoc 3.21."*) ;;
*)
	if [ "${1:-}" = "--if-available" ] && [ -z "${CI:-}" ]; then
		echo "genpython: SKIPPED, need protoc 3.21.x, found '$version'"
		exit 0
	fi
	echo "genpython: need protoc 3.21.x (the committed stubs' generator), found '$version'" >&2
	exit 1
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PROTOC" -Iproto --python_out="$tmp" --pyi_out="$tmp" \
	--grpc_out="$tmp" --plugin=protoc-gen-grpc="$PLUGIN" \
	proto/trading/v1/trading.proto proto/trading/v1/strategy.proto

# protoc writes imports for a top-level package `trading`; the SDK carries the
# stubs inside itself so that a checkout needs only PYTHONPATH=sdk/python and
# never shadows another `trading` package. The descriptors keep their proto
# file names (trading/v1/...), as the daemon's do.
for f in "$tmp"/trading/v1/*.py "$tmp"/trading/v1/*.pyi; do
	sed -i 's/^from trading\.v1 import /from tradectl_strategy.trading.v1 import /' "$f"
done

rm -rf "$out/trading"
mkdir -p "$out/trading/v1"
cp "$tmp"/trading/v1/* "$out/trading/v1/"
printf '"""Generated from proto/trading: see scripts/genpython.sh."""\n' >"$out/trading/__init__.py"
cp "$out/trading/__init__.py" "$out/trading/v1/__init__.py"
echo "genpython: $version, stubs in $out/trading/v1"
