// Package autostart registers Firmsync to start when the user logs in: an
// XDG autostart entry on Linux and the BSDs, a LaunchAgent on macOS, the
// Run key on Windows. Every location can be redirected for tests.
package autostart

import (
	"strings"
)

// HiddenFlag is the command-line flag that starts the window hidden in the
// tray.
const HiddenFlag = "--hidden"

// Entry is one start-at-login registration. The zero value of each field
// means the platform default.
type Entry struct {
	ID   string // reverse-DNS id (LaunchAgent label); "" = com.firmsync.desktop
	Name string // display name (desktop entry, Run value name); "" = Firmsync
	// Dir is where the entry file goes: the XDG autostart directory on
	// Linux, ~/Library/LaunchAgents on macOS. "" = the user's default.
	Dir string
	// Key is the registry key under HKEY_CURRENT_USER on Windows; "" =
	// Software\Microsoft\Windows\CurrentVersion\Run.
	Key string
	// Args go after the program on the registered command line, e.g.
	// --data DIR for a firm that keeps its data somewhere else.
	Args []string
}

// Default is the registration for this user at the platform's place.
func Default() *Entry { return &Entry{} }

// Enable registers exe to start at login, with HiddenFlag when hidden.
func Enable(exe string, hidden bool) error { return Default().Enable(exe, hidden) }

// Disable removes the registration; removing a missing one is no error.
func Disable() error { return Default().Disable() }

// Enabled reports whether a registration exists.
func Enabled() (bool, error) { return Default().Enabled() }

func (e *Entry) id() string {
	if e.ID == "" {
		return "com.firmsync.desktop"
	}
	return e.ID
}

func (e *Entry) name() string {
	if e.Name == "" {
		return "Firmsync"
	}
	return e.Name
}

// args is the command line to register: exe, e.Args, then HiddenFlag.
func (e *Entry) args(exe string, hidden bool) []string {
	return append(append([]string{exe}, e.Args...), args(exe, hidden)[1:]...)
}

// args is the command line to register for an entry without Args.
func args(exe string, hidden bool) []string {
	a := []string{exe}
	if hidden {
		a = append(a, HiddenFlag)
	}
	return a
}

// quoteExec quotes one argument for a desktop entry's Exec key (the
// desktop entry specification's rules) or a Windows command line: wrap in
// double quotes when needed and escape what the quotes would not protect.
func quoteExec(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}
