package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Connection statuses.
const (
	ConnDisconnected    = "disconnected"     // never connected, or disconnected by the user
	ConnConnected       = "connected"        // idle and healthy
	ConnSyncing         = "syncing"          // a job is using the connection
	ConnError           = "error"            // the last call failed; see LastError
	ConnReconnectNeeded = "reconnect_needed" // the refresh token was refused; the user must sign in again
)

// Connection is what Firmsync knows about one platform account. Tokens are
// never part of it: they live in the OS keychain.
type Connection struct {
	Platform     string       `json:"platform"`               // "clio", "lawmatics", "zoom", "box"
	Status       string       `json:"status"`                 // one of the Conn... constants
	AccountID    string       `json:"account_id,omitempty"`   // the platform's id for the account or user
	AccountName  string       `json:"account_name,omitempty"` // display name of the account
	AccountEmail string       `json:"account_email,omitempty"`
	Region       string       `json:"region,omitempty"`   // e.g. Clio's "us", "ca", "eu", "au"
	BaseURL      string       `json:"base_url,omitempty"` // API base URL for the region or sandbox
	TokenExpiry  time.Time    `json:"token_expiry,omitzero"`
	ConnectedAt  time.Time    `json:"connected_at,omitzero"`
	LastSync     time.Time    `json:"last_sync,omitzero"`
	LastError    string       `json:"last_error,omitempty"`
	Webhooks     []WebhookReg `json:"webhooks,omitempty"` // registrations Firmsync made on the platform
}

// WebhookReg is one webhook registration made on a platform.
type WebhookReg struct {
	ID          string    `json:"id"`              // the platform's id for the registration
	Model       string    `json:"model,omitempty"` // object type watched, e.g. "matter"
	URL         string    `json:"url,omitempty"`   // where the platform delivers
	Status      string    `json:"status,omitempty"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	LastEventAt time.Time `json:"last_event_at,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

// Connection returns the stored connection for platform, or a zero
// Connection with Status ConnDisconnected when there is none.
func (s *Store) Connection(platform string) (Connection, error) {
	var c Connection
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		c, err = getConnection(tx, platform)
		return err
	})
	if err != nil {
		return Connection{}, fmt.Errorf("store: reading connection %s: %w", platform, err)
	}
	return c, nil
}

// PutConnection stores c under c.Platform, replacing any earlier value.
func (s *Store) PutConnection(c Connection) error {
	if c.Platform == "" {
		return fmt.Errorf("store: saving connection: empty platform")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketConnections), []byte(c.Platform), c)
	})
	if err != nil {
		return fmt.Errorf("store: saving connection %s: %w", c.Platform, err)
	}
	return nil
}

// UpdateConnection reads the connection for platform (the ConnDisconnected
// zero value if absent), passes it to fn and stores the result, all in one
// transaction. If fn returns an error nothing is written and the error is
// returned wrapped.
func (s *Store) UpdateConnection(platform string, fn func(*Connection) error) error {
	if platform == "" {
		return fmt.Errorf("store: updating connection: empty platform")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		c, err := getConnection(tx, platform)
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.Platform = platform
		return putJSON(tx.Bucket(bucketConnections), []byte(platform), c)
	})
	if err != nil {
		return fmt.Errorf("store: updating connection %s: %w", platform, err)
	}
	return nil
}

// Connections returns every stored connection, ordered by platform.
func (s *Store) Connections() ([]Connection, error) {
	var out []Connection
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConnections).ForEach(func(k, v []byte) error {
			var c Connection
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decoding %s: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: listing connections: %w", err)
	}
	return out, nil
}

// getConnection reads platform's connection or its disconnected zero value.
func getConnection(tx *bolt.Tx, platform string) (Connection, error) {
	c := Connection{Platform: platform, Status: ConnDisconnected}
	found, err := getJSON(tx.Bucket(bucketConnections), []byte(platform), &c)
	if err != nil || !found {
		return c, err
	}
	c.Platform = platform
	return c, nil
}
