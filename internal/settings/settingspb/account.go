package settingspb

import (
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// accountFromProto translates the account and a margin account's terms.
// An account number the daemon does not know is passed on as such, for
// validation to name settings.account.
func accountFromProto(p *tradingv1.SessionSettings, s *settings.Settings) error {
	switch a := p.GetAccount(); a {
	case tradingv1.Account_ACCOUNT_UNSPECIFIED:
		s.Account = settings.AccountUnspecified
	case tradingv1.Account_ACCOUNT_CASH:
		s.Account = settings.AccountCash
	case tradingv1.Account_ACCOUNT_MARGIN:
		s.Account = settings.AccountMargin
	default:
		s.Account = settings.Account(100 + int(a))
	}
	var err error
	if s.MaxBorrow, err = decimalField("settings.max_borrow", p.GetMaxBorrow(), money.Decimal{}); err != nil {
		return err
	}
	s.BorrowRateBps = p.GetBorrowRateBps()
	return nil
}

func accountToProto(s settings.Settings, p *tradingv1.SessionSettings) {
	switch s.Account {
	case settings.AccountCash:
		p.Account = tradingv1.Account_ACCOUNT_CASH
	case settings.AccountMargin:
		p.Account = tradingv1.Account_ACCOUNT_MARGIN
		p.MaxBorrow = s.MaxBorrow.String()
		rate := s.BorrowRateBps
		p.BorrowRateBps = &rate
	}
}
