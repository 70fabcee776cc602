package orders

import (
	"math/bits"

	"github.com/tradectl/tradectl/internal/money"
)

// notional is Σ(quantity × price) over an order's fills, exactly: the
// products of their units (10^-2·Scale each) summed in 128 bits. A Decimal
// sum of quantity.Mul(price) would round every product to Scale decimals,
// and the average of 0.00000001 bought at 1.5 would come out as 2.
//
// Quantities and prices are positive and the filled quantity and every
// price fit in 63 bits, so the sum stays below 2^126 and never overflows.
type notional struct{ hi, lo uint64 }

// add returns n + qty × price. Both must be positive.
func (n notional) add(qty, price money.Decimal) notional {
	hi, lo := bits.Mul64(uint64(qty.Units()), uint64(price.Units()))
	lo, carry := bits.Add64(n.lo, lo, 0)
	hi, _ = bits.Add64(n.hi, hi, carry)
	return notional{hi, lo}
}

// average returns n / filled rounded half away from zero to Scale
// decimals, as money's Quo rounds, but dividing the exact sum once. filled
// must be the positive sum of the quantities added. The quotient is a
// weighted mean of prices, so it fits wherever they do; in particular
// n.hi < filled, as Div64 needs.
func (n notional) average(filled money.Decimal) money.Decimal {
	den := uint64(filled.Units())
	q, r := bits.Div64(n.hi, n.lo, den)
	if r >= den-r { // r ≥ den/2, without overflow
		q++
	}
	return money.FromUnits(int64(q))
}
