package calendar

import "io"

// maxLine is RFC 5545 section 3.1's limit on a content line, in octets and
// not counting the CRLF.
const maxLine = 75

// foldWriter folds content lines for writers that do not: go-ical's encoder
// writes each property as one CRLF-terminated line however long it is.
// A long line is broken with CRLF and one space, never inside a UTF-8
// sequence, and a bare LF is written as CRLF.
type foldWriter struct {
	w       io.Writer
	col     int  // octets on the current output line
	pending int  // continuation bytes still expected for the last sequence
	afterCR bool // the last byte written was CR
}

func newFoldWriter(w io.Writer) *foldWriter { return &foldWriter{w: w} }

var (
	cr      = []byte("\r")
	foldBrk = []byte("\r\n ")
)

// Write returns len(p) on success: the count is of p's bytes consumed, as
// io.Writer requires, not of the bytes that reached w.
func (f *foldWriter) Write(p []byte) (int, error) {
	start := 0 // p[start:i] is accepted but not yet written
	flush := func(i int) error {
		if i > start {
			if _, err := f.w.Write(p[start:i]); err != nil {
				return err
			}
		}
		start = i
		return nil
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\n':
			if !f.afterCR {
				if err := flush(i); err != nil {
					return 0, err
				}
				if _, err := f.w.Write(cr); err != nil {
					return 0, err
				}
			}
			f.col, f.pending, f.afterCR = 0, 0, false
			continue
		case c == '\r':
			// Not counted: it belongs to the line break that follows.
			f.afterCR = true
			continue
		}
		f.afterCR = false
		// The decision is made at a sequence's first byte, so its
		// continuation bytes always stay on the same line, even when they
		// arrive in a later Write. A stray continuation byte (invalid
		// UTF-8) counts alone.
		if c&0xC0 == 0x80 && f.pending > 0 {
			f.pending--
			f.col++
			continue
		}
		n := seqLen(c)
		f.pending = n - 1
		if f.col+n > maxLine {
			if err := flush(i); err != nil {
				return 0, err
			}
			if _, err := f.w.Write(foldBrk); err != nil {
				return 0, err
			}
			f.col = 1
		}
		f.col++
	}
	if err := flush(len(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// seqLen is the length of the UTF-8 sequence that b starts; a byte that
// starts none counts alone.
func seqLen(b byte) int {
	switch {
	case b >= 0xF8:
		return 1
	case b >= 0xF0:
		return 4
	case b >= 0xE0:
		return 3
	case b >= 0xC0:
		return 2
	}
	return 1
}
