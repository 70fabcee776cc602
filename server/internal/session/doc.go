// Package session runs the daemon's trading sessions, one at a time, and
// owns one session's lifecycle and nothing else: claiming the daemon's one
// slot, starting the trading loop (coordinator) and its health monitor
// under a one_for_one supervisor (server/internal/supervisor), stopping
// them under one deadline, recording the start and end in the store,
// resuming or abandoning an interrupted session, the journal that makes
// each tick durable, and the health reports watchers receive.
//
// It must never block a caller on the trading loop: Start launches and
// returns, and only Stop waits, bounded by a deadline. It must never build
// what a session trades with (an Assembler does: package assemble, passed
// in by the daemon), never answer queries about stored sessions (the
// service layer reads the store for those), and never know gRPC.
package session
