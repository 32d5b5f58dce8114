package jobs

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrNoPhone means a contact has no usable phone number.
var ErrNoPhone = errors.New("no usable phone number")

// NormalizePhone turns a phone number as people type it into E.164
// (+14155550134), using region for numbers without a country code. Numbers
// that are not valid for their region are refused with the reason.
func NormalizePhone(raw, region string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: none on file", ErrNoPhone)
	}
	if region == "" {
		region = "US"
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("%w: %q cannot be read as a phone number (%v)", ErrNoPhone, raw, err)
	}
	if !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("%w: %q is not a valid number for %s", ErrNoPhone, raw, phonenumbers.GetRegionCodeForNumber(n)+orRegion(region, n))
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func orRegion(region string, n *phonenumbers.PhoneNumber) string {
	if phonenumbers.GetRegionCodeForNumber(n) != "" {
		return ""
	}
	return region
}
