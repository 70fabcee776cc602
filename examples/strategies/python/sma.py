#!/usr/bin/env python3
"""sma: the built-in moving-average crossover, as a remote strategy in Python.

The same rules as tradingd's sma (internal/strategy/sma.go), to the last
unit: for each symbol, the last SLOW mids of the book (bid + ask halved,
rounded half away from zero to 8 places, as the daemon does); once SLOW mids
have been seen, a fast average crossing above the slow one buys NOTIONAL /
ask, cut to 0.0001 and then to the lot, with a market order if the position
is flat; crossing below sells the whole position if it is long. While the
symbol has a live order, nothing. Sums are exact decimals, and the averages
are compared cross-multiplied, so nothing is ever divided or rounded there.

    tradectl start --paper --strategy remote:mysma
    python3 examples/strategies/python/sma.py --name mysma
"""

import argparse
import collections
import os
import sys
from decimal import Decimal

try:
    import tradectl_strategy as ts
except ImportError:  # run from a checkout: the SDK is in sdk/python
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "..", "sdk", "python"))
    import tradectl_strategy as ts
from tradectl_strategy import decimals

MAX_WINDOW = 500
QUANTITY_PLACES = 4


class Series:
    """The last `slow` mids of one symbol with the sums of both windows."""

    def __init__(self, slow):
        self.mids = collections.deque(maxlen=slow)
        self.fast_sum = self.slow_sum = Decimal(0)
        # Sign of fast - slow where they last differed; a cross is a change.
        self.regime = 0

    def push(self, mid, fast):
        """Adds mid; reports whether the slow window is full."""
        if len(self.mids) >= fast:
            self.fast_sum -= self.mids[-fast]  # leaves the fast window
        if len(self.mids) == self.mids.maxlen:
            self.slow_sum -= self.mids[0]
        self.mids.append(mid)
        self.fast_sum += mid
        self.slow_sum += mid
        return len(self.mids) == self.mids.maxlen


class SMA(ts.Strategy):
    def __init__(self, fast=5, slow=20, notional=Decimal(1000)):
        if not 1 <= fast < slow <= MAX_WINDOW:
            raise ValueError("want 1 <= fast < slow <= %d, got fast %d, slow %d"
                             % (MAX_WINDOW, fast, slow))
        notional = decimals.to_decimal(notional, "notional")
        if notional <= 0:
            raise ValueError("notional must be positive, got %s" % notional)
        self.fast, self.slow, self.notional = fast, slow, notional
        self.series = {}

    def on_book(self, book, decisions):
        if book.bid is None or book.ask is None or book.bid <= 0 or book.ask < book.bid:
            return
        ser = self.series.get(book.symbol)
        if ser is None:
            ser = self.series[book.symbol] = Series(self.slow)
        if not ser.push(decimals.half(book.bid + book.ask), self.fast):
            return
        # fast_sum/fast vs slow_sum/slow, cross-multiplied: exact integers
        # of 1e-8 units, no division.
        a, b = ser.fast_sum * self.slow, ser.slow_sum * self.fast
        rel = (a > b) - (a < b)
        prev = ser.regime
        if rel != 0:
            ser.regime = rel
        if prev == rel or rel == 0 or self.account.open_orders(book.symbol):
            return
        position = self.account.position(book.symbol)
        if prev < 0 < rel and position == 0:
            f = self.account.filters(book.symbol)
            qty = f.quantity(decimals.quo_truncate(self.notional, book.ask, QUANTITY_PLACES))
            if f.tradable(qty, book.ask):
                decisions.place(book.symbol, ts.BUY, qty)
        elif prev > 0 > rel and position > 0:
            decisions.place(book.symbol, ts.SELL, position)


def main(argv=None):
    p = argparse.ArgumentParser(description="The sma crossover as a tradectl remote strategy.")
    p.add_argument("--target", default="127.0.0.1:7443", help="the daemon's address")
    p.add_argument("--token-file", default=None,
                   help="the daemon's token file (default: $XDG_STATE_HOME/tradectl/token, "
                        "else ~/.local/state/tradectl/token)")
    p.add_argument("--name", default="pysma", help="NAME of the session's --strategy remote:NAME")
    p.add_argument("--fast", type=int, default=5)
    p.add_argument("--slow", type=int, default=20)
    p.add_argument("--notional", default="1000", help="quote currency spent per entry (decimal)")
    p.add_argument("--symbols", default="", help="comma-separated; default: all the session's")
    p.add_argument("--tls-ca", help="PEM of the CA that signed the daemon's certificate")
    p.add_argument("--tls-cert", help="client certificate (PEM), for mutual TLS")
    p.add_argument("--tls-key", help="client key (PEM), for mutual TLS")
    p.add_argument("--tls-server-name", help="the name to check in the daemon's certificate")
    args = p.parse_args(argv)

    try:
        strategy = SMA(args.fast, args.slow, decimals.parse(args.notional))
    except ValueError as e:
        p.error(str(e))
    token = read_token(args.token_file)
    tls = {}
    if args.tls_ca:
        tls = dict(root_certificates=read(args.tls_ca), server_name=args.tls_server_name,
                   client_certificate=read(args.tls_cert) if args.tls_cert else None,
                   client_key=read(args.tls_key) if args.tls_key else None)
    hello = ts.Hello(name=args.name, version="sma.py 1",
                     symbols=[s for s in args.symbols.split(",") if s],
                     params={"fast": str(args.fast), "slow": str(args.slow),
                             "notional": args.notional})
    try:
        stopped = ts.run(args.target, token, hello, strategy, **tls)
    except ts.StrategyError as e:
        print("sma.py: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print("sma.py: session ended: %s" % (stopped.reason or "stopped"), file=sys.stderr)
    return 0


def read_token(path):
    if path is None:
        state = os.environ.get("XDG_STATE_HOME", "")
        if not os.path.isabs(state):
            state = os.path.join(os.path.expanduser("~"), ".local", "state")
        path = os.path.join(state, "tradectl", "token")
    with open(path) as f:
        return f.read().strip()


def read(path):
    with open(path, "rb") as f:
        return f.read()


if __name__ == "__main__":
    sys.exit(main())
