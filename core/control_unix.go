//go:build !windows

package core

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ControlSocket is the file in a data directory that locates the control
// endpoint: on Linux and macOS the Unix socket itself.
func ControlSocket(dataDir string) string { return filepath.Join(dataDir, "control.sock") }

// listenControl listens on a Unix socket only its owner may connect to.
func listenControl(dataDir string) (*controlEndpoint, error) {
	path := ControlSocket(dataDir)
	_ = os.Remove(path) // a stale socket from a crash: we hold the DB lock, so it is ours
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("securing %s: %w", path, err)
	}
	return &controlEndpoint{ln: ln, remove: func() { _ = os.Remove(path) }}, nil
}

// controlDialer reaches the Unix socket of dataDir.
func controlDialer(dataDir string) (*controlClient, error) {
	path := ControlSocket(dataDir)
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, err
	}
	conn.Close()
	return &controlClient{dial: func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}, nil
}
