package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// Columns hold money as INTEGER units of money.Decimal (10^-8): exact,
// compact and ordered as the numbers are, so SQL can compare and sum them.
// Times are INTEGER unix nanoseconds in UTC, NULL when unset, so that a
// zero time in a NOT NULL column is refused rather than stored as a date
// in year 1. States are TEXT names, readable in a sqlite3 shell.

func units(d money.Decimal) int64 { return d.Units() }

// nanos returns t as a column value: nil for the zero time.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func decimal(u int64) money.Decimal { return money.FromUnits(u) }

// parseOrderState and parseRiskState are the inverses of String. An
// unknown name means the file was edited or written by other code, so it
// is reported as corruption rather than guessed at.
func parseOrderState(s string) (venue.OrderState, error) {
	for st := venue.StateNew; st <= venue.StateRejected; st++ {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown order state %q", ErrCorrupt, s)
}

func parseRiskState(s string) (risk.State, error) {
	for st := risk.Active; st <= risk.Halted; st++ {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown risk state %q", ErrCorrupt, s)
}

// finalStates is the SQL list of broker states that end an order.
const finalStates = "('FILLED','CANCELLED','REJECTED')"

// limitArg turns "limit ≤ 0 means all" into SQLite's "LIMIT -1".
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
