package money

import (
	"math"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in    string
		units int64
	}{
		{"0", 0},
		{"-0", 0},
		{"+0", 0},
		{"000", 0},
		{"0.0", 0},
		{"1", unit},
		{"+3", 3 * unit},
		{"-12.5", -1_250_000_000},
		{"0.00000001", 1},
		{"-0.00000001", -1},
		{"60000", 60_000 * unit},
		{"60000.00", 60_000 * unit},
		{"007.10", 710_000_000},
		{"1.23456789", 123_456_789},
		{"92233720368.54775807", math.MaxInt64},
		{"-92233720368.54775808", math.MinInt64},
		{"-92233720368.54775807", -math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got.Units() != tt.units {
			t.Errorf("Parse(%q) = %d units, want %d", tt.in, got.Units(), tt.units)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty string"},
		{" 1", "expected a digit at offset 0"},
		{"1 ", "unexpected ' ' at offset 1"},
		{"-", "expected a digit at end of input"},
		{"+-1", "expected a digit at offset 1"},
		{"--1", "expected a digit at offset 1"},
		{".5", "expected a digit at offset 0"},
		{"1.", "expected a digit after the decimal point at end of input"},
		{"1.x", "expected a digit after the decimal point at offset 2"},
		{"1e3", "unexpected 'e' at offset 1"},
		{"1.5e3", "unexpected 'e' at offset 3"},
		{"1,5", "unexpected ',' at offset 1"},
		{"1.2.3", "unexpected '.' at offset 3"},
		{"0x10", "unexpected 'x' at offset 1"},
		{"NaN", "expected a digit"},
		{"Inf", "expected a digit"},
		{"١", "expected a digit"}, // non-ASCII digits are not digits here
		{"0.000000001", "more than 8 decimal places"},
		{"1.000000000", "more than 8 decimal places"},
		{"92233720368.54775808", "out of range"},
		{"-92233720368.54775809", "out of range"},
		{"92233720369", "out of range"},
		{"100000000000", "out of range"},
		{"99999999999999999999999999999", "out of range"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error containing %q", tt.in, tt.want)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "money: invalid decimal") || !strings.Contains(msg, tt.want) {
			t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.in, msg, tt.want)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParse(\"x\") did not panic")
		}
	}()
	MustParse("x")
}

func TestUnmarshalText(t *testing.T) {
	var d Decimal
	if err := d.UnmarshalText([]byte("-1.25")); err != nil {
		t.Fatal(err)
	}
	if d != MustParse("-1.25") {
		t.Fatalf("got %s", d)
	}
	if err := d.UnmarshalText([]byte("1.2.3")); err == nil {
		t.Fatal("UnmarshalText accepted 1.2.3")
	}
	if d != MustParse("-1.25") {
		t.Fatalf("failed UnmarshalText changed the value to %s", d)
	}
}
