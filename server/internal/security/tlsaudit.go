package security

import (
	"context"
	"errors"
	"io"
	"net"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"

	"github.com/tradectl/tradectl/server/internal/store"
)

// HandshakeMethod is the audit table's method for a failed TLS handshake:
// no RPC was made, but someone knocked.
const HandshakeMethod = "tls-handshake"

// auditedCreds records every failed TLS handshake as a refusal (log line
// and audit row, summed per peer and reason like the refused calls): a
// client without a certificate from the client CA, a plaintext client, a
// scanner. A connection closed before it sent a byte (io.EOF: a TCP probe)
// is not recorded.
type auditedCreds struct {
	credentials.TransportCredentials
	refused *Refusals
}

func (c auditedCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	out, info, err := c.TransportCredentials.ServerHandshake(conn)
	if err != nil && !errors.Is(err, io.EOF) {
		peer := "unknown"
		if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
			peer = ipPeer(a.IP)
		}
		c.refused.record(context.Background(), codes.Unauthenticated, store.AuditRow{Peer: peer,
			Method: HandshakeMethod, Identity: "none (handshake failed)", Code: codes.Unauthenticated.String(),
			Error: auditValue(err.Error(), MaxAuditArgs)})
	}
	return out, info, err
}

func (c auditedCreds) Clone() credentials.TransportCredentials {
	return auditedCreds{TransportCredentials: c.TransportCredentials.Clone(), refused: c.refused}
}
