package store

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestMigrationsCoverSchemaVersion(t *testing.T) {
	if len(migrations) != SchemaVersion {
		t.Fatalf("%d migrations for SchemaVersion %d", len(migrations), SchemaVersion)
	}
}

// writeV1File builds, by hand, a file as schema 1 left it: the original
// buckets and JSON records, none of the later indexes.
func writeV1File(t *testing.T, path string, logs []LogRecord, runs []Run, ledger []LedgerEntry, events []WebhookEvent) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		bs := map[string]*bolt.Bucket{}
		for _, name := range []string{"meta", "connections", "settings", "runs", "log", "webhook_events", "webhook_dedupe", "ledger", "watermarks"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			bs[name] = b
		}
		if err := bs["meta"].Put([]byte("schema_version"), []byte("1")); err != nil {
			return err
		}
		put := func(bucket string, key []byte, v any) {
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if err := bs[bucket].Put(key, data); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range logs {
			put("log", itob(r.ID), r)
		}
		if err := bs["log"].SetSequence(uint64(len(logs))); err != nil {
			return err
		}
		for _, r := range runs {
			put("runs", itob(r.ID), r)
		}
		if err := bs["runs"].SetSequence(uint64(len(runs))); err != nil {
			return err
		}
		for _, e := range ledger {
			put("ledger", []byte(e.Job+"\x00"+e.Key), e)
		}
		for _, e := range events {
			put("webhook_events", itob(e.ID), e)
			if err := bs["webhook_dedupe"].Put([]byte(e.Platform+"\x00"+e.DeliveryKey), itob(e.ID)); err != nil {
				return err
			}
		}
		if err := bs["webhook_events"].SetSequence(uint64(len(events))); err != nil {
			return err
		}
		put("watermarks", []byte("matters"), "2024-05-01T00:00:00Z")
		put("connections", []byte("clio"), Connection{Platform: "clio", Status: ConnConnected, Region: "ca"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenUpgradesV1FileAndBackfillsIndexes(t *testing.T) {
	base := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	var logs []LogRecord
	statuses := []string{LogSuccess, LogSuccess, LogFailed, LogSkipped}
	for i := 1; i <= 40; i++ {
		logs = append(logs, LogRecord{
			ID: uint64(i), Time: base.Add(time.Duration(i) * time.Minute),
			Job: []string{"matters", "contacts"}[i%2], Platform: "clio",
			Status: statuses[i%len(statuses)], Object: fmt.Sprintf("Matter %d", i),
		})
	}
	runs := []Run{
		{ID: 1, Job: "matters", Start: base, Status: RunSucceeded},
		{ID: 2, Job: "contacts", Start: base.Add(time.Hour), Status: RunFailed},
		{ID: 3, Job: "matters", Start: base.Add(2 * time.Hour), Status: RunPartial},
	}
	ledger := []LedgerEntry{
		{Job: "matters", Key: "matter:1", State: LedgerDone, TargetID: "box:1"},
		{Job: "matters", Key: "matter:2", State: LedgerIntent},
		{Job: "contacts", Key: "contact:9", State: LedgerParked},
	}
	events := []WebhookEvent{
		{ID: 1, Platform: "clio", DeliveryKey: "d1", Received: base, Processed: true},
		{ID: 2, Platform: "clio", DeliveryKey: "d2", Received: base},
	}
	path := filepath.Join(t.TempDir(), "v1.db")
	writeV1File(t, path, logs, runs, ledger, events)

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open v1 file: %v", err)
	}
	defer s.Close()

	_ = s.db.View(func(tx *bolt.Tx) error {
		if v, _ := schemaVersion(tx); v != SchemaVersion {
			t.Errorf("schema version after upgrade = %d, want %d", v, SchemaVersion)
		}
		return nil
	})
	checkLogIndexes(t, s)

	t.Run("log data and indexes", func(t *testing.T) {
		n, err := s.CountLog(LogQuery{})
		if err != nil || n != 40 {
			t.Errorf("CountLog = %d, %v; want 40", n, err)
		}
		failed, err := s.QueryLog(LogQuery{Status: LogFailed, Job: "matters"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range failed {
			if r.Status != LogFailed || r.Job != "matters" {
				t.Errorf("got %+v", r)
			}
		}
		if len(failed) != 10 {
			t.Errorf("failed matters = %d, want 10", len(failed))
		}
		ids, err := s.AppendLog(LogRecord{Job: "matters", Status: LogFailed})
		if err != nil || ids[0] != 41 {
			t.Errorf("AppendLog after upgrade = %v, %v; want ID 41", ids, err)
		}
	})
	t.Run("runs by job", func(t *testing.T) {
		got, err := s.Runs("matters", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != 3 || got[1].ID != 1 {
			t.Errorf("Runs(matters) = %+v; want IDs 3, 1", got)
		}
	})
	t.Run("ledger by state", func(t *testing.T) {
		got, err := s.LedgerEntries("matters", LedgerIntent)
		if err != nil || len(got) != 1 || got[0].Key != "matter:2" {
			t.Errorf("LedgerEntries(matters, intent) = %+v, %v", got, err)
		}
	})
	t.Run("pending webhooks and dedupe", func(t *testing.T) {
		got, err := s.UnprocessedWebhookEvents()
		if err != nil || len(got) != 1 || got[0].ID != 2 {
			t.Errorf("UnprocessedWebhookEvents = %+v, %v", got, err)
		}
		if _, err := s.AddWebhookEvent(WebhookEvent{Platform: "clio", DeliveryKey: "d1"}); err == nil {
			t.Error("re-delivery of d1 after upgrade was accepted")
		}
	})
	t.Run("other buckets untouched", func(t *testing.T) {
		wm, err := s.Watermark("matters")
		if err != nil || wm != "2024-05-01T00:00:00Z" {
			t.Errorf("Watermark = %q, %v", wm, err)
		}
		c, err := s.Connection("clio")
		if err != nil || c.Status != ConnConnected || c.Region != "ca" {
			t.Errorf("Connection = %+v, %v", c, err)
		}
	})
}

func TestOpenRollsBackFailedMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.db")
	writeV1File(t, path, nil, nil, nil, nil)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLog).Put(itob(1), []byte("{not json"))
	})
	db.Close()

	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open succeeded with a corrupt log record")
	}
	db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v, _ := schemaVersion(tx); v != 1 {
			t.Errorf("schema version = %d after failed migration, want 1", v)
		}
		if tx.Bucket(bucketLogByStatus) != nil {
			t.Error("failed migration left log_by_status behind")
		}
		return nil
	})
}
