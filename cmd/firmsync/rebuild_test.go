package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core/datadir"
)

// TestRebuildADamagedDatabase: a synced firm's firmsync.db is cut short.
// Every command refuses it with one clear message (never a panic) and
// leaves it alone; `firmsync rebuild` moves it aside, keeps it byte for
// byte, starts a fresh one and syncs; afterwards the commands work again.
func TestRebuildADamagedDatabase(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Size: sandbox.Size{Contacts: 4, Matters: 2, Documents: 2, Recordings: 1, Prospects: 2}, RateWindow: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, nil, "sync", "--sandbox-url", sb.AdminURL(), "--data", dir); code == exitUsage || strings.Contains(errOut, "panic") {
		t.Fatalf("first sync: exit %d, stderr %q", code, errOut)
	}
	db := datadir.DBPath(dir)
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	damaged := good[:len(good)/2]
	if err := os.WriteFile(db, damaged, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{{"status"}, {"log"}, {"sync", "--sandbox-url", sb.AdminURL()}} {
		code, _, errOut := runCLI(t, nil, append(args, "--data", dir)...)
		if code != exitFailure || !strings.Contains(errOut, "damaged") || !strings.Contains(errOut, "firmsync rebuild") {
			t.Errorf("%v on a damaged file: exit %d, stderr %q; want exit 1 naming the damage and `firmsync rebuild`", args, code, errOut)
		}
	}
	if now, _ := os.ReadFile(db); !bytes.Equal(now, damaged) {
		t.Fatal("refusing the damaged file changed it")
	}

	code, out, errOut := runCLI(t, nil, "rebuild", "--sandbox-url", sb.AdminURL(), "--data", dir)
	if code == exitUsage || errOut != "" && code == exitOK {
		t.Fatalf("rebuild: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, want := range []string{"damaged state database was moved to", "Syncing", "JOB"} {
		if !strings.Contains(out, want) {
			t.Errorf("rebuild output lacks %q:\n%s", want, out)
		}
	}
	aside, _ := filepath.Glob(db + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("files set aside: %v, want one", aside)
	}
	if kept, err := os.ReadFile(aside[0]); err != nil || !bytes.Equal(kept, damaged) {
		t.Fatalf("the damaged file was not kept as it was (%v)", err)
	}
	if code, out, errOut := runCLI(t, nil, "status", "--data", dir); code != exitOK {
		t.Errorf("status after the rebuild: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestRebuildIsInTheHelp(t *testing.T) {
	_, out, _ := runCLI(t, nil, "--help")
	if !strings.Contains(out, "rebuild") {
		t.Errorf("help does not list rebuild:\n%s", out)
	}
	code, out, _ := runCLI(t, nil, "rebuild", "--help")
	if code != exitOK || !strings.Contains(out, "--data") {
		t.Errorf("rebuild --help: exit %d:\n%s", code, out)
	}
}
