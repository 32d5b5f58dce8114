package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/datadir"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and something failed
	exitUsage   = 2 // the command line was wrong
)

// env is the process environment a command sees; tests fill it in.
type env struct {
	stdin          io.Reader // nil: no input (CI, tests)
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis after the name
	summary string
	// flags registers the command's flags on fs and returns the value holder.
	flags func(fs *flag.FlagSet) *opts
	// run does the work once flags and arguments are valid.
	run func(ctx context.Context, e env, o *opts) error
	// nargs is the number of positional arguments: -1 for any.
	nargs int
}

// opts holds every flag any command takes; each command registers only its own.
type opts struct {
	data     string
	sandbox  bool
	json     bool
	jobs     multiFlag
	status   string
	limit    int
	region   string
	addr     string
	state    string
	dryRun   bool
	job      string
	args     []string
	noBrowse bool
	hidden   bool
	paste    bool
	// sandboxURL wires the App to a sandbox in another process.
	sandboxURL string
	pms        string // --pms: the sandbox firm's practice-management system
	clientID   string // app set
}

func commands() []command {
	return []command{
		{name: "serve", summary: "run schedules and the webhook receiver headless until stopped",
			flags: flagsFor(fData, fSandbox, fSandboxURL, fPMS), run: cmdServe},
		{name: "sync", summary: "run jobs once; exit 0 when every job ran and no item failed, 1 otherwise",
			flags: flagsFor(fData, fSandbox, fSandboxURL, fPMS, fJobs, fJSON, fDryRun), run: cmdSync},
		{name: "status", summary: "show connections, jobs and the last and next runs",
			flags: flagsFor(fData, fJSON), run: cmdStatus},
		{name: "log", summary: "show the per-item sync log, newest first",
			flags: flagsFor(fData, fJSON, fJob, fStatus, fLimit), run: cmdLog},
		{name: "connect", args: "PLATFORM", nargs: 1, summary: "connect a platform through the browser",
			flags: flagsFor(fData, fSandbox, fRegion, fNoBrowser, fPaste), run: cmdConnect},
		{name: "disconnect", args: "PLATFORM", nargs: 1, summary: "revoke access and delete a platform's secrets",
			flags: flagsFor(fData, fSandbox), run: cmdDisconnectIfConnected},
		appCommand(),
		{name: "retry", args: "[ITEM_ID]...", nargs: -1, summary: "run failed or parked items again",
			flags: flagsFor(fData, fSandbox, fSandboxURL, fJob), run: cmdRetry},
		{name: "rebuild", summary: "move the state database aside (kept) and rebuild it from the platforms with a sync",
			flags: flagsFor(fData, fSandbox, fSandboxURL), run: cmdRebuild},
		{name: "sandbox", summary: "run the fake Clio, Lawmatics, Zoom and Box servers until killed",
			flags: flagsFor(fAddr, fState, fJSON), run: cmdSandbox},
		{name: "version", summary: "print the version", flags: flagsFor(), run: cmdVersion},
	}
}

// run parses args and runs the desktop app or a subcommand, returning the
// process exit code.
func run(ctx context.Context, args []string, e env) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		if len(args) > 1 {
			if c, ok := findCommand(args[1]); ok {
				printCommandHelp(e.stdout, c)
				return exitOK
			}
		}
		printHelp(e.stdout)
		return exitOK
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = []string{"version"}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runCommand(ctx, e, desktopCommand(), args)
	}
	c, ok := findCommand(args[0])
	if !ok {
		return usageError(e, "", fmt.Sprintf("unknown command %q (valid: %s)", args[0], strings.Join(commandNames(), ", ")))
	}
	return runCommand(ctx, e, c, args[1:])
}

func desktopCommand() command {
	return command{name: "", summary: "the desktop app", flags: flagsFor(fData, fSandbox, fSandboxURL, fPMS, fHidden), run: cmdDesktop}
}

