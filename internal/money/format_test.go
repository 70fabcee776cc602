package money

import (
	"encoding/json"
	"math"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		units int64
		want  string
	}{
		{0, "0"},
		{1, "0.00000001"},
		{-1, "-0.00000001"},
		{unit, "1"},
		{-unit, "-1"},
		{150_000_000, "1.5"},
		{-1_250_000_000, "-12.5"},
		{60_000 * unit, "60000"},
		{10, "0.0000001"},
		{123_456_789, "1.23456789"},
		{math.MaxInt64, "92233720368.54775807"},
		{math.MinInt64, "-92233720368.54775808"},
	}
	for _, tt := range tests {
		if got := FromUnits(tt.units).String(); got != tt.want {
			t.Errorf("String(%d units) = %q, want %q", tt.units, got, tt.want)
		}
	}
}

func TestStringFixed(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   string
	}{
		{"0", 2, "0.00"},
		{"0", 0, "0"},
		{"1.5", 0, "2"},
		{"-1.5", 0, "-2"},
		{"2.5", 0, "3"},
		{"-2.5", 0, "-3"},
		{"1.49999999", 0, "1"},
		{"1.005", 2, "1.01"},
		{"-1.005", 2, "-1.01"},
		{"1.004", 2, "1.00"},
		{"-0.004", 2, "0.00"}, // rounds to zero: no negative zero
		{"-0.005", 2, "-0.01"},
		{"60000", 2, "60000.00"},
		{"0.00000001", 8, "0.00000001"},
		{"0.00000005", 7, "0.0000001"},
		{"0.12345678", 4, "0.1235"},
		{"92233720368.54775807", 0, "92233720369"},
		{"-92233720368.54775808", 0, "-92233720369"},
		{"-92233720368.54775808", 8, "-92233720368.54775808"},
		{"92233720368.54775807", 2, "92233720368.55"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.in).StringFixed(tt.places); got != tt.want {
			t.Errorf("%s.StringFixed(%d) = %q, want %q", tt.in, tt.places, got, tt.want)
		}
	}
}

func TestStringFixedPanicsOutOfRange(t *testing.T) {
	for _, places := range []int{-1, 9} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("StringFixed(%d) did not panic", places)
				}
			}()
			FromInt(1).StringFixed(places)
		}()
	}
}

func TestTextAndJSON(t *testing.T) {
	type doc struct {
		Price Decimal `json:"price"`
	}
	in := doc{Price: MustParse("-60000.125")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"price":"-60000.125"}` {
		t.Fatalf("json = %s", b)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Fatalf("round trip: %v != %v", out, in)
	}
	if err := json.Unmarshal([]byte(`{"price":"1e3"}`), &out); err == nil {
		t.Fatal("json accepted an exponent")
	}
	buf, _ := MustParse("1.5").AppendText([]byte("x="))
	if string(buf) != "x=1.5" {
		t.Fatalf("AppendText = %q", buf)
	}
}
