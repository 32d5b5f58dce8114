package autostart

import (
	"encoding/xml"
	"strings"
)

// launchAgent renders the LaunchAgent property list that starts argv at
// login on macOS. It has no build tag so its content is tested on every
// platform, while only autostart_darwin.go writes it to disk.
//
// launchd runs ProgramArguments directly, without a shell, so each
// argument is one <string> and only XML escaping applies. ProcessType
// Interactive keeps macOS from throttling a program the user works in.
func launchAgent(label string, argv []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + xmlText(label) + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range argv {
		b.WriteString("\t\t<string>" + xmlText(a) + "</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`)
	return b.String()
}

func xmlText(s string) string {
	var b strings.Builder
	// EscapeText only fails when the writer does; a Builder never does.
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
