#!/usr/bin/env bash
# make demo-live: a live session end to end against the rehearsal venue
# (cmd/venue-emulator, a fake Binance Spot on loopback), without the
# internet. Starts the emulator with throwaway keys, starts tradingd with
# --venue binance --venue-url, starts a live sma session (no --paper),
# watches health, injects a fault (every WebSocket dropped) and watches
# health notice and recover, stops, then puts the venue's ledger next to
# our store: the same orders and trades, and no client order id sent twice.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=./bin
WATCH_SECONDS=${WATCH_SECONDS:-10}
dir=$(mktemp -d)
log="$dir/tradingd.log"
emu_log="$dir/venue-emulator.log"
daemon_pid=""
emu_pid=""
stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop_pid "$daemon_pid"
  stop_pid "$emu_pid"
  rm -rf "$dir"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo-live: $*" >&2; exit 1; }

# wait_for FILE SED-EXPR PID NAME: the first match of SED-EXPR in FILE.
wait_for() {
  local out=""
  for _ in $(seq 100); do
    out=$(sed -n "$2" "$1" | head -1)
    [ -n "$out" ] && { echo "$out"; return; }
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; fail "$4 exited"; }
    sleep 0.1
  done
  cat "$1" >&2
  fail "$4 did not come up"
}

# Throwaway keys: random, in a file only we may read (tradingd refuses a
# keys file anyone else can read). Both sides read the same file; the
# secret is never printed.
keys="$dir/venue.keys"
(umask 077 && printf 'api_key=%s\nsecret=%s\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" \
  "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$keys")

step "starting the rehearsal venue (cmd/venue-emulator) on loopback"
"$BIN/venue-emulator" --listen 127.0.0.1:0 --keys "$keys" --symbols BTC-USD,ETH-USD \
  --balances USDT=100000 >"$emu_log" 2>&1 &
emu_pid=$!
venue=$(wait_for "$emu_log" 's/^venue-emulator: listening on \(http[^ ]*\)$/\1/p' "$emu_pid" venue-emulator)
echo "the rehearsal venue serves $venue (REST /api/v3, streams /ws and /stream, WS API /ws-api/v3)"

step "starting tradingd --venue binance --venue-url $venue --venue-keys (data dir $dir)"
HEALTH_CHECK_INTERVAL=1s "$BIN/tradingd" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --data-dir "$dir" \
  --venue binance --venue-url "$venue" --venue-keys "$keys" >"$log" 2>&1 &
daemon_pid=$!
addr=$(wait_for "$log" 's/.*msg="tradingd serving" addr=\([^ ]*\).*/\1/p' "$daemon_pid" tradingd)
echo "tradingd is serving on $addr"
export TRADECTL_ADDR=$addr TRADECTL_TOKEN_FILE=$dir/token

# Small orders (200 USDT) on a fast sma, so that a few seconds trade.
step "tradectl start (no --paper: a LIVE session on the rehearsal venue)"
"$BIN/tradectl" start --symbols BTC-USD,ETH-USD --tick-interval 200ms --health-interval 1s \
  --strategy sma --param fast=2 --param slow=5 --param notional=200 --max-order-notional 1000

step "tradectl watch-health (for ${WATCH_SECONDS}s): market_data, user_stream, venue, clock, reconcile, order_entry"
timeout --signal=INT "$WATCH_SECONDS" "$BIN/tradectl" watch-health || [ $? -eq 124 ]

step "tradectl status"
"$BIN/tradectl" status

step "tradectl orders --fills (the last 6; each fill carries the venue's trade id)"
"$BIN/tradectl" orders --limit 6 --fills

step "tradectl portfolio"
"$BIN/tradectl" portfolio

step "a fault: the venue drops every WebSocket (POST /emulator/faults {\"dropConnections\":true})"
(sleep 2 && curl -fsS -X POST -d '{"dropConnections":true}' "$venue/emulator/faults" >/dev/null) &
fault_pid=$!
# Health notices within an interval: the books are out of sync and the user
# stream unsubscribed until both reconnect; the session then reconciles. It
# has recovered when three reports in a row are HEALTHY again. A pass that
# compared balances while a fill was on its way says so (DEGRADED, "to be
# confirmed by the next pass") until the next pass clears it, at most a
# minute later, so this waits up to 90s.
{ timeout --signal=INT 90 "$BIN/tradectl" watch-health || true; } | awk '
  { print; fflush() }
  $2 != "HEALTHY" { noticed = 1; healthy = 0; next }
  noticed && ++healthy == 3 { recovered = 1; exit }
  END { exit !recovered }' || fail "health did not notice the fault and recover within 90s"
wait "$fault_pid"

step "tradectl stop (cancels what rests at the venue and waits for the venue to confirm)"
"$BIN/tradectl" stop

step "the venue's ledger next to ours"
curl -fsS "$venue/emulator/ledger" >"$dir/ledger.json"
"$BIN/tradectl" orders --limit 0 -o json >"$dir/orders.json"
jq -r '"venue:  \(.requests|length) order requests, \(.orders|length) orders accepted, \(.trades|length) trades"' "$dir/ledger.json"
jq -r '"ours:   \(.orders|length) orders, \([.orders[]|select(.state!="ORDER_STATE_REJECTED")]|length) not rejected, \([.orders[].fills[]?]|length) fills"' "$dir/orders.json"
twice=$(jq -r '[.requests[].clientOrderId] | group_by(.) | map(select(length > 1) | .[0]) | join(" ")' "$dir/ledger.json")
[ -z "$twice" ] || fail "client order ids sent twice: $twice"
echo "no client order id reached the venue twice"
# A trade is the same trade on both sides when its symbol and the venue's
# trade id agree (BTCUSDT on the venue is our BTC-USD).
jq -r '.trades[] | "\(.symbol) \(.id)"' "$dir/ledger.json" | sort >"$dir/venue.trades"
jq -r '.orders[] | .symbol as $s | .fills[]? | "\($s) \(.venueTradeId)"' "$dir/orders.json" |
  sed 's/-USD /USDT /' | sort >"$dir/our.trades"
diff "$dir/venue.trades" "$dir/our.trades" >&2 || fail "the venue's trades and ours differ (above: < venue, > ours)"
echo "the same $(wc -l <"$dir/venue.trades") trades on both sides, trade id by trade id"
venue_orders=$(jq '.orders|length' "$dir/ledger.json")
our_orders=$(jq '[.orders[]|select(.state!="ORDER_STATE_REJECTED")]|length' "$dir/orders.json")
[ "$venue_orders" = "$our_orders" ] || fail "the venue accepted $venue_orders orders, we count $our_orders"

step "stopping tradingd and the venue (SIGTERM)"
stop_pid "$daemon_pid"
daemon_pid=""
stop_pid "$emu_pid"
emu_pid=""
echo "both exited. The last lines of tradingd's log:"
tail -n 12 "$log" | sed 's/^/  /'
