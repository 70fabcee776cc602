"""tradectl_strategy: write a tradectl strategy in Python.

A strategy subclasses Strategy, overrides the callbacks it needs and calls
run(); the daemon keeps the risk checks, the account and the store, and the
strategy only decides. Decimals are decimal.Decimal, never float.

    import tradectl_strategy as ts

    class Mine(ts.Strategy):
        def on_book(self, book, decisions):
            if not self.account.open_orders(book.symbol) and ...:
                decisions.place(book.symbol, ts.BUY, "0.01")

    ts.run("127.0.0.1:7443", token, ts.Hello(name="mine"), Mine())

What this package must never do: compute with floats, answer an event
twice or not at all, or hide the daemon's reason for ending a stream.
"""

from .account import Account
from .decisions import Decisions
from .errors import StrategyError
from .events import (BUY, FINAL_STATES, GTC, IOC, KIND_BOOK, KIND_TRADE, LIMIT, MARKET, SELL,
                     Book, Fill, Filters, Hello, Level, Order, OrderUpdate, Refusal, Snapshot,
                     Stopped, Timer, Trade)
from .runner import channel, run
from .strategy import Strategy

__all__ = [
    "Account", "Book", "BUY", "Decisions", "FINAL_STATES", "Fill", "Filters", "GTC", "Hello",
    "IOC", "KIND_BOOK", "KIND_TRADE", "LIMIT", "Level", "MARKET", "Order", "OrderUpdate",
    "Refusal", "SELL", "Snapshot", "Stopped", "Strategy", "StrategyError", "Timer", "Trade",
    "channel", "run",
]
