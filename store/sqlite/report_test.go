package sqlite

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []int64
		want time.Duration
	}{
		{nil, 0},
		{[]int64{7200}, 2 * time.Hour},
		{[]int64{36000, 7200, 86400}, 10 * time.Hour},
		{[]int64{3600, 7200}, 90 * time.Minute},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
