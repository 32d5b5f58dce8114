package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openTest opens a fresh store in a temporary directory, closed at cleanup.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "firmsync.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// checkLogIndexes fails t unless the log's index buckets and counters match
// its records exactly.
func checkLogIndexes(t testing.TB, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		want := map[string]map[string]bool{}
		counts := map[string]uint64{}
		for _, ix := range logIndexes {
			want[string(ix.bucket)] = map[string]bool{}
		}
		err := tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
			rec, err := decodeLog(k, v)
			if err != nil {
				return err
			}
			counts[string(keyLogCountAll)]++
			for _, ix := range logIndexes {
				if f := ix.field(&rec); f != "" {
					want[string(ix.bucket)][string(idKey(f, btoi(k)))] = true
					counts[string(compositeKey(ix.name, f))]++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, ix := range logIndexes {
			got := map[string]bool{}
			_ = tx.Bucket(ix.bucket).ForEach(func(k, _ []byte) error {
				got[string(k)] = true
				return nil
			})
			if len(got) != len(want[string(ix.bucket)]) {
				t.Errorf("index %s has %d keys, want %d", ix.bucket, len(got), len(want[string(ix.bucket)]))
			}
			for k := range want[string(ix.bucket)] {
				if !got[k] {
					t.Errorf("index %s lacks %q", ix.bucket, k)
				}
			}
		}
		gotCounts := map[string]uint64{}
		_ = tx.Bucket(bucketLogCounts).ForEach(func(k, v []byte) error {
			gotCounts[string(k)] = binary.BigEndian.Uint64(v)
			return nil
		})
		if len(gotCounts) != len(counts) {
			t.Errorf("log_counts has %d keys, want %d: %v vs %v", len(gotCounts), len(counts), gotCounts, counts)
		}
		for k, n := range counts {
			if gotCounts[k] != n {
				t.Errorf("log_counts[%q] = %d, want %d", k, gotCounts[k], n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("checking log indexes: %v", err)
	}
}

func TestOpenCreatesSchema(t *testing.T) {
	s := openTest(t)
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{
			bucketMeta, bucketConnections, bucketSettings, bucketRuns, bucketLog,
			bucketWebhookEvents, bucketWebhookDedupe, bucketLedger, bucketWatermarks,
			bucketLogByStatus, bucketLogByJob, bucketLogByPlatform, bucketLogCounts,
			bucketRunsByJob, bucketLedgerByState, bucketWebhookPending,
		} {
			if tx.Bucket(name) == nil {
				t.Errorf("bucket %s missing", name)
			}
		}
		if v, err := schemaVersion(tx); err != nil || v != SchemaVersion {
			t.Errorf("schema version = %d, %v; want %d", v, err, SchemaVersion)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenTwiceFailsFastWithErrLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmsync.db")
	first, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	defer first.Close()

	start := time.Now()
	second, err := Open(path, Options{})
	elapsed := time.Since(start)
	if err == nil {
		second.Close()
		t.Fatal("second Open succeeded; want ErrLocked")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open error = %v; want ErrLocked", err)
	}
	if elapsed >= time.Second {
		t.Errorf("second Open took %s; want well under 1s", elapsed)
	}

	// Once the first closes, the file opens again with its data.
	if err := first.PutSetting("k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	defer again.Close()
	var v string
	if found, err := again.Setting("k", &v); err != nil || !found || v != "v" {
		t.Errorf("Setting after reopen = %q, %v, %v", v, found, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firmsync.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchemaVersion, []byte("99"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a schema 99 file")
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open error = %v; want ErrSchemaTooNew", err)
	}
	// The file was left untouched.
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if got := tx.Bucket(bucketMeta).Get(keySchemaVersion); !bytes.Equal(got, []byte("99")) {
			t.Errorf("schema_version = %q after refused Open", got)
		}
		if tx.Bucket(bucketLog) != nil {
			t.Error("refused Open created buckets")
		}
		return nil
	})
}

func TestPathAndCloseTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "firmsync.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
