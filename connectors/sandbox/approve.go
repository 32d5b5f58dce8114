package sandbox

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Approver plays the user in the browser for a headless sandbox connect:
// it opens the fake's authorize page, presses the button with the given
// decision ("allow" or "deny") and follows the redirect to the app's
// loopback listener, exactly as a browser would. It only talks to loopback.
type Approver struct {
	Decision string // "allow" (default) or "deny"
	Client   *http.Client
}

var (
	formRe   = regexp.MustCompile(`(?is)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	inputRe  = regexp.MustCompile(`(?is)<input[^>]*type="hidden"[^>]*>`)
	buttonRe = regexp.MustCompile(`(?is)<button[^>]*name="([^"]*)"[^>]*value="([^"]*)"[^>]*>`)
	selectRe = regexp.MustCompile(`(?is)<select[^>]*name="([^"]*)"[^>]*>.*?<option[^>]*value="([^"]*)"`)
	attrRe   = regexp.MustCompile(`(?i)(name|value)="([^"]*)"`)
)

// Open implements the OpenURL hook of the OAuth flow.
func (a Approver) Open(ctx context.Context, authURL string) error {
	u, err := url.Parse(authURL)
	if err != nil {
		return fmt.Errorf("sandbox approver: %w", err)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return fmt.Errorf("sandbox approver only approves loopback sandbox pages, not %s", h)
	}
	hc := a.Client
	if hc == nil {
		hc = &http.Client{}
	}
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page, err := get(ctx, &noFollow, authURL)
	if err != nil {
		return err
	}
	decision := a.Decision
	if decision == "" {
		decision = "allow"
	}
	action, form, err := pickForm(page, decision)
	if err != nil {
		return err
	}
	target, err := u.Parse(action)
	if err != nil {
		return fmt.Errorf("sandbox approver: form action: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noFollow.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox approver: submitting %s: %w", decision, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || loc == "" {
		return fmt.Errorf("sandbox approver: the authorize page answered %d without a redirect: %.200s", resp.StatusCode, body)
	}
	// The redirect goes to the app's loopback listener: deliver it like a browser.
	_, err = get(ctx, hc, loc)
	return err
}

func get(ctx context.Context, hc *http.Client, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("sandbox approver: GET %s: %w", redact(u), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), err
}

// pickForm finds the form holding the decision button and returns its
// action and the values a browser would submit.
func pickForm(page, decision string) (string, url.Values, error) {
	for _, m := range formRe.FindAllStringSubmatch(page, -1) {
		action, inner := html.UnescapeString(m[1]), m[2]
		vals := url.Values{}
		for _, in := range inputRe.FindAllString(inner, -1) {
			var name, value string
			for _, a := range attrRe.FindAllStringSubmatch(in, -1) {
				if strings.EqualFold(a[1], "name") {
					name = html.UnescapeString(a[2])
				} else {
					value = html.UnescapeString(a[2])
				}
			}
			if name != "" {
				vals.Set(name, value)
			}
		}
		for _, s := range selectRe.FindAllStringSubmatch(inner, -1) {
			vals.Set(s[1], html.UnescapeString(s[2])) // the first option, as a browser preselects
		}
		for _, b := range buttonRe.FindAllStringSubmatch(inner, -1) {
			if strings.EqualFold(b[2], decision) {
				vals.Set(b[1], b[2])
				return action, vals, nil
			}
		}
	}
	return "", nil, errors.New("sandbox approver: no " + decision + " button on the authorize page")
}

func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
