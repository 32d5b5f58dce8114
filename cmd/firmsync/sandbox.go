package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
)

func cmdSandbox(ctx context.Context, e env, o *opts) error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return usageErr{fmt.Sprintf("invalid --addr %q (want HOST:PORT, e.g. 127.0.0.1:0)", o.addr)}
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usageErr{fmt.Sprintf("invalid --addr %q: the sandbox listens on loopback only (127.0.0.1 or ::1)", o.addr)}
	}
	sb, err := sandbox.Start(sandbox.Options{Host: host, AdminAddr: o.addr, StateDir: o.state})
	if err != nil {
		return err
	}
	defer sb.Close()
	info := sb.Info()
	if o.json {
		if err := json.NewEncoder(e.stdout).Encode(info); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "Sandbox running (Ctrl-C stops). Admin API: %s\n", info.Admin)
		for _, p := range core.AllPlatforms() {
			fmt.Fprintf(e.stdout, "  %-10s %s\n", p, info.Platforms[p].APIBase)
		}
		sd := info.Seeded
		fmt.Fprintf(e.stdout, "Seeded for SDKs: %d Clio custom field(s), %d Zoom Phone external contact(s), %d Zoom meeting(s) whose UUID starts with '/'\n",
			len(sd.ClioCustomFields), len(sd.ZoomExternalContacts), len(sd.ZoomSlashUUIDMeetings))
		fmt.Fprintln(e.stdout, "Use --json for tokens, webhook secrets and the seeded objects.")
	}
	<-ctx.Done()
	return nil
}