func runCommand(ctx context.Context, e env, c command, args []string) int {
	fs := flag.NewFlagSet("firmsync "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := c.flags(fs)
	// Flags may come after positional arguments ("connect clio --region eu"),
	// which the flag package alone stops at.
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandHelp(e.stdout, c)
				return exitOK
			}
			return usageError(e, c.name, describeFlagError(err, fs))
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		o.args = append(o.args, args[0])
		args = args[1:]
	}
	if c.nargs >= 0 && len(o.args) != c.nargs {
		if c.nargs == 0 {
			return usageError(e, c.name, fmt.Sprintf("unexpected argument %q", o.args[0]))
		}
		return usageError(e, c.name, fmt.Sprintf("want %s", c.args))
	}
	if msg := validate(c, o); msg != "" {
		return usageError(e, c.name, msg)
	}
	if err := c.run(ctx, e, o); err != nil {
		var ue usageErr
		if errors.As(err, &ue) {
			return usageError(e, c.name, ue.msg)
		}
		var ec exitCodeErr
		if errors.As(err, &ec) {
			if ec.err != nil {
				fmt.Fprintf(e.stderr, "firmsync: %v\n", ec.err)
			}
			return ec.code
		}
		fmt.Fprintf(e.stderr, "firmsync: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// validate checks values that flag parsing alone cannot.
func validate(c command, o *opts) string {
	if c.name == "connect" || c.name == "disconnect" {
		if !core.IsPlatform(o.args[0]) {
			return fmt.Sprintf("unknown platform %q (valid: %s)", o.args[0], strings.Join(core.AllPlatforms(), ", "))
		}
	}
	for _, j := range append([]string(o.jobs), o.job) {
		if j != "" && !core.IsJob(j) {
			return fmt.Sprintf("unknown job %q (valid: %s)", j, strings.Join(core.Jobs(), ", "))
		}
	}
	if o.status != "" && !contains(core.LogStatuses(), o.status) {
		return fmt.Sprintf("unknown status %q (valid: %s)", o.status, strings.Join(core.LogStatuses(), ", "))
	}
	if o.region != "" && !contains(core.Regions(), o.region) {
		return fmt.Sprintf("unknown region %q (valid: %s)", o.region, strings.Join(core.Regions(), ", "))
	}
	if o.region != "" && o.region != "us" && c.name == "connect" && o.args[0] != core.Clio {
		return "--region applies to clio only"
	}
	if o.paste && o.args[0] != core.Clio {
		return "--paste-code applies to clio only"
	}
	if o.limit < 0 {
		return fmt.Sprintf("invalid --limit %d (valid: a whole number ≥ 1)", o.limit)
	}
	if c.name == "retry" {
		for _, a := range o.args {
			if _, err := strconv.ParseUint(a, 10, 64); err != nil {
				return fmt.Sprintf("invalid item id %q (valid: the numeric ids `firmsync log --status failed` prints)", a)
			}
		}
	}
	return ""
}

// usageErr is returned by a command's run for a bad argument it found late.
type usageErr struct{ msg string }

func (u usageErr) Error() string { return u.msg }

// exitCodeErr makes a command exit with a chosen code (sync's "an item failed").
type exitCodeErr struct {
	code int
	err  error
}

func (e exitCodeErr) Error() string {
	if e.err == nil {
		return "exit " + strconv.Itoa(e.code)
	}
	return e.err.Error()
}

func usageError(e env, cmd, msg string) int {
	name := "firmsync"
	if cmd != "" {
		name += " " + cmd
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", name, msg)
	return exitUsage
}

// describeFlagError turns the flag package's errors into one line naming
// the valid flags.
func describeFlagError(err error, fs *flag.FlagSet) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
	sort.Strings(names)
	valid := "none"
	if len(names) > 0 {
		valid = strings.Join(names, ", ")
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return fmt.Sprintf("unknown flag %s (valid: %s)", strings.TrimLeft(name, "-"), valid)
	}
	return fmt.Sprintf("%s (valid flags: %s)", msg, valid)
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var n []string
	for _, c := range commands() {
		n = append(n, c.name)
	}
	return n
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, `Firmsync keeps a law firm's Clio, Lawmatics, Zoom and Box in step.

Usage:
  firmsync [--data DIR] [--sandbox]     the desktop app (window and tray)
  firmsync COMMAND [flags]

Commands:
`)
	for _, c := range commands() {
		syn := c.name
		if c.args != "" {
			syn += " " + c.args
		}
		fmt.Fprintf(w, "  %-22s %s\n", syn, c.summary)
	}
	fmt.Fprintf(w, `
Platforms: %s
Jobs:      %s
Data:      --data DIR, else $%s, else the user config directory + /firmsync

"firmsync COMMAND --help" shows a command's flags.
`, strings.Join(core.AllPlatforms(), ", "), strings.Join(core.Jobs(), ", "), datadir.EnvVar)
}

func printCommandHelp(w io.Writer, c command) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.flags(fs)
	syn := "firmsync"
	if c.name != "" {
		syn += " " + c.name
	}
	if c.args != "" {
		syn += " " + c.args
	}
	fmt.Fprintf(w, "Usage: %s [flags]\n\n%s\n\nFlags:\n", syn, capitalize(c.summary))
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  --%-10s %s\n", f.Name, f.Usage)
	})
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// resolveData applies --data, $FIRMSYNC_DATA and the default.
func resolveData(e env, o *opts) (string, error) {
	return datadir.Resolve(o.data, e.getenv, os.UserConfigDir)
}
