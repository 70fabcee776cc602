package coordinator

import (
	"fmt"

	"github.com/tradectl/tradectl/server/money"
	"github.com/tradectl/tradectl/server/portfolio"
)

// Margin is a margin account's terms: it may sell what it does not hold,
// borrowing the asset, as long as everything borrowed is worth at most
// MaxBorrow at the latest marks.
type Margin struct {
	// MaxBorrow is the largest borrowed notional, in the quote currency.
	MaxBorrow money.Decimal
}

// check refuses a sell that would borrow short more of symbol when the
// account's borrowing, valued at the marks and short at ref, would pass
// MaxBorrow.
func (m *Margin) check(pf *portfolio.Portfolio, symbol string, short, ref money.Decimal) error {
	borrowed := pf.Borrowing(symbol)
	total := borrowed.Add(short.Mul(ref))
	if total.Cmp(m.MaxBorrow) > 0 {
		return fmt.Errorf("borrowing limit: the sell would borrow %s in all, over the account's max borrow of %s (%s borrowed or promised on other symbols)",
			total, m.MaxBorrow, borrowed)
	}
	return nil
}
