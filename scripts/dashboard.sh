#!/usr/bin/env bash
# make dashboard: tradingd with a paper session to look at, until Ctrl-C.
# Prints the dashboard's address and where the token to log in with is (not
# the token: a terminal's scrollback is a log); opens nothing (the machine
# may have no browser). The data directory is
# throwaway unless DATA_DIR is given, and HTTP_LISTEN picks the port.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=./bin
. scripts/lib.sh
HTTP_LISTEN=${HTTP_LISTEN:-127.0.0.1:7445}
if [ -n "${DATA_DIR:-}" ]; then
  dir=$DATA_DIR keep=1
else
  dir=$(mktemp -d) keep=""
fi
log="$dir/tradingd.log"
daemon_pid=""
cleanup() {
  stop_pid "$daemon_pid"
  [ -n "$keep" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

HEALTH_CHECK_INTERVAL=2s "$BIN/tradingd" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --http-listen "$HTTP_LISTEN" \
  --data-dir "$dir" >"$log" 2>&1 &
daemon_pid=$!
addr=$(wait_for "$log" "$serving_addr" "$daemon_pid" "tradingd (is $HTTP_LISTEN taken? HTTP_LISTEN=127.0.0.1:0 picks a free port)")
http_addr=$(sed -n "$serving_http_addr" "$log" | head -1)
export TRADECTL_ADDR=$addr TRADECTL_TOKEN_FILE=$dir/token
"$BIN/tradectl" start --paper --symbols BTC-USD,ETH-USD,SOL-USD --tick-interval 250ms --health-interval 2s \
  --strategy grid >/dev/null
cat <<MSG

  dashboard  http://$http_addr/
  token      in $dir/token (cat it, paste it into the login form)
  tradectl   TRADECTL_ADDR=$addr TRADECTL_TOKEN_FILE=$dir/token ./bin/tradectl status

A paper grid session is running on BTC-USD, ETH-USD and SOL-USD. Open the
address in a browser on this machine and log in with the token. Ctrl-C stops
tradingd$([ -n "$keep" ] && echo "; the data stays in $dir" || echo " and removes its throwaway data directory").
MSG
wait "$daemon_pid"
