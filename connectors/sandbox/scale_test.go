package sandbox_test

import (
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
)

func TestScaledFollowsTheWindow(t *testing.T) {
	for _, tc := range []struct {
		window, d, want time.Duration
	}{
		{0, time.Minute, time.Minute}, // real windows: unchanged
		{0, time.Second, time.Second},
		{950 * time.Millisecond, time.Minute, 950 * time.Millisecond},
		{6 * time.Second, time.Second, 100 * time.Millisecond},
		{60 * time.Millisecond, time.Second, 10 * time.Millisecond}, // 1 ms: the floor
	} {
		if got := sandbox.Scaled(tc.window, tc.d); got != tc.want {
			t.Errorf("Scaled(%v, %v) = %v, want %v", tc.window, tc.d, got, tc.want)
		}
	}
	if got := (sandbox.Info{RateWindowMS: 950}).Scaled(time.Minute); got != 950*time.Millisecond {
		t.Errorf("Info.Scaled = %v", got)
	}
}
