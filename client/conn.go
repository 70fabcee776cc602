package client

import "google.golang.org/grpc"

// Conn is the client's connection, with its token, TLS and dial options,
// for the services the Client has no methods for: a remote strategy passes
// it to client/strategy.Run. It stays the Client's: Close closes it.
func (c *Client) Conn() grpc.ClientConnInterface { return c.conn }
