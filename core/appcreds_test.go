package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
	"github.com/firmsync/firmsync/core/store"
)

func TestAppCredSaveShowAndRedirect(t *testing.T) {
	ctx := context.Background()
	app := openRealApp(t)
	for _, p := range core.Platforms() {
		ac, err := app.AppCredentials(ctx, p)
		if err != nil || ac.Source != core.AppNone || ac.ClientID != "" || ac.SecretHint != "" {
			t.Fatalf("%s before set: %+v %v", p, ac, err)
		}
		if want := "http://127.0.0.1:53682/" + p + "/callback"; ac.RedirectURI != want {
			t.Errorf("%s redirect %q, want %q (README)", p, ac.RedirectURI, want)
		}
	}
	if err := app.SaveAppCredentials(ctx, core.Box, "  box-client-id ", "s3cret-0123456789-wxyz\n"); err != nil {
		t.Fatal(err)
	}
	ac, err := app.AppCredentials(ctx, core.Box)
	if err != nil || ac.Source != core.AppFromKeychain || ac.ClientID != "box-client-id" || ac.SecretHint != "••••wxyz" {
		t.Fatalf("after set: %+v %v", ac, err)
	}
	// Connect reads the same keychain entries.
	if id, has := app.CredentialHint(ctx, core.Box); id != "box-client-id" || !has {
		t.Errorf("Connect would use %q (secret %v)", id, has)
	}
	if v, _ := app.Secrets().Get(ctx, secrets.Key(core.Box, "client_secret")); v != "s3cret-0123456789-wxyz" {
		t.Errorf("stored secret %q", v)
	}

	set := app.Settings()
	set.OAuthPort = 54001
	if err := app.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if err := app.Store().PutConnection(store.Connection{Platform: core.Clio, Status: store.ConnDisconnected, Region: "eu"}); err != nil {
		t.Fatal(err)
	}
	clio, err := app.AppCredentials(ctx, core.Clio)
	if err != nil || clio.RedirectURI != "http://127.0.0.1:54001/clio/callback" || !strings.HasPrefix(clio.ApprovalRedirectURI, "https://eu.") ||
		!strings.HasSuffix(clio.ApprovalRedirectURI, "/oauth/approval") {
		t.Errorf("clio after moving the sign-in port, region eu: %+v %v", clio, err)
	}
}

func TestAppCredRejectsWhatNoPlatformIssues(t *testing.T) {
	cases := []struct {
		name, platform, id, secret, want string
	}{
		{"unknown platform", "dropbox", "id", "secret", `unknown platform "dropbox"`},
		{"empty id", core.Clio, "  ", "secret", "client id is empty"},
		{"empty secret", core.Clio, "id", "\n", "client secret is empty"},
		{"two lines", core.Clio, "id", "abc\ndef", "on one line"},
		{"space inside id", core.Zoom, "my id", "secret", "client id contains spaces"},
		{"too long", core.Box, "id", strings.Repeat("x", secrets.MaxValueLen+1), "no platform issues one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sec := secrets.NewMemory()
			err := core.SaveAppCredentials(context.Background(), sec, c.platform, c.id, c.secret)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if len(c.secret) > 3 && strings.Contains(err.Error(), c.secret) {
				t.Errorf("the error repeats the secret: %v", err)
			}
			if _, err := sec.Get(context.Background(), secrets.Key(c.platform, "client_id")); !errors.Is(err, secrets.ErrNotFound) {
				t.Errorf("something was stored: %v", err)
			}
		})
	}
}

func TestAppCredSecretHint(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"short":                    "••••",
		"elevenchars":              "••••",
		"twelve-chars":             "••••hars",
		"0123456789abcdefghijwxyz": "••••wxyz",
	} {
		if got := core.SecretHint(in); got != want {
			t.Errorf("SecretHint(%q) = %q, want %q", in, got, want)
		}
	}
}
