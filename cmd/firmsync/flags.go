package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/pms"
)

// flagDef registers one flag on fs, storing into o.
type flagDef func(fs *flag.FlagSet, o *opts)

func flagsFor(defs ...flagDef) func(fs *flag.FlagSet) *opts {
	return func(fs *flag.FlagSet) *opts {
		o := &opts{}
		for _, d := range defs {
			d(fs, o)
		}
		return o
	}
}

func fData(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.data, "data", "", "data directory (default $FIRMSYNC_DATA or the user config dir + /firmsync)")
}
func fSandbox(fs *flag.FlagSet, o *opts) {
	fs.BoolVar(&o.sandbox, "sandbox", false, "use the built-in sandbox (a demo firm on fake platforms)")
}
func fPMS(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.pms, "pms", "", "with --sandbox: try the demo firm as a "+strings.Join(pms.Kinds, ", ")+" firm (default clio; a real firm chooses in Settings)")
}
func fSandboxURL(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.sandboxURL, "sandbox-url", "", "use a sandbox already running elsewhere (the admin URL `firmsync sandbox` prints)")
}
func fJSON(fs *flag.FlagSet, o *opts) { fs.BoolVar(&o.json, "json", false, "print JSON") }
func fJobs(fs *flag.FlagSet, o *opts) {
	fs.Var(&o.jobs, "job", "job to run, repeatable ("+strings.Join(core.Jobs(), ", ")+"); default all")
}
func fJob(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.job, "job", "", "only this job ("+strings.Join(core.Jobs(), ", ")+")")
}
func fStatus(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.status, "status", "", "only this status ("+strings.Join(core.LogStatuses(), ", ")+")")
}
func fLimit(fs *flag.FlagSet, o *opts) { fs.IntVar(&o.limit, "limit", 50, "at most N records") }
func fRegion(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.region, "region", "", "Clio region ("+strings.Join(core.Regions(), ", ")+"); default us")
}
func fNoBrowser(fs *flag.FlagSet, o *opts) {
	fs.BoolVar(&o.noBrowse, "no-browser", false, "print the authorize URL instead of opening a browser (with --sandbox: instead of approving automatically)")
}
func fAddr(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (loopback)")
}
func fState(fs *flag.FlagSet, o *opts) {
	fs.StringVar(&o.state, "state", "", "keep the fake platforms' state in DIR across restarts")
}
func fDryRun(fs *flag.FlagSet, o *opts) {
	fs.BoolVar(&o.dryRun, "dry-run", false, "report what would change without writing anything")
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }

func (m *multiFlag) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty value")
	}
	*m = append(*m, v)
	return nil
}
func fHidden(fs *flag.FlagSet, o *opts) {
	fs.BoolVar(&o.hidden, "hidden", false, "start hidden in the tray (used when starting at login)")
}
func fPaste(fs *flag.FlagSet, o *opts) {
	fs.BoolVar(&o.paste, "paste-code", false, "clio only: sign in without the local listener and paste the code Clio shows")
}
