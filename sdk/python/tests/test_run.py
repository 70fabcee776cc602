"""run() against an in-process fake of the daemon's StrategyService."""

import threading
import unittest
from decimal import Decimal as D

import grpc

import tradectl_strategy as ts
from tradectl_strategy.trading.v1 import strategy_pb2 as spb
from tradectl_strategy.trading.v1 import trading_pb2 as tpb

from .fakedaemon import FakeDaemon, book, event, order, refused, snapshot, stopped

ACCEPTED, PARTIAL, FILLED = tpb.ORDER_STATE_ACCEPTED, tpb.ORDER_STATE_PARTIALLY_FILLED, tpb.ORDER_STATE_FILLED
CANCELLED = tpb.ORDER_STATE_CANCELLED


class Recorder(ts.Strategy):
    """Calls on_book_do(self, book, decisions) and records what it saw."""

    def __init__(self, on_book_do=None):
        self.on_book_do, self.seen, self.refusals, self.updates = on_book_do, [], [], []
        self.stopped = None

    def on_snapshot(self, snapshot):
        self.seen.append(("snapshot", snapshot.sequence))

    def on_book(self, book, decisions):
        self.seen.append(("book", book.sequence, book.bid, book.ask))
        if self.on_book_do:
            self.on_book_do(self, book, decisions)

    def on_timer(self, timer, decisions):
        self.seen.append(("timer", timer.sequence))

    def on_order(self, update):
        self.updates.append(update)

    def on_refused(self, refusal):
        self.refusals.append(refusal)

    def on_stopped(self, stopped):
        self.stopped = stopped


