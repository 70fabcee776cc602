package settings

import "github.com/tradectl/tradectl/internal/portfolio"

// Account is what the paper account may hold.
type Account int

const (
	// AccountUnspecified takes AccountCash.
	AccountUnspecified Account = iota
	// AccountCash spends only the cash held and sells only what is held.
	AccountCash
	// AccountMargin may sell short, borrowing up to MaxBorrow, and pays
	// BorrowRateBps a year on what it borrowed.
	AccountMargin
)

// MaxBorrowRateBps bounds a margin account's yearly interest: 100%.
const MaxBorrowRateBps = 10_000

// validateAccount checks the account and its terms: a margin account needs
// a borrowing limit, a cash account takes none.
func (s Settings) validateAccount() error {
	switch s.Account {
	case AccountUnspecified, AccountCash:
		switch {
		case !s.MaxBorrow.IsZero():
			return &InvalidError{Field: "settings.max_borrow", Reason: "only a margin account borrows: set settings.account to ACCOUNT_MARGIN"}
		case s.BorrowRateBps != 0:
			return &InvalidError{Field: "settings.borrow_rate_bps", Reason: "only a margin account borrows: set settings.account to ACCOUNT_MARGIN"}
		}
	case AccountMargin:
		switch {
		case !s.MaxBorrow.IsPositive() || s.MaxBorrow.Cmp(maxStartingCash) > 0:
			return &InvalidError{Field: "settings.max_borrow", Reason: "a margin account needs a borrowing limit: positive and at most 1000000000, got " + s.MaxBorrow.String()}
		case s.BorrowRateBps < 0 || s.BorrowRateBps > MaxBorrowRateBps:
			return &InvalidError{Field: "settings.borrow_rate_bps", Reason: "must be between 0 and 10000 basis points a year"}
		}
	default:
		return &InvalidError{Field: "settings.account", Reason: "must be ACCOUNT_CASH or ACCOUNT_MARGIN"}
	}
	return nil
}

// Margin is the account's terms as the trading loop takes them; nil for a
// cash account, which refuses to sell what it does not hold.
func (s Settings) Margin() *portfolio.Margin {
	if s.Account != AccountMargin {
		return nil
	}
	return &portfolio.Margin{MaxBorrow: s.MaxBorrow, RateBps: s.BorrowRateBps}
}
