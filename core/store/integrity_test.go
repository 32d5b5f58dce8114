package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// writeFirm makes a state file with a bit of everything: connections,
// settings, runs, a ledger, webhook events and enough log records to span
// many pages, and returns its bytes.
func writeFirm(t *testing.T, path string) []byte {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"clio", "box"} {
		if err := s.PutConnection(Connection{Platform: p, Status: ConnConnected, AccountName: "Firm " + p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSetting("schedule", map[string]int{"minutes": 15}); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := s.PutLedger(LedgerEntry{Job: "folders", Key: fmt.Sprint("matter:", i), TargetID: fmt.Sprint(i), State: LedgerDone}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddWebhookEvent(WebhookEvent{Platform: "clio", DeliveryKey: fmt.Sprint("d", i), Received: time.Unix(int64(i), 0), Payload: []byte(`{"x":1}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StartRun(Run{Job: "folders"}); err != nil {
		t.Fatal(err)
	}
	fillRealLog(t, s, 3000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readEverything calls every read of the Store and walks every bucket. It
// fails the test on a panic (the point of the guard) and returns the first
// error.
func readEverything(t *testing.T, s *Store) (first error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("a read panicked: %v", p)
		}
	}()
	note := func(err error) {
		if first == nil && err != nil {
			first = err
		}
	}
	_, err := s.Connections()
	note(err)
	_, err = s.Connection("clio")
	note(err)
	var v map[string]int
	_, err = s.Setting("schedule", &v)
	note(err)
	_, err = s.Runs("", 0)
	note(err)
	_, _, err = s.LastRun("folders")
	note(err)
	_, err = s.LedgerEntries("", "")
	note(err)
	_, err = s.LedgerEntries("folders", LedgerDone)
	note(err)
	_, err = s.QueryLog(LogQuery{})
	note(err)
	_, err = s.QueryLog(LogQuery{Status: LogSuccess, Text: "garcia"})
	note(err)
	_, err = s.CountLog(LogQuery{Job: "documents"})
	note(err)
	_, err = s.WebhookEvents(0)
	note(err)
	_, err = s.UnprocessedWebhookEvents()
	note(err)
	_, err = s.Watermark("x")
	note(err)
	note(s.db.View(walk))
	// A write too: it allocates from the freelist and rewrites pages.
	note(s.PutSetting("after", 1))
	return first
}

// checkDamagedError asserts err is a clear damage report for path.
func checkDamagedError(t *testing.T, err error, path string) {
	t.Helper()
	var de *DamagedError
	if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) {
		t.Fatalf("error %v, want a *DamagedError", err)
	}
	msg := err.Error()
	for _, want := range []string{filepath.Base(path), filepath.Dir(path), "firmsync rebuild"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

// metaFreelist reads the freelist page id and the page size from a file
// (meta page 0 is enough for a file just closed by one writer).
func metaFreelist(t *testing.T, data []byte) (freelist uint64, pageSize int) {
	t.Helper()
	order := binary.NativeEndian
	pageSize = int(order.Uint32(data[pageHeaderSize+8:]))
	best := uint64(0)
	for i := range 2 {
		m := data[i*pageSize:]
		if txid := order.Uint64(m[metaTxidOff:]); txid >= best {
			best, freelist = txid, order.Uint64(m[metaFreelistOff:])
		}
	}
	return freelist, pageSize
}

func TestOpenRefusesADamagedFile(t *testing.T) {
	good := writeFirm(t, filepath.Join(t.TempDir(), "firmsync.db"))
	freelist, pageSize := metaFreelist(t, good)
	if freelist == noFreelist || int(freelist)*pageSize >= len(good) {
		t.Fatalf("freelist page %d in a %d-byte file", freelist, len(good))
	}
	garbage := func(seed uint64, n int) []byte {
		r := rand.New(rand.NewPCG(seed, seed))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	overwrite := func(data []byte, off int, with []byte) []byte {
		out := bytes.Clone(data)
		copy(out[off:], with)
		return out
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"truncated to half", good[:len(good)/2]},
		{"truncated to a page and a bit", good[:pageSize+100]},
		{"truncated to 100 bytes", good[:100]},
		{"truncated by one page", good[:len(good)-pageSize]},
		{"freelist page garbled", overwrite(good, int(freelist)*pageSize, garbage(1, 64))},
		{"freelist page typed as a leaf", overwrite(good, int(freelist)*pageSize+8, []byte{0x02, 0})},
		{"both meta pages garbled", overwrite(overwrite(good, 0, garbage(2, 200)), pageSize, garbage(3, 200))},
	}
	// Random bytes over one whole page in the middle of the file: the page
	// may be a branch, a leaf or free; whichever, no panic.
	for seed := range uint64(6) {
		page := 2 + int(seed*7919)%(len(good)/pageSize-2)
		cases = append(cases, struct {
			name string
			data []byte
		}{fmt.Sprintf("random page %d", page), overwrite(good, page*pageSize, garbage(seed+10, pageSize))})
	}
	cases = append(cases, struct {
		name string
		data []byte
	}{"random bytes in the middle", overwrite(good, len(good)/2-50, garbage(99, 100))})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "firmsync.db")
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			var s *Store
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("Open panicked: %v", p)
					}
				}()
				s, err = Open(path, Options{})
			}()
			if err == nil {
				// The damage missed every structure (bytes of a free page,
				// or inside a value): reads may fail, but cleanly.
				t.Logf("opened; reads: %v", readEverything(t, s))
				s.Close()
				return
			}
			checkDamagedError(t, err, path)
			after, rerr := os.ReadFile(path)
			if rerr != nil || !bytes.Equal(after, c.data) {
				t.Fatalf("the damaged file was changed or removed (%v)", rerr)
			}
		})
	}
}

func TestDamageWhileOpenIsAnErrorNotAPanic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmsync.db")
	good := writeFirm(t, path)
	_, pageSize := metaFreelist(t, good)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := readEverything(t, s); err != nil {
		t.Fatalf("healthy file: %v", err)
	}
	// Another program scribbles over the pages while Firmsync runs: bbolt
	// maps the file, so it sees the change at once ("Page expected to be").
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte{0xA5}, len(good)-4*pageSize)
	if _, err := f.WriteAt(junk, int64(4*pageSize)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	err = readEverything(t, s)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("reads after damage: %v, want ErrDamaged", err)
	}
	t.Logf("first error: %v", err)
}

func TestRebuildFile(t *testing.T) {
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	t.Run("damaged freelist: moved aside, connections and settings kept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "firmsync.db")
		good := writeFirm(t, path)
		freelist, pageSize := metaFreelist(t, good)
		damaged := bytes.Clone(good)
		copy(damaged[int(freelist)*pageSize+8:], []byte{0x02, 0}) // a leaf, not a freelist
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := RebuildFile(path, now, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantAside := path + DamagedSuffix + "20250304T050607Z"
		if res.MovedTo != wantAside || !errors.Is(res.Damage, ErrDamaged) {
			t.Fatalf("result %+v, want moved to %s as damaged", res, wantAside)
		}
		if kept, err := os.ReadFile(wantAside); err != nil || !bytes.Equal(kept, damaged) {
			t.Fatalf("the damaged file was not kept as it was (%v)", err)
		}
		if res.Salvaged["connections"] != 2 || res.Salvaged["settings"] != 1 || len(res.Lost) != 0 {
			t.Errorf("salvaged %v, lost %v; want 2 connections and 1 setting", res.Salvaged, res.Lost)
		}
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("the fresh file does not open: %v", err)
		}
		defer s.Close()
		conns, err := s.Connections()
		if err != nil || len(conns) != 2 {
			t.Errorf("connections %v, %v", conns, err)
		}
		if recs, err := s.QueryLog(LogQuery{}); err != nil || len(recs) != 0 {
			t.Errorf("the fresh file has %d log records (%v), want none", len(recs), err)
		}
		if err := readEverything(t, s); err != nil {
			t.Error(err)
		}
	})
	t.Run("truncated: moved aside, nothing salvaged, no panic", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "firmsync.db")
		good := writeFirm(t, path)
		if err := os.WriteFile(path, good[:100], 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := RebuildFile(path, now, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.MovedTo, DamagedSuffix) || len(res.Lost) != 2 {
			t.Errorf("result %+v", res)
		}
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	})
	t.Run("healthy: moved aside as old, twice in a second", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "firmsync.db")
		writeFirm(t, path)
		first, err := RebuildFile(path, now, Options{})
		if err != nil || first.Damage != nil || first.MovedTo != path+OldSuffix+"20250304T050607Z" {
			t.Fatalf("first rebuild %+v, %v", first, err)
		}
		second, err := RebuildFile(path, now, Options{})
		if err != nil || second.MovedTo != path+OldSuffix+"20250304T050607Z-2" {
			t.Fatalf("second rebuild %+v, %v", second, err)
		}
		if _, err := os.Stat(first.MovedTo); err != nil {
			t.Errorf("the first rebuild's file is gone: %v", err)
		}
	})
	t.Run("no file yet", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "firmsync.db")
		res, err := RebuildFile(path, now, Options{})
		if err != nil || res.MovedTo != "" {
			t.Fatalf("%+v, %v", res, err)
		}
	})
	t.Run("in use: refused, nothing moved", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "firmsync.db")
		writeFirm(t, path)
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, err = RebuildFile(path, now, Options{LockTimeout: 50 * time.Millisecond})
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("rebuild of an open file: %v, want ErrLocked", err)
		}
		if matches, _ := filepath.Glob(path + ".*"); len(matches) != 0 {
			t.Errorf("files moved: %v", matches)
		}
	})
}

// The guard must not hide a healthy file's behaviour: bolt's own errors
// still come through unchanged.
func TestGuardPassesErrorsThrough(t *testing.T) {
	want := errors.New("mine")
	if err := guard("x", func() error { return want }); err != want {
		t.Fatalf("got %v", err)
	}
	var _ = bolt.ErrBucketNotFound
}

// TestCleanCloseStampSkipsOnlyTheFullCheck: a file Firmsync closed
// cleanly and nothing touched since opens with the structural check only;
// any change of the file (its size, time or last transaction) brings the
// full check back, and damage the stamp let through is still an error on
// read, never a panic.
func TestCleanCloseStampSkipsOnlyTheFullCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmsync.db")
	clean := writeFirm(t, path)
	if _, err := os.Stat(cleanStampPath(path)); err != nil {
		t.Fatalf("no stamp after a clean close: %v", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cleanStampPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the stamp outlived an open for writing: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A page of the log garbled by something else: the file's time moves,
	// the stamp no longer matches and Open refuses the file.
	fi, _ := os.Stat(path)
	garble := func(keepTime bool) {
		t.Helper()
		data := append([]byte(nil), clean...)
		pg := 4096 * (len(data) / 4096 / 2) // a page in the middle
		for i := pg + 16; i < pg+4096; i++ {
			data[i] = byte(i * 31)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if keepTime {
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Restore the clean file and its stamp first.
	if err := os.WriteFile(path, clean, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(path)
	clean, _ = os.ReadFile(path)

	garble(false)
	if _, err := Open(path, Options{}); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a changed file opened without the full check: %v", err)
	}
	// The same damage with the time put back (a disk that rots in place):
	// the stamp matches, Open may succeed, but reading never panics.
	garble(true)
	if s, err := Open(path, Options{}); err == nil {
		_ = readEverything(t, s) // fails the test on a panic
		_ = s.Close()
	} else if !errors.Is(err, ErrDamaged) {
		t.Fatalf("open: %v", err)
	}
}
