"""StrategyError: why the stream ended, with the daemon's ErrorInfo reason.

The daemon sends a google.rpc.Status with an ErrorInfo (domain "tradectl")
in the grpc-status-details-bin trailer. Debian has no Python package of
googleapis' protos, so the two messages are declared here, in a private
descriptor pool (no clash with googleapis-common-protos if it is installed):
the wire format needs only the field numbers.
"""

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

ERROR_DOMAIN = "tradectl"


class StrategyError(Exception):
    """The stream ended with an error.

    code is the grpc.StatusCode; reason the ErrorInfo reason such as
    STRATEGY_ATTACHED, STRATEGY_NOT_EXPECTED or STRATEGY_TOO_SLOW ("" when
    the daemon sent none, as for a dropped connection); message the text.
    """

    def __init__(self, code, reason, message, metadata=None):
        self.code, self.reason, self.message = code, reason, message
        self.metadata = dict(metadata or {})
        name = code.name if isinstance(code, grpc.StatusCode) else str(code)
        super().__init__("%s%s: %s" % (name, " " + reason if reason else "", message))


def _messages():
    f = descriptor_pb2.FileDescriptorProto(name="tradectl_strategy/rpc_status.proto",
                                           package="tradectl_strategy.rpc", syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto

    def msg(name, *fields):
        m = f.message_type.add(name=name)
        for fname, num, typ, label, tname in fields:
            fd = m.field.add(name=fname, number=num, type=typ, label=label)
            if tname:
                fd.type_name = tname

    opt, rep = T.LABEL_OPTIONAL, T.LABEL_REPEATED
    msg("Any", ("type_url", 1, T.TYPE_STRING, opt, ""), ("value", 2, T.TYPE_BYTES, opt, ""))
    msg("Status", ("code", 1, T.TYPE_INT32, opt, ""), ("message", 2, T.TYPE_STRING, opt, ""),
        ("details", 3, T.TYPE_MESSAGE, rep, ".tradectl_strategy.rpc.Any"))
    # map<string,string> is a repeated entry of key 1 and value 2 on the wire.
    msg("Entry", ("key", 1, T.TYPE_STRING, opt, ""), ("value", 2, T.TYPE_STRING, opt, ""))
    msg("ErrorInfo", ("reason", 1, T.TYPE_STRING, opt, ""), ("domain", 2, T.TYPE_STRING, opt, ""),
        ("metadata", 3, T.TYPE_MESSAGE, rep, ".tradectl_strategy.rpc.Entry"))
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(f.SerializeToString())
    get = getattr(message_factory, "GetMessageClass", None)
    if get is None:
        get = message_factory.MessageFactory(pool).GetPrototype
    return (get(pool.FindMessageTypeByName("tradectl_strategy.rpc.Status")),
            get(pool.FindMessageTypeByName("tradectl_strategy.rpc.ErrorInfo")))


_Status, _ErrorInfo = _messages()
_ERROR_INFO_URL = "type.googleapis.com/google.rpc.ErrorInfo"


def from_rpc_error(err):
    """The StrategyError of a grpc.RpcError raised by the stream."""
    code, message = err.code(), err.details() or ""
    reason, meta = "", {}
    for key, value in err.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        try:
            st = _Status.FromString(value)
            for d in st.details:
                if d.type_url == _ERROR_INFO_URL:
                    info = _ErrorInfo.FromString(d.value)
                    if info.domain == ERROR_DOMAIN:
                        reason = info.reason
                        meta = {e.key: e.value for e in info.metadata}
        except Exception:  # a garbled trailer: the code and text still say enough
            pass
    return StrategyError(code, reason, message, meta)
