package load

import (
	"net"
	"os"
	"testing"
)

func writeToken(path, tok string) error { return os.WriteFile(path, []byte(tok+"\n"), 0o600) }

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
