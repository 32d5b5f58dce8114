package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// fillRealLog writes n log records in batches, the way syncs do: with their
// indexes and counts, so the file has a real state file's shape.
func fillRealLog(tb testing.TB, s *Store, n int) {
	tb.Helper()
	const batch = 1000
	for i := 0; i < n; i += batch {
		recs := make([]LogRecord, 0, batch)
		for j := i; j < i+batch && j < n; j++ {
			recs = append(recs, LogRecord{Time: time.Unix(int64(1_700_000_000+j), 0), Job: "documents", Platform: "box",
				Action: "upload file", Status: LogSuccess, Object: fmt.Sprintf("Document %q (Matter 00012-Garcia — Divorce)", fmt.Sprint("file-", j, ".pdf")),
				SourceID: fmt.Sprint(j), ExternalID: fmt.Sprint(900000 + j), ItemKey: fmt.Sprint("doc:", j), Message: "uploaded version 1"})
		}
		if _, err := s.AppendLog(recs...); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkOpenCheck measures what Open's check costs on a 200,000-record
// file next to bbolt's full tx.Check, which was judged too slow to run on
// every start (see the report in integrity.go's history).
func BenchmarkOpenCheck(b *testing.B) {
	path := filepath.Join(b.TempDir(), "firmsync.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	fillRealLog(b, s, 200_000)
	s.Close()
	b.Run("checkFile", func(b *testing.B) {
		for range b.N {
			if err := checkFile(path, time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Open without a clean-close stamp", func(b *testing.B) {
		for range b.N {
			removeCleanStamp(path)
			s, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
	b.Run("Open", func(b *testing.B) {
		for range b.N {
			s, err := Open(path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
	b.Run("txCheck", func(b *testing.B) {
		db, err := bolt.Open(path, fileMode, &bolt.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for range b.N {
			_ = db.View(func(tx *bolt.Tx) error {
				for err := range tx.Check() {
					b.Fatal(err)
				}
				return nil
			})
		}
	})
}
