package store

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/orders"
)

// Store is what the daemon keeps and reads back. SQLite implements it; a
// PostgreSQL backend would too. Every method is safe for concurrent use,
// and readers see only committed data.
//
// The List methods return the newest limit rows, oldest first (all of them
// when limit ≤ 0), like orders.Book.List.
type Store interface {
	CreateSession(ctx context.Context, s SessionRecord) error
	// UpdateSession sets a session's state and reason, and its end and
	// summary when they are not zero.
	UpdateSession(ctx context.Context, id, state, reason string, ended time.Time, summaryJSON []byte) error
	GetSession(ctx context.Context, id string) (SessionRecord, error)
	ListSessions(ctx context.Context, limit int) ([]SessionRecord, error)
	// MarkInterrupted ends every session a crash left active (STARTING,
	// RUNNING or STOPPING) as INTERRUPTED with reason, at its last
	// committed tick, and returns them. The daemon calls it once at start,
	// before it starts or resumes any session.
	MarkInterrupted(ctx context.Context, reason string) ([]SessionRecord, error)
	// ResumeSession makes an INTERRUPTED session, or a STOPPED one with
	// orders kept open, RUNNING again, clearing its end, with reason; it
	// fails for any other.
	ResumeSession(ctx context.Context, id, reason string) error
	// InterruptedSessions lists the INTERRUPTED sessions, in order of start.
	InterruptedSessions(ctx context.Context) ([]SessionRecord, error)
	// AbandonSession marks an INTERRUPTED session ABANDONED, ended at at,
	// with reason; it fails if the session is not INTERRUPTED. Its open
	// orders must have been cancelled first.
	AbandonSession(ctx context.Context, id, reason string, at time.Time) error

	// CommitTick writes everything one tick of the trading loop changed,
	// in one transaction: all of it or, with an error, none of it.
	CommitTick(ctx context.Context, b *Batch) error

	// NoteOpenOrders gives every open order of the session reason, as a
	// transition to the state it is in (so its history says when and
	// why), and returns how many it noted: a stop that keeps orders
	// resting says so on each of them.
	NoteOpenOrders(ctx context.Context, sessionID, reason string, at time.Time) (int, error)
	ListOrders(ctx context.Context, sessionID string, openOnly bool, limit int) (list []orders.Order, omitted int, err error)
	OrderHistory(ctx context.Context, sessionID, clientID string) ([]TransitionRow, error)
	ListFills(ctx context.Context, sessionID string, limit int) ([]FillRow, error)
	// ListRefusals is the session's refused intents, counted by rule,
	// symbol and side, the most frequent first.
	ListRefusals(ctx context.Context, sessionID string) ([]RefusalRow, error)
	// PageOrders, PageFills and PageSessions list page by page (see Page
	// and Cursor): orders and fills oldest first, sessions newest first.
	PageOrders(ctx context.Context, sessionID string, openOnly bool, p Page) (OrdersPage, error)
	PageFills(ctx context.Context, sessionID string, p Page) (FillsPage, error)
	PageSessions(ctx context.Context, p Page) (SessionsPage, error)
	// MaxOrderSeq is the greatest OrderRow.Seq of the session, 0 if none,
	// for a resumed loop to continue its client order ids after.
	MaxOrderSeq(ctx context.Context, sessionID string) (uint64, error)
	// OrderEventsAfter returns at most limit order events, across
	// sessions, whose sequence number is greater than after, oldest
	// first; LastOrderEvent is the greatest sequence number, 0 if none.
	// Numbers are daemon-wide and survive restarts (see EventRow.Seq).
	OrderEventsAfter(ctx context.Context, after uint64, limit int) ([]orders.Event, error)
	LastOrderEvent(ctx context.Context) (uint64, error)
	// LoadPortfolio, LoadRisk and LoadVenue return the latest committed
	// state, or ErrNotFound if no tick ever wrote one. LoadVenue returns at
	// most the newest maxFinished finished ids (matching.Config.FinishedIDs;
	// all of them if maxFinished ≤ 0).
	LoadPortfolio(ctx context.Context, sessionID string) (PortfolioRow, error)
	LoadRisk(ctx context.Context, sessionID string) (RiskRow, error)
	LoadVenue(ctx context.Context, sessionID string, maxFinished int) (matching.State, error)
	// SaveLiveStart keeps where a live session trades and its account's
	// balances at its start, once (a second save is ErrDuplicate);
	// LoadLiveStart returns them, or ErrNotFound.
	SaveLiveStart(ctx context.Context, sessionID string, ls LiveStart) error
	LoadLiveStart(ctx context.Context, sessionID string) (LiveStart, error)

	// AppendEquity adds one point to the session's equity curve in a
	// transaction of its own (the point at a session's end; while it runs,
	// points ride along with CommitTick, see Batch.Equity). ListEquity
	// returns every stored point of the curve, oldest first: at most
	// MaxEquityPoints, the curve's bound.
	AppendEquity(ctx context.Context, sessionID string, p EquityRow) error
	ListEquity(ctx context.Context, sessionID string) ([]EquityRow, error)
	// LoadEquityPeak returns the session's peak equity and largest
	// drawdown from every tick (Batch.Peak), or ErrNotFound if no tick
	// stored them.
	LoadEquityPeak(ctx context.Context, sessionID string) (EquityPeak, error)

	Audit(ctx context.Context, a AuditRow) error
	ListAudit(ctx context.Context, limit int) ([]AuditRow, error)

	// Backup writes a consistent copy of the database, while writes go
	// on, to the file name in the backup directory (Options.BackupDir),
	// which must not exist, and returns the file's path. name is a file
	// name, never a path: a caller cannot write anywhere else.
	Backup(ctx context.Context, name string) (string, error)
	Close() error
}

