package transport

import (
	"context"
	"strings"
	"sync"
	"unicode/utf8"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A string field with invalid UTF-8 fails protobuf's unmarshal, and gRPC
// answers every unmarshal failure INTERNAL, before any interceptor runs:
// a client's bad bytes looked like the daemon's fault. UTF8Codec is the
// proto codec, except that such a request is left empty and remembered;
// the interceptors then answer INVALID_ARGUMENT naming the field, where
// validation answers any other invalid request (after the rate limit, the
// log and auth). Other unmarshal failures stay gRPC's.
type UTF8Codec struct {
	encoding.CodecV2
	// bad holds the requests refused this way, by pointer, until the
	// outermost interceptor takes them: a unary request's before its
	// chain runs, a stream message's in RecvMsg.
	bad sync.Map // proto.Message -> field path
}

// NewUTF8Codec wraps gRPC's proto codec; the server takes it with
// grpc.ForceServerCodecV2, and its Take, Refuse and Stream in its chains.
func NewUTF8Codec() *UTF8Codec {
	return &UTF8Codec{CodecV2: encoding.GetCodecV2("proto")}
}

func (c *UTF8Codec) Unmarshal(data mem.BufferSlice, v any) error {
	err := c.CodecV2.Unmarshal(data, v)
	m, ok := v.(proto.Message)
	if err == nil || !ok || !strings.Contains(err.Error(), "invalid UTF-8") {
		return err
	}
	buf := data.Materialize()
	field := badUTF8Field(m.ProtoReflect().Descriptor(), buf, "")
	if field == "" {
		return err
	}
	proto.Reset(m)
	c.bad.Store(m, field)
	return nil
}

// refusal is the INVALID_ARGUMENT for m if its bytes held invalid UTF-8.
func (c *UTF8Codec) refusal(m any) error {
	field, ok := c.bad.LoadAndDelete(m)
	if !ok {
		return nil
	}
	f := field.(string)
	return tradingv1.ErrorReason_ERROR_REASON_INVALID_REQUEST.Status(f+": not valid UTF-8 (protobuf strings must be)", nil,
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: f, Description: "not valid UTF-8"}}}).Err()
}

type badUTF8Key struct{}

// Take is the outermost unary layer: it takes the request's refusal from
// the codec, whatever happens to the call next (the map must not keep
// it), and carries it in the context to refuse.
func (c *UTF8Codec) Take() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := c.refusal(req); err != nil {
			ctx = context.WithValue(ctx, badUTF8Key{}, err)
		}
		return h(ctx, req)
	}
}

// Refuse answers the refusal Take found, beside validation.
func (c *UTF8Codec) Refuse() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err, ok := ctx.Value(badUTF8Key{}).(error); ok {
			return nil, err
		}
		return h(ctx, req)
	}
}

// Stream is the outermost stream layer: messages are received inside the
// handler, and a refusal there goes out through every layer like any
// other error.
func (c *UTF8Codec) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		return h(srv, &utf8Stream{ServerStream: ss, c: c})
	}
}

type utf8Stream struct {
	grpc.ServerStream
	c *UTF8Codec
}

func (s *utf8Stream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return s.c.refusal(m)
}

// badUTF8Field is the path of the first string field in b, a message of
// type md, that is not valid UTF-8 ("settings.params[key]" style for a
// map), or "" if none is (or b does not parse).
func badUTF8Field(md protoreflect.MessageDescriptor, b []byte, prefix string) string {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return ""
		}
		b = b[n:]
		fd := md.Fields().ByNumber(num)
		if typ != protowire.BytesType || fd == nil {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return ""
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return ""
		}
		b = b[n:]
		name := prefix + string(fd.Name())
		switch {
		case fd.Kind() == protoreflect.StringKind && !utf8.Valid(v):
			return name
		case fd.IsMap():
			if p := badUTF8Field(fd.Message(), v, ""); p != "" {
				return name + "[" + p + "]"
			}
		case fd.Kind() == protoreflect.MessageKind:
			if p := badUTF8Field(fd.Message(), v, name+"."); p != "" {
				return p
			}
		}
	}
	return ""
}
