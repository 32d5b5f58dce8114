// Package oplog is Firmsync's operational log: log/slog records written to
// DATA/logs/firmsync.log, rotated by size, with every secret redacted before
// it reaches the disk. The per-item log a user reads lives in the store, not
// here; this file is for whoever supports the firm.
package oplog

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// Options configures Open.
type Options struct {
	Dir        string     // log directory, e.g. DATA/logs; created 0700
	Level      slog.Level // minimum level; zero means Info
	MaxSizeMB  int        // rotate after this many megabytes; 0 means 10
	MaxBackups int        // rotated files kept; 0 means 5
	Also       io.Writer  // optional second destination (stderr for `serve`)
}

// Logger is an open operational log.
type Logger struct {
	*slog.Logger
	file *rotator
}

// FileName is the name of the active log file inside Options.Dir.
const FileName = "firmsync.log"

// Open creates the log directory and returns a logger writing to it.
func Open(o Options) (*Logger, error) {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("oplog: creating %s: %w", o.Dir, err)
	}
	path := filepath.Join(o.Dir, FileName)
	rot, err := newRotator(path, int64(orDefault(o.MaxSizeMB, 10))<<20, orDefault(o.MaxBackups, 5))
	if err != nil {
		return nil, err
	}
	// The file is created 0600; an older one may be looser. (On Windows
	// modes mean nothing: the profile's ACL protects DATA.)
	if err := os.Chmod(path, 0o600); err != nil {
		rot.Close()
		return nil, fmt.Errorf("oplog: securing %s: %w", path, err)
	}
	var w io.Writer = rot
	if o.Also != nil {
		w = io.MultiWriter(rot, o.Also)
	}
	h := NewRedactor(slog.NewTextHandler(w, &slog.HandlerOptions{Level: o.Level}))
	return &Logger{Logger: slog.New(h), file: rot}, nil
}

// Close flushes and closes the log file.
func (l *Logger) Close() error {
	if l == nil || l.file == nil {
		return nil
	}
	return l.file.Close()
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}
