// Package pythonsdk holds no Go code: it is where `go test ./...` (and so
// `make test`) runs the Python SDK's tests (tradectl_strategy, beside it)
// and holds the Python sma example to the built-in one. It must never be
// imported; the SDK itself is Python.
package pythonsdk
