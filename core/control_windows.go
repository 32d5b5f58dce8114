//go:build windows

package core

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ControlSocket is the file in a data directory that locates the control
// endpoint: on Windows the endpoint file, holding the loopback address the
// running instance listens on and the token it requires. It lives in the
// data directory under the user's profile (%AppData%), whose ACL keeps
// other users out; the token is what keeps other users' processes, which
// can connect to any loopback port, and web pages, which can post to one,
// from driving this user's Firmsync.
func ControlSocket(dataDir string) string { return filepath.Join(dataDir, "control.endpoint") }

// endpointMagic is the endpoint file's first line, so a file of another
// format (or version) is never mistaken for one.
const endpointMagic = "firmsync-control-tcp 1"

// listenControl listens on a random loopback port and publishes its address
// and a fresh token in the endpoint file.
func listenControl(dataDir string) (*controlEndpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		ln.Close()
		return nil, fmt.Errorf("making the control token: %w", err)
	}
	token := hex.EncodeToString(b)
	path := ControlSocket(dataDir)
	// Write then rename, so a CLI never reads half a file; rename replaces
	// the file a crashed instance left (we hold the DB lock: it is ours).
	tmp := path + ".tmp"
	body := endpointMagic + "\n" + ln.Addr().String() + "\n" + token + "\n"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		ln.Close()
		return nil, fmt.Errorf("publishing %s: %w", path, err)
	}
	return &controlEndpoint{ln: ln, token: token, remove: func() { _ = os.Remove(path) }}, nil
}

// controlDialer reads the endpoint file of dataDir and reaches its port.
func controlDialer(dataDir string) (*controlClient, error) {
	path := ControlSocket(dataDir)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(lines) < 3 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if len(lines) != 3 || lines[0] != endpointMagic {
		return nil, fmt.Errorf("%s is not a Firmsync endpoint file", path)
	}
	addr, token := lines[1], lines[2]
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		// Only ever loopback: a tampered file must not send the token away.
		return nil, errors.New("the endpoint file names a non-loopback address")
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	conn.Close()
	return &controlClient{token: token, dial: func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}}, nil
}
