package main

import (
	"bufio"
	"context"
	"fmt"

	"github.com/firmsync/firmsync/connectors/clio"
	"github.com/firmsync/firmsync/core"
)

func cmdConnect(ctx context.Context, e env, o *opts) error {
	platform := o.args[0]
	co := connectOptions(e, o, platform)
	var id core.Identity
	err := withInstance(ctx, e, o,
		func(app *core.App) (err error) { id, err = app.Connect(ctx, platform, co); return err },
		func(r *core.Remote) (err error) {
			fmt.Fprintf(e.stdout, "Firmsync is running: it opens the sign-in page for %s.\n", platform)
			id, err = r.Connect(ctx, platform, o.region)
			return err
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Connected %s as %s <%s>.\n", platform, id.Name, id.Email)
	return nil
}

// connectOptions builds what `firmsync connect` asks of App.Connect. The
// sign-in page is printed (and opened in a browser unless --no-browser)
// for real platforms, and for the sandbox with --no-browser, where a person
// or a test then drives the fake's consent page like a real one; a plain
// --sandbox leaves OpenURL nil so the sandbox's approver presses Allow.
func connectOptions(e env, o *opts, platform string) core.ConnectOptions {
	co := core.ConnectOptions{Region: o.region, PreferPaste: o.paste}
	if e.stdin != nil && platform == core.Clio {
		co.PasteCode = func(ctx context.Context) (string, error) {
			fmt.Fprint(e.stdout, "Paste the code Clio shows after you approve, then press Enter: ")
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return "", fmt.Errorf("no code was entered: %w", err)
			}
			return clio.ParseApprovalCode(line)
		}
	}
	if o.sandbox && !o.noBrowse {
		return co
	}
	co.OpenURL = func(ctx context.Context, url string) error {
		fmt.Fprintf(e.stdout, "Open this address to connect %s (waiting up to 5 minutes):\n  %s\n", platform, url)
		if o.noBrowse {
			return nil
		}
		if err := core.OpenBrowser(ctx, url); err != nil {
			fmt.Fprintf(e.stderr, "firmsync: %v\n", err)
		}
		return nil
	}
	return co
}

func cmdDisconnect(ctx context.Context, e env, o *opts) error {
	err := withInstance(ctx, e, o,
		func(app *core.App) error { return app.Disconnect(ctx, o.args[0]) },
		func(r *core.Remote) error { return r.Disconnect(ctx, o.args[0]) })
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Disconnected %s; its secrets were deleted from the keychain. The log and links are kept.\n", o.args[0])
	return nil
}
