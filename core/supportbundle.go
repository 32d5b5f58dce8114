package core

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/firmsync/firmsync/core/datadir"
	"github.com/firmsync/firmsync/core/oplog"
	"github.com/firmsync/firmsync/core/store"
)

// supportLogRecords is how many of the newest activity records a support
// bundle carries.
const supportLogRecords = 2000

// supportLogBytes caps how much of each operational log file is included
// (the newest part).
const supportLogBytes = 4 << 20

// ExportSupportBundle writes a zip for whoever helps the firm: status,
// settings, versions, recent runs, recent activity and the operational
// log files. Every text passes through oplog.RedactString, and the
// keychain is never read, so no token or secret can be in it.
func (a *App) ExportSupportBundle(ctx context.Context, w io.Writer) error {
	zw := zip.NewWriter(w)
	add := func(name string, text string) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, oplog.RedactString(text))
		return err
	}
	addJSON := func(name string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		return add(name, string(b))
	}
	var errs []string
	note := func(what string, err error) {
		if err != nil {
			errs = append(errs, what+": "+err.Error())
		}
	}
	st, err := a.Status(ctx)
	note("status", err)
	note("status.json", addJSON("status.json", st))
	note("settings.json", addJSON("settings.json", a.Settings()))
	note("versions.txt", add("versions.txt", versionsText()))
	var runs []store.Run
	for _, j := range Jobs() {
		rs, err := a.store.Runs(j, 50)
		note("runs of "+j, err)
		runs = append(runs, rs...)
	}
	note("runs.json", addJSON("runs.json", runs))
	recs, err := a.store.QueryLog(store.LogQuery{Limit: supportLogRecords})
	note("activity", err)
	var sb strings.Builder
	for _, r := range recs {
		b, _ := json.Marshal(r)
		sb.Write(b)
		sb.WriteByte('\n')
	}
	note("activity.jsonl", add("activity.jsonl", sb.String()))
	note("webhook_events", a.addWebhookEvents(addJSON))
	note("logs", a.addLogFiles(add))
	if len(errs) > 0 {
		note("errors.txt", add("errors.txt", "Some parts could not be collected:\n"+strings.Join(errs, "\n")+"\n"))
	}
	return zw.Close()
}

func (a *App) addWebhookEvents(addJSON func(string, any) error) error {
	evs, err := a.store.WebhookEvents(200)
	if err != nil {
		return err
	}
	type ev struct {
		Platform, Type, Resource, Error string
		Processed                       bool
	}
	out := make([]ev, 0, len(evs))
	for _, e := range evs {
		// Payloads are left out: they may carry client data.
		out = append(out, ev{Platform: e.Platform, Type: e.Type, Resource: e.Resource, Error: e.Error, Processed: e.Processed})
	}
	return addJSON("webhook_events.json", out)
}

func (a *App) addLogFiles(add func(string, string) error) error {
	dir := datadir.LogDir(a.opts.DataDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	names := []string{}
	for _, e := range entries {
		if !e.IsDir() && strings.Contains(e.Name(), ".log") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := readTail(filepath.Join(dir, n), supportLogBytes)
		if err != nil {
			return err
		}
		if err := add("logs/"+n, string(b)); err != nil {
			return err
		}
	}
	return nil
}

func readTail(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > max {
		if _, err := f.Seek(fi.Size()-max, io.SeekStart); err != nil {
			return nil, err
		}
	}
	return io.ReadAll(io.LimitReader(f, max))
}

func versionsText() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "go: %s\nos: %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&sb, "main: %s %s\n", bi.Main.Path, bi.Main.Version)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				fmt.Fprintf(&sb, "%s: %s\n", s.Key, s.Value)
			}
		}
		for _, d := range bi.Deps {
			fmt.Fprintf(&sb, "dep: %s %s\n", d.Path, d.Version)
		}
	}
	return sb.String()
}
