package store

import (
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the schema this build writes. A file with a lower
// version is upgraded on Open; a file with a higher one is refused.
const SchemaVersion = 3

// keySchemaVersion holds the schema version, as decimal text, in bucketMeta.
var keySchemaVersion = []byte("schema_version")

// migrations[i] upgrades a file from schema i to schema i+1. Append only:
// never edit a migration that has shipped.
var migrations = []func(tx *bolt.Tx) error{
	migrateV1Buckets,
	migrateV2LogIndexes,
	migrateV3RunLedgerWebhookIndexes,
}

// migrate brings the file up to SchemaVersion inside tx. All steps share the
// transaction, so a failure leaves the file as it was.
func migrate(tx *bolt.Tx) error {
	version, err := schemaVersion(tx)
	if err != nil {
		return err
	}
	if version > SchemaVersion {
		return fmt.Errorf("file has schema %d, this build knows up to %d: %w", version, SchemaVersion, ErrSchemaTooNew)
	}
	for v := version; v < SchemaVersion; v++ {
		if err := migrations[v](tx); err != nil {
			return fmt.Errorf("upgrading schema %d to %d: %w", v, v+1, err)
		}
	}
	if version == SchemaVersion {
		return nil
	}
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put(keySchemaVersion, []byte(strconv.Itoa(SchemaVersion)))
}

// schemaVersion reads the stored version; a new file has version 0.
func schemaVersion(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	raw := meta.Get(keySchemaVersion)
	if raw == nil {
		return 0, nil
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("reading schema version %q: not a version number", raw)
	}
	return v, nil
}

// createBuckets creates each named bucket unless it exists.
func createBuckets(tx *bolt.Tx, names ...[]byte) error {
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}

// migrateV1Buckets creates the original buckets.
func migrateV1Buckets(tx *bolt.Tx) error {
	return createBuckets(tx,
		bucketMeta, bucketConnections, bucketSettings, bucketRuns, bucketLog,
		bucketWebhookEvents, bucketWebhookDedupe, bucketLedger, bucketWatermarks)
}

// migrateV2LogIndexes adds the log's status, job and platform indexes and
// its counters, and fills them from the records already in the log.
func migrateV2LogIndexes(tx *bolt.Tx) error {
	if err := createBuckets(tx, bucketLogByStatus, bucketLogByJob, bucketLogByPlatform, bucketLogCounts); err != nil {
		return err
	}
	return tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
		var rec LogRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decoding log record %d: %w", btoi(k), err)
		}
		return indexLog(tx, btoi(k), &rec)
	})
}

// migrateV3RunLedgerWebhookIndexes adds the runs-by-job, ledger-by-state and
// pending-webhook indexes and fills them from existing records.
func migrateV3RunLedgerWebhookIndexes(tx *bolt.Tx) error {
	if err := createBuckets(tx, bucketRunsByJob, bucketLedgerByState, bucketWebhookPending); err != nil {
		return err
	}
	err := tx.Bucket(bucketRuns).ForEach(func(k, v []byte) error {
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decoding run %d: %w", btoi(k), err)
		}
		return tx.Bucket(bucketRunsByJob).Put(idKey(r.Job, btoi(k)), nil)
	})
	if err != nil {
		return err
	}
	err = tx.Bucket(bucketLedger).ForEach(func(k, v []byte) error {
		var e LedgerEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decoding ledger entry %q: %w", k, err)
		}
		return tx.Bucket(bucketLedgerByState).Put(ledgerStateKey(e.Job, e.State, e.Key), nil)
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketWebhookEvents).ForEach(func(k, v []byte) error {
		var e WebhookEvent
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decoding webhook event %d: %w", btoi(k), err)
		}
		if e.Processed {
			return nil
		}
		return tx.Bucket(bucketWebhookPending).Put(k, nil)
	})
}
