"""Strategy: the callbacks a strategy overrides (all optional)."""


class Strategy:
    """Override the callbacks you need; run() calls them one at a time, in
    event order, on the thread that called run().

    self.account (an Account) holds positions, cash and live orders by tag
    before on_snapshot runs and moves with every event. Market and timer
    callbacks get a Decisions to place, cancel and replace orders with;
    whatever it holds when the callback returns is the event's one answer
    (none added: an empty answer, which the daemon also waits for).
    """

    account = None

    def on_snapshot(self, snapshot):
        """First event of every attach: self.account is the daemon's truth."""

    def on_book(self, book, decisions):
        """The top of a subscribed symbol's book changed."""

    def on_trade(self, trade, decisions):
        """A trade printed on a subscribed symbol (KIND_TRADE in the hello)."""

    def on_timer(self, timer, decisions):
        """The hello's timer_interval of market time passed."""

    def on_order(self, update):
        """One of the strategy's orders changed (self.account already shows it)."""

    def on_refused(self, refusal):
        """A decision was not taken (self.account already undid it)."""

    def on_stopped(self, stopped):
        """The session ended; run() returns after this."""
