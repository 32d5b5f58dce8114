package sandbox

import "time"

// Scaled is d on the clock of a sandbox whose rate-limit windows last
// window instead of the platforms' real minute: d × window/1 min, never
// under 10 ms. window 0 means real windows, and d unchanged. The fakes
// scale their windows with it, and clients that keep a platform's budget
// themselves (Zoom's reset, Box's and Lawmatics' windows) must follow the
// same clock.
func Scaled(window, d time.Duration) time.Duration {
	if window <= 0 {
		return d
	}
	return max(time.Duration(float64(d)*float64(window)/float64(time.Minute)), 10*time.Millisecond)
}

// Scaled is d on this sandbox's clock (see the function Scaled).
func (i Info) Scaled(d time.Duration) time.Duration {
	return Scaled(time.Duration(i.RateWindowMS)*time.Millisecond, d)
}
