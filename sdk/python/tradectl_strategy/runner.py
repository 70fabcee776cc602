"""run(): the stream between a Strategy and the daemon."""

import queue

import grpc

from . import events as ev
from .account import Account
from .decisions import Decisions
from .errors import StrategyError, from_rpc_error
from .trading.v1 import strategy_pb2, strategy_pb2_grpc

_CLOSE = object()


def channel(target, root_certificates=None, client_certificate=None, client_key=None,
            server_name=None):
    """A channel to the daemon: plain (loopback) without root_certificates,
    TLS with them, mutual TLS with a client certificate and key as well
    (all PEM bytes). server_name overrides the name checked in the
    daemon's certificate."""
    if root_certificates is None:
        if client_certificate or client_key:
            raise ValueError("a client certificate needs TLS: pass root_certificates too")
        return grpc.insecure_channel(target)
    if bool(client_certificate) != bool(client_key):
        raise ValueError("mutual TLS needs both client_certificate and client_key")
    creds = grpc.ssl_channel_credentials(root_certificates=root_certificates,
                                         private_key=client_key,
                                         certificate_chain=client_certificate)
    options = [("grpc.ssl_target_name_override", server_name)] if server_name else []
    return grpc.secure_channel(target, creds, options=options)


def run(target, token, hello, strategy, **tls):
    """Attaches strategy to the session waiting for hello.name and drives it
    until the session ends; returns the final Stopped event.

    target is the daemon's address ("127.0.0.1:7443") or an open
    grpc.Channel; token the daemon's bearer token; tls the keyword
    arguments of channel(). Raises StrategyError with the daemon's reason
    (STRATEGY_NOT_EXPECTED, STRATEGY_ATTACHED, STRATEGY_TOO_SLOW, ...) if
    the stream ends any other way, and lets an exception of a callback
    through after closing the stream (the daemon then detaches the strategy).
    """
    if isinstance(target, grpc.Channel):
        return _run(target, token, hello, strategy)
    with channel(target, **tls) as ch:
        return _run(ch, token, hello, strategy)


def _run(ch, token, hello, strategy):
    outbox = queue.Queue()

    def requests():
        # grpc reads this on its own thread; it ends when run() is done, so
        # the daemon sees the strategy close its side.
        yield strategy_pb2.RunStrategyRequest(hello=hello.to_proto())
        while True:
            msg = outbox.get()
            if msg is _CLOSE:
                return
            yield msg

    stub = strategy_pb2_grpc.StrategyServiceStub(ch)
    call = stub.RunStrategy(requests(), metadata=[("authorization", "Bearer " + token)])
    strategy.account = Account()
    stopped = None
    try:
        for resp in call:
            stopped = _dispatch(resp.event, strategy, outbox) or stopped
    except grpc.RpcError as err:
        raise from_rpc_error(err) from None
    finally:
        outbox.put(_CLOSE)
        call.cancel()  # a no-op once the stream ended; stops it if a callback raised
    if stopped is None:
        raise StrategyError(grpc.StatusCode.OK, "", "the stream ended without a StrategyStopped event")
    return stopped


def _dispatch(e, strategy, outbox):
    """Hands one event to strategy, sends its answer if it needs one, and
    returns the Stopped event if it was that."""
    acc = strategy.account
    kind, t = e.WhichOneof("event"), ev.timestamp(e.time)
    decisions = Decisions(acc, e.sequence, answerable=e.needs_answer)
    stopped = None
    if kind == "snapshot":
        acc._reset(e.snapshot)
        strategy.on_snapshot(ev.Snapshot(e.sequence, t, e.snapshot.session_id,
                                         e.snapshot.last_sequence))
    elif kind == "book":
        b = e.book
        strategy.on_book(ev.Book(e.sequence, t, b.symbol, _dec(b.bid), _dec(b.ask),
                                 _levels(b.bids), _levels(b.asks), b.coalesced), decisions)
    elif kind == "trade":
        x = e.trade
        strategy.on_trade(ev.Trade(e.sequence, t, x.symbol, _dec(x.price), _dec(x.size),
                                   x.aggressor), decisions)
    elif kind == "timer":
        strategy.on_timer(ev.Timer(e.sequence, t), decisions)
    elif kind == "order":
        strategy.on_order(acc._apply_update(e))
    elif kind == "refused":
        r = e.refused
        refusal = ev.Refusal(e.sequence, t, r.event_sequence, r.decision_index, r.tag,
                             r.reason, r.message)
        acc._refused(refusal)
        strategy.on_refused(refusal)
    elif kind == "stopped":
        stopped = ev.Stopped(e.sequence, t, e.stopped.state, e.stopped.reason)
        strategy.on_stopped(stopped)
    # An event of a kind newer than this SDK is skipped, and still answered
    # if it asks: the daemon waits for exactly one answer per such event.
    if e.needs_answer:
        outbox.put(strategy_pb2.RunStrategyRequest(answer=decisions._answer()))
    return stopped


def _dec(s):
    return ev.decimals.parse_optional(s)


def _levels(levels):
    return [ev.Level(ev.decimals.parse(x.price), ev.decimals.parse(x.size)) for x in levels]
