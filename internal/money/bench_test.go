package money

import "testing"

var sink Decimal

func TestHotPathsDoNotAllocate(t *testing.T) {
	a, b := MustParse("60000.01"), MustParse("0.01666666")
	var buf [32]byte
	allocs := testing.AllocsPerRun(100, func() {
		sink = a.Mul(b).Add(a).Sub(b).MulBps(10).MulInt(3).Half().Truncate(4).Abs().Neg()
		sink, _ = a.Quo(b)
		sink, _ = a.MulQuo(b, a)
		sink, _ = a.QuoTruncate(b, 4)
		_ = sink.Append(buf[:0])
	})
	if allocs != 0 {
		t.Fatalf("arithmetic allocated %v times per run", allocs)
	}
}

func BenchmarkMul(b *testing.B) {
	x, y := MustParse("60000.01"), MustParse("0.01666666")
	for b.Loop() {
		sink = x.Mul(y)
	}
}

func BenchmarkQuo(b *testing.B) {
	x, y := MustParse("1000"), MustParse("60000.01")
	for b.Loop() {
		sink, _ = x.Quo(y)
	}
}

func BenchmarkAdd(b *testing.B) {
	x, y := MustParse("60000.01"), MustParse("0.01666666")
	for b.Loop() {
		sink = x.Add(y)
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		sink, _ = Parse("-60000.01666666")
	}
}

func BenchmarkString(b *testing.B) {
	x := MustParse("-60000.01666666")
	for b.Loop() {
		_ = x.String()
	}
}
