package i18n

import (
	"math"
	"testing"
)

func TestDecimal(t *testing.T) {
	tests := []struct {
		x      float64
		digits int
		en, es string
	}{
		{3.8, 1, "3.8", "3,8"},
		{3.75, 1, "3.8", "3,8"}, // half away from zero
		{3.25, 1, "3.3", "3,3"},
		{-3.25, 1, "-3.3", "-3,3"},
		{-0.04, 1, "0.0", "0,0"}, // no negative zero
		{0, 1, "0.0", "0,0"},
		{0, 0, "0", "0"},
		{2.5, 0, "3", "3"},
		{4, 1, "4.0", "4,0"},
		{12.345, 2, "12.35", "12,35"},
		{999.96, 1, "1,000.0", "1000,0"}, // rounding carries into a fourth digit
		{1234.5, 1, "1,234.5", "1234,5"}, // Spanish groups from five digits
		{12345.5, 1, "12,345.5", "12.345,5"},
		{-1234567, 0, "-1,234,567", "-1.234.567"},
		{7.5, -1, "8", "8"}, // negative digits are none
		{math.NaN(), 1, NoFigure, NoFigure},
		{math.Inf(1), 1, NoFigure, NoFigure},
		{math.Inf(-1), 0, NoFigure, NoFigure},
	}
	for _, tt := range tests {
		if got := Decimal(English, tt.x, tt.digits); got != tt.en {
			t.Errorf("Decimal(en, %v, %d) = %q, want %q", tt.x, tt.digits, got, tt.en)
		}
		if got := Decimal(Spanish, tt.x, tt.digits); got != tt.es {
			t.Errorf("Decimal(es, %v, %d) = %q, want %q", tt.x, tt.digits, got, tt.es)
		}
	}
}

func TestInt(t *testing.T) {
	tests := []struct {
		n      int
		en, es string
	}{
		{0, "0", "0"},
		{7, "7", "7"},
		{-7, "-7", "-7"},
		{999, "999", "999"},
		{1000, "1,000", "1000"},
		{9999, "9,999", "9999"},
		{10000, "10,000", "10.000"},
		{-12345, "-12,345", "-12.345"},
		{123456, "123,456", "123.456"},
		{1234567, "1,234,567", "1.234.567"},
	}
	for _, tt := range tests {
		if got := Int(English, tt.n); got != tt.en {
			t.Errorf("Int(en, %d) = %q, want %q", tt.n, got, tt.en)
		}
		if got := Int(Spanish, tt.n); got != tt.es {
			t.Errorf("Int(es, %d) = %q, want %q", tt.n, got, tt.es)
		}
		if got := Number(tt.n).Word(Spanish); got != tt.es {
			t.Errorf("Number(%d) in Spanish = %q, want %q", tt.n, got, tt.es)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		ratio  float64
		en, es string
	}{
		{0, "0%", "0 %"},
		{0.38, "38%", "38 %"},
		{0.125, "13%", "13 %"}, // half away from zero, not to even
		{1, "100%", "100 %"},
		{2 / 3.0, "67%", "67 %"},
		{-0.5, "-50%", "-50 %"},
		{123.456, "12,346%", "12.346 %"},
		{math.NaN(), NoFigure, NoFigure},
	}
	for _, tt := range tests {
		if got := Percent(English, tt.ratio); got != tt.en {
			t.Errorf("Percent(en, %v) = %q, want %q", tt.ratio, got, tt.en)
		}
		if got := Percent(Spanish, tt.ratio); got != tt.es {
			t.Errorf("Percent(es, %v) = %q, want %q", tt.ratio, got, tt.es)
		}
	}
}

// A plural count is a quantity and reads as one, in the reader's
// language, while it still picks the plural form.
func TestCountIsWrittenAsInt(t *testing.T) {
	for _, tt := range []struct {
		lang Lang
		n    int
		want string
	}{
		{English, 1234, "1,234 people"},
		{English, 999, "999 people"},
		{English, 1, "1 person"},
		{Spanish, 1234, "1234 personas"},
		{Spanish, 12345, "12.345 personas"},
		{Spanish, 1000000, "1.000.000 de personas"}, // CLDR's many
	} {
		if got := T(tt.lang, "mne.people", map[string]any{"Count": tt.n}); got != tt.want {
			t.Errorf("T(%s, mne.people, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}
