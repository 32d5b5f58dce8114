package engine

import (
	"fmt"
	"time"
)

// Policy is a job's retry policy for failed items: up to Attempts tries in
// all, waiting Delays[i] after the (i+1)th failure; the last delay repeats.
type Policy struct {
	Attempts int             `json:"attempts"`
	Delays   []time.Duration `json:"delays"`
}

// Delay is the wait after the given number of failed attempts (1-based).
func (p Policy) Delay(failures int) time.Duration {
	if len(p.Delays) == 0 {
		return time.Minute
	}
	i := failures - 1
	if i < 0 {
		i = 0
	}
	if i >= len(p.Delays) {
		i = len(p.Delays) - 1
	}
	return p.Delays[i]
}

// Validate rejects policies a user could not mean.
func (p Policy) Validate() error {
	if p.Attempts < 1 || p.Attempts > 100 {
		return fmt.Errorf("attempts must be between 1 and 100, not %d", p.Attempts)
	}
	for _, d := range p.Delays {
		if d < time.Second || d > 7*24*time.Hour {
			return fmt.Errorf("each delay must be between 1 second and 7 days, not %v", d)
		}
	}
	return nil
}

func seconds(s ...int) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, v := range s {
		d[i] = time.Duration(v) * time.Second
	}
	return d
}

// DefaultPolicies are the seed firm's retry policies.
func DefaultPolicies() map[string]Policy {
	slow := Policy{Attempts: 5, Delays: seconds(60, 300, 900, 1800, 3600)}
	return map[string]Policy{
		"contacts":   {Attempts: 3, Delays: seconds(60, 300, 900)},
		"folders":    {Attempts: 10, Delays: seconds(30, 60, 120, 300, 600)},
		"recordings": slow,
		"documents":  slow,
		"intake":     slow,
	}
}
