#!/usr/bin/env bash
# make demo-live: a live session end to end against the rehearsal venue
# (cmd/venue-emulator, a fake Binance Spot on loopback), without the
# internet. Starts the emulator with throwaway keys, starts tradingd with
# --venue binance --venue-url, starts a live sma session (no --paper),
# watches health, makes the venue fall silent (a fault) and watches
# health notice and recover, stops, then puts the venue's ledger next to
# our store: the same orders and trades, and no client order id sent twice.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=./bin
. scripts/lib.sh
WATCH_SECONDS=${WATCH_SECONDS:-10}
dir=$(mktemp -d)
log="$dir/tradingd.log"
emu_log="$dir/venue-emulator.log"
daemon_pid=""
emu_pid=""
cleanup() {
  stop_pid "$daemon_pid"
  stop_pid "$emu_pid"
  rm -rf "$dir"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo-live: $*" >&2; exit 1; }


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
HEALTH_CHECK_INTERVAL=1s "$BIN/tradingd" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
  --data-dir "$dir" --venue binance --venue-url "$venue" --venue-keys "$keys" >"$log" 2>&1 &
daemon_pid=$!
addr=$(wait_for "$log" "$serving_addr" "$daemon_pid" tradingd)
echo "tradingd is serving on $addr"
# Printed, not opened: the demo runs on machines without a browser too.
http_addr=$(sed -n "$serving_http_addr" "$log" | head -1)
echo "dashboard: http://$http_addr/  (token: $dir/token)"
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

step "a fault: the venue falls silent (POST /emulator/faults {\"silenceStreams\":true,\"silenceUserData\":true})"
# Its sockets stay open and say nothing, pings included. Health notices
# within an interval (each socket's watchdog: nothing heard for 2s), the
# sockets are dialled again (backoff with jitter, counted) and stay silent.
# Once health has said so, the venue speaks again (an empty fault plan): the
# books resync, the user stream resubscribes, the session reconciles, and the
# connection has recovered when three reports in a row name neither
# market_data nor user_stream. (A pass that compared balances while an order
# was on its way says so in reconcile's reason, "seen once, checking again",
# and the next pass, 2 s later, clears it.)
health="$dir/health.log"
"$BIN/tradectl" watch-health >"$health" 2>&1 &
watch_pid=$!
fault() { curl -fsS -X POST -d "$1" "$venue/emulator/faults" >/dev/null; }
# ill FROM: a report after line FROM names the connection's components.
ill() { awk -v from="$1" 'NR > from && /market_data:|user_stream:/ { found = 1 } END { exit !found }' "$health"; }
# well FROM: three reports in a row after line FROM name neither.
well() {
  awk -v from="$1" 'NR <= from { next } /market_data:|user_stream:/ { n = 0; next } ++n >= 3 { ok = 1 }
    END { exit !ok }' "$health"
}
shown=0
phase=healthy # then silent, then speaking, then recovered
for i in $(seq 900); do # 90s
  n=$(wc -l <"$health")
  if [ "$n" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${n}p" "$health"
    shown=$n
  fi
  case $phase in
  healthy)
    if [ "$i" -ge 20 ]; then # two seconds of a healthy stream first
      from=$n
      fault '{"silenceStreams":true,"silenceUserData":true}'
      phase=silent
    fi
    ;;
  silent)
    if ill "$from"; then
      echo "-- health noticed; the venue speaks again (POST /emulator/faults {})"
      fault '{}'
      from=$n
      phase=speaking
    fi
    ;;
  speaking) well "$from" && phase=recovered && break ;;
  esac
  sleep 0.1
done
kill -INT "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
[ "$phase" = recovered ] || fail "health did not notice the silent venue and recover within 90s (phase $phase)"

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
jq -r '.orders[] | .symbol as $s | .fills[]? | "\($s) \(.venue_trade_id)"' "$dir/orders.json" |
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
