package calendar

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, in, want string
	}{
		{"short", "BEGIN:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\n"},
		{"empty", "", ""},
		{"exactly 75", a(75) + "\r\n", a(75) + "\r\n"},
		{"76", a(75) + "b\r\n", a(75) + "\r\n b\r\n"},
		{"two folds", a(75) + a(74) + "bc\r\n", a(75) + "\r\n " + a(74) + "\r\n bc\r\n"},
		{"continuation exactly 75", a(75) + a(74) + "\r\n", a(75) + "\r\n " + a(74) + "\r\n"},
		{"2-byte fits at 75", a(73) + "ñ\r\n", a(73) + "ñ\r\n"},
		{"2-byte would straddle", a(74) + "ñ\r\n", a(74) + "\r\n ñ\r\n"},
		{"3-byte would straddle", a(73) + "€x\r\n", a(73) + "\r\n €x\r\n"},
		{"3-byte fits", a(72) + "€x\r\n", a(72) + "€\r\n x\r\n"},
		{"4-byte emoji fits at 75", a(71) + "🎉\r\n", a(71) + "🎉\r\n"},
		{"4-byte emoji would straddle", a(72) + "🎉\r\n", a(72) + "\r\n 🎉\r\n"},
		{"4-byte emoji at 74", a(74) + "🎉\r\n", a(74) + "\r\n 🎉\r\n"},
		{"accents across a fold", strings.Repeat("á", 40) + "\r\n", strings.Repeat("á", 37) + "\r\n " + strings.Repeat("á", 3) + "\r\n"},
		{"existing CRLFs reset the count", a(75) + "\r\n" + a(75) + "\r\n", a(75) + "\r\n" + a(75) + "\r\n"},
		{"stray continuation byte counts alone", a(75) + "\xa1\r\n", a(75) + "\r\n \xa1\r\n"},
		{"truncated sequence", a(73) + "\xe2\x82x\r\n", a(73) + "\r\n \xe2\x82x\r\n"},
		{"bare LF becomes CRLF", "A:1\nB:2\n", "A:1\r\nB:2\r\n"},
		{"bare LF resets the count", a(75) + "\n" + a(76) + "\n", a(75) + "\r\n" + a(75) + "\r\n a\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var whole bytes.Buffer
			fw := newFoldWriter(&whole)
			n, err := fw.Write([]byte(tt.in))
			if err != nil || n != len(tt.in) {
				t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(tt.in))
			}
			if got := whole.String(); got != tt.want {
				t.Errorf("one write:\n got %q\nwant %q", got, tt.want)
			}
			// A sequence split across writes must fold the same way.
			var bytewise bytes.Buffer
			fw = newFoldWriter(&bytewise)
			for i := 0; i < len(tt.in); i++ {
				fw.Write([]byte{tt.in[i]})
			}
			if got := bytewise.String(); got != tt.want {
				t.Errorf("byte by byte:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// FuzzFold checks the promises for any input: unfolding gives the input
// back (with LF as CRLF), no line is over 75 octets, and valid UTF-8 stays
// valid on every line.
func FuzzFold(f *testing.F) {
	// Seeds without a CR: the body skips any, and a seed it skips tests
	// nothing when the fuzzer is not running.
	f.Add("SUMMARY:" + strings.Repeat("ñá🎉€", 30) + "\n")
	f.Add("A\nB\nC")
	f.Add("DESCRIPTION:" + strings.Repeat("x", 70) + "é" + strings.Repeat("y", 80))
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(in, "\r") || strings.Contains(in, "\n ") {
			t.Skip("a lone CR, or a line already folded, is outside what the writer promises")
		}
		var buf bytes.Buffer
		newFoldWriter(&buf).Write([]byte(in))
		out := buf.String()
		if got, want := strings.ReplaceAll(out, "\r\n ", ""), strings.ReplaceAll(in, "\n", "\r\n"); got != want {
			t.Fatalf("unfolded %q, want %q", got, want)
		}
		for _, line := range strings.Split(out, "\r\n") {
			if len(line) > maxLine {
				t.Fatalf("line of %d octets: %q", len(line), line)
			}
			if utf8.ValidString(in) && !utf8.ValidString(line) {
				t.Fatalf("line split a UTF-8 sequence: %q", line)
			}
		}
	})
}
