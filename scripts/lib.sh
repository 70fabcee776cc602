# Sourced by the demo scripts: what each of them needs to run tradingd (or
# the rehearsal venue) in the background and stop it again.

# stop_pid PID: SIGTERM, then wait for it, if it still runs.
stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

# wait_for FILE SED-EXPR PID NAME: prints the first match of SED-EXPR in
# FILE (a log line saying where it serves), waiting up to 10 s; fails with
# the log if PID exits first or nothing matches.
wait_for() {
  local out=""
  for _ in $(seq 100); do
    out=$(sed -n "$2" "$1" | head -1)
    [ -n "$out" ] && { echo "$out"; return; }
    kill -0 "$3" 2>/dev/null || { cat "$1" >&2; echo "$4 exited" >&2; exit 1; }
    sleep 0.1
  done
  cat "$1" >&2
  echo "$4 did not come up" >&2
  exit 1
}

# The serving line's addresses (tradingd logs 'msg="tradingd serving"
# addr=... metrics_addr=... http_addr=...').
serving_addr='s/.*msg="tradingd serving" addr=\([^ ]*\).*/\1/p'
serving_http_addr='s/.*msg="tradingd serving" .* http_addr=\([^ ]*\).*/\1/p'
