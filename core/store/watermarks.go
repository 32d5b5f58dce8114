package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Watermark returns the cursor saved for key, or "" when there is none. The
// key is a job name, or job+"/"+part for jobs that keep several cursors.
func (s *Store) Watermark(key string) (string, error) {
	var v string
	err := s.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketWatermarks), []byte(key), &v)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: reading watermark %q: %w", key, err)
	}
	return v, nil
}

// SetWatermark saves v as the cursor for key. An empty v removes it.
func (s *Store) SetWatermark(key, v string) error {
	if key == "" {
		return fmt.Errorf("store: saving watermark: empty key")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWatermarks)
		if v == "" {
			return b.Delete([]byte(key))
		}
		return putJSON(b, []byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("store: saving watermark %q: %w", key, err)
	}
	return nil
}
