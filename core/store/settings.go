package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Setting decodes the JSON document stored under key into v, which must be
// a pointer. found is false, and v untouched, when the key has no value.
func (s *Store) Setting(key string, v any) (found bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		found, err = getJSON(tx.Bucket(bucketSettings), []byte(key), v)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: reading setting %q: %w", key, err)
	}
	return found, nil
}

// PutSetting stores v, encoded as JSON, under key.
func (s *Store) PutSetting(key string, v any) error {
	if key == "" {
		return fmt.Errorf("store: saving setting: empty key")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketSettings), []byte(key), v)
	})
	if err != nil {
		return fmt.Errorf("store: saving setting %q: %w", key, err)
	}
	return nil
}
