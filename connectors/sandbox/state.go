package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// snapshotter is what every fake offers for persistence.
type snapshotter interface {
	Snapshot() ([]byte, error)
	Restore([]byte) error
}

func (s *Sandbox) fakesLocked() map[string]snapshotter {
	return map[string]snapshotter{Clio: s.clio, MyCase: s.mycase, Smokeball: s.smokeball, Zoom: s.zoom, Box: s.box, Lawmatics: s.lawmatics}
}

// restoreLocked loads every platform's state; it reports false when there
// is no saved firm yet.
func (s *Sandbox) restoreLocked() (bool, error) {
	meta, err := os.ReadFile(filepath.Join(s.o.StateDir, "box-root"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sandbox: reading state: %w", err)
	}
	var unsaved []string
	for p, f := range s.fakesLocked() {
		b, err := os.ReadFile(filepath.Join(s.o.StateDir, p+".json"))
		if errors.Is(err, fs.ErrNotExist) && (p == MyCase || p == Smokeball) {
			// A sandbox saved before these fakes existed: its firm is
			// added to them below, the rest is kept.
			unsaved = append(unsaved, p)
			continue
		}
		if err != nil {
			return false, fmt.Errorf("sandbox: reading %s state: %w", p, err)
		}
		if err := f.Restore(b); err != nil {
			return false, fmt.Errorf("sandbox: restoring %s state: %w", p, err)
		}
	}
	s.boxRoot = string(meta)
	if len(unsaved) > 0 {
		plan := planFirm(seedRand(s.o.Seed), s.o.Size)
		for _, p := range unsaved {
			if err := s.seedPMSLocked(p, plan); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// saveLocked writes every platform's state atomically (temp file + rename).
func (s *Sandbox) saveLocked() error {
	if s.o.StateDir == "" {
		return nil
	}
	for p, f := range s.fakesLocked() {
		b, err := f.Snapshot()
		if err != nil {
			return fmt.Errorf("sandbox: snapshotting %s: %w", p, err)
		}
		if err := writeFileAtomic(filepath.Join(s.o.StateDir, p+".json"), b); err != nil {
			return err
		}
	}
	return writeFileAtomic(filepath.Join(s.o.StateDir, "box-root"), []byte(s.boxRoot))
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("sandbox: saving %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sandbox: saving %s: %w", path, err)
	}
	return nil
}

// saveLoop saves state every few seconds so a killed sandbox loses little.
func (s *Sandbox) saveLoop() {
	defer s.wg.Done()
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			err := s.saveLocked()
			s.mu.Unlock()
			if err != nil {
				s.o.Logger.Error("saving sandbox state", "err", err)
			}
		}
	}
}
