package auth

import (
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/firmsync/firmsync/connectors/httpx"
)

// describeOAuthError turns an oauth2 token-endpoint error into one that
// says what happened without echoing the response body (which can hold
// tokens), and marks the fatal ones with httpx.ErrReconnect.
func describeOAuthError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code := re.ErrorCode
	if code == "" {
		code = "unknown_error"
	}
	desc := re.ErrorDescription
	switch code {
	case "invalid_grant", "invalid_client", "unauthorized_client", "invalid_request", "access_denied", "invalid_token":
		return fmt.Errorf("%w: the platform refused the token request (%d %s%s)", httpx.ErrReconnect, status, code, suffix(desc))
	}
	if status >= 500 || status == 429 {
		return fmt.Errorf("the platform's token service is having trouble (%d %s%s)", status, code, suffix(desc))
	}
	return fmt.Errorf("token request failed (%d %s%s)", status, code, suffix(desc))
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}
