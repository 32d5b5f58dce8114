// Package cleanlocale keeps the GUI toolkit quiet about the C locale.
//
// Fyne's translation package reads the locale while the program is being
// initialised, before main runs, and logs three "Fyne error: Error parsing
// user locale C" lines to stderr for LANG=C.UTF-8, the default on many
// servers: every headless command printed them. Importing this package
// from main sets LANGUAGE=en in that one case, which the locale library
// Fyne uses reads instead of the C locale's name.
//
// This package must stay free of imports beyond os and strings: Go
// initialises packages in import-path order among those whose imports are
// ready, so a package under github.com/firmsync that needs nothing the
// locale library (github.com/jeandeaual/go-locale, which imports both)
// does not also need is always initialised before that library, and so
// before Fyne's.
package cleanlocale

import (
	"os"
	"strings"
)

func init() {
	if v, ok := language(os.Getenv); ok {
		os.Setenv("LANGUAGE", v)
	}
}

// language returns the LANGUAGE value to set, if one is needed: when the
// locale that decides the messages' language (LC_ALL, then LC_MESSAGES,
// then LANG) is C or POSIX with a codeset or modifier ("C.UTF-8"), and
// LANGUAGE does not already say. Plain "C" and "POSIX" are left alone: the
// locale library understands them. Under the C locale messages are in
// English, so English is what LANGUAGE says; gettext-based programs started
// from Firmsync (a browser) ignore LANGUAGE under the C locale.
func language(getenv func(string) string) (string, bool) {
	if getenv("LANGUAGE") != "" {
		return "", false
	}
	var locale string
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(k); locale != "" {
			break
		}
	}
	if locale == "C" || locale == "POSIX" {
		return "", false
	}
	name, _, _ := strings.Cut(locale, "@")
	name, _, _ = strings.Cut(name, ".")
	if name == "C" || name == "POSIX" {
		return "en", true
	}
	return "", false
}