var _ Store = (*SQLite)(nil)

// Durability is what a commit promises once it returns.
type Durability int

const (
	// DurabilityProcess: a commit survives the process crashing or being
	// killed (kill -9), not the machine losing power or the OS crashing,
	// which may lose the last commits but never leaves a torn one. Commits
	// do not wait for the disk. The default.
	DurabilityProcess Durability = iota
	// DurabilityMachine: every commit waits until the disk has it
	// (fsync), so it survives power loss too, at the cost of a disk flush
	// per commit.
	DurabilityMachine
)

func (d Durability) String() string {
	switch d {
	case DurabilityProcess:
		return "process"
	case DurabilityMachine:
		return "machine"
	}
	return "unknown"
}

// Options tune Open. The zero value is the default.
type Options struct {
	Durability Durability
	// BusyTimeout bounds the wait for a lock held by another connection
	// (a backup's, or an outside sqlite3 shell's): 0 means 5s.
	BusyTimeout time.Duration
	// BackupDir is the only directory Backup writes to (default
	// <dir>/backups). Open creates it 0700 and refuses it, like the data
	// directory, unless it is the daemon's own (server/internal/ownership).
	BackupDir string
	// MaxRefusedAudit bounds the refused calls the audit table keeps
	// (default 10,000 rows, each capped by the daemon at a few KiB): past
	// it the oldest refused rows are deleted. Calls that were let through,
	// the state-changing ones above all, are never deleted.
	MaxRefusedAudit int
	// MaxBackups bounds the backups the backup directory may hold (default
	// 20): past it Backup is refused until old ones are removed, so that a
	// token holder cannot fill the disk with copies.
	MaxBackups int
	// EquityEvery is a new equity curve's period (default EquityEvery);
	// tests shorten it.
	EquityEvery time.Duration
}

// DefaultMaxRefusedAudit is Options.MaxRefusedAudit's default.
const DefaultMaxRefusedAudit = 10_000

// BackupsDir is the default backup directory's name in the data directory.
const BackupsDir = "backups"
