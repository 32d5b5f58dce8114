package secrets

import (
	"context"
	"fmt"
	"sync"
)

// Memory is an in-process Store for the sandbox and tests. Its zero value is
// ready to use.
type Memory struct {
	mu sync.Mutex        // guards m
	m  map[string]string // key → value
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{} }

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[key]
	if !ok {
		return "", fmt.Errorf("secrets: %s: %w", key, ErrNotFound)
	}
	return v, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key, value string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := checkValue(key, value); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = make(map[string]string)
	}
	m.m[key] = value
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}

// Keys returns the stored keys, for tests that check a disconnect left
// nothing behind.
func (m *Memory) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.m))
	for k := range m.m {
		keys = append(keys, k)
	}
	return keys
}

var _ Store = (*Memory)(nil)
