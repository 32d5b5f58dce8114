package jobs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core/jobs"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw, region, want string
		why               string // substring of the error when want is ""
	}{
		{"(415) 555-0100", "US", "+14155550100", ""},
		{"212.555.0101", "US", "+12125550101", ""},
		{"+1 646-555-0102", "US", "+16465550102", ""},
		{"3125550103", "US", "+13125550103", ""},
		{"617-555-0107", "", "+16175550107", ""}, // no region: US
		{"  617 555 0107  ", "us", "+16175550107", ""},
		{"+44 20 7946 0106", "US", "+442079460106", ""}, // a country code wins over the region
		{"020 7946 0106", "GB", "+442079460106", ""},
		{"+49 30 901820", "US", "+4930901820", ""},
		{"1-800-555-0199", "US", "+18005550199", ""},
		{"", "US", "", "none on file"},
		{"   ", "US", "", "none on file"},
		{"555-05", "US", "", "not a valid number"},
		{"12", "US", "", ""},
		{"call me", "US", "", "cannot be read"},
		{"+", "US", "", ""},
		{"020 7946 0106", "US", "", "not a valid number"},
	}
	for _, tt := range tests {
		got, err := jobs.NormalizePhone(tt.raw, tt.region)
		if got != tt.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
			continue
		}
		if tt.want != "" {
			if err != nil {
				t.Errorf("NormalizePhone(%q, %q): unexpected error %v", tt.raw, tt.region, err)
			}
			continue
		}
		if !errors.Is(err, jobs.ErrNoPhone) {
			t.Errorf("NormalizePhone(%q, %q) error %v, want ErrNoPhone", tt.raw, tt.region, err)
		} else if !strings.Contains(err.Error(), tt.why) {
			t.Errorf("NormalizePhone(%q, %q) error %q, want it to say %q", tt.raw, tt.region, err, tt.why)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"(415) 555-0100", "+44 20 7946 0106", "555-05", "", "+", "++1", "1-800-FLOWERS",
		"+1 (646) 555-0102 ext. 12", "０３-１２３４-５６７８", "tel:+1-212-555-0101", "\x00\xff", strings.Repeat("9", 300)} {
		f.Add(s, "US")
	}
	f.Add("020 7946 0106", "GB")
	f.Add("030 901820", "de")
	f.Add("12345", "ZZ")
	f.Add("12345", "")
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := jobs.NormalizePhone(raw, region)
		if err != nil {
			if got != "" {
				t.Fatalf("NormalizePhone(%q, %q) = %q with error %v", raw, region, got, err)
			}
			if !errors.Is(err, jobs.ErrNoPhone) {
				t.Fatalf("NormalizePhone(%q, %q) error %v does not wrap ErrNoPhone", raw, region, err)
			}
			return
		}
		if len(got) < 2 || got[0] != '+' || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q, %q) = %q, not + followed by digits", raw, region, got)
		}
	})
}
