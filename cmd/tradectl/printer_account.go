package main

import (
	"fmt"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// account describes the paper account's kind: cash, or margin with its
// borrowing limit and interest.
func account(s *tradingv1.SessionSettings) string {
	switch s.GetAccount() {
	case tradingv1.Account_ACCOUNT_CASH:
		return "cash"
	case tradingv1.Account_ACCOUNT_MARGIN:
		return fmt.Sprintf("margin, max borrow %s, interest %d bps a year", s.GetMaxBorrow(), s.GetBorrowRateBps())
	}
	return "-"
}
