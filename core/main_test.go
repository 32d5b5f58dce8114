package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/firmsync/firmsync/connectors/sandbox"
	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/core/secrets"
)

// TestMain lets the test binary act as a Firmsync child process: the crash
// test re-executes it with FIRMSYNC_CHILD set, kills it with SIGKILL at
// random moments, and checks the fake platforms afterwards.
func TestMain(m *testing.M) {
	if os.Getenv("FIRMSYNC_CHILD") == "sync" {
		os.Exit(childSync())
	}
	os.Exit(m.Run())
}

// childSync runs one full sync against the sandbox described by
// FIRMSYNC_SANDBOX (its Info as JSON) with data in FIRMSYNC_DATA, as a
// firm on the practice-management system FIRMSYNC_PMS ("clio", "mycase",
// "smokeball"; "" keeps the data directory's, Clio for a new one), its
// clock FIRMSYNC_CLOCK_AHEAD (a duration, e.g. "3m") ahead of the
// machine's.
func childSync() int {
	var info sandbox.Info
	if err := json.Unmarshal([]byte(os.Getenv("FIRMSYNC_SANDBOX")), &info); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	ctx := context.Background()
	ahead, _ := time.ParseDuration(os.Getenv("FIRMSYNC_CLOCK_AHEAD"))
	app, err := core.Open(ctx, core.Options{DataDir: os.Getenv("FIRMSYNC_DATA"), ExternalSandbox: &info, Secrets: secrets.NewMemory(),
		PMS: os.Getenv("FIRMSYNC_PMS"), Now: func() time.Time { return time.Now().Add(ahead) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	res := app.Sync(ctx, nil, false)
	_ = app.Close()
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
	if res.Failed > 0 {
		return 1
	}
	return 0
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
