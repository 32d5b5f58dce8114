// Package schedule runs Firmsync's jobs on the firm's schedules (gocron v2),
// in the firm's time zone, catching up once after the PC slept or was off
// past a due time.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec is one job's schedule: a five-field cron expression or an interval.
type Spec struct {
	Cron  string        // "0 7 * * *"
	Every time.Duration // 15 * time.Minute
}

func (s Spec) String() string {
	if s.Cron != "" {
		return s.Cron
	}
	return "every " + s.Every.String()
}

// Defaults are the seed firm's schedules.
func Defaults() map[string]string {
	return map[string]string{
		"contacts":   "every 6h",
		"recordings": "0 7 * * *",
		"folders":    "every 15m",
		"documents":  "0 6 * * *",
		"intake":     "every 15m",
	}
}

// MinInterval keeps a typo ("every 1s") from hammering the platforms.
const MinInterval = time.Minute

// Parse reads "every 15m" (or a bare duration "15m") or a five-field cron
// expression (minute hour day-of-month month day-of-week). Errors name the
// field that is wrong.
func Parse(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Spec{}, fmt.Errorf("empty schedule: use a cron expression such as \"0 7 * * *\" or an interval such as \"every 15m\"")
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "every "); ok || looksLikeDuration(s) {
		if !ok {
			rest = s
		}
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return Spec{}, fmt.Errorf("interval %q is not a duration such as 15m or 6h", rest)
		}
		if d < MinInterval {
			return Spec{}, fmt.Errorf("interval %v is shorter than the minimum of %v", d, MinInterval)
		}
		return Spec{Every: d}, nil
	}
	fields := strings.Fields(s)
	if len(fields) != 5 {
		return Spec{}, fmt.Errorf("cron expression %q has %d fields; want 5: minute hour day-of-month month day-of-week", s, len(fields))
	}
	for i, f := range fields {
		if err := checkField(cronFields[i], f); err != nil {
			return Spec{}, err
		}
	}
	// The per-field check explains; the real parser has the last word.
	if _, err := cron.ParseStandard(s); err != nil {
		return Spec{}, fmt.Errorf("cron expression %q: %w", s, err)
	}
	return Spec{Cron: strings.Join(fields, " ")}, nil
}

func looksLikeDuration(s string) bool {
	return len(s) > 1 && s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, " *,/")
}

type cronField struct {
	name     string
	min, max int
	names    []string // symbolic names, index = value - min offset
	nameBase int
}

var cronFields = [5]cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}, nameBase: 1},
	{name: "day-of-week", min: 0, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, nameBase: 0},
}

func checkField(f cronField, v string) error {
	bad := func(why string) error {
		return fmt.Errorf("%s field %q: %s (allowed %d-%d, *, lists a,b, ranges a-b and steps */n)", f.name, v, why, f.min, f.max)
	}
	for _, part := range strings.Split(v, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > f.max {
				return bad(fmt.Sprintf("step %q is not a number between 1 and %d", step, f.max))
			}
		}
		if rng == "*" || rng == "?" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := f.value(lo)
		if err != nil {
			return bad(err.Error())
		}
		if isRange {
			b, err := f.value(hi)
			if err != nil {
				return bad(err.Error())
			}
			if b < a {
				return bad(fmt.Sprintf("range %d-%d runs backwards", a, b))
			}
		}
	}
	return nil
}

func (f cronField) value(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("missing value")
	}
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return i + f.nameBase, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Errorf("%d is out of range", n)
	}
	return n, nil
}

// Next is the first due time after t, in loc.
func (s Spec) Next(t time.Time, loc *time.Location) time.Time {
	if s.Every > 0 {
		return t.Add(s.Every)
	}
	sched, err := cron.ParseStandard(s.Cron)
	if err != nil {
		return time.Time{}
	}
	return sched.Next(t.In(loc))
}
