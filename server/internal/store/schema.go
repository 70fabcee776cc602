package store

// migrations are the schema, one step per version: migrations[i] brings a
// database from version i to i+1. Append only: a released step is never
// edited, because databases in the field have already run it.
//
// Tables are STRICT, so a value of the wrong type is refused instead of
// stored. See encode.go for how money, times and states are encoded.
var migrations = []string{
	// 1: the first schema.
	`
PRAGMA application_id = 1953653092; -- "tr" "ad": marks the file as ours

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	resumed_from TEXT REFERENCES sessions (id),
	state        TEXT NOT NULL,
	reason       TEXT NOT NULL,
	settings     TEXT NOT NULL,
	started      INTEGER NOT NULL,
	ended        INTEGER,
	last_tick    INTEGER,
	summary      TEXT
) STRICT;
CREATE INDEX sessions_active ON sessions (state) WHERE state IN ('STARTING', 'RUNNING', 'STOPPING');

-- An order row holds the spec and, denormalized from its latest history
-- row, the current state, so that listing orders replays nothing. Without
-- a rowid, the table is its primary key's b-tree: a transition updates one
-- b-tree fewer.
CREATE TABLE orders (
	session_id     TEXT NOT NULL REFERENCES sessions (id),
	client_id      TEXT NOT NULL,
	seq            INTEGER NOT NULL CHECK (seq > 0),
	symbol         TEXT NOT NULL,
	side           INTEGER NOT NULL CHECK (side IN (1, -1)),
	type           INTEGER NOT NULL,
	tif            INTEGER NOT NULL,
	post_only      INTEGER NOT NULL CHECK (post_only IN (0, 1)),
	quantity       INTEGER NOT NULL,
	price          INTEGER NOT NULL,
	decision_price INTEGER NOT NULL,
	created        INTEGER NOT NULL,
	state          TEXT NOT NULL,
	reason         TEXT NOT NULL,
	filled         INTEGER NOT NULL,
	remaining      INTEGER NOT NULL,
	last_seq       INTEGER NOT NULL,
	updated        INTEGER NOT NULL,
	PRIMARY KEY (session_id, client_id),
	UNIQUE (session_id, seq),
	CHECK (filled + remaining = quantity)
) STRICT, WITHOUT ROWID;
CREATE INDEX orders_open ON orders (session_id, seq) WHERE state NOT IN ('FILLED', 'CANCELLED', 'REJECTED');

CREATE TABLE order_history (
	session_id TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	seq        INTEGER NOT NULL CHECK (seq >= 0),
	state      TEXT NOT NULL,
	reason     TEXT NOT NULL,
	filled     INTEGER NOT NULL,
	remaining  INTEGER NOT NULL,
	time       INTEGER NOT NULL,
	PRIMARY KEY (session_id, client_id, seq),
	FOREIGN KEY (session_id, client_id) REFERENCES orders (session_id, client_id)
) STRICT, WITHOUT ROWID;

-- The primary key makes a fill exactly-once; the rowid is commit order,
-- which fills_session lists a session's newest fills by.
CREATE TABLE fills (
	session_id TEXT NOT NULL,
	client_id  TEXT NOT NULL,
	seq        INTEGER NOT NULL CHECK (seq > 0),
	quantity   INTEGER NOT NULL CHECK (quantity > 0),
	price      INTEGER NOT NULL CHECK (price > 0),
	fee        INTEGER NOT NULL CHECK (fee >= 0),
	liquidity  INTEGER NOT NULL,
	slippage   INTEGER NOT NULL,
	time       INTEGER NOT NULL,
	PRIMARY KEY (session_id, client_id, seq),
	FOREIGN KEY (session_id, client_id) REFERENCES orders (session_id, client_id)
) STRICT;
CREATE INDEX fills_session ON fills (session_id);

CREATE TABLE portfolios (
	session_id    TEXT PRIMARY KEY REFERENCES sessions (id),
	currency      TEXT NOT NULL,
	starting_cash INTEGER NOT NULL,
	cash          INTEGER NOT NULL,
	realized      INTEGER NOT NULL,
	fees          INTEGER NOT NULL
) STRICT;

CREATE TABLE positions (
	session_id TEXT NOT NULL REFERENCES portfolios (session_id),
	symbol     TEXT NOT NULL,
	quantity   INTEGER NOT NULL,
	cost_basis INTEGER NOT NULL,
	mark       INTEGER NOT NULL,
	marked     INTEGER NOT NULL CHECK (marked IN (0, 1)),
	realized   INTEGER NOT NULL,
	fees       INTEGER NOT NULL,
	PRIMARY KEY (session_id, symbol)
) STRICT, WITHOUT ROWID;

CREATE TABLE risk (
	session_id   TEXT PRIMARY KEY REFERENCES sessions (id),
	state        TEXT NOT NULL,
	reason       TEXT NOT NULL,
	since        INTEGER,
	start_equity INTEGER NOT NULL,
	peak_equity  INTEGER NOT NULL,
	equity       INTEGER NOT NULL
) STRICT;

-- The paper venue's own state (matching.State).
CREATE TABLE venues (
	session_id TEXT PRIMARY KEY REFERENCES sessions (id),
	seq        INTEGER NOT NULL
) STRICT;

CREATE TABLE venue_orders (
	session_id     TEXT NOT NULL REFERENCES venues (session_id),
	client_id      TEXT NOT NULL,
	seq            INTEGER NOT NULL,
	symbol         TEXT NOT NULL,
	side           INTEGER NOT NULL,
	type           INTEGER NOT NULL,
	tif            INTEGER NOT NULL,
	post_only      INTEGER NOT NULL,
	quantity       INTEGER NOT NULL,
	price          INTEGER NOT NULL,
	submitted      INTEGER NOT NULL,
	arrival        INTEGER,
	decision_price INTEGER NOT NULL,
	filled         INTEGER NOT NULL,
	state          TEXT NOT NULL,
	active         INTEGER NOT NULL CHECK (active IN (0, 1)),
	queue          INTEGER NOT NULL,
	PRIMARY KEY (session_id, client_id)
) STRICT, WITHOUT ROWID;

-- Finished client ids in the order the venue finished them (pos), only
-- ever appended: rewriting up to matching.DefaultFinishedIDs rows a tick
-- would cost more than the tick.
CREATE TABLE venue_finished (
	session_id TEXT NOT NULL REFERENCES venues (session_id),
	pos        INTEGER NOT NULL,
	client_id  TEXT NOT NULL,
	state      TEXT NOT NULL,
	PRIMARY KEY (session_id, pos)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit (
	id       INTEGER PRIMARY KEY,
	time     INTEGER NOT NULL,
	peer     TEXT NOT NULL,
	identity TEXT NOT NULL,
	method   TEXT NOT NULL,
	args     TEXT NOT NULL,
	code     TEXT NOT NULL,
	error    TEXT NOT NULL
) STRICT;
`,
	// 2: a session's counters and trading time, and the rate window of its
	// risk guard, committed with every tick, so that a resumed session
	// carries on counting and an interrupted one shows its last summary.
	`
ALTER TABLE sessions ADD COLUMN ticks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN events INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN orders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN fills INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN traded INTEGER NOT NULL DEFAULT 0; -- nanoseconds of trading, across resumes
ALTER TABLE risk ADD COLUMN sent_times TEXT NOT NULL DEFAULT '[]'; -- JSON array of unix nanoseconds
`,
	// 3: what open orders promised of the account (portfolio.Reservation),
	// kept with the portfolio so a resumed session does not promise the
	// same cash or quantity twice. amount is cash for a buy, 0 for a sell.
	`
CREATE TABLE reservations (
	session_id TEXT NOT NULL REFERENCES portfolios (session_id),
	client_id  TEXT NOT NULL,
	symbol     TEXT NOT NULL,
	side       INTEGER NOT NULL CHECK (side IN (1, -1)),
	remaining  INTEGER NOT NULL CHECK (remaining > 0),
	amount     INTEGER NOT NULL CHECK (amount >= 0),
	PRIMARY KEY (session_id, client_id)
) STRICT, WITHOUT ROWID;
`,
	// 4: order events, numbered daemon-wide for WatchOrders.
	`
-- One row per order event (a submission or a report applied), in the order
-- they were committed. seq is the rowid: max + 1 in the writer's one
-- transaction, so it increases daemon-wide, across sessions and restarts,
-- with no gaps, and a watcher resumes after the last one it saw. Rows are
-- never deleted. The event's order state and fill are the history and fill
-- rows it points to; only what those rows do not hold (the running average
-- price and fees) is kept here.
CREATE TABLE order_events (
	seq         INTEGER PRIMARY KEY,
	session_id  TEXT NOT NULL,
	client_id   TEXT NOT NULL,
	history_seq INTEGER NOT NULL CHECK (history_seq >= 0),
	fill_seq    INTEGER NOT NULL CHECK (fill_seq >= 0), -- 0: no fill
	avg_price   INTEGER NOT NULL,
	fees        INTEGER NOT NULL,
	FOREIGN KEY (session_id, client_id, history_seq) REFERENCES order_history (session_id, client_id, seq)
) STRICT;
`,
	// 5: refused intents, summarized by kind instead of stored as orders:
	// a strategy that hammers a limit adds to a count, not a row a try.
	`
CREATE TABLE refusals (
	session_id TEXT NOT NULL REFERENCES sessions (id),
	rule       TEXT NOT NULL,
	symbol     TEXT NOT NULL,
	side       INTEGER NOT NULL CHECK (side IN (1, -1)),
	count      INTEGER NOT NULL CHECK (count > 0),
	first      INTEGER NOT NULL,
	last       INTEGER NOT NULL,
	reason     TEXT NOT NULL,
	PRIMARY KEY (session_id, rule, symbol, side)
) STRICT, WITHOUT ROWID;
`,
	// 6: refused calls (no valid token, over the rate) are marked, so that
	// retention can drop the oldest of them and never a call that was let
	// through; and a row may stand for many refusals of one peer, method
	// and reason (the daemon aggregates them per window).
	`
ALTER TABLE audit ADD COLUMN refused INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1));
ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
UPDATE audit SET refused = 1 WHERE code IN ('Unauthenticated', 'ResourceExhausted');
CREATE INDEX audit_refused ON audit (refused, id);
`,
	// 7: a remote strategy's own name for its order (venue.OrderSpec.Tag),
	// kept with the order and with the paper venue's copy of it, so that
	// ListOrders shows it and a resumed session hands it back to the
	// strategy. Orders of a built-in strategy, and every order written
	// before this step, have none.
	`
ALTER TABLE orders ADD COLUMN tag TEXT NOT NULL DEFAULT '';
ALTER TABLE venue_orders ADD COLUMN tag TEXT NOT NULL DEFAULT '';
`,
	// 8: live trading. A fill keeps the venue's trade id (0 for paper and
	// every fill written before this step) and the fee as the venue
	// charged it when not in the quote currency, so that a resumed live
	// session knows which trades it applied and what they did to each
	// asset. A trade id is applied once per order, whatever path reported
	// it (the user stream, an order's answer, reconciliation). A live
	// session keeps where it trades and its balances at its start, which
	// its fills are reconciled against.
	`
ALTER TABLE fills ADD COLUMN venue_trade_id INTEGER NOT NULL DEFAULT 0 CHECK (venue_trade_id >= 0);
ALTER TABLE fills ADD COLUMN fee_asset TEXT NOT NULL DEFAULT '';
ALTER TABLE fills ADD COLUMN fee_native INTEGER NOT NULL DEFAULT 0 CHECK (fee_native >= 0);
CREATE UNIQUE INDEX fills_trade ON fills (session_id, client_id, venue_trade_id) WHERE venue_trade_id > 0;

-- Where a live session trades: a resume on another venue, environment or
-- quote asset would look for its orders where they are not.
CREATE TABLE live_sessions (
	session_id  TEXT PRIMARY KEY REFERENCES sessions (id),
	venue       TEXT NOT NULL,
	environment TEXT NOT NULL,
	quote       TEXT NOT NULL
) STRICT;

CREATE TABLE start_balances (
	session_id TEXT NOT NULL REFERENCES live_sessions (session_id),
	asset      TEXT NOT NULL,
	amount     INTEGER NOT NULL CHECK (amount >= 0),
	PRIMARY KEY (session_id, asset)
) STRICT, WITHOUT ROWID;
`,
	// 9: each session's equity curve, for GetEquityCurve: a point rides
	// along with a tick's commit at most every curve period (equity.go),
	// and one is written at the session's end. equity_curves holds the
	// period and the count, so that the bound (MaxEquityPoints) is kept
	// without counting rows at every point, and a resumed session carries
	// on at the period its curve had reached. It also holds the session's
	// peak and largest drawdown taken from every tick (Batch.Peak), which
	// the sampled points alone would miss, and each point keeps the peak
	// as of its time, so its drawdown is the one the session had then.
	`
CREATE TABLE equity_curves (
	session_id   TEXT PRIMARY KEY REFERENCES sessions (id),
	every        INTEGER NOT NULL CHECK (every > 0), -- nanoseconds between points
	points       INTEGER NOT NULL CHECK (points >= 0),
	peak         INTEGER NOT NULL DEFAULT 0,
	max_drawdown INTEGER NOT NULL DEFAULT 0 CHECK (max_drawdown >= 0)
) STRICT;

CREATE TABLE equity_points (
	session_id TEXT NOT NULL REFERENCES sessions (id),
	time       INTEGER NOT NULL,
	equity     INTEGER NOT NULL,
	peak       INTEGER NOT NULL,
	PRIMARY KEY (session_id, time)
) STRICT, WITHOUT ROWID;
`,
}

// applicationID is what migration 1 writes into the file header: a file
// that has another is some other program's database.
const applicationID = 1953653092
