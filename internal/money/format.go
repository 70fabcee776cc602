package money

import "strconv"

// String returns d in minimal form: no exponent, no trailing fractional
// zeros, no point for integers, and a minus sign only for negative values:
// "0", "1.5", "-0.00000001", "60000". Parse reads it back exactly.
func (d Decimal) String() string {
	var buf [24]byte // "-92233720368.54775808" is 21 bytes
	return string(d.Append(buf[:0]))
}

// Append appends the String form of d to dst, allocating nothing when dst
// has room.
func (d Decimal) Append(dst []byte) []byte {
	mag := abs64(d.units)
	if d.units < 0 {
		dst = append(dst, '-')
	}
	dst = strconv.AppendUint(dst, mag/unit, 10)
	frac := mag % unit
	if frac == 0 {
		return dst
	}
	places := Scale
	for frac%10 == 0 {
		frac /= 10
		places--
	}
	return appendPadded(append(dst, '.'), frac, places)
}

// StringFixed returns d rounded half away from zero to exactly places
// decimals (0 ≤ places ≤ Scale), padded with zeros: for display. A value
// that rounds to zero prints without a sign. It panics if places is out of
// range.
func (d Decimal) StringFixed(places int) string {
	checkPlaces(places)
	p := uint64(pow10[Scale-places])
	mag := abs64(d.units)
	// Rounding in uint64 cannot overflow: mag ≤ 2^63.
	q, r := mag/p, mag%p
	if p > 1 && r >= p-r {
		q++
	}
	var buf [32]byte
	dst := buf[:0]
	if d.units < 0 && q != 0 {
		dst = append(dst, '-')
	}
	scale := uint64(pow10[places])
	dst = strconv.AppendUint(dst, q/scale, 10)
	if places > 0 {
		dst = appendPadded(append(dst, '.'), q%scale, places)
	}
	return string(dst)
}

// MarshalText implements encoding.TextMarshaler with the String form.
func (d Decimal) MarshalText() ([]byte, error) {
	return d.Append(nil), nil
}

// AppendText implements encoding.TextAppender with the String form.
func (d Decimal) AppendText(dst []byte) ([]byte, error) {
	return d.Append(dst), nil
}

// appendPadded appends v as exactly width digits, with leading zeros.
func appendPadded(dst []byte, v uint64, width int) []byte {
	var digits [Scale]byte
	for i := width - 1; i >= 0; i-- {
		digits[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, digits[:width]...)
}
