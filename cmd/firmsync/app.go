package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

func fClientID(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.clientID, "client-id", "", "app set: the developer app's client id (the secret is read from standard input)")
}

// appCommand is `firmsync app set|show PLATFORM`: the firm's own developer
// app for a platform, for machines where the GUI's Settings cannot be used.
func appCommand() command {
	return command{name: "app", args: "set|show PLATFORM", nargs: 2,
		summary: "enter a platform's developer app (client id; secret on standard input) or show it with the redirect URI to register",
		flags:   flagsFor(fData, fClientID, fJSON), run: cmdApp}
}

func cmdApp(ctx context.Context, e env, o *opts) error {
	action, platform := o.args[0], o.args[1]
	if action != "set" && action != "show" {
		return usageErr{fmt.Sprintf("unknown action %q (valid: set, show)", action)}
	}
	if !core.IsPlatform(platform) {
		return usageErr{fmt.Sprintf("unknown platform %q (valid: %s)", platform, strings.Join(core.AllPlatforms(), ", "))}
	}
	if action == "show" {
		if o.clientID != "" {
			return usageErr{"--client-id applies to app set only"}
		}
		return appShow(ctx, e, o, platform)
	}
	if strings.TrimSpace(o.clientID) == "" {
		return usageErr{"app set needs --client-id ID (the secret is read from standard input, never from the command line)"}
	}
	if o.json {
		return usageErr{"--json applies to app show only"}
	}
	secret, err := readSecret(ctx, e, fmt.Sprintf("Client secret of the %s developer app (not shown as you type): ", core.PlatformTitle(platform)))
	if err != nil {
		return err
	}
	// Smokeball also issues an API key: typed after the secret, or piped in
	// on the line after it.
	apiKey := ""
	if platform == core.Smokeball {
		if s, k, ok := strings.Cut(secret, "\n"); ok {
			secret, apiKey = strings.TrimRight(s, "\r"), strings.TrimSpace(k)
		} else if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
			if apiKey, err = readTyped(ctx, e, f, "API key Smokeball issued the app (not shown as you type): "); err != nil {
				return err
			}
		}
		if apiKey == "" {
			return usageErr{"Smokeball also needs its API key: pipe it in on the line after the client secret"}
		}
	}
	var ac core.AppCredentials
	err = withInstance(ctx, e, o,
		func(app *core.App) error {
			if err := app.SaveAppCredentials(ctx, platform, o.clientID, secret); err != nil {
				return err
			}
			if apiKey != "" {
				if err := app.SaveAPIKey(ctx, platform, apiKey); err != nil {
					return err
				}
			}
			ac, err = app.AppCredentials(ctx, platform)
			return err
		},
		func(r *core.Remote) error {
			// The keychain is shared by every process: the running
			// Firmsync reads the new app on its next connect.
			st, err := remoteForApps(ctx, r)
			if err != nil {
				return err
			}
			kc := secrets.NewKeychain("")
			if err := core.SaveAppCredentials(ctx, kc, platform, o.clientID, secret); err != nil {
				return err
			}
			if apiKey != "" {
				if err := core.SaveAPIKey(ctx, kc, platform, apiKey); err != nil {
					return err
				}
			}
			ac, err = core.ReadAppCredentials(ctx, kc, platform, st.SignInPort, clioRegion(st))
			return err
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Saved the %s developer app in the keychain: client id %s, secret %s.\n", core.PlatformTitle(platform), ac.ClientID, ac.SecretHint)
	if ac.NeedsAPIKey {
		fmt.Fprintf(e.stdout, "API key %s.\n", ac.APIKeyHint)
	}
	fmt.Fprintf(e.stdout, "Its redirect URI must be exactly %s; then run `firmsync connect %s`.\n", ac.RedirectURI, platform)
	return nil
}

func appShow(ctx context.Context, e env, o *opts, platform string) error {
	var ac core.AppCredentials
	err := withInstance(ctx, e, o,
		func(app *core.App) (err error) { ac, err = app.AppCredentials(ctx, platform); return err },
		func(r *core.Remote) error {
			st, err := remoteForApps(ctx, r)
			if err != nil {
				return err
			}
			ac, err = core.ReadAppCredentials(ctx, secrets.NewKeychain(""), platform, st.SignInPort, clioRegion(st))
			return err
		})
	if err != nil {
		return err
	}
	if o.json {
		return json.NewEncoder(e.stdout).Encode(ac)
	}
	title := core.PlatformTitle(platform)
	switch ac.Source {
	case core.AppNone:
		fmt.Fprintf(e.stdout, "%s developer app: none yet.\n", title)
		fmt.Fprintf(e.stdout, "Create one in %s's developer console with the redirect URI below, then run\n  firmsync app set %s --client-id ID\nand type or pipe its client secret.\n", title, platform)
	case core.AppBuiltIn:
		fmt.Fprintf(e.stdout, "%s developer app: built into this Firmsync.\n", title)
	default:
		fmt.Fprintf(e.stdout, "%s developer app: in the keychain.\n", title)
	}
	if ac.ClientID != "" {
		fmt.Fprintf(e.stdout, "  Client id:      %s\n", ac.ClientID)
		fmt.Fprintf(e.stdout, "  Client secret:  %s\n", dash(ac.SecretHint))
	}
	if ac.NeedsAPIKey {
		fmt.Fprintf(e.stdout, "  API key:        %s\n", dash(ac.APIKeyHint))
	}
	fmt.Fprintf(e.stdout, "  Redirect URI:   %s\n", ac.RedirectURI)
	if ac.ApprovalRedirectURI != "" {
		fmt.Fprintf(e.stdout, "  Also register, to sign in with --paste-code: %s\n", ac.ApprovalRedirectURI)
	}
	return nil
}

// remoteForApps reads the running instance's status, refusing a sandbox:
// its apps are the fakes' and never in the keychain.
func remoteForApps(ctx context.Context, r *core.Remote) (core.Status, error) {
	st, err := r.Status(ctx)
	if err != nil {
		return core.Status{}, err
	}
	if st.Sandbox != nil {
		return core.Status{}, errors.New("the Firmsync running on this data directory uses the sandbox, whose developer apps are built in")
	}
	return st, nil
}

func clioRegion(st core.Status) string {
	for _, c := range st.Connections {
		if c.Platform == core.Clio {
			return c.Region
		}
	}
	return ""
}

// readSecret reads a secret from standard input: typed at a terminal
// without being shown, or everything a pipe gives. Secrets never come from
// the command line, where other users (ps) and the shell history see them.
func readSecret(ctx context.Context, e env, prompt string) (string, error) {
	if e.stdin == nil {
		return "", errors.New("no client secret: pipe it in on standard input, e.g. `firmsync app set PLATFORM --client-id ID < secret.txt`")
	}
	if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
		return readTyped(ctx, e, f, prompt)
	}
	// One more byte than any secret may have, so an over-long input is
	// reported as too long instead of being cut.
	b, err := io.ReadAll(io.LimitReader(e.stdin, secrets.MaxValueLen+2))
	if err != nil {
		return "", fmt.Errorf("reading the client secret from standard input: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// readTyped reads one line from terminal f with echo off, putting echo
// back even when the command is interrupted.
func readTyped(ctx context.Context, e env, f *os.File, prompt string) (string, error) {
	fmt.Fprint(e.stderr, prompt)
	defer fmt.Fprintln(e.stderr)
	restore, err := echoOff(f)
	if err != nil {
		return "", fmt.Errorf("hiding the secret as it is typed: %w (pipe it in instead)", err)
	}
	defer restore()
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		s, err := bufio.NewReader(f).ReadString('\n')
		ch <- line{s, err}
	}()
	select {
	case l := <-ch:
		if l.err != nil && l.s == "" {
			return "", fmt.Errorf("no client secret was typed: %w", l.err)
		}
		return strings.TrimRight(l.s, "\r\n"), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
