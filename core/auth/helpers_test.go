package auth_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/auth"
	"github.com/firmsync/firmsync/core/secrets"
)

func mustEncode(t *testing.T, tok *authToken) string {
	t.Helper()
	s, err := secrets.EncodeToken(secrets.Token{Access: tok.access, Refresh: tok.refresh, Expiry: tok.expiry})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func secretsWith(t *testing.T, platform string, tok *authToken) *secrets.Memory {
	t.Helper()
	st := secrets.NewMemory()
	if err := st.Set(context.Background(), auth.TokenKey(platform), mustEncode(t, tok)); err != nil {
		t.Fatal(err)
	}
	return st
}

// redirectFrom pulls the redirect_uri out of an authorize URL.
func redirectFrom(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("redirect_uri")
}

// tokenCalls counts token-endpoint requests the sandbox has served.
func tokenCalls(sb *sandbox.Sandbox, platform string) int {
	eps := sb.StatsSnapshot().Platforms[platform].Endpoints
	return eps["POST /oauth/token"] + eps["POST /oauth2/token"]
}
