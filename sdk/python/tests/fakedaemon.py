"""An in-process StrategyService whose every stream runs a test's script."""

import concurrent.futures
import threading

import grpc
from google.protobuf import timestamp_pb2

from tradectl_strategy import errors
from tradectl_strategy.trading.v1 import strategy_pb2 as spb
from tradectl_strategy.trading.v1 import strategy_pb2_grpc, trading_pb2 as tpb


class Stream:
    """What a script sees of one RunStrategy call."""

    def __init__(self, requests, context):
        self._requests, self.context = requests, context
        self.metadata = dict(context.invocation_metadata())
        self.hello = None

    def recv(self):
        """The next message of the strategy (StopIteration when it closed)."""
        return next(self._requests)

    def answer(self):
        msg = self.recv()
        assert msg.WhichOneof("message") == "answer", msg
        return msg.answer

    def abort(self, code, reason, message):
        """Ends the stream as the daemon does: code, text and ErrorInfo."""
        info = errors._ErrorInfo(reason=reason, domain=errors.ERROR_DOMAIN)
        st = errors._Status(code=code.value[0], message=message)
        st.details.add(type_url=errors._ERROR_INFO_URL, value=info.SerializeToString())
        self.context.set_trailing_metadata((("grpc-status-details-bin", st.SerializeToString()),))
        self.context.abort(code, message)


class FakeDaemon(strategy_pb2_grpc.StrategyServiceServicer):
    """Serves on a loopback port; script(stream) yields the events to send."""

    def __init__(self, script, credentials=None):
        self.script, self.streams, self.error = script, [], None
        self.done = threading.Event()
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=4))
        strategy_pb2_grpc.add_StrategyServiceServicer_to_server(self, self.server)
        if credentials is None:
            port = self.server.add_insecure_port("127.0.0.1:0")
        else:
            port = self.server.add_secure_port("127.0.0.1:0", credentials)
        self.target = "127.0.0.1:%d" % port
        self.server.start()

    def stop(self):
        self.server.stop(grace=None).wait()

    def RunStrategy(self, request_iterator, context):
        s = Stream(request_iterator, context)
        self.streams.append(s)
        try:
            first = s.recv()
            s.hello = first.hello
            yield from self.script(s)
        except AssertionError as e:  # reported to the test, not lost in a thread
            self.error = e
            raise
        finally:
            self.done.set()


def event(seq, needs_answer=False, **kind):
    e = spb.StrategyEvent(sequence=seq, needs_answer=needs_answer,
                          time=timestamp_pb2.Timestamp(seconds=1_700_000_000 + seq), **kind)
    return spb.RunStrategyResponse(event=e)


def book(seq, symbol, bid, ask):
    return event(seq, True, book=spb.BookUpdate(symbol=symbol, bid=bid, ask=ask))


def snapshot(seq=1, cash="1000", positions=(), orders=(), symbols=(), last=0):
    return event(seq, snapshot=spb.StrategySnapshot(
        session_id="s-1", cash=cash, last_sequence=last,
        positions=[tpb.Position(symbol=s, quantity=q) for s, q in positions],
        open_orders=list(orders), symbols=list(symbols)))


def order(seq, tag, cid, state, side=tpb.ORDER_SIDE_BUY, qty="1", price="100", filled="0",
          fill=None, symbol="BTC-USD", reason=""):
    o = spb.StrategyOrder(tag=tag, client_order_id=cid, symbol=symbol, side=side,
                          type=tpb.ORDER_TYPE_LIMIT, time_in_force=tpb.TIME_IN_FORCE_GTC,
                          quantity=qty, price=price, state=state, filled_quantity=filled)
    u = spb.StrategyOrderUpdate(order=o, reason=reason)
    if fill is not None:
        u.fill.CopyFrom(tpb.Fill(quantity=fill[0], price=fill[1], fee=fill[2]))
    return event(seq, order=u)


def refused(seq, event_sequence, index, tag, reason="DECISION_INVALID", message="no"):
    return event(seq, refused=spb.DecisionRefused(event_sequence=event_sequence,
                                                  decision_index=index, tag=tag, reason=reason,
                                                  message=message))


def stopped(seq, reason="stopped by the operator"):
    return event(seq, stopped=spb.StrategyStopped(state=tpb.SESSION_STATE_STOPPED, reason=reason))