class RunTest(unittest.TestCase):
    def serve(self, script):
        d = FakeDaemon(script)
        self.addCleanup(d.stop)
        return d

    def run_strategy(self, d, strategy, name="mysma"):
        hello = ts.Hello(name=name, version="1.2", symbols=["BTC-USD"], kinds=[ts.KIND_BOOK],
                         params={"fast": "5"})
        # On a thread, so that a strategy that never answers fails the test
        # (the fake daemon is stopped, which ends the stream) instead of
        # hanging it.
        out = {}

        def target():
            try:
                out["value"] = ts.run(d.target, "tok", hello, strategy)
            except BaseException as e:  # handed to the test's thread
                out["error"] = e

        t = threading.Thread(target=target)
        t.start()
        t.join(20)
        if t.is_alive():
            d.stop()
            t.join()
            self.fail("run() did not end: an answer missing? (%s)" % out)
        if "error" in out:
            raise out["error"]
        return out["value"]

    def check_script(self, d):
        self.assertTrue(d.done.wait(10))
        if d.error:
            raise d.error

    def test_one_answer_per_event_that_needs_one_in_order(self):
        answers = []

        def script(s):
            yield snapshot()
            yield book(2, "BTC-USD", "100", "101")
            answers.append(s.answer())
            yield order(3, "zz", "c9", ACCEPTED)  # needs no answer
            yield book(4, "BTC-USD", "100.5", "101")
            answers.append(s.answer())
            yield event(5, True, timer=spb.TimerFired())
            answers.append(s.answer())
            yield stopped(6)

        def buy_once(st, b, dec):
            if b.sequence == 2:
                dec.place(b.symbol, ts.BUY, "0.5", "100.00", tag="b1")

        d = self.serve(script)
        rec = Recorder(buy_once)
        out = self.run_strategy(d, rec)
        self.check_script(d)
        self.assertEqual([a.event_sequence for a in answers], [2, 4, 5])
        p = answers[0].decisions[0].place
        self.assertEqual((p.tag, p.symbol, p.side, p.type, p.time_in_force, p.quantity, p.price),
                         ("b1", "BTC-USD", tpb.ORDER_SIDE_BUY, tpb.ORDER_TYPE_LIMIT,
                          tpb.TIME_IN_FORCE_GTC, "0.5", "100"))
        self.assertEqual(len(answers[1].decisions), 0)
        self.assertEqual(rec.seen, [("snapshot", 1), ("book", 2, D("100"), D("101")),
                                    ("book", 4, D("100.5"), D("101")), ("timer", 5)])
        self.assertEqual((out.sequence, out.reason), (6, "stopped by the operator"))
        s = d.streams[0]
        self.assertEqual(s.metadata.get("authorization"), "Bearer tok")
        self.assertEqual((s.hello.name, s.hello.version, list(s.hello.symbols), dict(s.hello.params)),
                         ("mysma", "1.2", ["BTC-USD"], {"fast": "5"}))

    def test_tracks_positions_cash_and_orders_exactly(self):
        states = []

        def script(s):
            yield snapshot(cash="1000", positions=[("BTC-USD", "1.5")], orders=[
                spb.StrategyOrder(tag="old", client_order_id="c1", symbol="BTC-USD",
                                  side=tpb.ORDER_SIDE_SELL, type=tpb.ORDER_TYPE_LIMIT,
                                  quantity="0.2", price="120", state=ACCEPTED,
                                  filled_quantity="0")],
                symbols=[spb.SymbolFilters(symbol="BTC-USD", tick_size="0.01",
                                           lot_size="0.0001", min_notional="10")])
            yield book(2, "BTC-USD", "100", "101")
            s.answer()
            yield order(3, "b1", "c2", ACCEPTED, qty="0.1")
            yield order(4, "b1", "c2", PARTIAL, qty="0.1", filled="0.03",
                        fill=("0.03", "100.00000003", "0.01"))
            yield book(5, "BTC-USD", "100", "101")
            s.answer()
            yield order(6, "b1", "c2", FILLED, qty="0.1", filled="0.1", fill=("0.07", "99.9", "0.02"))
            yield order(7, "old", "c1", CANCELLED, side=tpb.ORDER_SIDE_SELL, qty="0.2", price="120")
            yield book(8, "BTC-USD", "100", "101")
            s.answer()
            yield stopped(9)

        def act(st, b, dec):
            acc = st.account
            states.append((b.sequence, acc.position("BTC-USD"), acc.cash,
                           [(o.tag, o.in_flight, o.cancelling, o.filled) for o in acc.open_orders()]))
            if b.sequence == 2:
                self.assertEqual(acc.filters("BTC-USD").lot_size, D("0.0001"))
                dec.place(b.symbol, ts.BUY, D("0.1"), D("100"), tag="b1")
            if b.sequence == 5:
                dec.cancel("old")

        d = self.serve(script)
        rec = Recorder(act)
        self.run_strategy(d, rec)
        self.check_script(d)
        self.assertEqual(states[0], (2, D("1.5"), D("1000"), [("old", False, False, D(0))]))
        # 0.03 x 100.00000003 = 3.0000000009, booked as 3.00000000 (8 places).
        self.assertEqual(states[1], (5, D("1.53"), D("1000") - D("3") - D("0.01"),
                                     [("b1", False, False, D("0.03")), ("old", False, False, D(0))]))
        self.assertEqual(states[2], (8, D("1.6"), D("996.99") - D("6.993") - D("0.02"), []))
        for v in (states[2][1], states[2][2]):
            self.assertIsInstance(v, D)
        self.assertEqual([u.fill.quantity for u in rec.updates if u.fill], [D("0.03"), D("0.07")])

    def test_a_refused_place_is_no_longer_tracked(self):
        def script(s):
            yield snapshot()
            yield book(2, "BTC-USD", "100", "101")
            s.answer()
            yield refused(3, 2, 1, "b", reason="ORDER_REFUSED", message="risk: position limit")
            yield book(4, "BTC-USD", "100", "101")
            s.answer()
            # The cancel of "a" (decided while it was in flight) does not
            # hide that its place was refused.
            yield refused(5, 2, 0, "a", reason="ORDER_REFUSED", message="risk: cash")
            yield book(6, "BTC-USD", "100", "101")
            s.answer()
            yield stopped(7)

        seen = []

        def act(st, b, dec):
            seen.append(sorted(o.tag for o in st.account.open_orders()))
            if b.sequence == 2:
                dec.place(b.symbol, ts.BUY, "1", "100", tag="a")
                dec.place(b.symbol, ts.BUY, "1", "99", tag="b")
            if b.sequence == 4:
                dec.cancel("a")

        rec = Recorder(act)
        d = self.serve(script)
        self.run_strategy(d, rec)
        self.check_script(d)
        self.assertEqual(seen, [[], ["a"], []])
        r = rec.refusals[0]
        self.assertEqual((r.event_sequence, r.decision_index, r.tag, r.reason, r.message),
                         (2, 1, "b", "ORDER_REFUSED", "risk: position limit"))

    def test_replace_keeps_the_tag_through_the_old_orders_cancel(self):
        seen = []

        def script(s):
            yield snapshot()
            yield book(2, "BTC-USD", "100", "101")
            s.answer()
            yield order(3, "q", "c1", ACCEPTED)
            yield book(4, "BTC-USD", "100", "101")
            a = s.answer()
            self.assertEqual((a.decisions[0].replace.tag, a.decisions[0].replace.price), ("q", "99.5"))
            yield order(5, "q", "c1", CANCELLED)
            yield book(6, "BTC-USD", "100", "101")
            s.answer()
            yield order(7, "q", "c2", ACCEPTED, qty="2", price="99.5")
            yield book(8, "BTC-USD", "100", "101")
            s.answer()
            yield refused(9, 8, 0, "q", reason="DECISION_INVALID", message="price off tick")
            yield book(10, "BTC-USD", "100", "101")
            s.answer()
            yield stopped(11)

        def act(st, b, dec):
            o = st.account.order("q")
            seen.append(None if o is None else (o.client_order_id, o.price, o.in_flight))
            if b.sequence == 2:
                dec.place(b.symbol, ts.BUY, "1", "100", tag="q")
            elif b.sequence in (4, 8):
                dec.replace("q", "2", "99.5" if b.sequence == 4 else "99.505")

        d = self.serve(script)
        self.run_strategy(d, Recorder(act))
        self.check_script(d)
        self.assertEqual(seen, [None, ("c1", D("100"), False), ("", D("99.5"), True),
                                ("c2", D("99.5"), False), ("c2", D("99.5"), False)])

    def test_an_event_of_a_newer_kind_is_still_answered(self):
        answers = []

        def script(s):
            yield snapshot()
            yield event(2, True)  # no kind this SDK knows
            answers.append(s.answer())
            yield stopped(3)

        d = self.serve(script)
        self.run_strategy(d, Recorder())
        self.check_script(d)
        self.assertEqual([(a.event_sequence, len(a.decisions)) for a in answers], [(2, 0)])

    def test_a_new_snapshot_replaces_what_was_tracked(self):
        seen = []

        def script(s):
            yield snapshot(positions=[("BTC-USD", "2")])
            yield book(2, "BTC-USD", "100", "101")
            s.answer()
            # As after a re-attach: the in-flight place was dropped with the
            # old attachment, and the daemon's account is the truth.
            yield snapshot(seq=3, cash="5", positions=[("BTC-USD", "0.5")], last=2)
            yield book(4, "BTC-USD", "100", "101")
            s.answer()
            yield stopped(5)

        def act(st, b, dec):
            acc = st.account
            seen.append((acc.cash, acc.positions(), [o.tag for o in acc.open_orders()]))
            if b.sequence == 2:
                dec.place(b.symbol, ts.BUY, "1", "100", tag="x")

        d = self.serve(script)
        self.run_strategy(d, Recorder(act))
        self.check_script(d)
        self.assertEqual(seen, [(D(1000), {"BTC-USD": D(2)}, []), (D(5), {"BTC-USD": D("0.5")}, [])])

    def test_an_error_carries_the_daemons_reason(self):
        def script(s):
            s.abort(grpc.StatusCode.FAILED_PRECONDITION, "STRATEGY_ATTACHED",
                    'strategy "mysma" is already attached')
            yield  # never reached

        d = self.serve(script)
        with self.assertRaises(ts.StrategyError) as cm:
            self.run_strategy(d, Recorder())
        e = cm.exception
        self.assertEqual((e.code, e.reason), (grpc.StatusCode.FAILED_PRECONDITION, "STRATEGY_ATTACHED"))
        self.assertIn("already attached", str(e))

    def test_a_stream_that_ends_without_stopped_is_an_error(self):
        def script(s):
            yield snapshot()

        d = self.serve(script)
        with self.assertRaises(ts.StrategyError) as cm:
            self.run_strategy(d, Recorder())
        self.assertIn("without a StrategyStopped", str(cm.exception))

    def test_a_callback_error_ends_the_stream_and_reaches_the_caller(self):
        def script(s):
            yield snapshot()
            yield book(2, "BTC-USD", "100", "101")
            # The strategy closes its side instead of answering.
            with self.assertRaises((StopIteration, grpc.RpcError)):
                s.recv()

        def float_price(st, b, dec):
            dec.place(b.symbol, ts.BUY, "1", 100.5)

        d = self.serve(script)
        with self.assertRaisesRegex(TypeError, "float"):
            self.run_strategy(d, Recorder(float_price))
        self.check_script(d)

    def test_decisions_are_refused_on_the_spot_when_malformed(self):
        acc = ts.Account()
        dec = ts.Decisions(acc, 7)
        for args, kw, err in [(("X", ts.BUY, "0"), {}, "not positive"),
                              (("X", ts.BUY, "-1"), {}, "not positive"),
                              (("X", ts.BUY, "1.000000001"), {}, "places"),
                              (("X", ts.BUY, "1"), {"tag": "bad tag"}, "tag"),
                              (("X", 9, "1"), {}, "side")]:
            with self.assertRaisesRegex(ValueError, err):
                dec.place(*args, **kw)
        self.assertEqual(dec.place("X", ts.SELL, "1"), "s7.0")
        with self.assertRaisesRegex(ValueError, "already live"):
            dec.place("X", ts.SELL, "1", tag="s7.0")
        with self.assertRaisesRegex(ValueError, "no live order"):
            dec.cancel("nope")
        with self.assertRaisesRegex(ValueError, "not acknowledged"):
            dec.replace("s7.0", "1", "2")
        self.assertEqual(len(dec), 1)
        with self.assertRaisesRegex(RuntimeError, "takes no answer"):
            ts.Decisions(acc, 8, answerable=False).place("X", ts.BUY, "1")


if __name__ == "__main__":
    unittest.main()
