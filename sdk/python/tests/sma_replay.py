"""Replays book lines through the sma example, without a daemon, for the Go
test that holds it to the built-in sma (sdk/python/sdk_test.go).

stdin: "SYMBOL BID ASK" per book event; argv: fast slow notional lot
min_notional. Every order fills at once (a buy at the ask, a sell at the
bid), as in the Go side's fake account. stdout: "SEQ SYMBOL SIDE QTY" per
order, in the daemon's decimal format.
"""

import importlib.util
import os
import sys
from decimal import Decimal

import tradectl_strategy as ts
from tradectl_strategy import decimals


def load_sma():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "..", "examples", "strategies", "python", "sma.py")
    spec = importlib.util.spec_from_file_location("sma_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    fast, slow, notional, lot, min_notional = sys.argv[1:6]
    strategy = load_sma().SMA(int(fast), int(slow), decimals.parse(notional))
    acc = strategy.account = ts.Account()
    filters = ts.Filters(lot_size=decimals.parse(lot), min_notional=decimals.parse(min_notional))
    out = []
    for seq, line in enumerate(sys.stdin, start=1):
        symbol, bid, ask = line.split()
        acc._filters[symbol] = filters
        book = ts.Book(seq, None, symbol, decimals.parse(bid), decimals.parse(ask), [], [], 0)
        dec = ts.Decisions(acc, seq)
        strategy.on_book(book, dec)
        for d in dec._answer().decisions:
            p = d.place
            qty = decimals.parse(p.quantity)
            price = book.ask if p.side == ts.BUY else book.bid
            acc._book_fill(p.symbol, p.side, ts.Fill(qty, price, Decimal(0), None))
            del acc._orders[p.tag]
            out.append("%d %s %s %s" % (seq, p.symbol, "BUY" if p.side == ts.BUY else "SELL",
                                        p.quantity))
    print("\n".join(out))


if __name__ == "__main__":
    main()
