package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Plain is a schedule as a person picks it: every so often, or once a day
// at a time. Anything else is a custom cron line, kept under Advanced.
type Plain struct {
	Every  time.Duration // > 0: an interval
	Hour   int           // daily: 0-23 (Every == 0)
	Minute int           // daily: 0-59
}

// PlainOf reads a schedule as a Plain one: an interval, or a cron line
// that runs once a day every day. ok is false for anything else (weekdays
// only, several times a day, …) and for a schedule that does not parse.
func PlainOf(s string) (p Plain, ok bool) {
	spec, err := Parse(s)
	if err != nil {
		return Plain{}, false
	}
	if spec.Every > 0 {
		return Plain{Every: spec.Every}, true
	}
	f := strings.Fields(spec.Cron)
	if f[2] != "*" || f[3] != "*" || (f[4] != "*" && f[4] != "?") {
		return Plain{}, false
	}
	m, errM := strconv.Atoi(f[0])
	h, errH := strconv.Atoi(f[1])
	if errM != nil || errH != nil {
		return Plain{}, false
	}
	return Plain{Hour: h, Minute: m}, true
}

// Spec writes p as a schedule Parse reads back to the same Plain:
// "every 15m" or "0 6 * * *".
func (p Plain) Spec() string {
	if p.Every > 0 {
		return "every " + shortDuration(p.Every)
	}
	return fmt.Sprintf("%d %d * * *", p.Minute, p.Hour)
}

// Clock is the daily time as 24-hour "06:00".
func (p Plain) Clock() string { return fmt.Sprintf("%02d:%02d", p.Hour, p.Minute) }

// ParseClock reads a time of day as people type it: "6:00", "06:00",
// "18:30" or "6". Errors say what is accepted.
func ParseClock(s string) (hour, minute int, err error) {
	s = strings.TrimSpace(s)
	hs, ms, hasMin := strings.Cut(s, ":")
	bad := fmt.Errorf("%q is not a time of day such as 06:00 or 18:30 (24-hour clock)", s)
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || h > 23 || len(hs) > 2 {
		return 0, 0, bad
	}
	m := 0
	if hasMin {
		m, err = strconv.Atoi(ms)
		if err != nil || m < 0 || m > 59 || len(ms) != 2 {
			return 0, 0, bad
		}
	}
	return h, m, nil
}

// shortDuration writes 15m, 6h or 1h30m rather than 15m0s.
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0 && d > time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h" + strconv.FormatInt(int64(d%time.Hour/time.Minute), 10) + "m"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// Describe says in plain words when a schedule runs: "every 15 minutes",
// "daily at 06:00", "weekdays at 07:30". A cron line it has no words for
// is described field by field. A schedule that does not parse gives its
// error.
func Describe(s string) (string, error) {
	spec, err := Parse(s)
	if err != nil {
		return "", err
	}
	if spec.Every > 0 {
		return everyWords(spec.Every), nil
	}
	f := strings.Fields(spec.Cron)
	min, hour, dom, month, dow := f[0], f[1], f[2], f[3], f[4]
	var when string
	m, errM := strconv.Atoi(min)
	h, errH := strconv.Atoi(hour)
	switch {
	case errM == nil && errH == nil:
		when = fmt.Sprintf("at %02d:%02d", h, m)
	case errM == nil && hour == "*":
		when = fmt.Sprintf("every hour at %d minutes past", m)
		if m == 0 {
			when = "every hour on the hour"
		}
	case strings.HasPrefix(min, "*/") && hour == "*":
		n, _ := strconv.Atoi(min[2:])
		when = everyWords(time.Duration(n) * time.Minute)
	case errM == nil && strings.HasPrefix(hour, "*/"):
		n, _ := strconv.Atoi(hour[2:])
		when = fmt.Sprintf("%s at %d minutes past", everyWords(time.Duration(n)*time.Hour), m)
		if m == 0 {
			when = everyWords(time.Duration(n)*time.Hour) + " on the hour"
		}
	default:
		return "custom: minute " + min + ", hour " + hour + ", day " + dom + ", month " + month + ", weekday " + dow, nil
	}
	days := ""
	switch {
	case dom == "*" && month == "*" && (dow == "*" || dow == "?"):
		if strings.HasPrefix(when, "at ") {
			days = "daily "
		}
	case dom == "*" && month == "*":
		d, ok := weekdayWords(dow)
		if !ok {
			return "custom: minute " + min + ", hour " + hour + ", weekday " + dow, nil
		}
		days = d + " "
	default:
		return "custom: minute " + min + ", hour " + hour + ", day " + dom + ", month " + month + ", weekday " + dow, nil
	}
	if days != "" && !strings.HasPrefix(when, "at ") {
		return when + ", " + strings.TrimSpace(days), nil
	}
	return days + when, nil
}

var weekdayNames = []string{"Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"}

// weekdayWords names a day-of-week field made of days and ranges.
func weekdayWords(field string) (string, bool) {
	if field == "1-5" || strings.EqualFold(field, "MON-FRI") {
		return "weekdays", true
	}
	if field == "0,6" || field == "6,0" || strings.EqualFold(field, "SAT,SUN") || strings.EqualFold(field, "SUN,SAT") {
		return "weekends", true
	}
	var out []string
	for _, part := range strings.Split(field, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := cronFields[4].value(lo)
		if err != nil {
			return "", false
		}
		if !isRange {
			out = append(out, weekdayNames[a%7])
			continue
		}
		b, err := cronFields[4].value(hi)
		if err != nil {
			return "", false
		}
		out = append(out, weekdayNames[a%7]+" to "+weekdayNames[b%7])
	}
	return strings.Join(out, ", "), true
}

// everyWords writes "every 15 minutes", and "every hour" rather than
// "every 1 hour".
func everyWords(d time.Duration) string {
	w := durationWords(d)
	if rest, ok := strings.CutPrefix(w, "1 "); ok && !strings.Contains(rest, " ") {
		w = rest
	}
	return "every " + w
}

// durationWords writes 15 minutes, 1 hour, 6 hours or 1 hour 30 minutes.
func durationWords(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case d%time.Minute != 0:
		return d.String()
	case h == 0:
		return unit(m, "minute")
	case m == 0:
		if h%24 == 0 {
			return unit(h/24, "day")
		}
		return unit(h, "hour")
	}
	return unit(h, "hour") + " " + unit(m, "minute")
}
