package binance

import (
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// AssetDelta is how much of one asset a fill moves; an empty Asset moves
// nothing.
type AssetDelta struct {
	Asset string
	Delta money.Decimal
}

// FillEffect is what one fill of symbol (ours, BTC-USD) does to the
// account's balances: the base asset in or out, its notional in the quote
// the other way, and the fee out of the asset it was charged in (feeAsset;
// "" is the quote). The loop's side of the venue, the reconciler and a
// resume's expectation all take it from here, so they cannot disagree.
func FillEffect(symbol string, side venue.Side, qty, price, fee money.Decimal, feeAsset, quote string) [3]AssetDelta {
	base, notional := Base(symbol), qty.Mul(price)
	var e [3]AssetDelta
	if side == venue.Buy {
		e[0], e[1] = AssetDelta{base, qty}, AssetDelta{quote, notional.Neg()}
	} else {
		e[0], e[1] = AssetDelta{base, qty.Neg()}, AssetDelta{quote, notional}
	}
	if feeAsset == "" {
		feeAsset = quote
	}
	if fee.IsPositive() {
		e[2] = AssetDelta{feeAsset, fee.Neg()}
	}
	return e
}

// addEffect adds e to dst.
func addEffect(dst map[string]money.Decimal, e [3]AssetDelta) {
	for _, d := range e {
		if d.Asset != "" {
			dst[d.Asset] = dst[d.Asset].Add(d.Delta)
		}
	}
}
