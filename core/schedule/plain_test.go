package schedule

import (
	"testing"
	"time"
)

func TestDescribeSaysWhenInWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"every 15m", "every 15 minutes"},
		{"15m", "every 15 minutes"},
		{"every 1h", "every hour"},
		{"every 6h", "every 6 hours"},
		{"every 90m", "every 1 hour 30 minutes"},
		{"every 24h", "every day"},
		{"0 6 * * *", "daily at 06:00"},
		{"30 18 * * *", "daily at 18:30"},
		{"0 7 * * 1-5", "weekdays at 07:00"},
		{"0 7 * * MON-FRI", "weekdays at 07:00"},
		{"0 9 * * 1", "Mondays at 09:00"},
		{"0 9 * * 1,3", "Mondays, Wednesdays at 09:00"},
		{"*/10 * * * *", "every 10 minutes"},
		{"0 * * * *", "every hour on the hour"},
		{"5 */2 * * *", "every 2 hours at 5 minutes past"},
		{"0 6 1 * *", "custom: minute 0, hour 6, day 1, month *, weekday *"},
	} {
		got, err := Describe(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Describe(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := Describe("0 25 * * *"); err == nil {
		t.Error("Describe accepted hour 25")
	}
}

func TestPlainRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Plain
		spec string
	}{
		{"every 15m", Plain{Every: 15 * time.Minute}, "every 15m"},
		{"6h", Plain{Every: 6 * time.Hour}, "every 6h"},
		{"every 90m", Plain{Every: 90 * time.Minute}, "every 1h30m"},
		{"0 6 * * *", Plain{Hour: 6}, "0 6 * * *"},
		{"30  18 * * ?", Plain{Hour: 18, Minute: 30}, "30 18 * * *"},
	} {
		p, ok := PlainOf(tc.in)
		if !ok || p != tc.want {
			t.Errorf("PlainOf(%q) = %+v, %v; want %+v", tc.in, p, ok, tc.want)
			continue
		}
		if p.Spec() != tc.spec {
			t.Errorf("%+v.Spec() = %q, want %q", p, p.Spec(), tc.spec)
		}
		back, ok := PlainOf(p.Spec())
		if !ok || back != p {
			t.Errorf("%q does not read back: %+v %v", p.Spec(), back, ok)
		}
		if _, err := Parse(p.Spec()); err != nil {
			t.Errorf("Spec %q does not parse: %v", p.Spec(), err)
		}
	}
	for _, custom := range []string{"0 7 * * 1-5", "0 6,18 * * *", "*/10 * * * *", "0 6 1 * *", "nonsense"} {
		if p, ok := PlainOf(custom); ok {
			t.Errorf("PlainOf(%q) = %+v; it is not a plain schedule", custom, p)
		}
	}
}

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		h, m int
		ok   bool
	}{
		{"06:00", 6, 0, true}, {"6:00", 6, 0, true}, {"18:30", 18, 30, true}, {"7", 7, 0, true},
		{"24:00", 0, 0, false}, {"6:5", 0, 0, false}, {"6pm", 0, 0, false}, {"", 0, 0, false}, {"12:60", 0, 0, false},
	} {
		h, m, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (h != tc.h || m != tc.m)) {
			t.Errorf("ParseClock(%q) = %d:%d, %v", tc.in, h, m, err)
		}
	}
}
