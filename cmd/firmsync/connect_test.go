package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/firmsync/firmsync/core"
)

func TestConnectInSandboxThenStatusShowsTheAccount(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, nil, "connect", "clio", "--sandbox", "--data", dir)
	if code != exitOK || !strings.Contains(out, "Connected clio as Alex Rivera") {
		t.Fatalf("connect: exit %d, out %q, err %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "status", "--json", "--data", dir)
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	var st core.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var clio core.ConnectionStatus
	for _, c := range st.Connections {
		if c.Platform == "clio" {
			clio = c
		}
	}
	if !clio.Connected || clio.Status != "connected" || clio.Account != "Alex Rivera" || clio.Email == "" || clio.Region != "us" {
		t.Fatalf("clio in status: %+v", clio)
	}
	if strings.Contains(out, "token\":") && strings.Contains(out, "access") {
		t.Fatalf("status leaks a token: %s", out)
	}
	code, out, _ = runCLI(t, nil, "disconnect", "clio", "--sandbox", "--data", dir)
	if code != exitOK || !strings.Contains(out, "Disconnected clio") {
		t.Fatalf("disconnect: exit %d %q", code, out)
	}
}
